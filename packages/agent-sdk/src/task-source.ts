/**
 * Where an agent instance takes its tasks from when it is not the control plane's HTTP long poll:
 * the port an agent session uses with `taskSource` (the JetStream consumer of bus-nats is one).
 * Registration, heartbeats and every answer stay on HTTP; the source only delivers tasks and is
 * told when the control plane accepted or refused an answer, so it can acknowledge the delivery
 * (or drop it) and otherwise deliver it again to another instance.
 */
import type { KeptnEvent } from '@shipmate/core';
import { ControlPlaneError } from './control-plane-client.js';
import type { EventSender } from './event-sender.js';

/** A source of tasks. */
export interface TaskSource {
  /** For logs: `jetstream`. */
  readonly kind: string;
  /** Starts delivering this integration's tasks to `deliver`; resolves once it takes tasks. */
  start(deliver: (task: KeptnEvent) => void): Promise<void>;
  /**
   * The control plane accepted (`accepted`) or refused (`refused`: the task ended, or this token may
   * not answer it) a `.started` or `.finished` for the task: the delivery is settled either way.
   */
  answered(triggeredId: string, outcome: 'accepted' | 'refused'): void;
  /** Takes no new tasks (drain); tasks already delivered are still settled by `answered`. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** True for a task answer: `.started` or `.finished` with a `triggeredid`. */
function answeredTask(event: Record<string, unknown>): string | undefined {
  const type = typeof event.type === 'string' ? event.type : '';
  const triggeredId = typeof event.triggeredid === 'string' ? event.triggeredid : '';
  return triggeredId !== '' && (type.endsWith('.started') || type.endsWith('.finished')) ? triggeredId : undefined;
}

/**
 * The sender, telling `source` about each answer the control plane accepted or refused (a 4xx);
 * a send that gives up on a transient failure settles nothing, so the task is delivered again.
 */
export function senderSettling(send: EventSender, source: Pick<TaskSource, 'answered'>): EventSender {
  return async (event) => {
    const triggeredId = answeredTask(event);
    try {
      const context = await send(event);
      if (triggeredId !== undefined) source.answered(triggeredId, 'accepted');
      return context;
    } catch (error) {
      if (triggeredId !== undefined && error instanceof ControlPlaneError && !error.transient) source.answered(triggeredId, 'refused');
      throw error;
    }
  };
}
