/**
 * The built-in remediation-service in a real `shipmate server` process (built by `npm test` first),
 * with Keptn's self-healing shipyard: a problem starts `production.remediation`, get-action picks
 * an action from remediation.yaml, a test action provider runs it, a test evaluator judges it, and
 * while the evaluation fails the shipyard repeats the remediation in the same keptn context, which
 * takes the next action, until the evaluation passes or the actions run out. Both test
 * integrations are written with the SDK; the lighthouse is not used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { createIntegration, silentLogger } from '@shipmate/agent-sdk';
import type { Integration } from '@shipmate/agent-sdk';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

const PROJECT = 'healing';

// Keptn's Test_SelfHealing shipyard, without the evaluation's `triggeredAfter: 1m`.
const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: self-healing
spec:
  stages:
    - name: production
      sequences:
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
`;

const REMEDIATION = `apiVersion: spec.keptn.sh/0.1.4
kind: Remediation
metadata:
  name: carts-remediation
spec:
  remediations:
    - problemType: Response time degradation
      actionsOnOpen:
        - action: scaling
          name: Scale up
          description: Add one replica
          value: 1
        - action: toggle-feature
          name: Toggle feature flag
          value:
            EnablePromotion: "off"
`;

const SCALING = { name: 'Scale up', action: 'scaling', description: 'Add one replica', value: 1 };
const TOGGLE = { name: 'Toggle feature flag', action: 'toggle-feature', description: '', value: { EnablePromotion: 'off' } };
const PROBLEM = { problemTitle: 'Response time degradation', rootCause: '' };

let server: ServerProcess;
let api: KeptnApiClient;
const integrations: Integration[] = [];
/** The actions the test action provider ran, by keptn context. */
const ran = new Map<string, unknown[]>();
/** How the test evaluator judges the actions of a keptn context. */
type Evaluations = 'fail-once' | 'always-fail' | 'always-pass';
const judged = new Map<string, Evaluations>();
const evaluations = new Map<string, number>();
let services = 0;

beforeAll(async () => {
  // Only the remediation-service: evaluation tasks go to the test evaluator below, never a lighthouse.
  server = await startServerProcess({ env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'remediation-service' } });
  api = new KeptnApiClient(server.url, server.token);
  await api.createProject(PROJECT, SHIPYARD);
  const connection = { controlPlane: { endpoint: `${server.url}/api`, token: server.token }, handleSignals: false, logger: silentLogger };
  integrations.push(
    createIntegration({ name: 'test-action-provider', ...connection }).onTask('action', (task) => {
      const context = task.event.shkeptncontext;
      ran.set(context, [...(ran.get(context) ?? []), task.data.action]);
      return { message: 'action run' };
    }),
    createIntegration({ name: 'test-evaluator', ...connection }).onTask('evaluation', (task) => {
      const context = task.event.shkeptncontext;
      const count = (evaluations.get(context) ?? 0) + 1;
      evaluations.set(context, count);
      const mode = judged.get(context) ?? 'fail-once';
      const result = mode === 'always-fail' || (mode === 'fail-once' && count === 1) ? 'fail' : 'pass';
      return { result, evaluation: { result, score: result === 'pass' ? 100 : 0 } };
    }),
  );
  await Promise.all(integrations.map((i) => i.start()));
});

afterAll(async () => {
  await Promise.all(integrations.map((i) => i.stop()));
  expect(await server.stop()).toBe(0);
});

async function newService(remediation?: string): Promise<string> {
  const service = `carts-${++services}`;
  await api.createService(PROJECT, service);
  if (remediation !== undefined) await api.putResource({ project: PROJECT, stage: 'production', service }, 'remediation.yaml', remediation);
  return service;
}

/** Starts a remediation the way Keptn's problem sources did: `<stage>.remediation.triggered` with `data.problem`. */
async function remediate(
  service: string,
  problem: Record<string, string> = PROBLEM,
  options: { evaluations?: Evaluations; keptnContext?: string } = {},
): Promise<string> {
  // The context is chosen here so the evaluator knows it before the first evaluation arrives.
  const keptnContext = options.keptnContext ?? crypto.randomUUID();
  judged.set(keptnContext, options.evaluations ?? 'fail-once');
  await api.sendEvent({
    type: 'sh.keptn.event.production.remediation.triggered',
    source: 'e2e-problem-source',
    shkeptncontext: keptnContext,
    data: { project: PROJECT, stage: 'production', service, problem, labels: { 'Problem URL': 'https://example.invalid/p/1' } },
  });
  return keptnContext;
}

