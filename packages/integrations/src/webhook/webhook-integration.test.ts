/**
 * The built-in webhook-service in a real `shipmate server` process (built by `npm test` first),
 * calling a receiver on 127.0.0.1 that the allow list permits (SHIPMATE_WEBHOOK_ALLOW), through a
 * subscription added through the API as a user would.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: hooks
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: notify
    - name: prod
      sequences:
        - name: delivery
          tasks:
            - name: notify
`;
const TOKEN = 'tok/en+s3cr3t';
const REGISTRATION = '/api/controlPlane/v1/uniform/registration';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
let server: ServerProcess;
let api: KeptnApiClient;
let subscriptionID: string;
let services = 0;

/** Answers by path: /json echoes what it got as JSON, /text answers text, /fail answers 500 echoing the URL. */
async function startReceiver(): Promise<void> {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const got = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
      received.push(got);
      if (got.url.startsWith('/text')) return response.end('plain text');
      if (got.url.startsWith('/fail')) {
        response.statusCode = 500;
        return response.end(`no such token: ${decodeURIComponent(got.url)}`);
      }
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ path: got.url, authorization: got.headers.authorization ?? null }));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
}

async function addSubscription(client: KeptnApiClient): Promise<string> {
  const list = await client.request<Array<{ id: string }>>('GET', `${REGISTRATION}?name=webhook-service`);
  const id = list.body[0]?.id;
  expect(id).toEqual(expect.any(String));
  const added = await client.request<{ id: string }>('POST', `${REGISTRATION}/${id}/subscription`, {
    event: 'sh.keptn.event.notify.triggered',
    filter: { projects: ['hooks'] },
  });
  expect(added.status).toBe(201);
  return added.body.id;
}

