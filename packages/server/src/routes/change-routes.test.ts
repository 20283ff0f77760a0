/**
 * The change stream over a real socket (an SSE stream never ends, so `inject` cannot read it):
 * the token is required, `ready` comes first, a project write and a sequence control each reach
 * the stream as a `change` naming the project, a secret write and a registration each as a
 * `change` naming its topic, and closing the server ends open streams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipyardYaml, waitFor } from '@shipmate/testing';
import { base64, startInProcessServer, TEST_TOKEN } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { triggerSequence } from '../test-support/sequence-events.js';
import { CHANGES_PATH } from './change-routes.js';

const CP = '/api/controlPlane/v1';

/** An open change stream: the text received so far, and its end. */
interface OpenStream {
  text(): string;
  readonly ended: Promise<void>;
  cancel(): Promise<void>;
}

/** The bodies of every `change` event in a stream's text. */
function changes(text: string): Array<{ projects: string[]; topics: string[] }> {
  return [...text.matchAll(/^event: change\ndata: (.*)$/gm)].map(
    (match) => JSON.parse(match[1]!) as { projects: string[]; topics: string[] },
  );
}

/** The projects of every `change` event in a stream's text. */
function changedProjects(text: string): string[] {
  return changes(text).flatMap((change) => change.projects);
}

/** The topics of every `change` event in a stream's text. */
function changedTopics(text: string): string[] {
  return changes(text).flatMap((change) => change.topics);
}

async function openStream(url: string, headers: Record<string, string>): Promise<{ status: number; stream: OpenStream; type: string }> {
  const response = await fetch(url, { headers });
  let received = '';
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      received += decoder.decode(value, { stream: true });
    }
  })();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    stream: { text: () => received, ended, cancel: () => reader.cancel() },
  };
}

let api: InProcessServer;
let base = '';
/** A running sequence of project `held`, started before any stream listens (only its control changes it later). */
let heldContext = '';

beforeAll(async () => {
  api = await startInProcessServer({ changeCoalesceMs: 20 });
  base = await api.server.app.listen({ host: '127.0.0.1', port: 0 });
  const shipyard = base64(shipyardYaml({ dev: ['deployment'] }, { name: 'held' }));
  expect((await api.call('POST', `${CP}/project`, { name: 'held', shipyard })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/held/service`, { serviceName: 'carts' })).status).toBe(200);
  heldContext = await triggerSequence(api, { project: 'held', stage: 'dev', service: 'carts' });
});

afterAll(async () => {
  await api.close();
});

describe(`GET ${CHANGES_PATH}`, () => {
  it('refuses a request without the token', async () => {
    const response = await fetch(`${base}${CHANGES_PATH}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 401 });
  });

  it('says ready, then names the project a write or a sequence control changed', async () => {
    const { status, type, stream } = await openStream(`${base}${CHANGES_PATH}`, { 'x-token': TEST_TOKEN });
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/event-stream/);
    await waitFor('ready', async () => (stream.text().includes('event: ready') ? true : undefined), 5000);

    const shipyard = base64(shipyardYaml({ dev: ['deployment'] }, { name: 'live' }));
    expect((await api.call('POST', `${CP}/project`, { name: 'live', shipyard })).status).toBe(201);
    await waitFor('a change of project live', async () => (changedProjects(stream.text()).includes('live') ? true : undefined), 5000);

    expect(changedProjects(stream.text())).not.toContain('held');
    expect((await api.call('POST', `${CP}/sequence/held/${heldContext}/control`, { state: 'pause' })).status).toBe(200);
    await waitFor(
      'the pause as a change of project held',
      async () => (changedProjects(stream.text()).includes('held') ? true : undefined),
      5000,
    );
    await stream.cancel();
  });

  it('names the topic of a write outside projects: integrations (registry, subscriptions, log) and secrets', async () => {
    const { stream } = await openStream(`${base}${CHANGES_PATH}`, { 'x-token': TEST_TOKEN });
    await waitFor('ready', async () => (stream.text().includes('event: ready') ? true : undefined), 5000);
    expect((await api.call('POST', '/api/secrets/v1/secret', { name: 'db', data: { password: 'p' } })).status).toBe(201);
    await waitFor('a change of secrets', async () => (changedTopics(stream.text()).includes('secrets') ? true : undefined), 5000);
    expect(changedTopics(stream.text())).not.toContain('integrations');
    const registration = await api.call('POST', `${CP}/uniform/registration`, {
      name: 'watched',
      metadata: { hostname: 'h', kubernetesmetadata: { namespace: 'n' } },
      subscriptions: [],
    });
    expect(registration.status).toBe(201);
    await waitFor('a change of integrations', async () => (changedTopics(stream.text()).includes('integrations') ? true : undefined), 5000);
    // Left open: closing the server ends it (a cancelled stream's socket would hold the close up for seconds).
  });

  it('ends open streams when the server closes', async () => {
    const other = await startInProcessServer();
    const url = await other.server.app.listen({ host: '127.0.0.1', port: 0 });
    const { stream } = await openStream(`${url}${CHANGES_PATH}`, { 'x-token': TEST_TOKEN });
    await waitFor('ready', async () => (stream.text().includes('event: ready') ? true : undefined), 5000);
    expect(other.server.app.server.listening).toBe(true);
    await other.close();
    await stream.ended;
    expect(other.server.app.server.listening).toBe(false);
  });
});