/** The events of a context once it is finished, oldest first. */
async function finished(keptnContext: string): Promise<KeptnEvent[]> {
  await waitFor(`${keptnContext} finished`, async () =>
    (await api.sequenceState(PROJECT, keptnContext))?.state === 'finished' ? true : undefined,
  );
  return api.contextEvents(PROJECT, keptnContext);
}

/** The chain without `.started` and `.status.changed`, with the short type. */
function chain(events: readonly KeptnEvent[]): string[] {
  return events
    .filter((e) => e.type.endsWith('.triggered') || e.type.endsWith('.finished'))
    .map((e) => e.type.replace('sh.keptn.event.', ''));
}

const ROUND = [
  'production.remediation.triggered',
  'get-action.triggered',
  'get-action.finished',
  'action.triggered',
  'action.finished',
  'evaluation.triggered',
  'evaluation.finished',
  'production.remediation.finished',
];

const ofType = (events: readonly KeptnEvent[], type: string): KeptnEvent[] => events.filter((e) => e.type === `sh.keptn.event.${type}`);

describe('remediation-service built into shipmate server', () => {
  it('is registered under its Keptn name with an instance in the control plane, subscribed to get-action tasks', async () => {
    const list = await api.request<Array<{ subscriptions: Array<{ event: string }>; instances: Array<{ location: string }> }>>(
      'GET',
      '/api/controlPlane/v1/uniform/registration?name=remediation-service',
    );
    expect(list.body).toHaveLength(1);
    expect(list.body[0]?.subscriptions.map((s) => s.event)).toEqual(['sh.keptn.event.get-action.triggered']);
    expect(list.body[0]?.instances.map((i) => i.location)).toEqual(['control-plane']);
  });

  it('takes the first action, repeats the remediation when the evaluation fails, takes the second action, and ends when it passes', async () => {
    const service = await newService(REMEDIATION);
    // Keptn 0.7's problem event: accepted, but (as in Keptn since 0.8.3) it starts nothing.
    const problemEvent = await api.sendEvent({
      type: 'sh.keptn.events.problem',
      source: 'e2e-problem-source',
      data: { project: PROJECT, stage: 'production', service, State: 'OPEN', ProblemTitle: PROBLEM.problemTitle },
    });
    const keptnContext = await remediate(service);
    const events = await finished(keptnContext);

    expect(chain(events)).toEqual([...ROUND, ...ROUND]);
    const getActions = ofType(events, 'get-action.finished');
    expect(getActions.map((e) => [e.source, e.data.result, e.data.status, e.data.action, e.data['get-action']])).toEqual([
      ['remediation-service', 'pass', 'succeeded', SCALING, { actionIndex: 1 }],
      ['remediation-service', 'pass', 'succeeded', TOGGLE, { actionIndex: 2 }],
    ]);
    expect(getActions[1]?.data.message).toBe(
      "action 2 of 2 for problem title 'Response time degradation' (problemType 'Response time degradation'): Toggle feature flag",
    );
    // The orchestrator's data merge hands each action to the `action` task, and the problem stays along.
    const actionTasks = ofType(events, 'action.triggered');
    expect(actionTasks.map((e) => e.data.action)).toEqual([SCALING, TOGGLE]);
    expect(actionTasks.map((e) => e.data.problem)).toEqual([PROBLEM, PROBLEM]);
    expect(ran.get(keptnContext)).toEqual([SCALING, TOGGLE]);
    // The repeat was started by the orchestrator on the failed evaluation, in the same context.
    const triggers = ofType(events, 'production.remediation.triggered');
    expect(triggers.map((e) => e.source)).toEqual(['e2e-problem-source', 'shipyard-controller']);
    expect(ofType(events, 'production.remediation.finished').map((e) => e.data.result)).toEqual(['fail', 'pass']);
    // The problem event started no sequence of its own.
    expect(await api.sequenceState(PROJECT, problemEvent)).toBeUndefined();
  });

  it('ends the remediation with a message when the actions ran out, without repeating it again', async () => {
    const service = await newService(REMEDIATION);
    const keptnContext = await remediate(service, PROBLEM, { evaluations: 'always-fail' });
    const events = await finished(keptnContext);

    expect(chain(events)).toEqual([
      ...ROUND,
      ...ROUND,
      'production.remediation.triggered',
      'get-action.triggered',
      'get-action.finished',
      'production.remediation.finished',
    ]);
    expect(ran.get(keptnContext)).toEqual([SCALING, TOGGLE]);
    const last = ofType(events, 'get-action.finished').at(-1);
    const message =
      "no remediation action left for problem title 'Response time degradation': problemType 'Response time degradation' in remediation.yaml " +
      'has 2 actions (Scale up, Toggle feature flag), all already taken in this remediation; the remediation ends here (add actions to its actionsOnOpen to try more)';
    expect(last?.data).toMatchObject({ result: 'fail', status: 'succeeded', message });
    expect(ofType(events, 'production.remediation.finished').at(-1)?.data).toMatchObject({ result: 'fail', status: 'succeeded', message });
    const state = await api.sequenceState(PROJECT, keptnContext);
    expect(state?.stages.find((s) => s.name === 'production')?.message).toBe(message);
  });

  it('takes the next action when the problem source sends the same problem again in the same context (counted from the datastore)', async () => {
    const service = await newService(REMEDIATION);
    const keptnContext = await remediate(service, PROBLEM, { evaluations: 'always-pass' });
    expect(chain(await finished(keptnContext))).toEqual(ROUND);
    // As dynatrace-service did (the problem id as keptn context): a new trigger without Keptn's
    // `get-action.actionIndex`, so only the earlier get-action.finished events tell what was taken.
    await remediate(service, PROBLEM, { evaluations: 'always-pass', keptnContext });
    const events = await waitFor('the second remediation finished', async () => {
      const all = await api.contextEvents(PROJECT, keptnContext);
      return ofType(all, 'production.remediation.finished').length === 2 ? all : undefined;
    });
    expect(chain(events)).toEqual([...ROUND, ...ROUND]);
    expect(ofType(events, 'get-action.triggered')[1]?.data['get-action']).toEqual({});
    expect(ofType(events, 'get-action.finished').map((e) => [e.data.action, e.data['get-action']])).toEqual([
      [SCALING, { actionIndex: 1 }],
      [TOGGLE, { actionIndex: 2 }],
    ]);
    expect(ran.get(keptnContext)).toEqual([SCALING, TOGGLE]);
  });

  it.each([
    {
      name: 'no remediation.yaml',
      remediation: undefined,
      problem: PROBLEM,
      want: { status: 'errored', result: 'fail' },
      message:
        /^remediation\.yaml not found for service 'carts-\d+' in stage 'production' of project 'healing' at the sequence's commit, .*add it at service level \(PUT \/api\/resource-service\/v1\/project\/healing\/stage\/production\/service\/carts-\d+\/resource\/remediation\.yaml\)/,
    },
    {
      name: 'a remediation.yaml that is not YAML',
      remediation: 'apiVersion: spec.keptn.sh/0.1.4\nkind: Remediation\nspec:\n  remediations: [\n',
      problem: PROBLEM,
      want: { status: 'errored', result: 'fail' },
      message:
        /^remediation\.yaml line \d+: not valid YAML: .*\(service 'carts-\d+' in stage 'production' of project 'healing'\); fix the file/,
    },
    {
      name: 'a remediation.yaml of another apiVersion',
      remediation: REMEDIATION.replace('0.1.4', '0.1.3'),
      problem: PROBLEM,
      want: { status: 'errored', result: 'fail' },
      message:
        /^remediation\.yaml line 1: apiVersion 'spec\.keptn\.sh\/0\.1\.3' is not supported; write 'apiVersion: spec\.keptn\.sh\/0\.1\.4'/,
    },
    {
      name: 'an action without its action field (a typo)',
      remediation: REMEDIATION.replace('        - action: scaling\n', '        - actoin: scaling\n'),
      problem: PROBLEM,
      want: { status: 'errored', result: 'fail' },
      message:
        /^remediation\.yaml line 9: spec\.remediations\[0\] \(problemType 'Response time degradation'\)\.actionsOnOpen\[0\]\.action is missing/,
    },
    {
      name: 'a problem no entry matches, with no default',
      remediation: REMEDIATION,
      problem: { problemTitle: 'Out of memory', rootCause: 'oom' },
      want: { status: 'succeeded', result: 'fail' },
      message:
        /^remediation\.yaml has no remediation for root cause 'oom' and no 'default' entry \(problem types: 'Response time degradation'\); add '- problemType: Out of memory'/,
    },
  ])('ends at get-action for $name, with a message naming the file and the fix', async ({ remediation, problem, want, message }) => {
    const service = await newService(remediation);
    const keptnContext = await remediate(service, problem);
    const events = await finished(keptnContext);
    expect(chain(events)).toEqual([
      'production.remediation.triggered',
      'get-action.triggered',
      'get-action.finished',
      'production.remediation.finished',
    ]);
    const getAction = ofType(events, 'get-action.finished')[0];
    expect(getAction?.data).toMatchObject(want);
    expect(getAction?.data.message).toMatch(message);
    expect(getAction?.data.action).toBeUndefined();
    expect(ofType(events, 'production.remediation.finished')[0]?.data).toMatchObject({ ...want, message: getAction?.data.message });
  });
});
