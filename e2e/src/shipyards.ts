/** Shipyards used by the end-to-end tests. */

/** dev → hardening → production, chained on `delivery.finished`, hardening only on pass. */
export const THREE_STAGE_SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: e2e
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: direct
            - name: test
            - name: release
    - name: hardening
      sequences:
        - name: delivery
          triggeredOn:
            - event: dev.delivery.finished
              selector:
                match:
                  result: pass
          tasks:
            - name: deployment
            - name: release
    - name: production
      sequences:
        - name: delivery
          triggeredOn:
            - event: hardening.delivery.finished
          tasks:
            - name: deployment
            - name: release
`;

/** One stage, one two-task sequence, plus a sequence with a finish deadline. */
/** The task types an executor of THREE_STAGE_SHIPYARD's delivery subscribes to. */
export const THREE_STAGE_TOPICS = [
  'sh.keptn.event.deployment.triggered',
  'sh.keptn.event.test.triggered',
  'sh.keptn.event.release.triggered',
];

/** `<stage>/<task>` of every task of one THREE_STAGE_SHIPYARD delivery, in order. */
export const THREE_STAGE_DELIVERED_TASKS = [
  'dev/deployment',
  'dev/test',
  'dev/release',
  'hardening/deployment',
  'hardening/release',
  'production/deployment',
  'production/release',
];

export const SINGLE_STAGE_SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: e2e-single
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
            - name: release
        - name: guarded
          tasks:
            - name: deployment
              finishTimeout: 2s
        - name: delayed
          tasks:
            - name: deployment
            - name: release
              triggeredAfter: 1s
`;

/** One stage, one three-task sequence (the replica test and the bench's sequences). */
export const THREE_TASK_SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: e2e-three-tasks
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
            - name: test
            - name: release
`;
