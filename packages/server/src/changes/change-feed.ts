/**
 * "Something changed" for the web UI's live views (`GET /api/shipmate/v1/changes`): the server
 * tells the feed which projects an event, a sequence control or a lease touched, and which topics
 * outside projects (the integration registry and its log, the secrets) a write touched, and the
 * feed tells every listener once per `coalesceMs` what changed meanwhile. It carries no
 * data: a listener reads what it shows again through the API, so a lost or merged change costs a
 * refresh, never a wrong view.
 */
import type { KeptnEvent } from '@shipmate/core';

/** What changes besides projects: `integrations` (registrations, instances, subscriptions, the error log) and `secrets`. */
export const ChangeTopic = { integrations: 'integrations', secrets: 'secrets' } as const;
/** One of {@link ChangeTopic}. */
export type ChangeTopic = (typeof ChangeTopic)[keyof typeof ChangeTopic];

/** True for the topics this version knows; a newer replica may announce others. */
export function isChangeTopic(topic: string): topic is ChangeTopic {
  return (Object.values(ChangeTopic) as string[]).includes(topic);
}

/** What changed since the last batch. */
export interface ChangeBatch {
  /** The projects touched, sorted. */
  readonly projects: readonly string[];
  /** The topics touched, sorted. */
  readonly topics: readonly ChangeTopic[];
}

/** Receives change batches. */
export type ChangeListener = (batch: ChangeBatch) => void;

/** The feed. */
export interface ChangeFeed {
  /** Notes that `project` changed; told to listeners with the next batch. */
  changed(project: string): void;
  /** Notes that something of `topic` changed; told to listeners with the next batch. */
  touched(topic: ChangeTopic): void;
  /** Notes the projects of `events` (events without a project change nothing a view shows). */
  changedBy(events: readonly KeptnEvent[]): void;
  /** Adds a listener; `onClose` runs when the feed closes. Returns the function that removes it. */
  subscribe(listener: ChangeListener, onClose?: () => void): () => void;
  /** Listeners now (for tests and metrics). */
  readonly size: number;
  /** Drops pending changes, tells every listener it is closed and removes them (the server closes). */
  close(): void;
}

/** Options of {@link createChangeFeed}. */
export interface ChangeFeedOptions {
  /** How long changes are gathered into one batch. @default 200 */
  coalesceMs?: number;
}

/** A feed that batches changes per `coalesceMs`; timers are unref'd. */
export function createChangeFeed(options: ChangeFeedOptions = {}): ChangeFeed {
  const coalesceMs = options.coalesceMs ?? 200;
  const listeners = new Map<ChangeListener, (() => void) | undefined>();
  let pending = new Set<string>();
  let topics = new Set<ChangeTopic>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function flush(): void {
    timer = undefined;
    const batch: ChangeBatch = { projects: [...pending].sort(), topics: [...topics].sort() };
    pending = new Set();
    topics = new Set();
    // A listener that throws (a dead socket) must not keep the others from hearing the batch.
    for (const listener of [...listeners.keys()]) {
      try {
        listener(batch);
      } catch {
        listeners.delete(listener);
      }
    }
  }

  function schedule(): void {
    if (timer === undefined) {
      timer = setTimeout(flush, coalesceMs);
      timer.unref();
    }
  }

  function changed(project: string): void {
    // Nobody listens: nothing to gather (the hot path of every stored event stays a map lookup).
    if (closed || listeners.size === 0 || project === '') return;
    pending.add(project);
    schedule();
  }

  return {
    changed,
    touched(topic) {
      if (closed || listeners.size === 0) return;
      topics.add(topic);
      schedule();
    },
    changedBy(events) {
      if (listeners.size === 0) return;
      for (const event of events) {
        const project = (event.data as { project?: unknown } | undefined)?.project;
        if (typeof project === 'string') changed(project);
      }
    },
    subscribe(listener, onClose) {
      if (closed) {
        onClose?.();
        return () => {};
      }
      listeners.set(listener, onClose);
      return () => {
        listeners.delete(listener);
      };
    },
    get size() {
      return listeners.size;
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending = new Set();
      topics = new Set();
      const closing = [...listeners.values()];
      listeners.clear();
      for (const onClose of closing) onClose?.();
    },
  };
}
