import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from './config.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('readConfig: the warm-up of (a)', () => {
  it('runs 500 unmeasured sequences by default, none with 0, and rejects fractions and negatives', () => {
    vi.stubEnv('BENCH_SEQUENCE_WARMUP', '');
    expect(readConfig().sequenceWarmup).toBe(500);
    vi.stubEnv('BENCH_SEQUENCE_WARMUP', '0');
    expect(readConfig().sequenceWarmup).toBe(0);
    vi.stubEnv('BENCH_SEQUENCE_WARMUP', '2.5');
    expect(() => readConfig()).toThrow("BENCH_SEQUENCE_WARMUP must be a whole number (0 for none), got '2.5'");
    vi.stubEnv('BENCH_SEQUENCE_WARMUP', '-1');
    expect(() => readConfig()).toThrow("BENCH_SEQUENCE_WARMUP must be a non-negative number, got '-1'");
  });
});

describe('readConfig: the sequences in flight of (a)', () => {
  it('keeps 200 in flight for the target figure and 50 for the second, 2,000 sequences each, and rejects zero', () => {
    for (const name of ['BENCH_IN_FLIGHT', 'BENCH_SERVICES', 'BENCH_SEQUENCES']) vi.stubEnv(name, '');
    expect(readConfig()).toMatchObject({ inFlight: 200, services: 50, sequences: 2000 });
    vi.stubEnv('BENCH_IN_FLIGHT', '400');
    expect(readConfig().inFlight).toBe(400);
    vi.stubEnv('BENCH_IN_FLIGHT', '0');
    expect(() => readConfig()).toThrow("BENCH_IN_FLIGHT must be a positive number, got '0'");
  });
});

describe('readConfig: the samples of (c)', () => {
  it('measures (c) and (p4) over 1,000 sequences, so that their p99 is not the second-largest of 200 samples', () => {
    vi.stubEnv('BENCH_LATENCY_SEQUENCES', '');
    expect(readConfig().latencySequences).toBe(1000);
    vi.stubEnv('BENCH_LATENCY_SEQUENCES', '50');
    expect(readConfig().latencySequences).toBe(50);
  });
});

describe('readConfig: the settings of (b)', () => {
  it('defaults to one wrk thread, 32 connections, unpinned CPUs, 1 s + 5 s, three rounds', () => {
    for (const name of [
      'BENCH_WRK_THREADS',
      'BENCH_CONNECTIONS',
      'BENCH_PIN_CPUS',
      'BENCH_INTAKE_SECONDS',
      'BENCH_WARMUP_SECONDS',
      'BENCH_INTAKE_ROUNDS',
    ]) {
      vi.stubEnv(name, '');
    }
    const config = readConfig();
    expect(config).toMatchObject({ wrkThreads: 1, connections: 32, pinCpus: false, intakeSeconds: 5, warmupSeconds: 1, intakeRounds: 3 });
  });

  it('turns pinning on with BENCH_PIN_CPUS=1 and rejects other values', () => {
    vi.stubEnv('BENCH_PIN_CPUS', '1');
    expect(readConfig().pinCpus).toBe(true);
    vi.stubEnv('BENCH_PIN_CPUS', 'yes');
    expect(() => readConfig()).toThrow("BENCH_PIN_CPUS must be 1 (on) or 0 (off), got 'yes'");
  });

  it('rejects fractions of a second, which wrk cannot run', () => {
    vi.stubEnv('BENCH_INTAKE_SECONDS', '2.5');
    expect(() => readConfig()).toThrow("BENCH_INTAKE_SECONDS must be a whole number of seconds (wrk runs whole seconds), got '2.5'");
    vi.stubEnv('BENCH_INTAKE_SECONDS', '2');
    vi.stubEnv('BENCH_WARMUP_SECONDS', '0.5');
    expect(() => readConfig()).toThrow(/BENCH_WARMUP_SECONDS must be a whole number of seconds/);
    vi.stubEnv('BENCH_WARMUP_SECONDS', '0');
    expect(readConfig()).toMatchObject({ intakeSeconds: 2, warmupSeconds: 0 });
  });

  it('rejects fewer connections than wrk threads', () => {
    vi.stubEnv('BENCH_WRK_THREADS', '4');
    vi.stubEnv('BENCH_CONNECTIONS', '2');
    expect(() => readConfig()).toThrow('BENCH_CONNECTIONS (2) must be at least BENCH_WRK_THREADS (4): each wrk thread needs a connection');
  });
});

