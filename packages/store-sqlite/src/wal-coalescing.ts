/**
 * Loads `wal-coalesce` (native/wal-coalesce.c, built by scripts/build-native.mjs into
 * dist/native/), the SQLite extension that writes the WAL frames of a transaction with one system
 * call per 124 KiB instead of two per page. It becomes the default VFS of the process, so every
 * database the store opens afterwards writes its WAL through it. Same data, same order, same
 * durability (the native source says why); fewer system calls: in a micro-benchmark of commits of
 * 32 events, 18 instead of 23 µs of CPU per event, and bench (b) answered 12 % more requests.
 *
 * SQLite finds its entry point, sqlite3_walcoalesce_init, from the file name. Loaded once per
 * process, at the first store opened. `SHIPMATE_SQLITE_WAL_COALESCE=off` (or `0`)
 * leaves it out; a library that is missing (no C compiler at build time) or fails to load leaves
 * it out too, and {@link walCoalescing} says why.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Whether the WAL writes of this process go through wal-coalesce, and if not, why. */
export type WalCoalescing = { readonly active: true; readonly library: string } | { readonly active: false; readonly reason: string };

/** The built library, dist/native/wal-coalesce.so of this package (found from src/ in tests as from dist/). */
export const WAL_COALESCE_LIBRARY = fileURLToPath(new URL('../dist/native/wal-coalesce.so', import.meta.url));

/** The environment variable that turns the extension off (`off` or `0`). */
export const WAL_COALESCE_ENV = 'SHIPMATE_SQLITE_WAL_COALESCE';

let state: WalCoalescing | undefined;

/**
 * Loads the extension once per process (later calls return the first answer). Must run before the
 * databases it should apply to are opened.
 */
export function enableWalCoalescing(env: NodeJS.ProcessEnv = process.env): WalCoalescing {
  state ??= load(env);
  return state;
}

/** What {@link enableWalCoalescing} decided; undefined before it ran. */
export function walCoalescing(): WalCoalescing | undefined {
  return state;
}

function load(env: NodeJS.ProcessEnv): WalCoalescing {
  const setting = env[WAL_COALESCE_ENV]?.trim().toLowerCase();
  if (setting === 'off' || setting === '0') return { active: false, reason: `${WAL_COALESCE_ENV}=${setting}` };
  if (!existsSync(WAL_COALESCE_LIBRARY)) {
    return { active: false, reason: 'the library was not built (no C compiler when npm run build ran)' };
  }
  const loader = new Database(':memory:');
  try {
    loader.loadExtension(WAL_COALESCE_LIBRARY);
    return { active: true, library: WAL_COALESCE_LIBRARY };
  } catch (error) {
    return { active: false, reason: `loading ${WAL_COALESCE_LIBRARY} failed: ${(error as Error).message}` };
  } finally {
    loader.close();
  }
}

/** WAL writes SQLite asked for and writes made, in this process since the extension was loaded. */
export interface WalCoalescingCounters {
  walWrites: number;
  fileWrites: number;
}

/** The extension's counters (through a connection of its own); undefined when it is not active. */
export function walCoalescingCounters(): WalCoalescingCounters | undefined {
  if (!state?.active) return undefined;
  const reader = new Database(':memory:');
  try {
    reader.loadExtension(state.library);
    const row = reader.prepare('SELECT wal_coalesce_counters() AS counters').get() as { counters: string };
    return JSON.parse(row.counters) as WalCoalescingCounters;
  } finally {
    reader.close();
  }
}
