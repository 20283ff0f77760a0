/** Event helpers of the in-process route tests: trigger a sequence, answer a task, then wait for the orchestrator. */
import type { KeptnEvent } from '@shipmate/core';
import type { InProcessServer } from './in-process-server.js';

/** Where a sequence runs. */
export interface SequenceScope {
  readonly project: string;
  readonly stage: string;
  readonly service: string;
}

/** Posts `<stage>.<sequence>.triggered`; resolves with the keptnContext once handled. */
export async function triggerSequence(api: InProcessServer, scope: SequenceScope, sequence = 'delivery'): Promise<string> {
  const reply = await api.call('POST', '/api/v1/event', {
    type: `sh.keptn.event.${scope.stage}.${sequence}.triggered`,
    source: 'test',
    data: { ...scope },
  });
  if (reply.status !== 200)
    throw new Error(`trigger of ${sequence} in ${scope.stage} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  await api.server.processor.idle();
  return String(reply.body.keptnContext);
}

/** Posts the task's `.started`, or its `.finished` with pass/succeeded, as `source`; resolves once handled. */
export async function answerTask(api: InProcessServer, task: KeptnEvent, kind: 'started' | 'finished', source = 'test'): Promise<void> {
  const { project, stage, service } = task.data;
  const scope = { project, stage, service };
  const reply = await api.call('POST', '/api/v1/event', {
    type: task.type.replace(/\.triggered$/, `.${kind}`),
    source,
    shkeptncontext: task.shkeptncontext,
    triggeredid: task.id,
    data: kind === 'started' ? scope : { ...scope, result: 'pass', status: 'succeeded' },
  });
  if (reply.status !== 200) throw new Error(`${kind} of ${task.type} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  await api.server.processor.idle();
}
