/**
 * `@framewright/core`: the Framewright engine for Node — run operations in-process, start the
 * local server, and reach the protocol types.
 *
 * Any new export added here becomes public API.
 * @packageDocumentation
 */
export * from './protocol/index.js';