describe('readConfig: the settings of (i) and the server profile', () => {
  it('defaults to 10 and 2,000 parked instances and 500 sequences per round, and runs (i) alone with BENCH_ONLY=i', () => {
    for (const name of ['BENCH_PARKED_FEW', 'BENCH_PARKED_MANY', 'BENCH_PARKED_SEQUENCES', 'BENCH_SERVER_CPU_PROFILE_DIR']) {
      vi.stubEnv(name, '');
    }
    vi.stubEnv('BENCH_ONLY', 'i');
    expect(readConfig()).toMatchObject({
      parkedFew: 10,
      parkedMany: 2000,
      parkedSequences: 500,
      scenarios: ['i'],
      serverCpuProfileDir: undefined,
    });
  });

  it('rejects fewer instances in the many round than in the few rounds', () => {
    vi.stubEnv('BENCH_PARKED_FEW', '100');
    vi.stubEnv('BENCH_PARKED_MANY', '50');
    expect(() => readConfig()).toThrow(
      'BENCH_PARKED_MANY (50) must be at least BENCH_PARKED_FEW (100): (i) compares few parked instances with many',
    );
  });

  it("rejects (f) rounds that pin more commits than the server's shipyard cache keeps", () => {
    expect(readConfig()).toMatchObject({ configRoundStarts: 300, configCycles: 2 });
    vi.stubEnv('BENCH_CONFIG_ROUND_STARTS', '358');
    expect(readConfig().configRoundStarts).toBe(358);
    vi.stubEnv('BENCH_CONFIG_ROUND_STARTS', '359');
    expect(() => readConfig()).toThrow(
      "BENCH_CONFIG_ROUND_STARTS × (4 × BENCH_CONFIG_CYCLES + 2) (3590) must be at most 3584: (f) pins that many distinct commits, and past the server's shipyard cache (4096 commits, less 512 for the setup's) the new-commit rounds would read evicted shipyards from git; lower either",
    );
    vi.stubEnv('BENCH_CONFIG_ROUND_STARTS', '150');
    vi.stubEnv('BENCH_CONFIG_CYCLES', '6');
    expect(() => readConfig()).toThrow('BENCH_CONFIG_ROUND_STARTS × (4 × BENCH_CONFIG_CYCLES + 2) (3900) must be at most 3584');
  });

  it('rejects a count of parked instances that is not a positive number', () => {
    vi.stubEnv('BENCH_PARKED_MANY', 'lots');
    expect(() => readConfig()).toThrow("BENCH_PARKED_MANY must be a positive number, got 'lots'");
  });

  it('names a profile directory for the server with BENCH_SERVER_CPU_PROFILE_DIR', () => {
    vi.stubEnv('BENCH_SERVER_CPU_PROFILE_DIR', '/tmp/profiles');
    expect(readConfig().serverCpuProfileDir).toBe('/tmp/profiles');
  });
});

describe('readConfig: BENCH_ONLY and the PostgreSQL figures', () => {
  it('runs every scenario, the PostgreSQL ones included, when BENCH_ONLY is unset', () => {
    vi.stubEnv('BENCH_ONLY', '');
    expect(readConfig().scenarios).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  });

  it('reads p as p1–p6, and single PostgreSQL figures by name, in run order', () => {
    vi.stubEnv('BENCH_ONLY', 'p');
    expect(readConfig().scenarios).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    vi.stubEnv('BENCH_ONLY', ' P5, h ,p1');
    expect(readConfig().scenarios).toEqual(['h', 'p1', 'p5']);
  });

  it('rejects unknown names and an empty list, naming the known ones', () => {
    vi.stubEnv('BENCH_ONLY', 'a,x,p9');
    expect(() => readConfig()).toThrow(
      'BENCH_ONLY names unknown scenarios (x, p9): use a, b, c, d, e, f, g, h, i, p1, p2, p3, p4, p5, p6 or p (p1–p6), e.g. BENCH_ONLY=a,p',
    );
    vi.stubEnv('BENCH_ONLY', ' , ');
    expect(() => readConfig()).toThrow(/^BENCH_ONLY names no scenario: use a, b/);
  });

  it('takes the PostgreSQL server from BENCH_POSTGRES_URL, the local one by default, and rejects other schemes', () => {
    vi.stubEnv('BENCH_POSTGRES_URL', '');
    expect(readConfig().postgresUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    vi.stubEnv('BENCH_POSTGRES_URL', 'postgresql://bench@db.internal:6432/admin');
    expect(readConfig().postgresUrl).toBe('postgresql://bench@db.internal:6432/admin');
    vi.stubEnv('BENCH_POSTGRES_URL', 'mysql://root@127.0.0.1/x');
    expect(() => readConfig()).toThrow(
      "BENCH_POSTGRES_URL must start with postgres:// (e.g. postgres://postgres@127.0.0.1:5432/postgres), got 'mysql://…'",
    );
    vi.stubEnv('BENCH_POSTGRES_URL', 'http://127.0.0.1:5432');
    expect(() => readConfig()).toThrow(/^BENCH_POSTGRES_URL must start with postgres:\/\/.*got 'http:\/\/…'$/);
    vi.stubEnv('BENCH_POSTGRES_URL', 'not a url');
    expect(() => readConfig()).toThrow(
      "BENCH_POSTGRES_URL must be a postgres:// URL of a server where the user may CREATE DATABASE, e.g. postgres://postgres@127.0.0.1:5432/postgres; got 'not a url'",
    );
  });

  it('needs at least 2 replicas: p2 and p5 compare them', () => {
    vi.stubEnv('BENCH_REPLICAS', '1');
    expect(() => readConfig()).toThrow("BENCH_REPLICAS must be at least 2 (p2 and p5 compare replicas), got '1'");
    vi.stubEnv('BENCH_REPLICAS', '4');
    expect(readConfig().replicas).toBe(4);
  });
});

describe('readConfig: where the data dir goes', () => {
  it('takes an existing directory for BENCH_DATA_DIR', () => {
    vi.stubEnv('BENCH_DATA_DIR', tmpdir());
    expect(readConfig().dataParent).toBe(tmpdir());
  });

  it('refuses a BENCH_DATA_DIR that does not exist, naming it and the fix', () => {
    const missing = join(tmpdir(), 'shipmate-bench-no-such-dir');
    vi.stubEnv('BENCH_DATA_DIR', missing);
    expect(() => readConfig()).toThrow(
      `BENCH_DATA_DIR must name an existing directory (the server's data dir is made inside it), got '${missing}': create it first`,
    );
  });

  it('refuses a BENCH_DATA_DIR that names a file', () => {
    const file = fileURLToPath(import.meta.url);
    vi.stubEnv('BENCH_DATA_DIR', file);
    expect(() => readConfig()).toThrow('BENCH_DATA_DIR must name an existing directory');
  });
});
