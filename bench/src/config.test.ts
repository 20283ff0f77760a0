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
