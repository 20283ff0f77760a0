/**
 * The control plane stopped for 10 s under agents with work in flight: the agents reconnect, and
 * every task runs exactly once with no event lost (issue 3 point 6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeptnApiClient, startAgentProcess, startRecipient, startServerProcess, waitFor } from '@shipmate/testing';
import type { AgentProcess, Recipient, ServerProcess } from '@shipmate/testing';
import { waitForState } from './executor.js';
import { THREE_STAGE_SHIPYARD } from './shipyards.js';

const TOPICS = ['sh.keptn.event.deployment.triggered', 'sh.keptn.event.test.triggered', 'sh.keptn.event.release.triggered'];
const SEQUENCES = 8;
const TASKS_PER_SEQUENCE = 7;

describe('control plane down for 10 s', () => {
  let server: ServerProcess;
  let client: KeptnApiClient;
  const planes: Array<{ agent: AgentProcess; recipient: Recipient }> = [];

  beforeAll(async () => {
    server = await startServerProcess();
    client = new KeptnApiClient(server.url, server.token);
    await client.createProject('outage', THREE_STAGE_SHIPYARD);
    for (let i = 0; i < SEQUENCES; i++) await client.createService('outage', `svc-${i}`);
    for (const pod of ['replica-a', 'replica-b']) {
      // Each task takes 300 ms, so tasks are in flight when the control plane goes away.
      const recipient = await startRecipient({ workMs: 300 });
      const agent = await startAgentProcess({
        endpoint: `${server.url}/api`,
        token: server.token,
        name: 'helm-outage',
        topics: TOPICS,
        recipientPort: recipient.port,
        env: { K8S_POD_NAME: pod },
      });
      recipient.setAgentUrl(agent.surfaceUrl);
      planes.push({ agent, recipient });
    }
  });

  afterAll(async () => {
    for (const { agent, recipient } of planes) {
      expect(await agent.stop()).toBe(0);
      await recipient.close();
    }
    await server.stop();
  });

  it('agents reconnect; every task runs exactly once and every sequence finishes', async () => {
    const contexts: string[] = [];
    for (let i = 0; i < SEQUENCES; i++) contexts.push(await client.triggerSequence('outage', 'dev', 'delivery', `svc-${i}`));
    const received = () => planes.flatMap((p) => p.recipient.tasks()).filter((e) => contexts.includes(e.shkeptncontext ?? ''));
    await waitFor('some tasks to run', async () => (received().length >= SEQUENCES ? true : undefined));

    expect(await server.stop()).toBe(0);
    const before = received().length;
    await new Promise((r) => setTimeout(r, 10_000));
    await waitFor('the agents to notice', async () => {
      const health = await Promise.all(planes.map((p) => p.agent.health()));
      return health.every((h) => !h.connected) ? true : undefined;
    });
    server = await startServerProcess({ dataDir: server.dataDir, port: server.port, token: server.token });
    client = new KeptnApiClient(server.url, server.token);

    for (const context of contexts) await waitForState(client, 'outage', context, (s) => s === 'finished', 'finished');
    const tasks = received();
    expect(before).toBeLessThan(SEQUENCES * TASKS_PER_SEQUENCE);
    expect(tasks).toHaveLength(SEQUENCES * TASKS_PER_SEQUENCE);
    expect(new Set(tasks.map((e) => e.id)).size).toBe(SEQUENCES * TASKS_PER_SEQUENCE);
    for (const context of contexts) {
      const events = await client.contextEvents('outage', context);
      const finished = events.filter((e) => /^sh\.keptn\.event\.[a-z]+\.finished$/.test(e.type));
      // Each task answered once: no duplicate .finished from a retried send.
      expect(finished).toHaveLength(TASKS_PER_SEQUENCE);
      expect(finished.every((e) => e.data.result === 'pass')).toBe(true);
    }
    // An agent with no task left may still be in its reconnect backoff when the last sequence ends.
    await waitFor('every agent to report itself connected again', async () => {
      const health = await Promise.all(planes.map((p) => p.agent.health()));
      return health.every((h) => h.connected) ? true : undefined;
    });
  });
});
