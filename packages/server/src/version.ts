/** Shipmate's version, reported by /api/v1/metadata and the OpenAPI document (defined in core, re-exported for compatibility). */
export { SHIPMATE_VERSION } from '@shipmate/core';
