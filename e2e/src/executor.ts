/** Plays an execution plane over HTTP: finds open tasks and answers them. */
import type { KeptnEvent } from '@shipmate/core';
import { waitFor } from '@shipmate/testing';
import type { KeptnApiClient } from '@shipmate/testing';

/** Waits for the open `.triggered` of `task` in a context and returns it. */
export async function waitForTask(
  client: KeptnApiClient,
  project: string,
  task: string,
  keptnContext: string,
  stage?: string,
): Promise<KeptnEvent> {
  return waitFor(`${task}.triggered in ${keptnContext}${stage ? ` (${stage})` : ''}`, async () => {
    const open = await client.openTriggered(`sh.keptn.event.${task}.triggered`, { project, ...(stage ? { stage } : {}) });
    return open.find((e) => e.shkeptncontext === keptnContext);
  });
}

/** Waits until the sequence state of a context satisfies `accept`. */
export async function waitForState(
  client: KeptnApiClient,
  project: string,
  keptnContext: string,
  accept: (state: string) => boolean,
  what: string,
) {
  return waitFor(`sequence ${keptnContext} ${what}`, async () => {
    const view = await client.sequenceState(project, keptnContext);
    return view && accept(view.state) ? view : undefined;
  });
}

/** Answers the given tasks of one stage in order with pass/succeeded. */
export async function runTasks(
  client: KeptnApiClient,
  project: string,
  keptnContext: string,
  stage: string,
  tasks: string[],
): Promise<void> {
  for (const task of tasks) {
    const triggered = await waitForTask(client, project, task, keptnContext, stage);
    await client.answerTask(triggered);
  }
}
