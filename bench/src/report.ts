/** The figures of a run: the table printed at the end and the JSON files in bench/results/. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** A target a figure must meet. */
export interface Target {
  op: '>=' | '<';
  value: number;
}

/** One reported figure; `value` is null when its scenario did not run or failed. */
export interface Figure {
  key: string;
  label: string;
  unit: string;
  value: number | null;
  target?: Target;
}

/** Whether a figure meets its target: undefined without a target, null without a value. */
export function isMet(figure: Figure): boolean | null | undefined {
  if (!figure.target) return undefined;
  if (figure.value === null || Number.isNaN(figure.value)) return null;
  return figure.target.op === '>=' ? figure.value >= figure.target.value : figure.value < figure.target.value;
}

function formatValue(figure: Figure): string {
  if (figure.value === null || Number.isNaN(figure.value)) return 'n/a';
  const digits = Math.abs(figure.value) >= 100 ? 0 : Math.abs(figure.value) >= 10 ? 1 : 2;
  return `${figure.value.toFixed(digits)} ${figure.unit}`;
}

function formatTarget(target: Target | undefined, unit: string): string {
  return target ? `${target.op === '>=' ? '≥' : '<'} ${target.value} ${unit}` : '-';
}

/** The figures as an aligned text table. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = [
    ['figure', 'value', 'target', 'met?'],
    ...figures.map((f) => {
      const met = isMet(f);
      return [f.label, formatValue(f), formatTarget(f.target, f.unit), met === undefined ? '-' : met === null ? 'n/a' : met ? 'yes' : 'NO'];
    }),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const line = (row: string[]) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Writes `bench-<timestamp>.json` and replaces `latest.json` (via a temp file); returns the first path. */
export function writeResults(resultsDir: string, date: Date, figures: readonly Figure[], extra: Record<string, unknown>): string {
  const cpuList = cpus();
  const document = {
    date: date.toISOString(),
    nodeVersion: process.version,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpuCount: cpuList.length,
    figures: Object.fromEntries(figures.map((f) => [f.key, f.value])),
    units: Object.fromEntries(figures.map((f) => [f.key, f.unit])),
    targets: Object.fromEntries(figures.filter((f) => f.target).map((f) => [f.key, f.target])),
    met: Object.fromEntries(figures.filter((f) => f.target).map((f) => [f.key, isMet(f)])),
    ...extra,
  };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `bench-${date.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, text);
  const temp = join(resultsDir, `latest.json.${process.pid}.tmp`);
  writeFileSync(temp, text);
  renameSync(temp, join(resultsDir, 'latest.json'));
  return file;
}
