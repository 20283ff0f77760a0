/**
 * Figure (g): size of the SQLite WAL (`<data dir>/shipmate.db-wal`) while sequences run at full
 * speed. Drives (a)'s executor for `sequences` sequences (20,000 by default) and samples the WAL
 * file's size every `sampleEveryMs` meanwhile; reports the largest size seen and the size at the
 * end, against the server's ceiling (`SHIPMATE_WAL_MAX_BYTES`, 64 MiB by default). Before the
 * ceiling the WAL grew by about 250 KB per sequence at this speed and never shrank.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { KeptnApi } from './keptn-api.js';
import { runSequenceThroughput } from './scenario-sequences.js';

export interface WalScenarioOptions {
  api: KeptnApi;
  services: readonly string[];
  /** The server's data dir. */
  dataDir: string;
  /** Sequences to complete in total. */
  sequences: number;
  /** @default 20 */
  sampleEveryMs?: number;
  log(line: string): void;
}

export interface WalScenarioResult {
  /** Largest WAL file size sampled during the run, in bytes. */
  maxWalBytes: number;
  /** WAL file size right after the last sequence finished, in bytes. */
  endWalBytes: number;
  /** WAL size samples taken. */
  samples: number;
  completed: number;
  failed: number;
  sequencesPerSecond: number;
}

/** Size of `file` in bytes, 0 when it does not exist (a truncated or never-written WAL). */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export async function runWalScenario(options: WalScenarioOptions): Promise<WalScenarioResult> {
  const wal = join(options.dataDir, 'shipmate.db-wal');
  let maxWalBytes = sizeOf(wal);
  let samples = 1;
  const sampler = setInterval(() => {
    maxWalBytes = Math.max(maxWalBytes, sizeOf(wal));
    samples++;
  }, options.sampleEveryMs ?? 20);
  try {
    const result = await runSequenceThroughput({
      api: options.api,
      services: options.services,
      sequences: options.sequences,
      log: (line) => options.log(line.replace('(a)', '(g)')),
    });
    const endWalBytes = sizeOf(wal);
    return {
      maxWalBytes: Math.max(maxWalBytes, endWalBytes),
      endWalBytes,
      samples,
      completed: result.completed,
      failed: result.failed,
      sequencesPerSecond: result.sequencesPerSecond,
    };
  } finally {
    clearInterval(sampler);
  }
}
