/**
 * The remediation integration (Keptn's `remediation-service`): answers every `get-action` task
 * from the service's `remediation.yaml` at the sequence's commit. The problem
 * (`data.problem.rootCause`, `data.problem.problemTitle`) selects the problem type; the n-th run of
 * the remediation in one keptn context (the shipyard repeats the sequence while its evaluation
 * fails) takes the n-th action, n being the number of earlier `get-action.finished` events of the
 * context that handed out an action. `get-action.finished` carries the action as Keptn's
 * `ActionInfo` under `action`, so the orchestrator's data merge hands it to the `action` task.
 *
 * Outcomes, as Keptn had them: no `remediation.yaml` or an invalid one → `errored`/`fail` with a
 * message naming the file, the line and the fix; no matching problem type, or no action left →
 * `succeeded`/`fail` with a message saying so, which ends the remediation.
 */
import type { Integration, TaskContext, TaskHandler } from '@shipmate/agent-sdk';
import { GET_ACTION_TASK, actionsTaken } from './actions-taken.js';
import { describeProblem, nextAction, problemDetailsOf } from './next-action.js';
import {
  REMEDIATION_API_VERSION,
  REMEDIATION_FILE,
  REMEDIATION_KIND,
  RemediationParseError,
  parseRemediation,
} from './parse-remediation.js';
import type { Remediation } from './parse-remediation.js';

/** Keptn's name of the integration. */
export const REMEDIATION_SERVICE = 'remediation-service';

function where(data: TaskContext['data']): string {
  return `service '${data.service ?? ''}' in stage '${data.stage ?? ''}' of project '${data.project ?? ''}'`;
}

/** Reads and parses the service's `remediation.yaml`; throws a message naming the file and the fix. */
async function readRemediation(task: TaskContext): Promise<Remediation> {
  const { project, stage, service } = task.data;
  const file = await task.resource(REMEDIATION_FILE, { levels: ['service'] });
  if (!file) {
    throw new Error(
      `${REMEDIATION_FILE} not found for ${where(task.data)} at the sequence's commit, so no remediation action can be chosen; ` +
        `add it at service level (PUT /api/resource-service/v1/project/${project ?? ''}/stage/${stage ?? ''}/service/${service ?? ''}/resource/${REMEDIATION_FILE}) ` +
        `with apiVersion: ${REMEDIATION_API_VERSION}, kind: ${REMEDIATION_KIND} and spec.remediations`,
    );
  }
  try {
    return parseRemediation(file.content.toString('utf8'));
  } catch (error) {
    if (error instanceof RemediationParseError)
      throw new Error(`${error.message} (${where(task.data)}); fix the file and start the remediation again`);
    throw error;
  }
}

/** The handler of `get-action` tasks. */
export const handleGetAction: TaskHandler = async (task) => {
  const remediation = await readRemediation(task);
  const problem = problemDetailsOf(task.data);
  const index = await actionsTaken(task);
  const next = nextAction(remediation, problem, index);
  switch (next.kind) {
    case 'action': {
      const { name, action, description, value } = next.action;
      return {
        // Keptn's ActionInfo. `description` is sent even when empty: the data merge would otherwise
        // hand the previous action's description to the next `action` task.
        action: { name, action, description, ...(value === undefined ? {} : { value }) },
        [GET_ACTION_TASK]: { actionIndex: index + 1 },
        message: `action ${index + 1} of ${next.of} for ${describeProblem(problem)} (problemType '${next.problemType}'): ${name || action}${description ? ` (${description})` : ''}`,
      };
    }
    // Keptn ends these with status succeeded and result fail: the remediation ran as specified and
    // has nothing more to try, so the sequence ends with this message.
    case 'unmatched':
    case 'exhausted':
      return { result: 'fail', status: 'succeeded', message: next.message };
    default: {
      const unknown: never = next;
      throw new Error(`unknown next action ${JSON.stringify(unknown)}`);
    }
  }
};

/** Subscribes the get-action handler on `integration` (named {@link REMEDIATION_SERVICE}). */
export function withRemediation(integration: Integration): Integration {
  return integration.onTask(GET_ACTION_TASK, handleGetAction);
}
