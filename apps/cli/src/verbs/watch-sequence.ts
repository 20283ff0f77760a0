/**
 * Follows one keptn context live until its sequences ended (the sequence view's overall state is
 * finished, aborted or timed out), handing each new step to the caller as it happens. Between
 * looks it long-polls the `.finished` of the task that is open (Shipmate's
 * `GET /event/finished/{triggeredId}?waitMs=`), so a finished task shows at once; a started or
 * progressing task shows within a second. Against a control plane without that route it looks
 * every quarter second instead.
 */
import type { KeptnEvent } from '@shipmate/api';
import { ApiError } from '@shipmate/api-client';
import type { ApiClient } from '@shipmate/api-client';
import { SequenceStepReader, StepKind, sequenceOutcome } from './sequence-steps.js';
import type { SequenceOutcome, SequenceStep } from './sequence-steps.js';

/** What to follow and for how long. */
export interface WatchOptions {
  readonly project: string;
  readonly keptnContext: string;
  /** How long to follow before giving up (the sequence goes on). */
  readonly timeoutMs: number;
  /** Ends the watch early (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Called after each look's new steps were handed over, with the steps so far (oldest first) and the view's overall state. */
  readonly onLook?: (steps: readonly SequenceStep[], state: string) => void;
}

/** How a watch ended. */
export type WatchEnd =
  | { readonly ended: true; readonly outcome: SequenceOutcome; readonly events: readonly KeptnEvent[] }
  | { readonly ended: false; readonly state: string; readonly events: readonly KeptnEvent[] };

/** The view's overall states of a context whose sequences all ended. */
export const ENDED_STATES: ReadonlySet<string> = new Set(['finished', 'aborted', 'timedOut']);
/** Longest a look waits for the open task's answer: bounds how late a `.started` shows. */
const LONG_POLL_MS = 1000;
/** Pause between looks when there is nothing to long-poll on. */
const LOOK_EVERY_MS = 250;

/** Every event of a context, oldest first. */
export async function contextEvents(client: ApiClient, project: string, keptnContext: string, signal?: AbortSignal): Promise<KeptnEvent[]> {
  const events: KeptnEvent[] = [];
  let nextPageKey: string | undefined;
  do {
    const page = await client.events(
      { project, keptnContext, pageSize: '100', ...(nextPageKey ? { nextPageKey } : {}) },
      signal ? { signal } : {},
    );
    events.push(...page.events);
    nextPageKey = page.nextPageKey && page.nextPageKey !== '0' ? page.nextPageKey : undefined;
  } while (nextPageKey);
  return events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** Follows the context, calling `onStep` for each new step; resolves when it ended or the timeout passed. */
export async function watchSequence(client: ApiClient, options: WatchOptions, onStep: (step: SequenceStep) => void): Promise<WatchEnd> {
  const { project, keptnContext, signal } = options;
  const call = signal ? { signal } : {};
  const deadline = Date.now() + options.timeoutMs;
  const reader = new SequenceStepReader();
  const seen = new Set<string>();
  const steps: SequenceStep[] = [];
  let longPoll = true;
  for (;;) {
    // The state first: when it says ended, the events read after it hold every step.
    const state = (await client.sequences(project, { keptnContext }, call)).states[0]?.state ?? 'triggered';
    const events = await contextEvents(client, project, keptnContext, signal);
    reader.remember(events);
    for (const event of events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      const step = reader.read(event);
      if (step === undefined) continue;
      steps.push(step);
      onStep(step);
    }
    options.onLook?.(steps, state);
    if (ENDED_STATES.has(state)) return { ended: true, outcome: sequenceOutcome(steps, state), events };
    const left = deadline - Date.now();
    if (left <= 0) return { ended: false, state, events };
    const open = openTask(steps);
    if (open !== undefined && longPoll) {
      try {
        await client.finishedEvent(open, { waitMs: Math.min(LONG_POLL_MS, left), keptnContext, ...call });
        continue;
      } catch (error) {
        // A control plane without the route (Keptn's): look every LOOK_EVERY_MS from now on.
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        longPoll = false;
      }
    }
    await pause(Math.min(LOOK_EVERY_MS, left), signal);
  }
}

/** The `.triggered` id of the last task triggered and not finished yet, if any. */
function openTask(steps: readonly SequenceStep[]): string | undefined {
  const done = new Set(steps.filter((step) => step.kind === StepKind.taskFinished).map((step) => step.triggeredId));
  return steps.findLast((step) => step.kind === StepKind.taskTriggered && !done.has(step.triggeredId))?.triggeredId;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    }
    if (signal?.aborted) aborted();
    else signal?.addEventListener('abort', aborted, { once: true });
  });
}
