const size = {
  type: 'object',
  required: ['width', 'height'],
  additionalProperties: false,
  properties: { width: { type: 'integer', minimum: 1 }, height: { type: 'integer', minimum: 1 } },
} as const;

const icon = {
  type: 'object',
  required: ['width', 'height', 'path', 'scale'],
  additionalProperties: false,
  properties: {
    width: { type: 'integer', minimum: 1 },
    height: { type: 'integer', minimum: 1 },
    path: { type: 'string', pattern: '^[A-Za-z0-9_./@-]+\\.png$' },
    scale: { type: 'array', minItems: 1, items: { enum: [1, 2] } },
    theme: { type: 'array', items: { enum: ['all', 'lightest', 'light', 'medium', 'dark', 'darkest'] } },
    species: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** Local server origins only: a loopback name with an explicit port; never `all`, never a wildcard. */
const LOCAL_DOMAIN = '^(ws|http)://(127\\.0\\.0\\.1|localhost):[0-9]{1,5}$';

/**
 * JSON Schema (draft 2020-12) of the UXP manifest v5 fields this plugin uses, with the
 * project's own rules on top of UXP's: Premiere Pro 25.6 or newer, a panel entrypoint with
 * sizes and icons, and network access to the local server only.
 */
export const MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://framewright.dev/schemas/premiere-uxp-manifest.schema.json',
  title: 'Framewright Premiere Pro UXP manifest',
  type: 'object',
  required: ['manifestVersion', 'id', 'name', 'version', 'main', 'host', 'entrypoints', 'icons', 'requiredPermissions'],
  additionalProperties: false,
  properties: {
    manifestVersion: { const: 5 },
    id: { type: 'string', pattern: '^[A-Za-z0-9._-]+$' },
    name: { type: 'string', minLength: 1, maxLength: 45 },
    version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' },
    main: { const: 'index.html' },
    host: {
      type: 'object',
      required: ['app', 'minVersion'],
      additionalProperties: false,
      properties: { app: { const: 'premierepro' }, minVersion: { type: 'string', pattern: '^(25\\.([6-9]|[1-9][0-9])|2[6-9]\\.[0-9]+|[3-9][0-9]\\.[0-9]+)\\.[0-9]+$' } },
    },
    entrypoints: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['type', 'id', 'label', 'minimumSize', 'maximumSize', 'preferredDockedSize', 'preferredFloatingSize', 'icons'],
        additionalProperties: false,
        properties: {
          type: { const: 'panel' },
          id: { type: 'string', minLength: 1 },
          label: { type: 'object', required: ['default'], properties: { default: { type: 'string', minLength: 1 } } },
          minimumSize: size,
          maximumSize: size,
          preferredDockedSize: size,
          preferredFloatingSize: size,
          icons: { type: 'array', minItems: 1, items: icon },
        },
      },
    },
    icons: { type: 'array', minItems: 1, items: icon },
    requiredPermissions: {
      type: 'object',
      required: ['network', 'localFileSystem'],
      additionalProperties: false,
      properties: {
        network: {
          type: 'object',
          required: ['domains'],
          additionalProperties: false,
          properties: { domains: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: LOCAL_DOMAIN } } },
        },
        localFileSystem: { enum: ['plugin', 'request'] },
        allowCodeGenerationFromStrings: { type: 'boolean' },
      },
    },
  },
} as const;
