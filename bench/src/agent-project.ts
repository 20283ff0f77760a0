/**
 * The project of the agent scenarios (d, e): `bench-agents`, stage `dev`, sequence `chain` of five
 * tasks, so each answered task triggers the next one. Kept apart from project `bench` so the
 * agents never see the tasks of (a) and (c), and the executor of (a) never sees theirs.
 */
import type { KeptnApi } from './keptn-api.js';

export const AGENT_PROJECT = 'bench-agents';
export const AGENT_STAGE = 'dev';
export const AGENT_SEQUENCE = 'chain';
/** Tasks of `dev.chain`, in order. */
export const AGENT_TASKS = ['deployment', 'test', 'validate', 'release', 'notify'] as const;

export const AGENT_SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: ${AGENT_PROJECT}
spec:
  stages:
    - name: ${AGENT_STAGE}
      sequences:
        - name: ${AGENT_SEQUENCE}
          tasks:
${AGENT_TASKS.map((task) => `            - name: ${task}`).join('\n')}
`;

/** `agent-svc-1` … `agent-svc-<count>`: one per sequence in flight (sequences of one service queue). */
export function agentServiceNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `agent-svc-${i + 1}`);
}

/** Creates the project and its services. */
export async function createAgentProject(api: KeptnApi, services: readonly string[]): Promise<void> {
  await api.createProject(AGENT_PROJECT, AGENT_SHIPYARD);
  for (const service of services) await api.createService(AGENT_PROJECT, service);
}
