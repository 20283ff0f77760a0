/**
 * Live updates for every view: follows the server's change stream and counts changes per project
 * and per topic (`integrations`, `secrets`); a view re-reads its data when the count of its
 * project or topic moves ({@link useLiveVersion}). When the
 * stream breaks, the status is `reconnecting` (the header says so), every view is re-read every
 * 5 s (polling) and the stream is opened again with a growing pause (1 s … 10 s); once it is back,
 * everything is re-read once, since changes may have been missed meanwhile.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { apiFailureOf } from '../api/api-failure';
import { watchChanges } from '../api/watch-changes';

/** The stream's state. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

/** How often views are re-read while the stream is down. */
export const POLL_MS = 5000;
const MAX_RECONNECT_MS = 10_000;

interface LiveState {
  status: LiveStatus;
  /** Why the stream is down (while reconnecting). */
  problem?: string;
  /** Moves for everyone: reconnects and polls. */
  all: number;
  /** Moves with every change batch (views of no project, like the dashboard). */
  any: number;
  /** Moves with changes of that project. */
  projects: Readonly<Record<string, number>>;
  /** Moves with changes of that topic. */
  topics: Readonly<Partial<Record<LiveTopic, number>>>;
}

/** What changes outside projects (the server's change topics). */
export type LiveTopic = 'integrations' | 'secrets';

/** What a view shows: a project's data, a topic's, or (undefined) something of every project. */
export type LiveScope = string | { topic: LiveTopic } | undefined;

const INITIAL: LiveState = { status: 'connecting', all: 0, any: 0, projects: {}, topics: {} };
const LiveContext = createContext<LiveState>(INITIAL);

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Props of {@link LiveUpdatesProvider}. */
export interface LiveUpdatesProviderProps {
  token: string;
  /** The server refused the token on the stream (revoked, or a restart with another token). */
  onUnauthorized: (message: string) => void;
  children: ReactNode;
}

/** Follows the change stream for the views inside it. */
export function LiveUpdatesProvider({ token, onUnauthorized, children }: LiveUpdatesProviderProps) {
  const [state, setState] = useState<LiveState>(INITIAL);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const follow = async () => {
      for (let failures = 0; !signal.aborted;) {
        let problem = 'the server closed the change stream';
        try {
          await watchChanges(
            token,
            {
              onReady() {
                failures = 0;
                // After an outage, changes may have been missed: everyone re-reads once.
                setState((s) => ({ ...s, status: 'live', problem: undefined, all: s.status === 'reconnecting' ? s.all + 1 : s.all }));
              },
              onChange(projects, topics) {
                setState((s) => {
                  const counts = { ...s.projects };
                  for (const project of projects) counts[project] = (counts[project] ?? 0) + 1;
                  const topicCounts = { ...s.topics };
                  for (const topic of topics)
                    if (topic === 'integrations' || topic === 'secrets') topicCounts[topic] = (topicCounts[topic] ?? 0) + 1;
                  return { ...s, any: projects.length > 0 ? s.any + 1 : s.any, projects: counts, topics: topicCounts };
                });
              },
            },
            signal,
          );
        } catch (error) {
          const failure = apiFailureOf(error);
          if (failure.kind === 'unauthorized') {
            onUnauthorized(`The server stopped accepting the token (${failure.message}). Log in again.`);
            return;
          }
          problem = failure.message;
        }
        if (signal.aborted) return;
        setState((s) => ({ ...s, status: 'reconnecting', problem }));
        failures += 1;
        await pause(Math.min(1000 * 2 ** (failures - 1), MAX_RECONNECT_MS), signal);
      }
    };
    void follow();
    return () => controller.abort();
  }, [token, onUnauthorized]);

  // While the stream is down, views are re-read on a timer instead.
  useEffect(() => {
    if (state.status !== 'reconnecting') return;
    const timer = setInterval(() => setState((s) => ({ ...s, all: s.all + 1 })), POLL_MS);
    return () => clearInterval(timer);
  }, [state.status]);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}

/** A number that moves when what a view of `scope` shows may have changed. */
export function useLiveVersion(scope: LiveScope): number {
  const state = useContext(LiveContext);
  if (scope === undefined) return state.all + state.any;
  if (typeof scope === 'string') return state.all + (state.projects[scope] ?? 0);
  return state.all + (state.topics[scope.topic] ?? 0);
}

/** The stream's status and, while reconnecting, why. */
export function useLiveStatus(): { status: LiveStatus; problem?: string | undefined } {
  const { status, problem } = useContext(LiveContext);
  return { status, problem };
}
