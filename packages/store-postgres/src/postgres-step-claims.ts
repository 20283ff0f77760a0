/**
 * {@link StepClaims} on PostgreSQL advisory locks, so that several control-plane replicas on one
 * database never run steps of one scope at once (ports/step-claims.ts says what a scope is).
 *
 * A step's claim is a set of session-level advisory locks held on one pooled connection for as
 * long as the step runs (its reads and its commit use other connections of the pool):
 * - per project, a lock taken shared by service steps and exclusive by whole-project steps;
 * - per (project, service), a lock taken exclusive.
 * The keys are `hashtextextended` of the names; locks are taken projects first, then services,
 * each in sorted order, so two replicas claiming overlapping sets never deadlock. A replica that
 * dies loses its connection and with it its locks; a lock not granted within `statement_timeout`
 * fails the step transiently (`ERR_STORE_UNAVAILABLE`), and the event processor retries it.
 */
import type pg from 'pg';
import type { StepClaims, StepScope } from '@shipmate/core';
import { translatePostgresError } from './postgres-errors.js';
import type { PostgresErrorContext } from './postgres-errors.js';
import { namedStatements } from './sql.js';

/**
 * `takeLocks` takes the locks in one round trip, in the given order: PostgreSQL evaluates volatile
 * functions in a select list after sorting (9.6 and later), so `ORDER BY position` is the order they
 * are taken. Named, so that each connection parses it once, not at every step.
 */
const SQL = namedStatements('claims', {
  takeLocks: `SELECT count(*) FROM (
  SELECT CASE WHEN shared THEN pg_advisory_lock_shared(hashtextextended(key, 0))::text ELSE pg_advisory_lock(hashtextextended(key, 0))::text END
  FROM unnest($1::text[], $2::boolean[]) WITH ORDINALITY AS claim(key, shared, position)
  ORDER BY position) AS taken`,
});

/** One advisory lock of a claim, in the order it is taken. */
export interface ClaimLock {
  key: string;
  shared: boolean;
}

/** The locks of `scopes`, in the order that keeps claims deadlock-free. */
export function claimLocks(scopes: readonly StepScope[]): ClaimLock[] {
  const projects = new Map<string, boolean>();
  const services = new Set<string>();
  for (const scope of scopes) {
    const whole = scope.service === undefined;
    projects.set(scope.project, (projects.get(scope.project) ?? true) && !whole);
    if (!whole) services.add(`${scope.project}\n${scope.service}`);
  }
  const ordered = (keys: Iterable<string>) => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    ...ordered(projects.keys()).map((project) => ({ key: `shipmate project\n${project}`, shared: projects.get(project) ?? false })),
    ...ordered(services).map((service) => ({ key: `shipmate service\n${service}`, shared: false })),
  ];
}

/** Builds the claims on `pool`. */
export function createPostgresStepClaims(pool: pg.Pool, context: PostgresErrorContext): StepClaims {
  return {
    shared: true,
    async hold(scopes, work) {
      const locks = claimLocks(scopes);
      if (locks.length === 0) return work();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translatePostgresError(error, context);
      }
      let broken: unknown;
      try {
        await client.query(SQL.takeLocks, [locks.map((lock) => lock.key), locks.map((lock) => lock.shared)]);
      } catch (error) {
        broken = error;
      }
      try {
        if (broken !== undefined) throw translatePostgresError(broken, context);
        return await work();
      } finally {
        // The step is done; its locks go while the next step starts (that one takes its locks on
        // another connection and waits for these only if it claims the same scope).
        client.query('SELECT pg_advisory_unlock_all()').then(
          () => client.release(),
          // The connection is gone, and its locks with it: drop it from the pool.
          (error: unknown) => client.release(error instanceof Error ? error : true),
        );
      }
    },
  };
}
