/** Bench settings from the environment (see bench/README.md). */

export type Scenario = 'a' | 'b' | 'c';

export interface BenchConfig {
  /** (a) sequences to complete in total. BENCH_SEQUENCES, default 1000. */
  sequences: number;
  /** Services created, and sequences in flight in (a). BENCH_SERVICES, default 50. */
  services: number;
  /** (b) concurrent keep-alive connections. BENCH_CONNECTIONS, default 32. */
  connections: number;
  /** (b) measured seconds per target. BENCH_INTAKE_SECONDS, default 5. */
  intakeSeconds: number;
  /** (b) unmeasured warm-up seconds per target. BENCH_WARMUP_SECONDS, default 1. */
  warmupSeconds: number;
  /** (b) alternating bare/shipmate rounds, best of each counts. BENCH_INTAKE_ROUNDS, default 1. */
  intakeRounds: number;
  /** (c) sequences measured one at a time. BENCH_LATENCY_SEQUENCES, default 200. */
  latencySequences: number;
  /** Scenarios to run. BENCH_ONLY, e.g. `a,c`; default all. */
  scenarios: Scenario[];
  /** Keep the server's data dir. BENCH_KEEP_DATA=1. */
  keepData: boolean;
}

function positive(name: string, fallback: number, allowZero = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got '${raw}'`);
  }
  return value;
}

export function readConfig(): BenchConfig {
  const only = (process.env.BENCH_ONLY ?? 'a,b,c').split(',').map((s) => s.trim().toLowerCase());
  const scenarios = (['a', 'b', 'c'] as const).filter((s) => only.includes(s));
  if (scenarios.length === 0) throw new Error(`BENCH_ONLY names no scenario (use a, b, c): '${process.env.BENCH_ONLY}'`);
  return {
    sequences: Math.floor(positive('BENCH_SEQUENCES', 1000)),
    services: Math.floor(positive('BENCH_SERVICES', 50)),
    connections: Math.floor(positive('BENCH_CONNECTIONS', 32)),
    intakeSeconds: positive('BENCH_INTAKE_SECONDS', 5),
    warmupSeconds: positive('BENCH_WARMUP_SECONDS', 1, true),
    intakeRounds: Math.floor(positive('BENCH_INTAKE_ROUNDS', 1)),
    latencySequences: Math.floor(positive('BENCH_LATENCY_SEQUENCES', 200)),
    scenarios,
    keepData: process.env.BENCH_KEEP_DATA === '1',
  };
}
