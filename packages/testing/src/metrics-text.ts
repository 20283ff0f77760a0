/**
 * A small parser of the Prometheus text exposition (version 0.0.4) for tests that read a
 * `/metrics` endpoint: samples with their labels, and the HELP and TYPE of each family, so tests
 * assert on values instead of matching whole text.
 */

/** One sample line. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition. */
export interface MetricsText {
  readonly samples: readonly MetricSample[];
  /** HELP text by family name. */
  readonly help: ReadonlyMap<string, string>;
  /** TYPE (counter, gauge, histogram, summary, untyped) by family name. */
  readonly types: ReadonlyMap<string, string>;
  /**
   * The value of the sample named `name` whose labels include `labels`, summed over the samples
   * that match (so `{}` adds up every label set); undefined when none matches.
   */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match) throw new Error(`bad labels at ${start} in metrics line: ${line}`);
    labels[match[1] ?? ''] = unescape(match[2] ?? '');
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  // prom-client writes NaN as `Nan` (a mean of no samples); the format's parsers take any case.
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`bad value '${text}' in metrics line: ${line}`);
  return value;
}

/** Parses the exposition; throws on a line that is not a comment, blank or a sample. */
export function parseMetricsText(text: string): MetricsText {
  const samples: MetricSample[] = [];
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : types).set(meta[2] ?? '', meta[3] ?? '');
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a metrics line: ${line}`);
    samples.push({ name: match[1] ?? '', labels: parseLabels(match[2] ?? '', line), value: parseValue(match[3] ?? '', line) });
  }
  return {
    samples,
    help,
    types,
    value(name, labels = {}) {
      const matching = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
    },
  };
}
