/**
 * Shipmate's version, reported by /api/v1/metadata, the OpenAPI document and `shipmate --version`.
 * It lives in core so the execution plane's commands can print it without loading the server.
 */
export const SHIPMATE_VERSION = '0.1.0';
