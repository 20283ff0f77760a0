import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from './config.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('readConfig: the settings of (b)', () => {
  it('defaults to one wrk thread, 32 connections, unpinned CPUs, 1 s + 5 s', () => {
    for (const name of ['BENCH_WRK_THREADS', 'BENCH_CONNECTIONS', 'BENCH_PIN_CPUS', 'BENCH_INTAKE_SECONDS', 'BENCH_WARMUP_SECONDS']) {
      vi.stubEnv(name, '');
    }
    const config = readConfig();
    expect(config).toMatchObject({ wrkThreads: 1, connections: 32, pinCpus: false, intakeSeconds: 5, warmupSeconds: 1 });
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

  it('rejects a count of parked instances that is not a positive number', () => {
    vi.stubEnv('BENCH_PARKED_MANY', 'lots');
    expect(() => readConfig()).toThrow("BENCH_PARKED_MANY must be a positive number, got 'lots'");
  });

  it('names a profile directory for the server with BENCH_SERVER_CPU_PROFILE_DIR', () => {
    vi.stubEnv('BENCH_SERVER_CPU_PROFILE_DIR', '/tmp/profiles');
    expect(readConfig().serverCpuProfileDir).toBe('/tmp/profiles');
  });
});
