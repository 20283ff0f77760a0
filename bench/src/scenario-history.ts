/**
 * Figure (h): read latencies as history grows. On its own data dir: a server runs one real
 * sequence of project `bench` (the template) and stops; the store is preloaded with `small`
 * finished sequences (history-preload.ts), the server starts and every read the Keptn Bridge and
 * the CLI make is timed; then the store grows to `large` sequences and the reads are timed again.
 * Reads are sequential, one keep-alive connection, after a few untimed warm-ups. The store is
 * whichever the caller's server uses: SQLite in the data dir for (h), PostgreSQL for (p6).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ControlPlaneStore } from '@shipmate/core';
import { PROJECT, SEQUENCE, STAGE, TASKS, createBenchProject, serviceNames } from './bench-project.js';
import { cloneContext, preloadSequences, readTemplate } from './history-preload.js';
import type { PreloadOptions } from './history-preload.js';
import { createHttpClient } from './http-client.js';
import type { HttpClient } from './http-client.js';
import { createKeptnApi } from './keptn-api.js';
import type { KeptnApi, TriggeredTask } from './keptn-api.js';
import { pollUntil } from './poll.js';
import type { ServerProcess } from './server-process.js';
import { round, summarize } from './stats.js';

/** The reads timed, by key: what the Bridge and the CLI ask for. */
export const HISTORY_READS = {
  rootEvents: 'datastore root=true list (Bridge)',
  projectEvents: 'datastore project event list',
  contextEvents: 'datastore events of a keptnContext',
  eventsOfType: 'datastore event/type with filter',
  sequencePage: 'GET /sequence/{p}?pageSize=25 (Bridge)',
  sequenceByContext: 'GET /sequence/{p}?keptnContext= (CLI)',
  executionsByContext: 'GET /sequence-execution?keptnContext=',
  sequenceNoPageSize: 'GET /sequence/{p} without pageSize',
} as const;

export type HistoryRead = keyof typeof HISTORY_READS;

/** Latencies (ms) of one read at one size, with the mean response size. */
export interface ReadFigures extends ReturnType<typeof summarize> {
  meanBytes: number;
}

/** The reads at one history size. */
export interface HistorySizeResult {
  sequences: number;
  eventsStored: number;
  preloadSeconds: number;
  reads: Record<HistoryRead, ReadFigures>;
}

export interface HistoryOptions {
  /** Prefix of the log lines, e.g. `(h)`. */
  label: string;
  startServer: (dataDir: string) => Promise<ServerProcess>;
  /** Opens the store the server of `dataDir` uses, while the server is stopped (the preload writes it). */
  openStore: (dataDir: string) => Promise<ControlPlaneStore>;
  /** Runs after each preload, before the server starts again (PostgreSQL: VACUUM (ANALYZE)). */
  afterPreload?: () => Promise<void>;
  /** Sequences per preload transaction and transactions at once (history-preload.ts's defaults when unset). */
  preload?: Pick<PreloadOptions, 'chunk' | 'inFlight'>;
  stopServer: (server: ServerProcess) => Promise<string>;
  token: string;
  dataParent: string | undefined;
  keepData: boolean;
  /** Sequence counts, ascending; the store grows from one to the next. */
  sizes: readonly number[];
  /** Timed requests per read and size. */
  samples: number;
  services: number;
  log: (line: string) => void;
}

/** Each read's path for sample `n` at history size `size`. */
function pathOf(read: HistoryRead, n: number, size: number, services: readonly string[]): string {
  // A spread of contexts over the whole history, the same for every run.
  const context = cloneContext((n * 7919) % size);
  const service = services[n % services.length]!;
  const project = encodeURIComponent(PROJECT);
  switch (read) {
    case 'rootEvents':
      return `/api/mongodb-datastore/event?root=true&project=${project}&pageSize=20`;
    case 'projectEvents':
      return `/api/mongodb-datastore/event?project=${project}&pageSize=20`;
    case 'contextEvents':
      return `/api/mongodb-datastore/event?project=${project}&keptnContext=${context}&pageSize=100`;
    case 'eventsOfType': {
      const filter = encodeURIComponent(`data.project:${PROJECT} AND data.stage:${STAGE} AND data.service:${service}`);
      return `/api/mongodb-datastore/event/type/sh.keptn.event.test.finished?filter=${filter}&excludeInvalidated=true&limit=20`;
    }
    case 'sequencePage':
      return `/api/controlPlane/v1/sequence/${project}?pageSize=25`;
    case 'sequenceByContext':
      return `/api/controlPlane/v1/sequence/${project}?keptnContext=${context}`;
    case 'executionsByContext':
      return `/api/controlPlane/v1/sequence-execution?project=${project}&keptnContext=${context}`;
    case 'sequenceNoPageSize':
      return `/api/controlPlane/v1/sequence/${project}`;
  }
}

