/** Shipmate's version, reported by /api/v1/metadata and the OpenAPI document. */
export const SHIPMATE_VERSION = '0.1.0';
