/**
 * The Framewright SDK client (universal: no Node built-ins).
 * @packageDocumentation
 */
export { PROTOCOL_VERSIONS } from '../protocol/index.js';
