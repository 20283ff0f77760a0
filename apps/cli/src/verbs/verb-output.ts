/**
 * How the verbs print: data on stdout as a human table (the default) or as JSON or YAML (`-o`),
 * messages on stderr; colours only on a terminal and never with NO_COLOR set. Tables are padded on
 * the plain text and coloured afterwards, so escape codes never shift a column.
 */
import { stringify } from 'yaml';
import { ConfigError } from '../config/config-error.js';

/** The output formats of `-o`. */
export const OutputFormat = { table: 'table', json: 'json', yaml: 'yaml' } as const;
/** One of {@link OutputFormat}. */
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** The `-o` value as a format (default table); anything else is a usage error naming the choices. */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined) return OutputFormat.table;
  const format = Object.values(OutputFormat).find((known) => known === value.trim().toLowerCase());
  if (format === undefined) throw new ConfigError(`-o '${value}' is not an output format: give table, json or yaml`);
  return format;
}

/** Colours of a line; identity functions without colour. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  /** A result or state word in its colour: pass/succeeded/finished green, fail/errored/aborted red, warning yellow. */
  outcome(text: string): string;
}

/** True when output to `stream` may be coloured: a terminal, NO_COLOR unset or empty (no-color.org), TERM not dumb. */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

const FAILED = new Set(['fail', 'failed', 'errored', 'aborted', 'timedOut', 'declined', 'offline']);
const PASSED = new Set(['pass', 'succeeded', 'finished', 'online', 'approved']);
const WARNED = new Set(['warning', 'paused', 'waiting']);

/** A style with ANSI colours, or one that leaves text as it is. */
export function createStyle(colour: boolean): Style {
  const sgr = (open: number, close: number) => (text: string) => (colour && text !== '' ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  const green = sgr(32, 39);
  const red = sgr(31, 39);
  const yellow = sgr(33, 39);
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    green,
    red,
    yellow,
    outcome: (text) => {
      const word = text.trim().split(/[\s(]/)[0] ?? '';
      if (FAILED.has(word)) return red(text);
      if (PASSED.has(word)) return green(text);
      if (WARNED.has(word)) return yellow(text);
      return text;
    },
  };
}

/** One column of a table. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  /** Colours the cell's text with the table's style (e.g. `(cell, style) => style.outcome(cell)`). */
  readonly tone?: (cell: string, style: Style, row: T) => string;
}

/** A table with a header row, columns two spaces apart; padding stays outside the colours, and lines have no trailing blanks. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], style: Style): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.value(row))));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((row) => (row[index] ?? '').length)));
  const line = (texts: readonly string[], toned: readonly string[]) => {
    let last = texts.length - 1;
    while (last > 0 && texts[last] === '') last -= 1;
    return toned
      .slice(0, last + 1)
      .map((cell, index) => (index === last ? cell : cell + ' '.repeat((widths[index] ?? 0) - (texts[index] ?? '').length)))
      .join('  ');
  };
  const header = columns.map((column) => column.header);
  const lines = cells.map((row, r) =>
    line(
      row,
      row.map((cell, index) => {
        const column = columns[index];
        const source = rows[r];
        return column?.tone && source !== undefined && cell !== '' ? column.tone(cell, style, source) : cell;
      }),
    ),
  );
  return `${[
    line(
      header,
      header.map((text) => style.bold(text)),
    ),
    ...lines,
  ].join('\n')}\n`;
}

/** A value on one line (tables have one line per row). */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** `value` as JSON (indented) or YAML, ending in a newline. */
export function renderData(format: Exclude<OutputFormat, 'table'>, value: unknown): string {
  if (format === OutputFormat.json) return `${JSON.stringify(value, null, 2)}\n`;
  return stringify(value, { lineWidth: 0 });
}

/** Unix nanoseconds (Keptn's `creationDate`) or an ISO time as `2024-05-01 12:00:00` UTC; the text itself when neither. */
export function displayTime(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  let ms: number;
  if (/^\d{16,}$/.test(value)) ms = Number(BigInt(value) / 1_000_000n);
  else ms = Date.parse(value);
  if (!Number.isFinite(ms)) return value;
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}
