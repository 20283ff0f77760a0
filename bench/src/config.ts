/** Bench settings from the environment (see bench/README.md). */
import { statSync } from 'node:fs';
import { DEFAULT_SHIPYARD_CACHE_SIZE } from '@shipmate/config-git';
import { configPinnedCommits } from './scenario-config.js';

/** The scenarios in run order (b, g, h and i after the others; the PostgreSQL figures p1–p6 last). */
const SCENARIOS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'] as const;
export type Scenario = (typeof SCENARIOS)[number];
/** The PostgreSQL figures; `p` in BENCH_ONLY names them all. */
export const POSTGRES_SCENARIOS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] as const satisfies readonly Scenario[];

export interface BenchConfig {
  /** (a) sequences to complete in each measured run. BENCH_SEQUENCES, default 2000. */
  sequences: number;
  /** (a) sequences run before the measured ones, not measured (the server's JIT warm-up). BENCH_SEQUENCE_WARMUP, default 500; 0 for none. */
  sequenceWarmup: number;
  /** Services the scenarios use, and sequences in flight in (a)'s second figure. BENCH_SERVICES, default 50. */
  services: number;
  /**
   * Sequences in flight in (a)'s target figure, one per service (the bench creates this many services
   * when it is more than `services`). BENCH_IN_FLIGHT, default 200.
   */
  inFlight: number;
  /** (b) concurrent keep-alive connections of wrk. BENCH_CONNECTIONS, default 32. */
  connections: number;
  /** (b) wrk threads. BENCH_WRK_THREADS, default 1. */
  wrkThreads: number;
  /** (b) give the server under load and wrk one CPU each (taskset). BENCH_PIN_CPUS=1 turns it on; default off. */
  pinCpus: boolean;
  /** (b) measured whole seconds per target. BENCH_INTAKE_SECONDS, default 5. */
  intakeSeconds: number;
  /** (b) unmeasured warm-up, whole seconds per target. BENCH_WARMUP_SECONDS, default 1. */
  warmupSeconds: number;
  /** (b) alternating bare/shipmate rounds, best of each counts. BENCH_INTAKE_ROUNDS, default 3. */
  intakeRounds: number;
  /** (c) sequences measured one at a time. BENCH_LATENCY_SEQUENCES, default 200. */
  latencySequences: number;
  /** (d) sequences of 5 tasks per mode and path. BENCH_HANDLER_SEQUENCES, default 100. */
  handlerSequences: number;
  /** (d) sequences in flight in the second mode. BENCH_HANDLER_IN_FLIGHT, default 4. */
  handlerInFlight: number;
  /** (e) agent instances connected. BENCH_AGENT_INSTANCES, default 5000. */
  agentInstances: number;
  /** (e) instances per integration. BENCH_AGENT_REPLICAS, default 10. */
  agentReplicas: number;
  /** (e) pause between the last registration and the idle window. BENCH_SETTLE_SECONDS, default 3. */
  settleSeconds: number;
  /** (e) idle window: one poll period of the SDK (55 s), so each instance re-polls once in it. BENCH_IDLE_SECONDS, default 55. */
  idleSeconds: number;
  /** (e) sequences timed with the fleet parked (0 skips). BENCH_FLEET_SEQUENCES, default 40. */
  fleetSequences: number;
  /** (i) parked instances of other integrations in the few rounds. BENCH_PARKED_FEW, default 10. */
  parkedFew: number;
  /** (i) parked instances of other integrations in the many round. BENCH_PARKED_MANY, default 2000. */
  parkedMany: number;
  /** (i) sequences per round. BENCH_PARKED_SEQUENCES, default 500. */
  parkedSequences: number;
  /** (f) starts per round. BENCH_CONFIG_ROUND_STARTS, default 300. */
  configRoundStarts: number;
  /** (f) cycles of six start rounds (two per mode). BENCH_CONFIG_CYCLES, default 2. */
  configCycles: number;
  /** (f) starts in flight. BENCH_CONFIG_IN_FLIGHT, default 16. */
  configInFlight: number;
  /** (f) GETs per resource figure. BENCH_RESOURCE_GETS, default 300. */
  resourceGets: number;
  /** (g) sequences run at full speed while the WAL size is sampled. BENCH_WAL_SEQUENCES, default 20000. */
  walSequences: number;
  /** (h) finished sequences preloaded first (the "10k" figures). BENCH_HISTORY_SMALL, default 10000. */
  historySmall: number;
  /** (h) finished sequences the store then grows to (the "100k" figures). BENCH_HISTORY_LARGE, default 100000. */
  historyLarge: number;
  /** (h) timed requests per read and size. BENCH_HISTORY_SAMPLES, default 200. */
  historySamples: number;
  /** (p1–p6) admin URL of the PostgreSQL server the bench creates its databases on. BENCH_POSTGRES_URL. */
  postgresUrl: string;
  /** (p2, p5) replicas on one PostgreSQL database. BENCH_REPLICAS, default 3 (at least 2). */
  replicas: number;
  /** (p5) sequences of 5 tasks whose pickup across replicas is timed. BENCH_PICKUP_SEQUENCES, default 100. */
  pickupSequences: number;
  /** Scenarios to run. BENCH_ONLY, e.g. `a,c` or `p` (p1–p6); default all. */
  scenarios: Scenario[];
  /** Where the server's data dir is created, e.g. /dev/shm to take the disk out. BENCH_DATA_DIR, default the OS temp dir. */
  dataParent: string | undefined;
  /** Keep the server's data dir. BENCH_KEEP_DATA=1. */
  keepData: boolean;
  /**
   * Where the shipmate server writes a V8 CPU profile (`node --cpu-prof`) when it stops, to find what
   * a figure's CPU is spent on. BENCH_SERVER_CPU_PROFILE_DIR, default unset (no profile).
   */
  serverCpuProfileDir: string | undefined;
}

