/**
 * Tells a parked request that its client went away: the response closed before it was written.
 * A plain object instead of an `AbortController` per request: a parked long poll holds it for up to
 * a minute, and thousands of agents re-poll all the time (issue 13, figure (e)).
 */
import type { ServerResponse } from 'node:http';
import type { CancelSignal } from '@shipmate/core';

/** The signal of one request, and how to stop listening once it is answered. */
export interface ClientGone {
  readonly signal: CancelSignal;
  /** The request is answered: stops listening to the response and ends any wait still on the signal. */
  end(): void;
}

class GoneSignal implements CancelSignal {
  aborted = false;
  private listeners: Array<() => void> | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners?.indexOf(listener) ?? -1;
    if (at >= 0) this.listeners?.splice(at, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) listener();
  }
}

/** Watches `response`: its signal aborts when the response closes before it was written (once, like `once: true` listeners). */
export function watchClientGone(response: ServerResponse): ClientGone {
  const signal = new GoneSignal();
  const onClose = () => {
    if (!response.writableEnded) signal.abort();
  };
  response.on('close', onClose);
  return {
    signal,
    end() {
      response.off('close', onClose);
      signal.abort();
    },
  };
}
