/**
 * Execution planes with real processes on loopback: a control plane, `shipmate agent` processes
 * and stand-in integrations behind them (issue 3 point 6).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeptnApiClient, startAgentProcess, startRecipient, startServerProcess, waitFor } from '@shipmate/testing';
import type { AgentProcess, Recipient, ServerProcess } from '@shipmate/testing';
import { waitForState } from './executor.js';
import { THREE_STAGE_DELIVERED_TASKS, THREE_STAGE_SHIPYARD } from './shipyards.js';

const TOPICS = ['sh.keptn.event.deployment.triggered', 'sh.keptn.event.test.triggered', 'sh.keptn.event.release.triggered'];
const REGISTRATION = '/api/controlPlane/v1/uniform/registration';

interface IntegrationView {
  id: string;
  name: string;
  instances: Array<{ instanceId: string; location: string; state: string }>;
  collision?: { message: string; planes: string[]; filtersOverlap: boolean };
}

let server: ServerProcess;
let client: KeptnApiClient;
const running: Array<{ stop(): Promise<unknown> }> = [];

/** An agent with an integration behind it; a silent integration (answer false) never answers its tasks. */
async function plane(name: string, env: Record<string, string>, answer = true): Promise<{ agent: AgentProcess; recipient: Recipient }> {
  const recipient = await startRecipient();
  running.push({ stop: () => recipient.close() });
  const agent = await startAgentProcess({
    endpoint: `${server.url}/api`,
    token: server.token,
    name,
    topics: TOPICS,
    recipientPort: recipient.port,
    env,
  });
  running.push(agent);
  if (answer) recipient.setAgentUrl(agent.surfaceUrl);
  return { agent, recipient };
}

async function integrations(name: string): Promise<IntegrationView[]> {
  const response = await fetch(`${server.url}${REGISTRATION}?name=${name}`, { headers: { 'x-token': server.token } });
  return (await response.json()) as IntegrationView[];
}

beforeAll(async () => {
  server = await startServerProcess({ env: { SHIPMATE_TASK_LEASE: '3s' } });
  client = new KeptnApiClient(server.url, server.token);
  await client.createProject('shop', THREE_STAGE_SHIPYARD);
  await client.createService('shop', 'carts');
});

