/**
 * The tables under the in-memory store (memory-store.ts): plain Maps of immutable rows, with
 * transactions that undo every change when their function throws. A table keeps its rows in
 * insertion order, and replacing a row keeps its place, as SQLite's rowid order does; that order
 * breaks ties wherever the SQLite store orders by `rowid`.
 *
 * Changes are only allowed inside {@link MemoryDatabase.transaction}; a table copies its rows
 * once, on its first change in a transaction, so a rollback puts them back in their order.
 * Everything is synchronous: one transaction runs to its end before any other call starts.
 */
import type { PageQuery } from '@shipmate/core';

/** One table: rows by primary key, in insertion order. */
export class MemoryTable<K, V> {
  readonly #rows = new Map<K, V>();
  readonly #database: MemoryDatabase;

  /** @internal Created by {@link MemoryDatabase.table}. */
  constructor(database: MemoryDatabase) {
    this.#database = database;
  }

  /** How many rows the table holds. */
  get size(): number {
    return this.#rows.size;
  }

  /** The row with that key. */
  get(key: K): V | undefined {
    return this.#rows.get(key);
  }

  /** Whether a row has that key. */
  has(key: K): boolean {
    return this.#rows.has(key);
  }

  /** Rows in insertion order (a copy: safe to change the table while walking it). */
  rows(): V[] {
    return [...this.#rows.values()];
  }

  /** Inserts the row, or replaces the one with that key in its place. */
  set(key: K, row: V): void {
    this.#database.beforeChange(this, this.#rows);
    this.#rows.set(key, row);
  }

  /** Deletes the row; false when there was none. */
  delete(key: K): boolean {
    if (!this.#rows.has(key)) return false;
    this.#database.beforeChange(this, this.#rows);
    return this.#rows.delete(key);
  }

  /** Deletes every row `matches` accepts; returns how many went. */
  deleteWhere(matches: (row: V, key: K) => boolean): number {
    let deleted = 0;
    for (const [key, row] of [...this.#rows]) if (matches(row, key) && this.delete(key)) deleted += 1;
    return deleted;
  }
}

/** Per table changed in a transaction: its rows, and a copy of them from before its first change. */
type UndoLog = Map<object, { rows: Map<unknown, unknown>; before: Array<[unknown, unknown]> }>;

/** The tables of one in-memory store and its transactions. */
export class MemoryDatabase {
  /** Rows of each table changed in the running transaction, as they were before it; undefined outside one. */
  #undo: UndoLog | undefined;
  #closed = false;

  /** A new, empty table of this database. */
  table<K, V>(): MemoryTable<K, V> {
    return new MemoryTable<K, V>(this);
  }

  /**
   * Runs `work` as one transaction: if it throws, every table is back as it was and the error is
   * thrown on. Nested calls join the outer transaction.
   */
  transaction<T>(work: () => T): T {
    this.#checkOpen();
    if (this.#undo) return work();
    const undo: UndoLog = new Map();
    this.#undo = undo;
    try {
      return work();
    } catch (error) {
      for (const { rows, before } of undo.values()) {
        rows.clear();
        for (const [key, row] of before) rows.set(key, row);
      }
      throw error;
    } finally {
      this.#undo = undefined;
    }
  }

  /** Reads run outside transactions; they fail once the store is closed, as the SQLite store's do. */
  read<T>(work: () => T): T {
    this.#checkOpen();
    return work();
  }

  /** Makes every later call fail (see {@link read}). */
  close(): void {
    this.#closed = true;
  }

  /** @internal Called by a table before its first change in a transaction. */
  beforeChange(table: object, rows: Map<unknown, unknown>): void {
    if (!this.#undo) throw new Error('memory store bug: a table changed outside a transaction');
    if (!this.#undo.has(table)) this.#undo.set(table, { rows, before: [...rows] });
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('the memory store is closed; open a new one with createMemoryStore()');
  }
}

/** Binary order of two strings (SQLite's default collation, for the text this store sorts). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A primary key of several text columns as one Map key. */
export function compositeKey(...parts: ReadonlyArray<string>): string {
  return JSON.stringify(parts);
}

/**
 * The page `paging` asks of `matches` (already in order) and its `totalCount`, as the SQLite
 * store counts it: every match, or up to `countLimit` (0: none), never below the items returned.
 */
export function pageOf<T>(matches: readonly T[], paging: PageQuery): { items: T[]; totalCount: number } {
  const offset = Math.max(0, paging.offset);
  const items = paging.limit > 0 ? matches.slice(offset, offset + paging.limit) : matches.slice(offset);
  const seen = items.length > 0 ? offset + items.length : 0;
  const counted =
    paging.countLimit === undefined ? matches.length : paging.countLimit <= 0 ? 0 : Math.min(matches.length, paging.countLimit);
  return { items, totalCount: Math.max(seen, counted) };
}