beforeAll(async () => {
  await startReceiver();
  server = await startServerProcess({ env: { SHIPMATE_WEBHOOK_ALLOW: '127.0.0.1/32' } });
  api = new KeptnApiClient(server.url, server.token);
  await api.createProject('hooks', SHIPYARD);
  subscriptionID = await addSubscription(api);
  const secret = await api.request('POST', '/api/secrets/v1/secret', {
    name: 'hook-secret',
    scope: 'keptn-webhook-service',
    data: { token: TOKEN },
  });
  expect(secret.status).toBe(201);
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

/** A webhook.yaml with one webhook for `id`. */
function webhookYaml(id: string, body: string, options: { sendFinished?: boolean; sendStarted?: boolean; envFrom?: boolean } = {}): string {
  return [
    'apiVersion: webhookconfig.keptn.sh/v1beta1',
    'kind: WebhookConfig',
    'metadata:',
    '  name: webhook-configuration',
    'spec:',
    '  webhooks:',
    '    - type: sh.keptn.event.notify.triggered',
    `      subscriptionID: ${id}`,
    `      sendFinished: ${String(options.sendFinished ?? true)}`,
    ...(options.sendStarted === undefined ? [] : [`      sendStarted: ${String(options.sendStarted)}`]),
    ...(options.envFrom === false
      ? []
      : ['      envFrom:', '        - name: token', '          secretRef: {name: hook-secret, key: token}']),
    '      requests:',
    body,
  ].join('\n');
}

async function newService(): Promise<string> {
  const service = `svc-${++services}`;
  await api.createService('hooks', service);
  return service;
}

const eventsOf = (context: string): Promise<KeptnEvent[]> => api.contextEvents('hooks', context);

async function webhookEvent(context: string, kind: 'started' | 'finished'): Promise<KeptnEvent> {
  return waitFor(`notify.${kind} in ${context}`, async () =>
    (await eventsOf(context)).find((e) => e.type === `sh.keptn.event.notify.${kind}` && e.source === 'webhook-service'),
  );
}

/** Writes `yaml` at service level of a new service and runs the sequence; returns service and context. */
async function runWith(yaml: string, data: Record<string, unknown> = {}): Promise<{ service: string; context: string }> {
  const service = await newService();
  await api.putResource({ project: 'hooks', stage: 'dev', service }, 'webhook/webhook.yaml', yaml);
  const context = await api.triggerSequence('hooks', 'dev', 'delivery', service, data);
  return { service, context };
}

describe('webhook-service built into shipmate server', () => {
  it('renders url, headers and payload from the event and a secret, and finishes with the responses (sendFinished: true)', async () => {
    const yaml = webhookYaml(
      subscriptionID,
      [
        '        - url: "' + receiverUrl + '/json/{{.data.project}}/{{ .data.service }}?ctx={{.shkeptncontext}}"',
        '          method: POST',
        '          headers:',
        '            - {key: Authorization, value: "Bearer {{.env.token}}"}',
        '            - {key: Content-Type, value: application/json}',
        `          payload: '{"id": "{{.id}}", "uris": {{.data.deployment.deploymentURIsPublic}}}'`,
        `        - url: "${receiverUrl}/text"`,
        '          method: GET',
      ].join('\n'),
    );
    const { service, context } = await runWith(yaml, { deployment: { deploymentURIsPublic: ['http://carts.example.com'] } });
    const finished = await webhookEvent(context, 'finished');
    await webhookEvent(context, 'started');
    const triggered = (await eventsOf(context)).find((e) => e.type === 'sh.keptn.event.notify.triggered')!;
    const call = received.find((r) => r.url.startsWith(`/json/hooks/${service}?`))!;
    expect(call).toMatchObject({ method: 'POST', url: `/json/hooks/${service}?ctx=${context}` });
    expect(call.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call.body)).toEqual({ id: triggered.id, uris: ['http://carts.example.com'] });
    expect(finished.data).toMatchObject({
      status: 'succeeded',
      result: 'pass',
      // The receiver echoed the Authorization header: the secret is masked in the .finished data.
      notify: { responses: [{ path: `/json/hooks/${service}?ctx=${context}`, authorization: 'Bearer ***' }, 'plain text'] },
    });
    expect(JSON.stringify(finished)).not.toContain('s3cr3t');
  });

  it('masks the secret (also URL-encoded) in the message of a failing request', async () => {
    const yaml = webhookYaml(subscriptionID, `        - {url: "${receiverUrl}/fail?token={{.env.token}}", method: GET}`);
    const { context } = await runWith(yaml);
    const finished = await webhookEvent(context, 'finished');
    expect(received.some((r) => r.url === `/fail?token=${TOKEN}`)).toBe(true);
    expect(finished.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(finished.data.message).toBe(`requests[0] GET ${receiverUrl}/fail?token=*** answered 500: no such token: /fail?token=***`);
    expect(JSON.stringify(finished)).not.toContain('s3cr3t');
  });

  it('leaves the task open for the called system when sendFinished is false', async () => {
    const yaml = webhookYaml(subscriptionID, `        - {url: "${receiverUrl}/json/open/{{.data.service}}", method: POST}`, {
      sendFinished: false,
      envFrom: false,
    });
    const { service, context } = await runWith(yaml);
    await webhookEvent(context, 'started');
    await waitFor('the request', async () => received.find((r) => r.url === `/json/open/${service}`));
    // The task stays open until the called system answers it.
    const state = await waitFor('sequence state', async () => api.sequenceState('hooks', context));
    expect(state.state).toBe('started');
    expect((await eventsOf(context)).some((e) => e.type === 'sh.keptn.event.notify.finished')).toBe(false);
    const triggered = (await api.openTriggered('sh.keptn.event.notify.triggered', { project: 'hooks', service })).find(
      (e) => e.shkeptncontext === context,
    );
    await api.answerTask(triggered!, { skipStarted: true, source: 'called-system' });
    await waitFor('sequence finished', async () => ((await api.sequenceState('hooks', context))?.state === 'finished' ? true : undefined));
  });

  it('sends no .started with sendStarted: false', async () => {
    const yaml = webhookYaml(subscriptionID, `        - {url: "${receiverUrl}/json/quiet", method: GET}`, {
      sendStarted: false,
      envFrom: false,
    });
    const { context } = await runWith(yaml);
    expect((await webhookEvent(context, 'finished')).data).toMatchObject({ status: 'succeeded' });
    expect((await eventsOf(context)).filter((e) => e.source === 'webhook-service').map((e) => e.type)).toEqual([
      'sh.keptn.event.notify.finished',
    ]);
  });

  it('finishes errored naming an unknown template key', async () => {
    const yaml = webhookYaml(subscriptionID, `        - {url: "${receiverUrl}/json/{{.data.nope}}", method: GET}`, { envFrom: false });
    const { context } = await runWith(yaml);
    const finished = await webhookEvent(context, 'finished');
    expect(finished.data).toMatchObject({
      status: 'errored',
      result: 'fail',
      message: "unknown template key '.data.nope' in requests[0].url",
    });
  });

  it('finishes errored naming the field and line of a bad webhook.yaml', async () => {
    const yaml = webhookYaml(subscriptionID, '        - method: POST', { envFrom: false });
    const { context } = await runWith(yaml);
    await webhookEvent(context, 'started');
    const finished = await webhookEvent(context, 'finished');
    expect(finished.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(finished.data.message).toBe(
      'webhook/webhook.yaml at service level: line 11: spec.webhooks[0].requests[0].url is missing: give the URL to call, e.g. url: https://example.com/hook',
    );
  });

  it('uses the most specific level whose file has a webhook for the subscription (service, stage, project)', async () => {
    const at = (level: string) =>
      webhookYaml(subscriptionID, `        - {url: "${receiverUrl}/json/level/${level}/{{.data.service}}", method: GET}`, {
        envFrom: false,
      });
    await api.putResource({ project: 'hooks', stage: 'dev' }, 'webhook/webhook.yaml', at('stage'));
    await api.putResource({ project: 'hooks' }, 'webhook/webhook.yaml', at('project'));
    // Service level has a matching webhook: it wins.
    const first = await runWith(at('service'));
    // Service level has only another subscription's webhook: the stage's is used.
    const second = await runWith(
      webhookYaml('other-subscription', `        - {url: "${receiverUrl}/json/never", method: GET}`, { envFrom: false }),
    );
    // No service or stage file in prod: the project's is used.
    const third = await newService();
    const thirdContext = await api.triggerSequence('hooks', 'prod', 'delivery', third);
    const responses = async (context: string) =>
      ((await webhookEvent(context, 'finished')).data.notify as { responses: Array<{ path: string }> }).responses.map((r) => r.path);
    expect(await responses(first.context)).toEqual([`/json/level/service/${first.service}`]);
    expect(await responses(second.context)).toEqual([`/json/level/stage/${second.service}`]);
    expect(await responses(thirdContext)).toEqual([`/json/level/project/${third}`]);
    expect(received.some((r) => r.url === '/json/never')).toBe(false);
  });

  it('finishes errored when no level has a webhook for the subscription', async () => {
    const service = await newService();
    const yaml = webhookYaml('other-subscription', `        - {url: "${receiverUrl}/json/never", method: GET}`, { envFrom: false });
    await api.putResource({ project: 'hooks', stage: 'prod', service }, 'webhook/webhook.yaml', yaml);
    await api.putResource({ project: 'hooks', stage: 'prod' }, 'webhook/webhook.yaml', yaml);
    await api.putResource({ project: 'hooks' }, 'webhook/webhook.yaml', yaml);
    const context = await api.triggerSequence('hooks', 'prod', 'delivery', service);
    const finished = await webhookEvent(context, 'finished');
    expect(finished.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(finished.data.message).toContain(
      `no webhook for subscription '${subscriptionID}' in webhook/webhook.yaml of project 'hooks', stage 'prod', service '${service}' (service: no webhook with that subscriptionID; stage: no webhook with that subscriptionID; project: no webhook with that subscriptionID): add a webhook with subscriptionID: ${subscriptionID}`,
    );
  });
});

describe('webhook-service without an allow list (default policy)', () => {
  it('refuses a request to 127.0.0.1 naming the rule and the allow-list entry', async () => {
    const strict = await startServerProcess();
    try {
      const client = new KeptnApiClient(strict.url, strict.token);
      await client.createProject('hooks', SHIPYARD);
      const id = await addSubscription(client);
      await client.createService('hooks', 'carts');
      const url = `${receiverUrl}/json/strict`;
      await client.putResource(
        { project: 'hooks' },
        'webhook/webhook.yaml',
        webhookYaml(id, `        - {url: "${url}", method: GET}`, { envFrom: false }),
      );
      const context = await client.triggerSequence('hooks', 'dev', 'delivery', 'carts');
      const finished = await waitFor('notify.finished', async () =>
        (await client.contextEvents('hooks', context)).find((e) => e.type === 'sh.keptn.event.notify.finished'),
      );
      expect(finished.data).toMatchObject({
        status: 'errored',
        result: 'fail',
        message: `refused ${url}: 127.0.0.1 is a loopback address; allow it with SHIPMATE_WEBHOOK_ALLOW=127.0.0.1/32`,
      });
      expect(received.some((r) => r.url === '/json/strict')).toBe(false);
    } finally {
      expect(await strict.stop()).toBe(0);
    }
  });
});