/** Times `samples` GETs of one read (after 3 untimed ones). */
async function timeRead(
  client: HttpClient,
  read: HistoryRead,
  size: number,
  samples: number,
  services: readonly string[],
): Promise<ReadFigures> {
  const times: number[] = [];
  let bytes = 0;
  for (let n = -3; n < samples; n++) {
    const path = pathOf(read, Math.max(0, n), size, services);
    const started = performance.now();
    const response = await client.send('GET', path);
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.text.slice(0, 300)}`);
    if (n < 0) continue;
    times.push(elapsed);
    bytes += Buffer.byteLength(response.text);
  }
  const summary = summarize(times);
  return {
    ...summary,
    p50: round(summary.p50, 2),
    p99: round(summary.p99, 2),
    mean: round(summary.mean, 2),
    meanBytes: Math.round(bytes / Math.max(1, times.length)),
  };
}

/** Runs one sequence of `bench` to its end, answering every task; returns its context. */
async function runTemplateSequence(api: KeptnApi, service: string): Promise<string> {
  const context = await api.triggerSequence(PROJECT, STAGE, SEQUENCE, service);
  for (const task of TASKS) {
    const triggered: TriggeredTask = await pollUntil(`${task}.triggered of ${context}`, async () =>
      (await api.openTriggered(task, { project: PROJECT, stage: STAGE, service })).find((e) => e.shkeptncontext === context),
    );
    await api.answerTask(triggered);
  }
  await pollUntil(`sequence ${context} finished`, async () => {
    const [state] = await api.sequenceStates(PROJECT, [context]);
    return state?.state === 'finished' ? state : undefined;
  });
  return context;
}

/** Opens the store, runs `use` on it, and closes it. */
async function withStore<T>(open: () => Promise<ControlPlaneStore>, use: (store: ControlPlaneStore) => Promise<T>): Promise<T> {
  const store = await open();
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Runs figure (h): the template sequence, then the reads at each size. */
export async function runHistoryScenario(options: HistoryOptions): Promise<{ sizes: HistorySizeResult[] }> {
  const { label } = options;
  const log = (line: string) => options.log(`${label} ${line}`);
  const services = serviceNames(options.services);
  const dataDir = mkdtempSync(join(options.dataParent ?? tmpdir(), 'shipmate-bench-history-'));
  const results: HistorySizeResult[] = [];
  try {
    let server = await options.startServer(dataDir);
    let context: string;
    try {
      const client = createHttpClient({ baseUrl: server.url, token: options.token });
      try {
        const api = createKeptnApi(client);
        await createBenchProject(api, services);
        context = await runTemplateSequence(api, services[0]!);
      } finally {
        client.close();
      }
    } finally {
      await options.stopServer(server);
    }
    const template = await withStore(
      () => options.openStore(dataDir),
      (store) => readTemplate(store, PROJECT, context),
    );
    log(`template sequence ${context}: ${template.events.length} events`);
    // Clone 0 starts so that the last clone of the largest size ends about now.
    const largest = Math.max(...options.sizes);
    const startMs = Date.now() - largest * 1000 - 60_000;
    let loaded = 0;
    let eventsStored = template.events.length;
    for (const size of options.sizes) {
      const t0 = performance.now();
      const from = loaded;
      eventsStored += await withStore(
        () => options.openStore(dataDir),
        (store) => preloadSequences({ store, template, services, from, to: size, startMs, ...options.preload }),
      );
      loaded = size;
      await options.afterPreload?.();
      const preloadSeconds = round((performance.now() - t0) / 1000, 1);
      log(`${size} sequences stored (${eventsStored} events; this step ${preloadSeconds} s); timing reads`);
      server = await options.startServer(dataDir);
      const client = createHttpClient({ baseUrl: server.url, token: options.token });
      try {
        const reads = {} as Record<HistoryRead, ReadFigures>;
        for (const read of Object.keys(HISTORY_READS) as HistoryRead[]) {
          // The unpaged list is the costly one before the fix: fewer samples.
          const samples = read === 'sequenceNoPageSize' ? Math.min(10, options.samples) : options.samples;
          reads[read] = await timeRead(client, read, size, samples, services);
          log(`${size}: ${HISTORY_READS[read]}: p50 ${reads[read].p50} ms, p99 ${reads[read].p99} ms, ${reads[read].meanBytes} bytes`);
        }
        results.push({ sequences: size, eventsStored, preloadSeconds, reads });
      } finally {
        client.close();
        await options.stopServer(server);
      }
    }
    return { sizes: results };
  } finally {
    if (options.keepData) log(`data dir kept: ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}
