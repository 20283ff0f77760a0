/** The states every view has besides its data: loading, failed (and retrying), empty. */
import type { ReactNode } from 'react';
import type { ApiFailure } from '../api/api-failure';
import type { LiveData } from '../live/use-live-data';
import { RETRY_MS } from '../live/use-live-data';

/** Loading text, announced politely. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** What a failed load says, and whether it is retried. */
export function ErrorNotice({ error, what }: { error: ApiFailure; what: string }) {
  const heading =
    error.kind === 'unreachable'
      ? 'The API is unreachable'
      : error.kind === 'unavailable'
        ? 'The API cannot answer now'
        : `Could not load ${what}`;
  return (
    <div className="error-notice" role="alert">
      <strong>{heading}.</strong> {error.message}
      {error.retryable ? <span> Retrying every {RETRY_MS / 1000} s…</span> : null}
    </div>
  );
}

/** An empty list, with what to do about it. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** Renders `data` with `render` once loaded; the loading and error states otherwise. */
export function DataView<T>({ data, what, render }: { data: LiveData<T>; what: string; render: (value: T) => ReactNode }) {
  if (data.status === 'loading') return <Loading what={what} />;
  if (data.status === 'error') return <ErrorNotice error={data.error} what={what} />;
  return (
    <>
      {data.error ? <ErrorNotice error={data.error} what={what} /> : null}
      {render(data.data)}
    </>
  );
}
