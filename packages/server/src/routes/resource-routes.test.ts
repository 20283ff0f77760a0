import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { TEST_TOKEN, base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { triggerSequence } from '../test-support/sequence-events.js';

const CP = '/api/controlPlane/v1';
const RS = '/api/resource-service/v1';

const shipyard = (name: string, devTasks: string[]) => `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: ${name}
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
${devTasks.map((task) => `            - name: ${task}`).join('\n')}
    - name: prod
      sequences:
        - name: delivery
          tasks:
            - name: release
`;
const V1 = shipyard('v1', ['deployment', 'test']);
const V2 = shipyard('v2', ['deployment', 'evaluation']);

interface WriteResult {
  commitID: string;
  metadata: { upstreamURL: string; version: string };
}

let api: InProcessServer;

function git(...args: string[]): string {
  return execFileSync('git', ['--git-dir', join(api.dir, 'git', 'shop.git'), ...args], { encoding: 'utf8' }).trim();
}

async function openTask(task: string, keptnContext: string): Promise<KeptnEvent | undefined> {
  await api.server.processor.idle();
  const reply = await api.call<{ events: KeptnEvent[] }>('GET', `${CP}/event/triggered/sh.keptn.event.${task}.triggered?project=shop`);
  return reply.body.events.find((e) => e.shkeptncontext === keptnContext);
}

async function finish(task: KeptnEvent): Promise<void> {
  const name = task.type.split('.')[3];
  const scope = { project: task.data.project, stage: task.data.stage, service: task.data.service };
  const reply = await api.call('POST', '/api/v1/event', {
    type: `sh.keptn.event.${name}.finished`,
    source: 'executor',
    shkeptncontext: task.shkeptncontext,
    triggeredid: task.id,
    data: { ...scope, result: 'pass', status: 'succeeded' },
  });
  expect(reply.status).toBe(200);
}

const trigger = () => triggerSequence(api, { project: 'shop', stage: 'dev', service: 'carts' });

beforeAll(async () => {
  api = await startInProcessServer();
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(V1) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
});

afterAll(async () => {
  await api.close();
});

describe('project lifecycle in git', () => {
  it('creates the repository with master and a branch per stage, and a service folder on each stage', () => {
    expect(git('for-each-ref', '--format=%(refname:short)', 'refs/heads/').split('\n').sort()).toEqual(['dev', 'master', 'prod']);
    expect(git('ls-tree', '-r', '--name-only', 'master').split('\n')).toEqual(['metadata.yaml', 'shipyard.yaml']);
    for (const stage of ['dev', 'prod'])
      expect(git('ls-tree', '-r', '--name-only', stage).split('\n')).toEqual(['carts/metadata.yaml', 'metadata.yaml', 'shipyard.yaml']);
    expect(git('show', 'dev:carts/metadata.yaml')).toMatch(/^servicename: carts\ncreationtimestamp: /);
    expect(git('show', 'master:metadata.yaml')).toMatch(/^projectName: shop\ncreationTimestamp: .*\nisUsingDirectoryStructure: false$/);
  });

  it('removes the service folder with the service and the repository with the project', async () => {
    expect((await api.call('POST', `${CP}/project`, { name: 'temp', shipyard: base64(V1) })).status).toBe(201);
    expect((await api.call('POST', `${CP}/project/temp/service`, { serviceName: 'orders' })).status).toBe(200);
    expect((await api.call('GET', `${RS}/project/temp/stage/prod/service/orders/resource`)).status).toBe(200);
    expect((await api.call('DELETE', `${CP}/project/temp/service/orders`)).status).toBe(200);
    const gone = await api.call('GET', `${RS}/project/temp/stage/prod/service/orders/resource`);
    expect([gone.status, gone.body.errorCode]).toEqual([404, 'ERR_SERVICE_NOT_FOUND']);
    expect((await api.call('DELETE', `${CP}/project/temp`)).status).toBe(200);
    expect(existsSync(join(api.dir, 'git', 'temp.git'))).toBe(false);
    const project = await api.call('GET', `${RS}/project/temp/resource`);
    expect([project.status, project.body.errorCode]).toEqual([404, 'ERR_PROJECT_NOT_FOUND']);
  });
});

describe('resource API', () => {
  const service = `${RS}/project/shop/stage/dev/service/carts/resource`;

  it('creates nested resources (201) and reads one back by its URL-encoded URI with metadata.version', async () => {
    const created = await api.call<WriteResult>('POST', service, {
      resources: [
        { resourceURI: 'helm/carts.tgz', resourceContent: base64('chart bytes') },
        { resourceURI: 'slo.yaml', resourceContent: base64('spec_version: "1.0"') },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      commitID: expect.stringMatching(/^[0-9a-f]{40}$/),
      metadata: { upstreamURL: '', version: created.body.commitID },
    });
    expect(git('rev-parse', 'dev')).toBe(created.body.commitID);
    const read = await api.call('GET', `${service}/helm%2Fcarts.tgz`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      resourceURI: 'helm/carts.tgz',
      resourceContent: base64('chart bytes'),
      metadata: { upstreamURL: '', version: created.body.commitID },
    });
    // The Bridge double-encodes the slash; Keptn decodes once more, so does Shipmate.
    expect((await api.call('GET', `${service}/helm%252Fcarts.tgz`)).body.resourceContent).toBe(base64('chart bytes'));
  });

  it('lists a level recursively, without content, paginated as the rest of the API', async () => {
    const first = await api.call('GET', `${service}?pageSize=2`);
    expect(first.status).toBe(200);
    const tip = git('rev-parse', 'dev');
    expect(first.body).toEqual({
      resources: [
        { resourceURI: 'helm/carts.tgz', metadata: { upstreamURL: '', version: tip } },
        { resourceURI: 'metadata.yaml', metadata: { upstreamURL: '', version: tip } },
      ],
      nextPageKey: '2',
      totalCount: 3,
    });
    const second = await api.call<{ resources: Array<{ resourceURI: string }>; nextPageKey: string }>(
      'GET',
      `${service}?pageSize=2&nextPageKey=2`,
    );
    expect(second.body.resources.map((r) => r.resourceURI)).toEqual(['slo.yaml']);
    expect(second.body.nextPageKey).toBe('0');
    const stage = await api.call<{ resources: Array<{ resourceURI: string }> }>('GET', `${RS}/project/shop/stage/dev/resource`);
    expect(stage.body.resources.map((r) => r.resourceURI)).toEqual([
      'carts/helm/carts.tgz',
      'carts/metadata.yaml',
      'carts/slo.yaml',
      'metadata.yaml',
      'shipyard.yaml',
    ]);
  });

  it('updates one resource (PUT, 200), deletes it, and still reads the older content at its commit', async () => {
    const stage = `${RS}/project/shop/stage/prod/resource`;
    const one = await api.call<WriteResult>('PUT', `${stage}/webhook%2Fwebhook.yaml`, { resourceContent: base64('one') });
    expect(one.status).toBe(200);
    const two = await api.call<WriteResult>('PUT', stage, {
      resources: [{ resourceURI: 'webhook/webhook.yaml', resourceContent: base64('two') }],
    });
    expect(two.status).toBe(200);
    expect((await api.call('GET', `${stage}/webhook%2Fwebhook.yaml`)).body.resourceContent).toBe(base64('two'));
    const old = await api.call('GET', `${stage}/webhook%2Fwebhook.yaml?gitCommitID=${one.body.commitID}`);
    expect(old.body).toMatchObject({ resourceContent: base64('one'), metadata: { version: one.body.commitID } });
    const deleted = await api.call<WriteResult>('DELETE', `${stage}/webhook%2Fwebhook.yaml`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.commitID).toBe(git('rev-parse', 'prod'));
    const missing = await api.call('GET', `${stage}/webhook%2Fwebhook.yaml`);
    expect([missing.status, missing.body.errorCode]).toEqual([404, 'ERR_RESOURCE_NOT_FOUND']);
    expect((await api.call('GET', `${stage}/webhook%2Fwebhook.yaml?gitCommitID=${two.body.commitID}`)).body.resourceContent).toBe(
      base64('two'),
    );
    expect(git('log', '--format=%an <%ae> %s', '-3', 'prod').split('\n')).toEqual([
      'keptn <keptn@keptn.sh> Deleted resources',
      'keptn <keptn@keptn.sh> Updated resource',
      'keptn <keptn@keptn.sh> Updated resource',
    ]);
  });

  it('keeps every update of concurrent writes to one project on a linear history', async () => {
    const stage = `${RS}/project/shop/stage/dev/resource`;
    const before = Number(git('rev-list', '--count', 'dev'));
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.call<WriteResult>('PUT', `${stage}/parallel%2Ff${i}.txt`, { resourceContent: base64(String(i)) }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(Number(git('rev-list', '--count', 'dev'))).toBe(before + 10);
    expect(git('rev-list', '--min-parents=2', 'dev')).toBe('');
    expect(git('ls-tree', '-r', '--name-only', 'dev', '--', 'parallel/').split('\n')).toHaveLength(10);
    expect(new Set(replies.map((r) => r.body.commitID)).size).toBe(10);
  });
});

describe('large resources', () => {
  const prod = `${RS}/project/shop/stage/prod/service/carts/resource`;

  it('reads a file of several chunks back whole, as JSON with its exact Content-Length, by GET and over a socket', async () => {
    const chart = randomBytes(300 * 1024 + 1);
    expect((await api.call('PUT', `${prod}/big%2Fchart.tgz`, { resourceContent: chart.toString('base64') })).status).toBe(200);
    const read = await api.call<{ resourceURI: string; resourceContent: string; metadata: { version: string } }>(
      'GET',
      `${prod}/big%2Fchart.tgz`,
    );
    expect(read.status).toBe(200);
    expect(read.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Buffer.from(read.body.resourceContent, 'base64').equals(chart)).toBe(true);
    expect(read.body).toEqual({
      resourceURI: 'big/chart.tgz',
      resourceContent: expect.any(String),
      metadata: { upstreamURL: '', version: git('rev-parse', 'prod') },
    });
    const head = await api.call('HEAD', `${prod}/big%2Fchart.tgz`);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(read.headers['content-length']);

    // A real socket: the declared length must be what is sent, or the client waits or cuts the body.
    const url = await api.server.app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}${prod}/big%2Fchart.tgz`, { headers: { 'x-token': TEST_TOKEN } });
    const body = await response.text();
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    expect(JSON.parse(body)).toEqual(read.body);
  });
  it('writes and reads a file of the default limit, 10 MiB (from about 3 MiB on, the base64 check overflowed the stack: 500)', async () => {
    const image = randomBytes(10 * 1024 * 1024);
    const written = await api.call<WriteResult>('POST', prod, {
      resources: [{ resourceURI: 'big/image.tar', resourceContent: image.toString('base64') }],
    });
    expect(written.status).toBe(201);
    const read = await api.call<{ resourceContent: string }>('GET', `${prod}/big%2Fimage.tar`);
    expect(read.status).toBe(200);
    expect(Buffer.from(read.body.resourceContent, 'base64').equals(image)).toBe(true);
    const over = await api.call('PUT', `${prod}/big%2Fimage.tar`, {
      resourceContent: Buffer.alloc(10 * 1024 * 1024 + 1).toString('base64'),
    });
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({ errorCode: 'ERR_RESOURCE_TOO_LARGE' });
  });
});

describe('shipyard and pinned commits', () => {
  it('keeps a running sequence on its pinned commit after the shipyard changes; new sequences use the new one', async () => {
    const oldContext = await trigger();
    const firstTask = await openTask('deployment', oldContext);
    const pinned = firstTask!.gitcommitid!;
    expect(pinned).toBe(git('rev-parse', 'dev'));

    expect((await api.call('PUT', `${CP}/project`, { name: 'shop', shipyard: base64(V2) })).status).toBe(201);
    // PUT /project commits the shipyard to master and every stage branch.
    for (const branch of ['master', 'dev', 'prod']) expect(git('show', `${branch}:shipyard.yaml`)).toBe(V2.trim());
    const project = await api.call('GET', `${CP}/project/shop`);
    expect(project.body.shipyard).toBe(V2);

    await finish(firstTask!);
    const next = await openTask('test', oldContext);
    expect(next?.gitcommitid).toBe(pinned);
    expect(await openTask('evaluation', oldContext)).toBeUndefined();
    // The shipyard at the pinned commit is still the old one.
    const atPin = await api.call('GET', `${RS}/project/shop/stage/dev/resource/shipyard.yaml?gitCommitID=${pinned}`);
    expect(Buffer.from(String(atPin.body.resourceContent), 'base64').toString()).toBe(V1);
    await finish(next!);

    const newContext = await trigger();
    const newTask = await openTask('deployment', newContext);
    expect(newTask?.gitcommitid).toBe(git('rev-parse', 'dev'));
    await finish(newTask!);
    const evaluation = await openTask('evaluation', newContext);
    expect(evaluation).toBeDefined();
    await finish(evaluation!); // frees the dev/carts queue for the next test
  });

  it('sees a shipyard.yaml written through the resource API at the project level in new sequences and in the project', async () => {
    const v3 = shipyard('v3', ['deployment', 'approval']);
    const written = await api.call<WriteResult>('PUT', `${RS}/project/shop/resource/shipyard.yaml`, { resourceContent: base64(v3) });
    expect(written.status).toBe(200);
    expect(written.body.commitID).toBe(git('rev-parse', 'master'));
    expect(git('show', 'prod:shipyard.yaml')).toBe(v3.trim());
    expect((await api.call('GET', `${CP}/project/shop`)).body.shipyard).toBe(v3);
    const context = await trigger();
    const task = await openTask('deployment', context);
    await finish(task!);
    expect(await openTask('approval', context)).toBeDefined();
  });

  it('refuses a project-level shipyard.yaml that is not a valid shipyard or changes the stages', async () => {
    const invalid = await api.call('PUT', `${RS}/project/shop/resource/shipyard.yaml`, { resourceContent: base64('kind: [') });
    expect([invalid.status, invalid.body.errorCode]).toEqual([400, 'ERR_INVALID_SHIPYARD']);
    const stages = await api.call('POST', `${RS}/project/shop/resource`, {
      resources: [{ resourceURI: 'shipyard.yaml', resourceContent: base64(V1.replace('name: prod', 'name: live')) }],
    });
    expect([stages.status, stages.body.errorCode]).toEqual([400, 'ERR_STAGES_CHANGED']);
    const remove = await api.call('DELETE', `${RS}/project/shop/resource/shipyard.yaml`);
    expect(remove.status).toBe(400);
  });
});
