/** Small statistics helpers. */

/** The p-th percentile (0-100) of `values` by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Min, p50, p90, p99, max and mean of `values`. */
export function summarize(values: readonly number[]): {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
} {
  const count = values.length;
  return {
    count,
    min: count ? Math.min(...values) : Number.NaN,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: count ? Math.max(...values) : Number.NaN,
    mean: count ? values.reduce((sum, v) => sum + v, 0) / count : Number.NaN,
  };
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** How many `values` fall in each bucket `≤ edge` (and above the previous edge), plus `> last edge`. */
export function histogram(values: readonly number[], edges: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const edge of edges) counts[`<=${edge}`] = 0;
  const over = `>${edges[edges.length - 1]}`;
  counts[over] = 0;
  for (const value of values) {
    const edge = edges.find((e) => value <= e);
    counts[edge === undefined ? over : `<=${edge}`]! += 1;
  }
  return counts;
}