/** Room in the server's shipyard cache for the commits of (f)'s setup (project, stages, services, tip). */
const CONFIG_SETUP_COMMITS_ROOM = 512;
/** The most commits (f)'s rounds may pin, so that every one written through the API stays cached. */
const CONFIG_PINS_CACHED = DEFAULT_SHIPYARD_CACHE_SIZE - CONFIG_SETUP_COMMITS_ROOM;

/** The PostgreSQL server of the bench unless BENCH_POSTGRES_URL names another (the local one of the tests). */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function positive(name: string, fallback: number, allowZero = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got '${raw}'`);
  }
  return value;
}

/** The directory a variable names, undefined when unset; throws when it is no directory. */
function existingDirectory(name: string): string | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!statSync(raw, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`${name} must name an existing directory (the server's data dir is made inside it), got '${raw}': create it first`);
  }
  return raw;
}

/** A whole number of seconds (wrk's `--duration` takes no fractions). */
function wholeSeconds(name: string, fallback: number, allowZero = false): number {
  const value = positive(name, fallback, allowZero);
  if (!Number.isInteger(value)) {
    throw new Error(`${name} must be a whole number of seconds (wrk runs whole seconds), got '${process.env[name]}'`);
  }
  return value;
}

/** A whole number >= 0 (a count). */
function wholeNumber(name: string, fallback: number): number {
  const value = positive(name, fallback, true);
  if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number (0 for none), got '${process.env[name]}'`);
  return value;
}

/** `1`/unset → true, `0` → false; anything else is an error naming the variable. */
function flag(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === '1' || raw === '0') return raw === '1';
  throw new Error(`${name} must be 1 (on) or 0 (off), got '${raw}'`);
}

/** The scenarios BENCH_ONLY names (`p` is p1–p6), in run order; unset or empty: all. */
function selectedScenarios(raw: string | undefined): Scenario[] {
  if (raw === undefined || raw.trim() === '') return [...SCENARIOS];
  const names = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const known = new Set<string>([...SCENARIOS, 'p']);
  const unknown = names.filter((name) => !known.has(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY names ${unknown.length ? `unknown scenarios (${unknown.join(', ')})` : 'no scenario'}: use ${SCENARIOS.join(', ')} or p (p1–p6), e.g. BENCH_ONLY=a,p`,
    );
  }
  const wanted = new Set(names.flatMap((name) => (name === 'p' ? POSTGRES_SCENARIOS : [name])));
  return SCENARIOS.filter((s) => wanted.has(s));
}

/** The PostgreSQL server's admin URL (BENCH_POSTGRES_URL), checked for its scheme. */
function postgresUrl(): string {
  const raw = process.env.BENCH_POSTGRES_URL || DEFAULT_POSTGRES_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      `BENCH_POSTGRES_URL must be a postgres:// URL of a server where the user may CREATE DATABASE, e.g. ${DEFAULT_POSTGRES_URL}; got '${raw}'`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`BENCH_POSTGRES_URL must start with postgres:// (e.g. ${DEFAULT_POSTGRES_URL}), got '${url.protocol}//…'`);
  }
  return raw;
}

