/**
 * The project of the configuration scenario (f): `bench-config`, shaped like Keptn's sockshop example
 * (three stages, delivery, delivery-direct, rollback and remediation sequences, task properties;
 * about 2.4 KiB of shipyard, so each parse costs what a real one does), plus the sequence `start`
 * in `dev` whose first task is `approval`. An approval releases the service's queue slot (Keptn's
 * rule), so starts on one service never queue behind each other and need no answer: a start is
 * the same work as with any first task, and nothing else runs between starts.
 */
import type { KeptnApi } from './keptn-api.js';

export const CONFIG_PROJECT = 'bench-config';
/** The stage whose branch the starts pin and the writer of (f) commits to. */
export const CONFIG_STAGE = 'dev';
export const CONFIG_SEQUENCE = 'start';
/** The first task of `dev.start`. */
export const CONFIG_FIRST_TASK = 'approval';

export const CONFIG_SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: ${CONFIG_PROJECT}
spec:
  stages:
    - name: ${CONFIG_STAGE}
      sequences:
        - name: ${CONFIG_SEQUENCE}
          tasks:
            - name: ${CONFIG_FIRST_TASK}
              properties:
                pass: manual
                warning: manual
            - name: deployment
            - name: release
        - name: delivery
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: direct
            - name: test
              properties:
                teststrategy: functional
            - name: evaluation
            - name: release
        - name: delivery-direct
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: direct
            - name: release
    - name: staging
      sequences:
        - name: delivery
          triggeredOn:
            - event: ${CONFIG_STAGE}.delivery.finished
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: blue_green_service
            - name: test
              properties:
                teststrategy: performance
            - name: evaluation
            - name: release
        - name: rollback
          triggeredOn:
            - event: staging.delivery.finished
              selector:
                match:
                  result: fail
          tasks:
            - name: rollback
        - name: delivery-direct
          triggeredOn:
            - event: ${CONFIG_STAGE}.delivery-direct.finished
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: direct
            - name: release
    - name: production
      sequences:
        - name: delivery
          triggeredOn:
            - event: staging.delivery.finished
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: blue_green_service
            - name: release
        - name: rollback
          triggeredOn:
            - event: production.delivery.finished
              selector:
                match:
                  result: fail
          tasks:
            - name: rollback
        - name: delivery-direct
          triggeredOn:
            - event: staging.delivery-direct.finished
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: direct
            - name: release
        - name: remediation
          triggeredOn:
            - event: production.remediation.finished
              selector:
                match:
                  evaluation.result: fail
          tasks:
            - name: get-action
            - name: action
            - name: evaluation
              triggeredAfter: 10m
`;

/** `config-svc-1` … `config-svc-<count>`. */
export function configServiceNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `config-svc-${i + 1}`);
}

/** Creates the project and its services (each in all three stages). */
export async function createConfigProject(api: KeptnApi, services: readonly string[]): Promise<void> {
  await api.createProject(CONFIG_PROJECT, CONFIG_SHIPYARD);
  for (const service of services) await api.createService(CONFIG_PROJECT, service);
}
