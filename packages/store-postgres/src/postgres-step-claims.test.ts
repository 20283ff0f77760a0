import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestPostgresDatabase } from '@shipmate/testing';
import type { TestPostgresDatabase } from '@shipmate/testing';
import type { StepScope } from '@shipmate/core';
import pg from 'pg';
import { claimLocks, createPostgresStepClaims } from './postgres-step-claims.js';
import { createPostgresStore } from './postgres-store.js';
import type { PostgresControlPlaneStore } from './postgres-store.js';

describe('claimLocks', () => {
  it.each<[string, StepScope[], Array<[string, boolean]>]>([
    [
      'one service: the project shared, the service exclusive',
      [{ project: 'p', service: 's' }],
      [
        ['project\np', true],
        ['service\np\ns', false],
      ],
    ],
    ['a whole project: the project exclusive, no service lock', [{ project: 'p' }], [['project\np', false]]],
    [
      'a whole project beside one of its services: the project exclusive',
      [{ project: 'p', service: 's' }, { project: 'p' }],
      [
        ['project\np', false],
        ['service\np\ns', false],
      ],
    ],
    [
      'several: projects first, then services, each sorted',
      [
        { project: 'q', service: 'b' },
        { project: 'p', service: 'z' },
        { project: 'q', service: 'a' },
        { project: 'p', service: 'z' },
      ],
      [
        ['project\np', true],
        ['project\nq', true],
        ['service\np\nz', false],
        ['service\nq\na', false],
        ['service\nq\nb', false],
      ],
    ],
    ['nothing', [], []],
  ])('%s', (_name, scopes, expected) => {
    expect(claimLocks(scopes).map((lock) => [lock.key.replace(/^shipmate /, ''), lock.shared])).toEqual(expected);
  });
});

/** Resolves after `ms`. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgreSQL step claims across two stores (two replicas) on one database', () => {
  let database: TestPostgresDatabase;
  let a: PostgresControlPlaneStore;
  let b: PostgresControlPlaneStore;

  beforeEach(async () => {
    database = await createTestPostgresDatabase();
    a = await createPostgresStore(database.url);
    b = await createPostgresStore(database.url);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    await database.drop();
  });

  /** Runs `first` on a (holding 150 ms) and, once it holds, `second` on b; the order their bodies ran in. */
  async function race(first: StepScope[], second: StepScope[]): Promise<string[]> {
    const order: string[] = [];
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const one = a.claims.hold(first, async () => {
      order.push('a starts');
      holding();
      await pause(150);
      order.push('a ends');
    });
    await held;
    const two = b.claims.hold(second, async () => {
      order.push('b runs');
    });
    await Promise.all([one, two]);
    return order;
  }

  it('says it is shared', () => {
    expect(a.claims.shared).toBe(true);
  });

  it('makes a step of the same service wait for the one that holds it', async () => {
    expect(await race([{ project: 'p', service: 's' }], [{ project: 'p', service: 's' }])).toEqual(['a starts', 'a ends', 'b runs']);
  });

  it('lets steps of different services, or of different projects, run at once', async () => {
    expect(await race([{ project: 'p', service: 's' }], [{ project: 'p', service: 't' }])).toEqual(['a starts', 'b runs', 'a ends']);
    expect(await race([{ project: 'p' }], [{ project: 'q', service: 's' }])).toEqual(['a starts', 'b runs', 'a ends']);
  });

  it('makes a whole-project step exclude every service step of the project, both ways', async () => {
    expect(await race([{ project: 'p' }], [{ project: 'p', service: 's' }])).toEqual(['a starts', 'a ends', 'b runs']);
    expect(await race([{ project: 'p', service: 's' }], [{ project: 'p' }])).toEqual(['a starts', 'a ends', 'b runs']);
  });

  it('releases the claim when the step throws', async () => {
    await expect(a.claims.hold([{ project: 'p', service: 's' }], () => Promise.reject(new Error('step failed')))).rejects.toThrow(
      'step failed',
    );
    const ran = await Promise.race([b.claims.hold([{ project: 'p', service: 's' }], async () => 'ran'), pause(2000).then(() => 'blocked')]);
    expect(ran).toBe('ran');
  });

  it('never deadlocks when two replicas claim overlapping sets named in opposite orders', async () => {
    const ab: StepScope[] = [
      { project: 'p', service: 'x' },
      { project: 'p', service: 'y' },
    ];
    const ba: StepScope[] = [
      { project: 'p', service: 'y' },
      { project: 'p', service: 'x' },
    ];
    let count = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).claims.hold(i % 2 === 0 ? ab : ba, async () => {
          count += 1;
          await pause(2);
        }),
      ),
    );
    expect(count).toBe(20);
  });
});

describe('PostgreSQL step claims on one connection', () => {
  it('takes the locks with a named statement, which a connection prepares once for all its steps', async () => {
    const database = await createTestPostgresDatabase();
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      const claims = createPostgresStepClaims(pool, { redactedUrl: 'test', statementTimeoutMs: 5000 });
      for (let step = 0; step < 3; step++) await claims.hold([{ project: 'p', service: 's' }], async () => undefined);
      // The pool's one connection: the one every claim above used.
      const prepared = await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
      expect(prepared.rows.map((row) => row.name)).toEqual(['claims_takeLocks']);
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});
