// Public entry point of @shipmate/store-sqlite: the embedded SQLite adapter of the store port.
export { createSqliteStore } from './sqlite-store.js';
export type { SqliteStoreOptions, ResolvedSqliteStoreOptions, SqliteControlPlaneStore } from './sqlite-store.js';
