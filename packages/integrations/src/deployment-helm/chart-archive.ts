/**
 * Checks a user chart before helm sees it, so that the common mistakes get a message naming the
 * file and the fix instead of helm's: `helm/<service>.tgz` must be a gzip'ed tar (what
 * `helm package` writes) with `<chart>/Chart.yaml` inside. Reads tar headers only (ustar, with PAX
 * and GNU long names); helm itself loads and validates the rest.
 */
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { ErrorCode, InputError } from '@shipmate/core';

/** A chart archive is refused when it unpacks to more than this (helm's own limit for a chart is smaller). */
export const MAX_CHART_BYTES = 100 * 1024 * 1024;

/** `helm/<service>.tgz` is missing or not a chart archive (`ERR_INVALID_HELM_CHART`). */
export class HelmChartError extends InputError {
  constructor(message: string) {
    super(ErrorCode.invalidHelmChart, message);
  }
}

/** What the archive's Chart.yaml says. */
export interface ChartInfo {
  /** `name` of Chart.yaml, or the archive's top folder when Chart.yaml has none. */
  readonly name: string;
  readonly version: string | undefined;
}

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.toString('utf8', 0, end < 0 ? length : end);
}

/** PAX extended header records `"<len> key=value\n"`: the `path` record, if any. */
function paxPath(data: Buffer): string | undefined {
  for (const record of data.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/** Every file of a tar archive: its path and content. */
function* tarEntries(tar: Buffer): Generator<{ path: string; content: Buffer }> {
  let at = 0;
  let longName: string | undefined;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return;
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new Error(`damaged tar header at byte ${at}`);
    const type = String.fromCharCode(header[156] ?? 0);
    const content = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = paxPath(content);
      continue;
    }
    if (type === 'L') {
      longName = field(content, 0, content.length);
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = field(header, 0, 100);
    const path = longName ?? (prefix ? `${prefix}/${name}` : name);
    longName = undefined;
    if (type === '0' || type === '\0') yield { path, content };
  }
}

/**
 * The chart in `archive` (the content of `uri`), or a {@link HelmChartError} naming `uri` and the
 * fix when it is not a gzip'ed tar or has no `<chart>/Chart.yaml`.
 */
export function inspectChartArchive(archive: Buffer, uri: string): ChartInfo {
  const fix = `package the chart folder with 'helm package <folder>' and upload the .tgz it writes as ${uri}`;
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: MAX_CHART_BYTES });
  } catch (error) {
    const reason = (error as Error).message;
    if (/maxOutputLength|larger than/i.test(reason))
      throw new HelmChartError(`${uri} unpacks to more than ${MAX_CHART_BYTES} bytes: a chart is far smaller; ${fix}`);
    throw new HelmChartError(`${uri} is not a gzip'ed tar archive (${reason}): ${fix}`);
  }
  let chartYaml: { path: string; content: Buffer } | undefined;
  let files = 0;
  try {
    for (const entry of tarEntries(tar)) {
      files++;
      const parts = entry.path.replace(/^\.\//, '').split('/');
      if (parts.length === 2 && parts[1] === 'Chart.yaml') {
        chartYaml = entry;
        break;
      }
    }
  } catch (error) {
    throw new HelmChartError(`${uri} is gzip'ed but not a tar archive (${(error as Error).message}): ${fix}`);
  }
  if (chartYaml === undefined) {
    const what = files === 0 ? 'no files' : `${files} file${files === 1 ? '' : 's'} but no <chart>/Chart.yaml`;
    throw new HelmChartError(`${uri} is not a Helm chart: the archive has ${what}; ${fix}`);
  }
  const folder = chartYaml.path.replace(/^\.\//, '').split('/')[0] ?? '';
  let meta: unknown;
  try {
    meta = parse(chartYaml.content.toString('utf8'));
  } catch (error) {
    throw new HelmChartError(
      `${chartYaml.path} in ${uri} is not valid YAML (${(error as Error).message.split('\n')[0]}): fix it and run 'helm package' again`,
    );
  }
  const record = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : {};
  return {
    name: typeof record.name === 'string' && record.name !== '' ? record.name : folder,
    version: typeof record.version === 'string' ? record.version : typeof record.version === 'number' ? String(record.version) : undefined,
  };
}
