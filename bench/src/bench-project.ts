/** The bench project: one stage `dev`, sequence `delivery` of three tasks, N services. */
import type { KeptnApi } from './keptn-api.js';

export const PROJECT = 'bench';
export const STAGE = 'dev';
export const SEQUENCE = 'delivery';
/** Tasks of `dev.delivery`, in order. */
export const TASKS = ['deployment', 'test', 'release'] as const;

export const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: bench
spec:
  stages:
    - name: ${STAGE}
      sequences:
        - name: ${SEQUENCE}
          tasks:
${TASKS.map((task) => `            - name: ${task}`).join('\n')}
`;

/** `svc-1` … `svc-<count>`. */
export function serviceNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `svc-${i + 1}`);
}

/** Creates the project and its services. */
export async function createBenchProject(api: KeptnApi, services: readonly string[]): Promise<void> {
  await api.createProject(PROJECT, SHIPYARD);
  for (const service of services) await api.createService(PROJECT, service);
}