export function readConfig(): BenchConfig {
  const scenarios = selectedScenarios(process.env.BENCH_ONLY);
  const replicas = Math.floor(positive('BENCH_REPLICAS', 3));
  if (replicas < 2) throw new Error(`BENCH_REPLICAS must be at least 2 (p2 and p5 compare replicas), got '${process.env.BENCH_REPLICAS}'`);
  const historySmall = Math.floor(positive('BENCH_HISTORY_SMALL', 10_000));
  const historyLarge = Math.floor(positive('BENCH_HISTORY_LARGE', 100_000));
  if (historyLarge < historySmall) {
    throw new Error(
      `BENCH_HISTORY_LARGE (${historyLarge}) must be at least BENCH_HISTORY_SMALL (${historySmall}): the store grows from one to the other`,
    );
  }
  const parkedFew = Math.floor(positive('BENCH_PARKED_FEW', 10));
  const parkedMany = Math.floor(positive('BENCH_PARKED_MANY', 2000));
  if (parkedMany < parkedFew) {
    throw new Error(
      `BENCH_PARKED_MANY (${parkedMany}) must be at least BENCH_PARKED_FEW (${parkedFew}): (i) compares few parked instances with many`,
    );
  }
  const configRoundStarts = Math.floor(positive('BENCH_CONFIG_ROUND_STARTS', 300));
  const configCycles = Math.floor(positive('BENCH_CONFIG_CYCLES', 2));
  const configPins = configPinnedCommits(configRoundStarts, configCycles);
  if (configPins > CONFIG_PINS_CACHED) {
    throw new Error(
      `BENCH_CONFIG_ROUND_STARTS × (4 × BENCH_CONFIG_CYCLES + 2) (${configPins}) must be at most ${CONFIG_PINS_CACHED}: ` +
        `(f) pins that many distinct commits, and past the server's shipyard cache (${DEFAULT_SHIPYARD_CACHE_SIZE} commits, ` +
        `less ${CONFIG_SETUP_COMMITS_ROOM} for the setup's) the new-commit rounds would read evicted shipyards from git; lower either`,
    );
  }
  const connections = Math.floor(positive('BENCH_CONNECTIONS', 32));
  const wrkThreads = Math.floor(positive('BENCH_WRK_THREADS', 1));
  if (connections < wrkThreads) {
    throw new Error(
      `BENCH_CONNECTIONS (${connections}) must be at least BENCH_WRK_THREADS (${wrkThreads}): each wrk thread needs a connection`,
    );
  }
  return {
    sequences: Math.floor(positive('BENCH_SEQUENCES', 2000)),
    sequenceWarmup: wholeNumber('BENCH_SEQUENCE_WARMUP', 500),
    services: Math.floor(positive('BENCH_SERVICES', 50)),
    inFlight: Math.floor(positive('BENCH_IN_FLIGHT', 200)),
    connections,
    wrkThreads,
    pinCpus: flag('BENCH_PIN_CPUS', false),
    intakeSeconds: wholeSeconds('BENCH_INTAKE_SECONDS', 5),
    warmupSeconds: wholeSeconds('BENCH_WARMUP_SECONDS', 1, true),
    intakeRounds: Math.floor(positive('BENCH_INTAKE_ROUNDS', 3)),
    latencySequences: Math.floor(positive('BENCH_LATENCY_SEQUENCES', 1000)),
    handlerSequences: Math.floor(positive('BENCH_HANDLER_SEQUENCES', 100)),
    handlerInFlight: Math.floor(positive('BENCH_HANDLER_IN_FLIGHT', 4)),
    agentInstances: Math.floor(positive('BENCH_AGENT_INSTANCES', 5000)),
    agentReplicas: Math.floor(positive('BENCH_AGENT_REPLICAS', 10)),
    settleSeconds: positive('BENCH_SETTLE_SECONDS', 3, true),
    idleSeconds: positive('BENCH_IDLE_SECONDS', 55),
    fleetSequences: Math.floor(positive('BENCH_FLEET_SEQUENCES', 40, true)),
    parkedFew,
    parkedMany,
    parkedSequences: Math.floor(positive('BENCH_PARKED_SEQUENCES', 500)),
    configRoundStarts,
    configCycles,
    configInFlight: Math.floor(positive('BENCH_CONFIG_IN_FLIGHT', 16)),
    resourceGets: Math.floor(positive('BENCH_RESOURCE_GETS', 300)),
    walSequences: Math.floor(positive('BENCH_WAL_SEQUENCES', 20_000)),
    historySmall,
    historyLarge,
    historySamples: Math.floor(positive('BENCH_HISTORY_SAMPLES', 200)),
    postgresUrl: postgresUrl(),
    replicas,
    pickupSequences: Math.floor(positive('BENCH_PICKUP_SEQUENCES', 100)),
    scenarios,
    dataParent: existingDirectory('BENCH_DATA_DIR'),
    keepData: process.env.BENCH_KEEP_DATA === '1',
    serverCpuProfileDir: process.env.BENCH_SERVER_CPU_PROFILE_DIR || undefined,
  };
}
