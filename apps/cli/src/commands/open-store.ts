/**
 * Opens the store `shipmate server` runs on: the embedded SQLite file in the data dir, or the
 * PostgreSQL database of `--store` / SHIPMATE_STORE_URL. The PostgreSQL adapter (and its driver)
 * is imported only when asked for, so the default path never loads `pg`.
 */
import { join } from 'node:path';
import { ErrorCode, ShipmateError } from '@shipmate/core';
import type {
  ApiTokenStore,
  ControlPlaneStore,
  IntegrationRegistryStore,
  ReplicaNoticeBus,
  SecretStore,
  TaskLeaseStore,
} from '@shipmate/core';
import { createSqliteStore, walCoalescing } from '@shipmate/store-sqlite';
import { ConfigError } from '../config/config-error.js';
import { checkSharedDataDir, dataDirId } from '../config/data-dir-id.js';
import type { StoreChoice } from '../config/server-config.js';

/** Every store port, as both adapters provide them. */
export type ServerStore = ControlPlaneStore & IntegrationRegistryStore & TaskLeaseStore & SecretStore & ApiTokenStore;

/** What {@link openStore} needs besides the choice. */
export interface OpenStoreOptions {
  readonly dataDir: string;
  /** SHIPMATE_WAL_MAX_BYTES, for the SQLite store. */
  readonly walMaxBytes: number;
}

/**
 * Opens (creating or migrating) the chosen store. A PostgreSQL server that cannot be reached,
 * refuses the login or lacks the database is a configuration error (exit 2) naming the variable;
 * a PostgreSQL setting that works against the store (autovacuum off) is a warning on stderr.
 */
export async function openStore(choice: StoreChoice, options: OpenStoreOptions): Promise<ServerStore> {
  if (choice.kind === 'sqlite') {
    const path = join(options.dataDir, 'shipmate.db');
    return createSqliteStore({
      path,
      walMaxBytes: options.walMaxBytes,
      beforeUpgrade: (from, to) =>
        process.stderr.write(`upgrading ${path} from schema ${from} to ${to}; this takes several seconds per million stored events\n`),
    });
  }
  const { createPostgresStore } = await import('@shipmate/store-postgres');
  try {
    const store = await createPostgresStore(choice.url);
    for (const warning of await store.settingWarnings().catch(() => [])) process.stderr.write(`warning: ${warning}\n`);
    return store;
  } catch (error) {
    if (error instanceof ShipmateError && (error.code === ErrorCode.storeUnavailable || error.code === ErrorCode.invalidField)) {
      throw new ConfigError(
        `${choice.source} names a store that cannot be opened: ${error.message}. Fix ${choice.source}, or leave it unset for the embedded SQLite store in the data dir`,
      );
    }
    throw error;
  }
}

/**
 * How the store is named in the startup lines: the URL without its password, or the SQLite file
 * and whether its WAL writes are coalesced (store-sqlite's wal-coalescing.ts; known once it is open).
 */
export function describeStore(choice: StoreChoice, dataDir: string): string {
  if (choice.kind !== 'sqlite') return `PostgreSQL ${choice.redactedUrl}`;
  const coalescing = walCoalescing();
  const writes =
    coalescing === undefined ? '' : coalescing.active ? ', WAL writes coalesced' : `, WAL writes not coalesced: ${coalescing.reason}`;
  return `SQLite ${join(dataDir, 'shipmate.db')}${writes}`;
}

/**
 * How the replicas on this store tell each other what changed: PostgreSQL LISTEN/NOTIFY on the
 * store's database; undefined for the embedded store (one process).
 */
export async function openNotices(
  choice: StoreChoice,
  onError: (error: unknown, what: string) => void,
): Promise<ReplicaNoticeBus | undefined> {
  if (choice.kind === 'sqlite') return undefined;
  const { createPostgresNoticeBus } = await import('@shipmate/store-postgres');
  try {
    return await createPostgresNoticeBus({ url: choice.url, onError });
  } catch (error) {
    throw new ConfigError(`${choice.source} names a database whose notices cannot be listened to: ${String(error)}`);
  }
}

/**
 * On PostgreSQL: records this data dir as the one the replicas share, or refuses it (exit 2) when
 * the database recorded another (config/data-dir-id.ts). The store is closed when refused.
 */
export async function shareDataDir(store: ServerStore, choice: StoreChoice, dataDir: string): Promise<void> {
  if (choice.kind === 'sqlite') return;
  const share = (store as { shareDataDir?: (id: string) => Promise<string> }).shareDataDir;
  if (!share) return;
  const id = dataDirId(dataDir);
  try {
    checkSharedDataDir(dataDir, id, await share.call(store, id), choice.redactedUrl);
  } catch (error) {
    await store.close();
    throw error;
  }
}
