/**
 * The small SQL toolkit the PostgreSQL adapters share: a WHERE clause builder with numbered
 * parameters, transactions on a pooled connection, and the error-mapping wrapper.
 */
import pg from 'pg';

/** A value bound to a `$n` parameter. */
export type SqlValue = string | number | boolean | null | Buffer | readonly string[];

/**
 * `statements` as named queries, `<prefix>_<key>`: node-postgres prepares each once per pooled
 * connection, and PostgreSQL then skips parsing and, once it settles on a generic plan, planning on
 * every later run. Unnamed, a step's statements spent as long in parse and bind (where an unnamed
 * statement is planned) as in execute (issue 13 point 6, the PostgreSQL figures). Names must be
 * unique across the adapters: each module passes its own prefix.
 */
export function namedStatements<K extends string>(prefix: string, statements: Record<K, string>): Record<K, pg.QueryConfig> {
  const named = {} as Record<K, pg.QueryConfig>;
  for (const key of Object.keys(statements) as K[]) named[key] = { name: `${prefix}_${key}`, text: statements[key] };
  return Object.freeze(named);
}

/**
 * `value` as an SQL literal: strings quoted by node-postgres's `escapeLiteral` (E'' with doubled
 * backslashes where needed), finite numbers and booleans as themselves, arrays as ARRAY[...]
 * (the statements cast them, e.g. `$1::text[]`, which also types an empty one).
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return `ARRAY[${value.map(sqlLiteral).join(', ')}]`;
  throw new TypeError(`cannot write ${typeof value === 'number' ? String(value) : `a ${typeof value}`} as an SQL literal`);
}

/**
 * `sql` with each `$n` replaced by the literal of `values[n - 1]`, for statements sent together as
 * one multi-statement query (one round trip; such a query cannot carry parameters). The statements
 * given here have no `$` inside quoted text.
 */
export function inlineStatement(sql: string, values: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_match, n: string) => {
    const index = Number(n) - 1;
    if (index >= values.length) throw new RangeError(`statement refers to $${n} but has ${values.length} values`);
    return sqlLiteral(values[index]);
  });
}

/** Something a statement can run on: the pool (one statement, autocommit) or a transaction's client. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** How the adapters run a method: `fn` gets the pool; errors come out mapped (see postgres-errors.ts). */
export type RunOnPool = <T>(fn: (pool: pg.Pool) => Promise<T>) => Promise<T>;

/** How the adapters run a transaction: `fn` gets the transaction's client; errors come out mapped. */
export type RunInTransaction = <T>(fn: (tx: pg.PoolClient) => Promise<T>, mode?: TransactionMode) => Promise<T>;

/**
 * `write`: READ COMMITTED, the default; writers that must not interleave take row or advisory locks.
 * `snapshot`: REPEATABLE READ, READ ONLY: several reads (a page and its count) see one snapshot.
 */
export type TransactionMode = 'write' | 'snapshot';

const BEGIN: Readonly<Record<TransactionMode, string>> = {
  write: 'BEGIN',
  snapshot: 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY',
};

/**
 * Runs `fn` in one transaction on a connection of the pool: COMMIT when it resolves, ROLLBACK when
 * it throws (the error is rethrown). A connection whose ROLLBACK fails is closed, not reused.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>, mode: TransactionMode = 'write'): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(BEGIN[mode]);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** A WHERE clause under construction: terms joined with AND, parameters numbered `$1`, `$2`, … in order. */
export class Where {
  readonly terms: string[] = [];
  readonly params: SqlValue[] = [];

  /** Binds `value` and returns its placeholder, e.g. `$3`. */
  param(value: SqlValue): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds `column = value` when the value is given. */
  eq(column: string, value: string | undefined): this {
    if (value !== undefined) this.add(`${column} = ${this.param(value)}`);
    return this;
  }

  /** Adds a term whose placeholders came from {@link param}. */
  add(term: string): this {
    this.terms.push(term);
    return this;
  }

  toString(): string {
    return this.terms.length === 0 ? '' : `WHERE ${this.terms.join(' AND ')}`;
  }
}

/** `LIMIT` of a port's page size: PostgreSQL reads `LIMIT NULL` as no limit; the ports use 0 for that. */
export function sqlLimit(limit: number): number | null {
  return limit > 0 ? limit : null;
}

/** Rows a statement changed (`rowCount` is null only for statements that change none). */
export function changed(result: pg.QueryResult): number {
  return result.rowCount ?? 0;
}