afterEach(async () => {
  for (const process of running.splice(0).reverse()) await process.stop();
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

describe('shipmate agent', () => {
  it('runs a whole three-stage delivery through one agent and its integration', async () => {
    const { agent, recipient } = await plane('helm-all', {});
    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    await waitForState(client, 'shop', context, (s) => s === 'finished', 'finished');
    const tasks = recipient.tasks().filter((e) => e.shkeptncontext === context);
    expect(tasks.map((e) => `${e.data.stage}/${e.type.split('.')[3]}`)).toEqual(THREE_STAGE_DELIVERED_TASKS);
    expect(new Set(tasks.map((e) => e.id)).size).toBe(tasks.length);
    const first = tasks[0];
    expect(first?.data.temporaryData).toMatchObject({ distributor: { subscriptionID: expect.any(String) } });
    expect(first).toMatchObject({ specversion: '1.0', datacontenttype: 'application/json' });
    // One log line per forwarded task.
    expect(agent.output()).toContain(
      `forwarding sh.keptn.event.deployment.triggered ${first?.id ?? ''} (shop/dev/carts, context ${context})`,
    );
  });

  it('warns at start when PUBSUB_TOPIC differs from the subscriptions stored for its integration', async () => {
    const { agent } = await plane('helm-drift', { K8S_POD_NAME: 'helm-drift-a' });
    await waitFor('registered', async () => ((await integrations('helm-drift'))[0]?.instances.length ? true : undefined));
    expect(agent.output()).not.toContain('differs from the subscriptions');
    const id = (await integrations('helm-drift'))[0]?.id ?? '';
    const subscriptions = await client.request<Array<{ id: string; event: string }>>('GET', `${REGISTRATION}/${id}/subscription`);
    const testSubscription = subscriptions.body.find((s) => s.event === 'sh.keptn.event.test.triggered');
    expect((await client.request('DELETE', `${REGISTRATION}/${id}/subscription/${testSubscription?.id ?? ''}`)).status).toBe(200);
    const { agent: restarted } = await plane('helm-drift', { K8S_POD_NAME: 'helm-drift-b' });
    const warning = await waitFor('the drift warning', async () =>
      restarted.output().includes('differs from the subscriptions') ? restarted.output() : undefined,
    );
    expect(warning).toMatch(/not subscribed to sh\.keptn\.event\.test\.triggered/);
    expect(warning).toContain(`/api/controlPlane/v1/uniform/registration/${id}/subscription`);
  });

  it('two planes with one name and STAGE_FILTER: each gets only its stage, the registry flags the collision', async () => {
    const hardening = await plane('helm-shared', { STAGE_FILTER: 'dev,hardening', LOCATION: 'hardening-cluster', K8S_POD_NAME: 'helm-h' });
    const production = await plane('helm-shared', { STAGE_FILTER: 'production', LOCATION: 'production-cluster', K8S_POD_NAME: 'helm-p' });
    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    await waitForState(client, 'shop', context, (s) => s === 'finished', 'finished');

    const stagesOf = (r: Recipient) => [
      ...new Set(
        r
          .tasks()
          .filter((e) => e.shkeptncontext === context)
          .map((e) => e.data.stage),
      ),
    ];
    expect(stagesOf(hardening.recipient)).toEqual(['dev', 'hardening']);
    expect(stagesOf(production.recipient)).toEqual(['production']);

    const [view] = await integrations('helm-shared');
    expect(view?.instances.map((i) => i.location).sort()).toEqual(['hardening-cluster', 'production-cluster']);
    expect(view?.collision?.message).toMatch(/K8S_DEPLOYMENT_NAME|nameOverride/);
    expect(view?.collision?.filtersOverlap).toBe(false);
  });

  it('two planes with unique names: no collision warning', async () => {
    await plane('helm-hardening', { STAGE_FILTER: 'dev,hardening', LOCATION: 'hardening-cluster' });
    await plane('helm-production', { STAGE_FILTER: 'production', LOCATION: 'production-cluster' });
    for (const name of ['helm-hardening', 'helm-production']) {
      const [view] = await integrations(name);
      expect(view?.instances).toHaveLength(1);
      expect(view?.collision).toBeUndefined();
    }
  });

  it('two replicas of one integration in one plane: every task runs exactly once', async () => {
    const a = await plane('helm-replicas', { K8S_POD_NAME: 'helm-replica-a' });
    const b = await plane('helm-replicas', { K8S_POD_NAME: 'helm-replica-b' });
    const contexts: string[] = [];
    for (let i = 0; i < 6; i++) contexts.push(await client.triggerSequence('shop', 'dev', 'delivery', 'carts'));
    for (const context of contexts) await waitForState(client, 'shop', context, (s) => s === 'finished', 'finished');

    const received = [...a.recipient.tasks(), ...b.recipient.tasks()].filter((e) => contexts.includes(e.shkeptncontext ?? ''));
    // 6 sequences × 7 tasks, each exactly once across the two replicas.
    expect(received).toHaveLength(42);
    expect(new Set(received.map((e) => e.id)).size).toBe(42);
    expect(a.recipient.tasks().length).toBeGreaterThan(0);
    expect(b.recipient.tasks().length).toBeGreaterThan(0);
  });

  it('an agent killed with SIGKILL while holding a task before .started: the task runs on the other replica', async () => {
    // The first replica's integration never answers: it holds the task until it is killed.
    const { agent: doomed, recipient: silent } = await plane('helm-failover', { K8S_POD_NAME: 'helm-doomed', STAGE_FILTER: 'dev' }, false);
    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    const held = await waitFor('the first replica to receive the deployment', async () =>
      silent.tasks().find((e) => e.shkeptncontext === context),
    );
    await doomed.kill();

    const survivor = await plane('helm-failover', { K8S_POD_NAME: 'helm-survivor', STAGE_FILTER: 'dev' });
    const rerun = await waitFor(
      'the other replica to receive the same task after the lease ran out',
      async () => survivor.recipient.tasks().find((e) => e.id === held.id),
      20_000,
    );
    expect(rerun.type).toBe('sh.keptn.event.deployment.triggered');
    await waitFor('dev to finish', async () => {
      const view = await client.sequenceState('shop', context);
      return view?.stages.find((s) => s.name === 'dev' && s.state === 'succeeded');
    });
    // Hardening has no agent in this test: end the sequence so its tasks do not reach later tests.
    expect((await client.request('POST', `/api/controlPlane/v1/sequence/shop/${context}/control`, { state: 'abort' })).status).toBe(200);
    await waitForState(client, 'shop', context, (s) => s === 'aborted', 'aborted');
  });

  it('passes an abort to the integration holding the task (sh.shipmate.task.aborted)', async () => {
    const { agent, recipient: silent } = await plane('helm-abort', { K8S_POD_NAME: 'helm-abort-a' }, false);
    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    const held = await waitFor('the task to reach the integration', async () => silent.tasks().find((e) => e.shkeptncontext === context));
    const control = await client.request('POST', `/api/controlPlane/v1/sequence/shop/${context}/control`, { state: 'abort' });
    expect(control.status).toBe(200);
    const notice = await waitFor('the abort notice', async () =>
      silent.events.find((e) => e.type === 'sh.shipmate.task.aborted' && e.triggeredid === held.id),
    );
    expect(notice).toMatchObject({
      shkeptncontext: context,
      data: { project: 'shop', stage: 'dev', service: 'carts', task: 'deployment' },
    });
    expect((await agent.health()).openTasks).toBe(0);
  });

  it('a subscription added through the API reaches the running agent', async () => {
    const { recipient } = await plane('helm-late', { K8S_POD_NAME: 'helm-late-a' });
    const [view] = await integrations('helm-late');
    const id = view?.id ?? '';
    // Only deployment and release were subscribed at start; hand it the test task too.
    const subscriptions = await client.request<Array<{ id: string; event: string }>>('GET', `${REGISTRATION}/${id}/subscription`);
    const testSubscription = subscriptions.body.find((s) => s.event === 'sh.keptn.event.test.triggered');
    expect((await client.request('DELETE', `${REGISTRATION}/${id}/subscription/${testSubscription?.id ?? ''}`)).status).toBe(200);
    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    await waitFor('the deployment to reach the integration', async () => recipient.tasks().find((e) => e.shkeptncontext === context));
    await new Promise((r) => setTimeout(r, 500));
    expect(
      recipient
        .tasks()
        .filter((e) => e.shkeptncontext === context)
        .map((e) => e.type),
    ).toEqual(['sh.keptn.event.deployment.triggered']);
    const added = await client.request('POST', `${REGISTRATION}/${id}/subscription`, {
      event: 'sh.keptn.event.test.triggered',
      filter: { projects: [], stages: [], services: [] },
    });
    expect(added.status).toBe(201);
    await waitFor('the test task after the new subscription', async () =>
      recipient.tasks().find((e) => e.shkeptncontext === context && e.type === 'sh.keptn.event.test.triggered'),
    );
    await waitForState(client, 'shop', context, (s) => s === 'finished', 'finished');
  });

  it('drains on SIGTERM: exits 0 and unregisters its instance', async () => {
    const { agent } = await plane('helm-drain', { K8S_POD_NAME: 'helm-drain-a' });
    const before = await integrations('helm-drain');
    expect(before[0]?.instances).toHaveLength(1);
    expect(await agent.stop()).toBe(0);
    const after = await integrations('helm-drain');
    expect(after[0]?.instances).toEqual([]);
  });
});
