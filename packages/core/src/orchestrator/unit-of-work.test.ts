import { describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '@shipmate/testing';
import { UnitOfWork } from './unit-of-work.js';

describe('UnitOfWork.readAhead', () => {
  it('reads each task, context and state once per step, however often and in whatever batches it is asked for', async () => {
    const store = createMemoryStore();
    const tasks = vi.spyOn(store, 'findExecutionsByTasks');
    const contexts = vi.spyOn(store, 'listExecutionsOfContexts');
    const states = vi.spyOn(store, 'getSequenceStates');
    const uow = new UnitOfWork(store);
    const a = { project: 'shop', keptnContext: 'ctx-a' };
    const b = { project: 'shop', keptnContext: 'ctx-b' };

    await uow.readAhead({ taskIds: ['t1', 't1', 't2'], contexts: [a, a], states: [a] });
    expect(tasks.mock.calls).toEqual([[['t1', 't2']]]);
    expect(contexts.mock.calls).toEqual([[[a]]]);
    expect(states.mock.calls).toEqual([[[a]]]);

    // Only what was not read yet goes to the store; nothing at all when everything was.
    await uow.readAhead({ taskIds: ['t2', 't3'], contexts: [a, b], states: [a, b] });
    await uow.readAhead({ taskIds: ['t1'], contexts: [b], states: [b] });
    expect(tasks.mock.calls).toEqual([[['t1', 't2']], [['t3']]]);
    expect(contexts.mock.calls).toEqual([[[a]], [[b]]]);
    expect(states.mock.calls).toEqual([[[a]], [[b]]]);

    // A task read ahead and not found is known as absent; one never read ahead is not known.
    expect(uow.storedTaskKnown('t3')).toBe(false);
    expect(uow.storedTaskKnown('t9')).toBeUndefined();
    expect(await uow.executionsOfContext('shop', 'ctx-b')).toEqual([]);
    expect(contexts).toHaveBeenCalledTimes(2);
  });
});
