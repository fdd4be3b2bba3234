import { Type, type TProperties } from '@sinclair/typebox';

/** Fields every progress event has; operations add their own. */
export function progressFields<S extends string>(stages: readonly S[]) {
  return {
    stage: Type.Union(stages.map((s) => Type.Literal(s))),
    fraction: Type.Number({ minimum: 0, maximum: 1, description: 'Overall completion, 0 to 1' }),
    etaSeconds: Type.Optional(Type.Number({ minimum: 0, description: 'Estimated seconds left' })),
    message: Type.Optional(Type.String()),
  };
}

/** A closed object: unknown fields are an error, as everywhere in the protocol. */
export function closed<T extends TProperties>(properties: T, options: { description?: string; title?: string } = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** A path to a file or folder on the engine's machine. */
export function pathString(description?: string) {
  return Type.String({ minLength: 1, maxLength: 4096, ...(description === undefined ? {} : { description }) });
}

/** A path to a file or folder on the engine's machine. */
export const PathString = pathString();
