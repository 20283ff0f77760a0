/**
 * How many actions a remediation already took in its keptn context, read from the datastore
 * through the task's API read. Each run of the remediation sequence takes the next action.
 */
import { isPlainObject } from '@shipmate/core';
import type { KeptnEvent } from '@shipmate/core';
import type { TaskContext } from '@shipmate/agent-sdk';

/** The task the remediation-service answers. */
export const GET_ACTION_TASK = 'get-action';

const GET_ACTION_FINISHED = `sh.keptn.event.${GET_ACTION_TASK}.finished`;

/** True for a `get-action.finished` that handed out an action (not one that ended the remediation). */
function handedOutAction(event: KeptnEvent): boolean {
  const action = event.data.action;
  return isPlainObject(action) && typeof action.action === 'string' && action.action !== '';
}

/**
 * How many actions this remediation already took: the earlier `get-action.finished` events of the
 * context (same project, stage and service) with an action, read from the datastore. Keptn carried
 * the count in `data["get-action"].actionIndex` instead; a larger value there is honoured, so a
 * trigger may still skip actions the Keptn way.
 */
export async function actionsTaken(task: Pick<TaskContext, 'api' | 'event' | 'data'>): Promise<number> {
  const { project, stage, service } = task.data;
  let counted = 0;
  let nextPageKey: string | undefined = '0';
  while (nextPageKey !== undefined) {
    const query = new URLSearchParams({
      keptnContext: task.event.shkeptncontext,
      project: project ?? '',
      stage: stage ?? '',
      service: service ?? '',
      type: GET_ACTION_FINISHED,
      pageSize: '100',
      nextPageKey,
    });
    const page = (await task.api(`/mongodb-datastore/event?${query.toString()}`)) as { events?: KeptnEvent[]; nextPageKey?: string };
    counted += (page.events ?? []).filter(handedOutAction).length;
    nextPageKey = page.nextPageKey && page.nextPageKey !== '0' ? page.nextPageKey : undefined;
  }
  const carried = isPlainObject(task.data[GET_ACTION_TASK]) ? task.data[GET_ACTION_TASK].actionIndex : undefined;
  return typeof carried === 'number' && Number.isInteger(carried) && carried > counted ? carried : counted;
}
