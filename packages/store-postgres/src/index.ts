// Public entry point of @shipmate/store-postgres: the PostgreSQL adapter of the store ports.
export { createPostgresStore } from './postgres-store.js';
export type { PostgresStoreOptions, ResolvedPostgresStoreOptions, PostgresControlPlaneStore } from './postgres-store.js';
export { isPostgresUrl, parsePostgresUrl, POSTGRES_URL_SCHEMES } from './postgres-url.js';
export type { PostgresUrl } from './postgres-url.js';
