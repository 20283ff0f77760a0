import { describe, expect, it } from 'vitest';
import { ControlPlaneError } from './control-plane-client.js';
import type { EventSender } from './event-sender.js';
import { senderSettling } from './task-source.js';

/** A sender that answers each event type as `outcomes` says (an error is thrown). */
function senderAnswering(outcomes: Record<string, ControlPlaneError | 'ok'>): EventSender {
  return async (event) => {
    const outcome = outcomes[String(event.type)] ?? 'ok';
    if (outcome !== 'ok') throw outcome;
    return 'context';
  };
}

describe('senderSettling', () => {
  const started = { type: 'sh.keptn.event.deployment.started', triggeredid: 'task-1' };
  const finished = { type: 'sh.keptn.event.deployment.finished', triggeredid: 'task-2' };

  it('settles a task when the control plane accepted its .started or .finished, and passes the context on', async () => {
    const settled: string[] = [];
    const send = senderSettling(senderAnswering({}), { answered: (id, outcome) => settled.push(`${id} ${outcome}`) });
    expect(await send(started)).toBe('context');
    await send(finished);
    await send({ type: 'sh.keptn.event.deployment.status.changed', triggeredid: 'task-3' });
    await send({ type: 'sh.keptn.log.error', triggeredid: 'task-4' });
    expect(settled).toEqual(['task-1 accepted', 'task-2 accepted']);
  });

  it('settles it as refused on a 4xx, and not at all when the send gave up on a transient failure', async () => {
    const settled: string[] = [];
    const send = senderSettling(
      senderAnswering({
        [started.type]: new ControlPlaneError('the task has ended', 403, '/v1/event'),
        [finished.type]: new ControlPlaneError('unavailable', 503, '/v1/event'),
      }),
      { answered: (id, outcome) => settled.push(`${id} ${outcome}`) },
    );
    await expect(send(started)).rejects.toThrow('the task has ended');
    await expect(send(finished)).rejects.toThrow('unavailable');
    expect(settled).toEqual(['task-1 refused']);
  });
});
