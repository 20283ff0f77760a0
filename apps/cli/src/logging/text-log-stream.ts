/**
 * Log lines for people: the server logs JSON (pino); on a terminal each line is rewritten as
 * `12:00:01.123 INFO  task deployment finished: pass shop/dev/carts  keptnContext=…`.
 * Lines that are not JSON pass through unchanged.
 */
import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
/** Fields every pino line has, or that the message already says. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'v']);

function value(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === 'object' && v !== null && 'message' in v && typeof v.message === 'string') {
    const error = v as { message: string; stack?: string };
    return JSON.stringify(error.stack ?? error.message);
  }
  return JSON.stringify(v);
}

/** One JSON log line as text; undefined when it is not a pino line. */
export function formatLogLine(line: string): string | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.level !== 'number') return undefined;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const level = LEVELS[entry.level] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, v]) => `${key}=${value(v)}`)
    .join(' ');
  return `${time} ${level} ${typeof entry.msg === 'string' ? entry.msg : ''}${fields ? `  ${fields}` : ''}`;
}

/** A stream pino writes to that rewrites its lines for people before they reach `out`. */
export function textLogStream(out: NodeJS.WritableStream = process.stdout): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) out.write(`${formatLogLine(line) ?? line}\n`);
      callback();
    },
  });
}
