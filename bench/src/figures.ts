/** The figures the bench reports, in table order, with their units and targets. */
import type { Figure } from './report.js';

/** The server's default WAL ceiling (SHIPMATE_WAL_MAX_BYTES, 64 MiB): the target of (g). */
export const WAL_CEILING_MIB = 64;

/** Target p99 of `.triggered` stored → handler start, (d) and the probe of (e) (issue 13, point 6). */
export const HANDLER_TARGET_MS = 10;

/** Target of every (h) read: p99 below 20 ms at 100k finished sequences (issue 13, point 7). */
export const HISTORY_TARGET_MS = 20;

/**
 * Target of (i): CPU per sequence with 2,000 parked instances of other integrations below 110 % of
 * that with 10 (issue 13 point 7: per-task CPU independent of the number of parked agents).
 */
export const PARKED_CPU_RATIO_TARGET_PERCENT = 110;

export const FIGURES = [
  {
    key: 'sequencesPerSecond',
    label: '(a) sequences completed per second, BENCH_IN_FLIGHT (200) in flight',
    unit: 'seq/s',
    target: { op: '>=', value: 800 },
  },
  { key: 'sequencesPerSecondFewInFlight', label: '(a) the same, BENCH_SERVICES (50) in flight', unit: 'seq/s' },
  { key: 'pgSequencesPerSecond', label: '(p1) PostgreSQL, 1 replica: sequences completed per second', unit: 'seq/s' },
  { key: 'pgReplicasSequencesPerSecond', label: '(p2) PostgreSQL, BENCH_REPLICAS (3) replicas behind a proxy: seq/s', unit: 'seq/s' },
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
  { key: 'intakeRatioPercent', label: '(b) POST /api/v1/event vs bare node:http (wrk)', unit: '%', target: { op: '>=', value: 60 } },
  { key: 'intakeRequestsPerSecond', label: '(b) POST /api/v1/event acknowledged', unit: 'req/s' },
  { key: 'bareRequestsPerSecond', label: '(b) bare node:http, same wrk load', unit: 'req/s' },
  { key: 'intakeServerCpuMicrosPerRequest', label: '(b) server CPU per acknowledged event', unit: 'µs' },
  { key: 'bareServerCpuMicrosPerRequest', label: '(b) bare node:http CPU per request', unit: 'µs' },
  { key: 'intakeMainThreadPercent', label: '(b) shipmate main thread busy (100 = the ceiling)', unit: '%' },
  { key: 'bareMainThreadPercent', label: '(b) bare node:http main thread busy', unit: '%' },
  { key: 'pgIntakeRatioPercent', label: '(p3) PostgreSQL: POST /api/v1/event vs bare node:http (wrk)', unit: '%' },
  { key: 'pgIntakeRequestsPerSecond', label: '(p3) PostgreSQL: POST /api/v1/event acknowledged', unit: 'req/s' },
  { key: 'pgIntakeServerCpuMicrosPerRequest', label: '(p3) PostgreSQL: server CPU per acknowledged event', unit: 'µs' },
  { key: 'taskLatencyP50Ms', label: '(c) .finished → next .triggered p50', unit: 'ms' },
  { key: 'taskLatencyP99Ms', label: '(c) .finished → next .triggered p99', unit: 'ms', target: { op: '<', value: 5 } },
  { key: 'roundTripFloorP50Ms', label: '(c) floor: one round trip to bare node:http, p50', unit: 'ms' },
  { key: 'roundTripFloorP99Ms', label: '(c) floor: one round trip to bare node:http, p99', unit: 'ms' },
  { key: 'pgTaskLatencyP50Ms', label: '(p4) PostgreSQL: .finished → next .triggered p50', unit: 'ms' },
  { key: 'pgTaskLatencyP99Ms', label: '(p4) PostgreSQL: .finished → next .triggered p99', unit: 'ms', target: { op: '<', value: 5 } },
  { key: 'sdkHandlerP50Ms', label: '(d) .triggered stored → SDK handler p50', unit: 'ms' },
  { key: 'sdkHandlerP99Ms', label: '(d) .triggered stored → SDK handler p99', unit: 'ms', target: { op: '<', value: HANDLER_TARGET_MS } },
  { key: 'sdkHandlerMaxMs', label: '(d) .triggered stored → SDK handler max', unit: 'ms' },
  { key: 'agentHandlerP50Ms', label: '(d) .triggered stored → agent → recipient p50', unit: 'ms' },
  {
    key: 'agentHandlerP99Ms',
    label: '(d) .triggered stored → agent → recipient p99',
    unit: 'ms',
    target: { op: '<', value: HANDLER_TARGET_MS },
  },
  { key: 'agentHandlerMaxMs', label: '(d) .triggered stored → agent → recipient max', unit: 'ms' },
  { key: 'pgPickupAcrossReplicasP50Ms', label: '(p5) PostgreSQL: task made on replica 1 → poller on 2, p50', unit: 'ms' },
  { key: 'pgPickupAcrossReplicasP99Ms', label: '(p5) PostgreSQL: task made on replica 1 → poller on 2, p99', unit: 'ms' },
  { key: 'fleetRssMiB', label: '(e) server VmRSS, agent fleet parked (max)', unit: 'MiB', target: { op: '<', value: 500 } },
  { key: 'fleetIdleCpuPercent', label: '(e) server CPU, agent fleet parked', unit: '% core', target: { op: '<', value: 5 } },
  { key: 'fleetHandlerP50Ms', label: '(e) .triggered → SDK handler p50, fleet parked', unit: 'ms' },
  {
    key: 'fleetHandlerP99Ms',
    label: '(e) .triggered → SDK handler p99, fleet parked',
    unit: 'ms',
    target: { op: '<', value: HANDLER_TARGET_MS },
  },
  { key: 'parkedFewCpuMsPerSequence', label: '(i) server CPU per sequence, 10 parked instances', unit: 'ms' },
  { key: 'parkedManyCpuMsPerSequence', label: '(i) server CPU per sequence, 2,000 parked instances', unit: 'ms' },
  {
    key: 'parkedCpuRatioPercent',
    label: '(i) CPU per sequence, 2,000 parked vs 10',
    unit: '%',
    target: { op: '<', value: PARKED_CPU_RATIO_TARGET_PERCENT },
  },
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
  {
    key: 'historyRootEventsP99MsAt10k',
    label: '(h) datastore root=true list p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historyRootEventsP99MsAt100k',
    label: '(h) datastore root=true list p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistoryRootEventsP99MsAt10k',
    label: '(p6) PostgreSQL: datastore root=true list p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistoryRootEventsP99MsAt100k',
    label: '(p6) PostgreSQL: datastore root=true list p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historyProjectEventsP99MsAt10k',
    label: '(h) datastore project event list p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historyProjectEventsP99MsAt100k',
    label: '(h) datastore project event list p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistoryProjectEventsP99MsAt10k',
    label: '(p6) PostgreSQL: datastore project event list p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistoryProjectEventsP99MsAt100k',
    label: '(p6) PostgreSQL: datastore project event list p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historyContextEventsP99MsAt10k',
    label: '(h) datastore events of a context p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historyContextEventsP99MsAt100k',
    label: '(h) datastore events of a context p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistoryContextEventsP99MsAt10k',
    label: '(p6) PostgreSQL: datastore events of a context p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistoryContextEventsP99MsAt100k',
    label: '(p6) PostgreSQL: datastore events of a context p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historyEventsOfTypeP99MsAt10k',
    label: '(h) datastore event/type filter p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historyEventsOfTypeP99MsAt100k',
    label: '(h) datastore event/type filter p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistoryEventsOfTypeP99MsAt10k',
    label: '(p6) PostgreSQL: datastore event/type filter p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistoryEventsOfTypeP99MsAt100k',
    label: '(p6) PostgreSQL: datastore event/type filter p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historySequencePageP99MsAt10k',
    label: '(h) /sequence/{p}?pageSize=25 p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historySequencePageP99MsAt100k',
    label: '(h) /sequence/{p}?pageSize=25 p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistorySequencePageP99MsAt10k',
    label: '(p6) PostgreSQL: /sequence/{p}?pageSize=25 p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistorySequencePageP99MsAt100k',
    label: '(p6) PostgreSQL: /sequence/{p}?pageSize=25 p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historySequenceByContextP99MsAt10k',
    label: '(h) /sequence/{p}?keptnContext= p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historySequenceByContextP99MsAt100k',
    label: '(h) /sequence/{p}?keptnContext= p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistorySequenceByContextP99MsAt10k',
    label: '(p6) PostgreSQL: /sequence/{p}?keptnContext= p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistorySequenceByContextP99MsAt100k',
    label: '(p6) PostgreSQL: /sequence/{p}?keptnContext= p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historyExecutionsByContextP99MsAt10k',
    label: '(h) /sequence-execution?keptnContext= p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'historyExecutionsByContextP99MsAt100k',
    label: '(h) /sequence-execution?keptnContext= p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistoryExecutionsByContextP99MsAt10k',
    label: '(p6) PostgreSQL: /sequence-execution?keptnContext= p99, 10k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  {
    key: 'pgHistoryExecutionsByContextP99MsAt100k',
    label: '(p6) PostgreSQL: /sequence-execution?keptnContext= p99, 100k sequences',
    unit: 'ms',
    target: { op: '<', value: HISTORY_TARGET_MS },
  },
  { key: 'historySequenceNoPageSizeKiBAt100k', label: '(h) /sequence/{p} without pageSize, 100k sequences', unit: 'KiB' },
  { key: 'historySequenceNoPageSizeP50MsAt100k', label: '(h) /sequence/{p} without pageSize p50, 100k', unit: 'ms' },
  { key: 'pgHistorySequenceNoPageSizeKiBAt100k', label: '(p6) PostgreSQL: /sequence/{p} without pageSize, 100k', unit: 'KiB' },
  { key: 'pgHistorySequenceNoPageSizeP50MsAt100k', label: '(p6) PostgreSQL: /sequence/{p} without pageSize p50, 100k', unit: 'ms' },
  { key: 'peakRssMiB', label: 'server peak RSS (VmHWM) before the fleets of (e), (i)', unit: 'MiB', target: { op: '<', value: 200 } },
  { key: 'maxSampledRssMiB', label: 'server max sampled VmRSS, whole run', unit: 'MiB' },
] as const satisfies readonly Omit<Figure, 'value'>[];

export type FigureKey = (typeof FIGURES)[number]['key'];

/** Every figure with its measured value, or null when it was not measured. */
export function collectFigures(values: ReadonlyMap<FigureKey, number>): Figure[] {
  return FIGURES.map((f) => ({ ...f, value: values.get(f.key) ?? null }));
}
