/**
 * The demo project: three stages as in Keptn's sockshop (dev → staging → production), the sample
 * service `carts`, and the files that let the local execution plane do the work: how to run the
 * service (deployment/process.yaml), what to test (test/workloads.yaml) and the quality gate
 * (slo.yaml, judged from the test's own figures by the test-results SLI provider).
 */
import { fileURLToPath } from 'node:url';

/** The demo's service. */
export const DEMO_SERVICE = 'carts';

/** The shipyard; staging's approval is automatic unless a person is asked. */
export function demoShipyard(project: string, manualApproval: boolean): string {
  const approval = manualApproval ? 'manual' : 'automatic';
  return `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: ${project}
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
              properties:
                teststrategy: functional
    - name: staging
      sequences:
        - name: delivery
          triggeredOn:
            - event: dev.delivery.finished
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: blue_green_service
            - name: test
              properties:
                teststrategy: performance
            - name: evaluation
            - name: approval
              properties:
                pass: ${approval}
                warning: ${approval}
            - name: release
        - name: rollback
          triggeredOn:
            - event: staging.delivery.finished
              selector:
                match:
                  result: fail
          tasks:
            - name: rollback
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
`;
}

/** Where the built sample service program is (it ships with the CLI). */
export function demoServiceProgram(): string {
  return fileURLToPath(new URL('./demo-service.js', import.meta.url));
}

/** How the local execution plane runs the service: `$IMAGE` is the version (`fast` or `slow`). */
export function demoProcessYaml(program: string = demoServiceProgram()): string {
  return `# How the deployment integration runs carts on this machine; $IMAGE is the version to deploy.
command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(program)}, --version, $IMAGE]
portEnv: PORT
healthCheck:
  path: /health
  timeoutSeconds: 15
`;
}

/** What the test integration runs: a functional check in dev, a short load in staging. */
export const DEMO_WORKLOADS = `spec_version: '0.1.0'
workloads:
  - teststrategy: functional
    requests:
      - {method: GET, path: /}
    checks:
      - {status: 200}
  - teststrategy: performance
    vuser: 4
    duration: 5s
    requests:
      - {method: GET, path: /}
    acceptederrorrate: 0.01
`;

/** The quality gate of staging: p95 latency of the performance test under 100 ms, no errors. */
export const DEMO_SLO = `spec_version: "1.0"
comparison:
  compare_with: single_result
  include_result_with_score: pass
  aggregate_function: avg
objectives:
  - sli: response_time_p95
    displayName: Response time P95 (ms)
    key_sli: true
    pass:
      - criteria:
          - "<100"
  - sli: error_rate
    pass:
      - criteria:
          - "<=0.01"
total_score:
  pass: "90%"
  warning: "75%"
`;
