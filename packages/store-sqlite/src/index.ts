// Public entry point of @shipmate/store-sqlite: the embedded SQLite adapter of the store port.
export { createSqliteStore, DEFAULT_WAL_MAX_BYTES, MIN_WAL_MAX_BYTES } from './sqlite-store.js';
export type { SqliteStoreOptions, ResolvedSqliteStoreOptions, SqliteControlPlaneStore } from './sqlite-store.js';
