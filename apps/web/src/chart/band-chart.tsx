/**
 * A small line chart in inline SVG: one point per run (equally spaced, oldest left), each point
 * coloured by its status, over coloured bands that say where a value passes, warns or fails at
 * that run (targets may move between runs, e.g. relative SLO criteria). No chart library: the
 * bundle stays small and the chart works offline. The points carry `<title>`s; the table beside
 * every chart has the same numbers for screen readers and copying.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { Interval } from './bands';

/** One point: a run's value and the bands at that run. */
export interface ChartPoint {
  /** Undefined: the run had no value (drawn as a gap with a mark at the bottom). */
  value: number | undefined;
  /** pass, warning, fail, info: the point's colour and the word in its title. */
  status: string;
  /** Tooltip text, e.g. the run's time. */
  label: string;
  /** Where a value passes at this run. */
  pass?: Interval | undefined;
  /** Where a value at least warns (the pass interval is drawn over it). */
  warning?: Interval | undefined;
}

/** Props of {@link BandChart}. */
export interface BandChartProps {
  /** Names the chart for screen readers, e.g. "Score of carts in dev". */
  title: string;
  points: readonly ChartPoint[];
  /** Fixed range of the y axis (e.g. 0–100 for a score); else fitted to values and bands. */
  range?: Interval;
  /** Format of an axis or point value. */
  format?: (value: number) => string;
  /** Height in CSS pixels. @default 200 */
  height?: number;
}

/** Width before the first measurement (and where ResizeObserver is missing). */
const INITIAL_WIDTH = 640;
const LEFT = 52;
const RIGHT = 12;
const TOP = 10;
const BOTTOM = 16;

const STATUS_CLASS: Readonly<Record<string, string>> = { pass: 'good', warning: 'warning', fail: 'bad' };

/** The y range: the values and the finite band edges, padded by a tenth. */
function fitRange(points: readonly ChartPoint[]): Interval {
  const numbers: number[] = [];
  for (const point of points) {
    if (point.value !== undefined) numbers.push(point.value);
    for (const band of [point.pass, point.warning]) {
      if (band && Number.isFinite(band.from)) numbers.push(band.from);
      if (band && Number.isFinite(band.to)) numbers.push(band.to);
    }
  }
  if (numbers.length === 0) return { from: 0, to: 1 };
  const low = Math.min(...numbers);
  const high = Math.max(...numbers);
  const pad = high === low ? Math.abs(high) * 0.1 || 1 : (high - low) * 0.1;
  return { from: low >= 0 && low - pad < 0 ? 0 : low - pad, to: high + pad };
}

const plain = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : String(Math.round(value * 1000) / 1000));

/** The chart. */
export function BandChart({ title, points, range, format = plain, height: HEIGHT = 200 }: BandChartProps) {
  const titleId = useId();
  // Drawn at the width it is shown at (no scaling), so text and points keep their size on a phone.
  const box = useRef<HTMLDivElement>(null);
  const [WIDTH, setWidth] = useState(INITIAL_WIDTH);
  useEffect(() => {
    const element = box.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.floor(entry?.contentRect.width ?? 0);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const { from, to } = range ?? fitRange(points);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(points.length, 1);
  const xOf = (index: number) => LEFT + slot * (index + 0.5);
  const yOf = (value: number) => TOP + plotHeight * (1 - (Math.min(Math.max(value, from), to) - from) / (to - from || 1));
  const bandRect = (band: Interval | undefined, index: number, tone: string) => {
    if (!band) return null;
    const top = yOf(Math.min(band.to, to));
    const bottom = yOf(Math.max(band.from, from));
    if (bottom - top <= 0) return null;
    return (
      <rect key={`${tone}-${index}`} className={`band band-${tone}`} x={LEFT + slot * index} y={top} width={slot} height={bottom - top} />
    );
  };
  const segments: string[] = [];
  let current: string[] = [];
  points.forEach((point, index) => {
    if (point.value === undefined) {
      if (current.length > 1) segments.push(current.join(' '));
      current = [];
      return;
    }
    current.push(`${xOf(index).toFixed(1)},${yOf(point.value).toFixed(1)}`);
  });
  if (current.length > 1) segments.push(current.join(' '));

  return (
    <div ref={box} className="band-chart-box">
      <svg className="band-chart" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{title}</title>
        {points.map((point, index) => {
          // Without bands nothing is coloured; with any, what is outside pass and warning fails.
          if (!point.pass && !point.warning) return null;
          return (
            <g key={index}>
              {bandRect({ from, to }, index, 'bad')}
              {bandRect(point.warning, index, 'warning')}
              {bandRect(point.pass, index, 'good')}
            </g>
          );
        })}
        <line className="axis" x1={LEFT} x2={LEFT} y1={TOP} y2={TOP + plotHeight} />
        <line className="axis" x1={LEFT} x2={WIDTH - RIGHT} y1={TOP + plotHeight} y2={TOP + plotHeight} />
        {[from, (from + to) / 2, to].map((tick) => (
          <text key={tick} className="tick" x={LEFT - 6} y={yOf(tick)} textAnchor="end" dominantBaseline="middle">
            {format(tick)}
          </text>
        ))}
        {segments.map((segment) => (
          <polyline key={segment} className="series" points={segment} />
        ))}
        {points.map((point, index) =>
          point.value === undefined ? (
            <text key={index} className="missing" x={xOf(index)} y={TOP + plotHeight - 4} textAnchor="middle">
              ×<title>{`${point.label}: no value (${point.status})`}</title>
            </text>
          ) : (
            <circle
              key={index}
              className={`point tone-${STATUS_CLASS[point.status] ?? 'neutral'}`}
              cx={xOf(index)}
              cy={yOf(point.value)}
              r={5}
              data-value={point.value}
            >
              <title>{`${point.label}: ${format(point.value)} (${point.status})`}</title>
            </circle>
          ),
        )}
      </svg>
    </div>
  );
}
