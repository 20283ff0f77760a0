// Public entry point of @shipmate/store-sqlite: the embedded SQLite adapter of the store port.
export { createSqliteStore, DEFAULT_WAL_MAX_BYTES, MIN_WAL_MAX_BYTES } from './sqlite-store.js';
export type { SqliteStoreOptions, ResolvedSqliteStoreOptions, SqliteControlPlaneStore } from './sqlite-store.js';
export { lockDataDir, readDataDirLockHolder, DATA_DIR_LOCK_FILE, DATA_DIR_LOCK_INFO_FILE } from './data-dir-lock.js';
export type { DataDirLock, DataDirLockHolder, LockDataDirOptions } from './data-dir-lock.js';
export { createPrivateFile } from './private-file.js';
export { enableWalCoalescing, walCoalescing, walCoalescingCounters, WAL_COALESCE_ENV, WAL_COALESCE_LIBRARY } from './wal-coalescing.js';
export type { WalCoalescing, WalCoalescingCounters } from './wal-coalescing.js';
