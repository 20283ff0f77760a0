// Public entry point of @shipmate/store-postgres: the PostgreSQL adapter of the store ports.
export { createPostgresStore } from './postgres-store.js';
export type { PostgresStoreOptions, ResolvedPostgresStoreOptions, PostgresControlPlaneStore } from './postgres-store.js';
export { isPostgresUrl, parsePostgresUrl, POSTGRES_URL_SCHEMES } from './postgres-url.js';
export type { PostgresUrl } from './postgres-url.js';
export { createPostgresStepClaims, claimLocks } from './postgres-step-claims.js';
export type { ClaimLock } from './postgres-step-claims.js';
export { createPostgresNoticeBus } from './postgres-notice-bus.js';
export type { PostgresNoticeBusOptions } from './postgres-notice-bus.js';
