/**
 * Data of a view, kept current: loaded once, loaded again when the live version of its project
 * moves (a change, a poll, a reconnect), and retried every 5 s while the API is unreachable or
 * unavailable. A change that arrives while a load runs does not abort it (a busy delivery would
 * starve the view); the view loads once more when it finishes. Data already shown stays while it
 * reloads or when a reload fails (with the error beside it). A refused token logs out.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiFailureOf } from '../api/api-failure';
import type { ApiFailure } from '../api/api-failure';
import type { ShipmateApi } from '../api/shipmate-api';
import { useSession } from '../session/session';
import { useLiveVersion } from './live-updates';
import type { LiveScope } from './live-updates';

/** How long to wait before retrying a failed load that may work later. */
export const RETRY_MS = 5000;

/** What a view shows. */
export type LiveData<T> =
  | { status: 'loading' }
  /** `error`: the last reload failed; `data` is from before. */
  | { status: 'ready'; data: T; error?: ApiFailure }
  | { status: 'error'; error: ApiFailure };

/** Options of {@link useLiveData}. */
export interface LiveDataOptions {
  /**
   * Also re-read this often, for what changes with time alone and is announced by no change
   * (an agent instance going offline, an upstream push retried in the background).
   */
  refreshMs?: number;
}

/**
 * Loads `load(api, signal)` for `key` (a string naming everything `load` depends on) and keeps it
 * current with the changes of `scope`: a project, a topic, or (undefined) any project.
 */
export function useLiveData<T>(
  key: string,
  scope: LiveScope,
  load: (api: ShipmateApi, signal: AbortSignal) => Promise<T>,
  options: LiveDataOptions = {},
): LiveData<T> {
  const { api, logout } = useSession();
  const version = useLiveVersion(scope);
  const { refreshMs } = options;
  const [state, setState] = useState<{ key: string; data: LiveData<T> }>({ key, data: { status: 'loading' } });
  const [again, setAgain] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const inflight = useRef<{ key: string; controller: AbortController } | undefined>(undefined);
  const pending = useRef(false);
  const retryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const scheduleRetry = useCallback(() => {
    if (retryTimer.current !== undefined) return;
    retryTimer.current = setTimeout(() => {
      retryTimer.current = undefined;
      setAgain((n) => n + 1);
    }, RETRY_MS);
  }, []);

  useEffect(() => {
    if (inflight.current?.key === key) {
      pending.current = true;
      return;
    }
    inflight.current?.controller.abort();
    const controller = new AbortController();
    inflight.current = { key, controller };
    pending.current = false;
    loadRef
      .current(api, controller.signal)
      .then(
        (data) => {
          if (!controller.signal.aborted) setState({ key, data: { status: 'ready', data } });
        },
        (failure: unknown) => {
          if (controller.signal.aborted) return;
          const error = apiFailureOf(failure);
          if (error.kind === 'unauthorized') {
            logout(`The server stopped accepting the token (${error.message}). Log in again.`);
            return;
          }
          setState((previous) =>
            previous.key === key && previous.data.status === 'ready'
              ? { key, data: { status: 'ready', data: previous.data.data, error } }
              : { key, data: { status: 'error', error } },
          );
          if (error.retryable) scheduleRetry();
        },
      )
      .finally(() => {
        if (inflight.current?.controller !== controller) return;
        inflight.current = undefined;
        if (pending.current) {
          pending.current = false;
          setAgain((n) => n + 1);
        }
      });
  }, [api, logout, key, version, again, scheduleRetry]);

  useEffect(() => {
    if (refreshMs === undefined) return;
    const timer = setInterval(() => setAgain((n) => n + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);

  // Leaving the view: stop what runs.
  useEffect(
    () => () => {
      inflight.current?.controller.abort();
      inflight.current = undefined;
      if (retryTimer.current !== undefined) clearTimeout(retryTimer.current);
      retryTimer.current = undefined;
    },
    [],
  );

  return state.key === key ? state.data : { status: 'loading' };
}
