/** Times and durations as the views show them. */

/** `1.2 s`, `3 min 4 s`, `2 h 5 min`; `0 s` for negatives. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 s';
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Milliseconds of an ISO time (Keptn's times may lack the zone: they are UTC), or NaN. */
export function timeMs(iso: string | undefined): number {
  if (!iso) return Number.NaN;
  return Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
}

/** `5 s ago`, `3 min ago`, … (`just now` under a second); '' for no time. */
export function timeAgo(iso: string | undefined, nowMs: number): string {
  const ms = timeMs(iso);
  if (Number.isNaN(ms)) return '';
  const elapsed = nowMs - ms;
  if (elapsed < 1000) return 'just now';
  return `${formatDuration(elapsed).replace(/\.\d s$/, ' s')} ago`;
}

/** Local date and time, e.g. `2024-05-10 09:51:03`. */
export function formatTime(iso: string | undefined): string {
  const ms = timeMs(iso);
  if (Number.isNaN(ms)) return '';
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}
