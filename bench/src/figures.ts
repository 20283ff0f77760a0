/** The figures the bench reports, in table order, with their units and targets. */
import type { Figure } from './report.js';

/** The server's default WAL ceiling (SHIPMATE_WAL_MAX_BYTES, 64 MiB): the target of (g). */
export const WAL_CEILING_MIB = 64;

export const FIGURES = [
  { key: 'sequencesPerSecond', label: '(a) sequences completed per second', unit: 'seq/s', target: { op: '>=', value: 200 } },
  { key: 'configStartsCachedPerSecond', label: '(f) sequence starts/s, shipyard cached (tip)', unit: 'starts/s' },
  { key: 'configStartsNewCommitPerSecond', label: '(f) sequence starts/s, each at a new commit', unit: 'starts/s' },
  { key: 'configStartsNewCommitRatioPercent', label: '(f) new commit each start vs cached', unit: '%', target: { op: '>=', value: 90 } },
  { key: 'configStartsFromGitPerSecond', label: '(f) sequence starts/s, shipyard read from git', unit: 'starts/s' },
  {
    key: 'configStartsFromGitRatioPercent',
    label: '(f) shipyard from git each start vs cached',
    unit: '%',
    target: { op: '>=', value: 90 },
  },
  { key: 'resourceGetP50Ms', label: '(f) resource GET 2 KiB at tip p50', unit: 'ms' },
  { key: 'resourceGetP99Ms', label: '(f) resource GET 2 KiB at tip p99', unit: 'ms' },
  { key: 'resourceGetAtCommitP99Ms', label: '(f) resource GET 2 KiB at a commit p99', unit: 'ms' },
  { key: 'resourceGetLargeP99Ms', label: '(f) resource GET 100 KiB at tip p99', unit: 'ms' },
  { key: 'intakeRatioPercent', label: '(b) POST /api/v1/event vs bare node:http', unit: '%', target: { op: '>=', value: 40 } },
  { key: 'intakeRequestsPerSecond', label: '(b) POST /api/v1/event acknowledged', unit: 'req/s' },
  { key: 'bareRequestsPerSecond', label: '(b) bare node:http, same load', unit: 'req/s' },
  { key: 'taskLatencyP50Ms', label: '(c) .finished → next .triggered p50', unit: 'ms' },
  { key: 'taskLatencyP99Ms', label: '(c) .finished → next .triggered p99', unit: 'ms', target: { op: '<', value: 20 } },
  { key: 'sdkHandlerP50Ms', label: '(d) .triggered stored → SDK handler p50', unit: 'ms' },
  { key: 'sdkHandlerP99Ms', label: '(d) .triggered stored → SDK handler p99', unit: 'ms', target: { op: '<', value: 25 } },
  { key: 'sdkHandlerMaxMs', label: '(d) .triggered stored → SDK handler max', unit: 'ms' },
  { key: 'agentHandlerP50Ms', label: '(d) .triggered stored → agent → recipient p50', unit: 'ms' },
  { key: 'agentHandlerP99Ms', label: '(d) .triggered stored → agent → recipient p99', unit: 'ms', target: { op: '<', value: 25 } },
  { key: 'agentHandlerMaxMs', label: '(d) .triggered stored → agent → recipient max', unit: 'ms' },
  { key: 'fleetRssMiB', label: '(e) server VmRSS, agent fleet parked (max)', unit: 'MiB', target: { op: '<', value: 300 } },
  { key: 'fleetIdleCpuPercent', label: '(e) server CPU, agent fleet parked', unit: '% core', target: { op: '<', value: 5 } },
  { key: 'fleetHandlerP50Ms', label: '(e) .triggered → SDK handler p50, fleet parked', unit: 'ms' },
  { key: 'fleetHandlerP99Ms', label: '(e) .triggered → SDK handler p99, fleet parked', unit: 'ms', target: { op: '<', value: 25 } },
  {
    key: 'walMaxMiB',
    label: '(g) WAL size, max during 20,000 sequences at full speed',
    unit: 'MiB',
    target: { op: '<', value: WAL_CEILING_MIB },
  },
  {
    key: 'walEndMiB',
    label: '(g) WAL size after 20,000 sequences at full speed',
    unit: 'MiB',
    target: { op: '<', value: WAL_CEILING_MIB },
  },
  { key: 'peakRssMiB', label: 'server peak RSS (VmHWM)', unit: 'MiB', target: { op: '<', value: 200 } },
  { key: 'maxSampledRssMiB', label: 'server max sampled VmRSS', unit: 'MiB' },
] as const satisfies readonly Omit<Figure, 'value'>[];

export type FigureKey = (typeof FIGURES)[number]['key'];

/** Every figure with its measured value, or null when it was not measured. */
export function collectFigures(values: ReadonlyMap<FigureKey, number>): Figure[] {
  return FIGURES.map((f) => ({ ...f, value: values.get(f.key) ?? null }));
}
