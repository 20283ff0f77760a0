import { afterAll, describe, expect, it } from 'vitest';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { THREE_STAGE_SHIPYARD } from './shipyards.js';

const RS = '/api/resource-service/v1/project/shop/stage/dev/service/carts/resource';

interface WriteResult {
  commitID: string;
}

interface Resource {
  resourceURI: string;
  resourceContent: string;
  metadata: { version: string };
}

describe('resource API on a real server: git in the data dir', () => {
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('stores a 1 MiB chart, pins its commit in a sequence, and serves it at that commit after kill -9 and restart', async () => {
    server = await startServerProcess();
    let client = new KeptnApiClient(server.url, server.token);
    await client.createProject('shop', THREE_STAGE_SHIPYARD);
    await client.createService('shop', 'carts');

    // 1 MiB of content is ~1.4 MB of base64: far over SHIPMATE_MAX_BODY_BYTES, within the resource limit.
    const chart = Buffer.alloc(1024 * 1024, 42);
    const written = await client.request<WriteResult>('POST', RS, {
      resources: [{ resourceURI: 'helm/carts.tgz', resourceContent: chart.toString('base64') }],
    });
    expect(written.status).toBe(201);
    const commit = written.body.commitID;

    const keptnContext = await client.sendEvent({
      type: 'sh.keptn.event.dev.delivery.triggered',
      source: 'e2e',
      data: { project: 'shop', stage: 'dev', service: 'carts' },
    });
    const task = await waitFor('the deployment task', async () =>
      (await client.openTriggered('sh.keptn.event.deployment.triggered', { project: 'shop' })).find(
        (e) => e.shkeptncontext === keptnContext,
      ),
    );
    expect(task.gitcommitid).toBe(commit);

    const overwritten = await client.request<WriteResult>('PUT', `${RS}/helm%2Fcarts.tgz`, {
      resourceContent: Buffer.from('v2').toString('base64'),
    });
    expect(overwritten.status).toBe(200);

    await server.kill();
    server = await startServerProcess({ dataDir: server.dataDir, token: server.token });
    client = new KeptnApiClient(server.url, server.token);

    const atPin = await client.request<Resource>('GET', `${RS}/helm%2Fcarts.tgz?gitCommitID=${commit}`);
    expect(atPin.status).toBe(200);
    expect(Buffer.from(atPin.body.resourceContent, 'base64').equals(chart)).toBe(true);
    const tip = await client.request<Resource>('GET', `${RS}/helm%2Fcarts.tgz`);
    expect([Buffer.from(tip.body.resourceContent, 'base64').toString(), tip.body.metadata.version]).toEqual([
      'v2',
      overwritten.body.commitID,
    ]);
  });

  it('answers 413 naming SHIPMATE_MAX_RESOURCE_BYTES for a file over the configured limit', async () => {
    await server?.stop();
    server = await startServerProcess({ env: { SHIPMATE_MAX_RESOURCE_BYTES: '2048' } });
    const client = new KeptnApiClient(server.url, server.token);
    await client.createProject('shop', THREE_STAGE_SHIPYARD);
    await client.createService('shop', 'carts');
    const reply = await client.request<{ message: string; errorCode: string }>('PUT', `${RS}/big.bin`, {
      resourceContent: Buffer.alloc(2049).toString('base64'),
    });
    expect(reply.status).toBe(413);
    expect(reply.body.errorCode).toBe('ERR_RESOURCE_TOO_LARGE');
    expect(reply.body.message).toMatch(/SHIPMATE_MAX_RESOURCE_BYTES/);
  });
});
