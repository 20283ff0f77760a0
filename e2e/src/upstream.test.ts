import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GitUpstream,
  KeptnApiClient,
  LOCAL_TEST_UPSTREAM_ENV,
  personGitAsync,
  startGitHttpServer,
  startServerProcess,
  waitFor,
} from '@shipmate/testing';
import type { GitHttpServer, ServerProcess } from '@shipmate/testing';
import { THREE_STAGE_SHIPYARD } from './shipyards.js';

const TOKEN = 'e2e-git-token-0123';
const RS = '/api/resource-service/v1/project/shop/stage/dev/service/carts/resource';

interface UpstreamStatus {
  state: string;
  unpushedCommits: number;
  lastError: { operation: string; message: string } | null;
}
interface Resource {
  resourceContent: string;
  metadata: { version: string; upstreamURL: string };
}

const text = (resource: Resource) => Buffer.from(resource.resourceContent, 'base64').toString('utf8');

describe('project configuration mirrored to an HTTP upstream (git http-backend, token auth)', () => {
  const upstream = new GitUpstream();
  let gitServer: GitHttpServer | undefined;
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    await gitServer?.close();
    upstream.cleanup();
  });

  it('pushes, pulls what a person pushed, keeps sequences running while the upstream is down, and catches up', async () => {
    gitServer = await startGitHttpServer({ root: upstream.root, user: 'bot', token: TOKEN });
    const port = Number(new URL(gitServer.baseUrl).port);
    const remoteURL = `${gitServer.baseUrl}/upstream.git`;
    server = await startServerProcess({ env: { ...LOCAL_TEST_UPSTREAM_ENV, SHIPMATE_UPSTREAM_RETRY_MAX: '1s' } });
    const client = new KeptnApiClient(server.url, server.token);
    const status = async () => (await client.request<UpstreamStatus>('GET', '/api/controlPlane/v1/project/shop/upstream')).body;

    const created = await client.request('POST', '/api/controlPlane/v1/project', {
      name: 'shop',
      shipyard: Buffer.from(THREE_STAGE_SHIPYARD).toString('base64'),
      gitCredentials: { remoteURL, user: 'bot', https: { token: TOKEN } },
    });
    expect(created.status).toBe(201);
    await client.createService('shop', 'carts');
    await waitFor('synced', async () => ((await status()).state === 'synced' && upstream.upstreamTip('dev') ? true : undefined));

    // A person pushes a chart values file over HTTP; the API serves it at the next read.
    const clone = join(upstream.root, 'person');
    await personGitAsync(['clone', '--quiet', '--branch', 'dev', remoteURL.replace('http://', `http://bot:${TOKEN}@`), clone]);
    await mkdir(join(clone, 'carts', 'helm'), { recursive: true });
    await writeFile(join(clone, 'carts', 'helm', 'values.yaml'), 'image: carts:0.1\n');
    await personGitAsync(['-C', clone, 'add', '-A']);
    await personGitAsync(['-C', clone, 'commit', '--quiet', '-m', 'values by a person']);
    await personGitAsync(['-C', clone, 'push', '--quiet', 'origin', 'dev']);
    const theirs = await personGitAsync(['-C', clone, 'rev-parse', 'HEAD']);
    const pulled = await client.request<Resource>('GET', `${RS}/helm%2Fvalues.yaml`);
    expect(pulled.status).toBe(200);
    expect(text(pulled.body)).toBe('image: carts:0.1\n');
    expect(pulled.body.metadata).toEqual({ version: theirs, upstreamURL: remoteURL });

    // Shipmate's write on top; the older commit still reads the older content.
    const written = await client.request<{ commitID: string }>('PUT', `${RS}/helm%2Fvalues.yaml`, {
      resourceContent: Buffer.from('image: carts:0.2\n').toString('base64'),
    });
    expect(written.status).toBe(200);
    expect(text((await client.request<Resource>('GET', `${RS}/helm%2Fvalues.yaml?gitCommitID=${theirs}`)).body)).toBe('image: carts:0.1\n');
    await waitFor('write pushed', async () => (upstream.upstreamTip('dev') === written.body.commitID ? true : undefined));

    // The upstream goes away: writes and sequences go on, the status says what is wrong.
    await gitServer.close();
    const offlineWrite = await client.request<{ commitID: string }>('PUT', `${RS}/helm%2Fvalues.yaml`, {
      resourceContent: Buffer.from('image: carts:0.3\n').toString('base64'),
    });
    expect(offlineWrite.status).toBe(200);
    // A push under way when the server closed fails with a transfer error first ("RPC failed; curl 18");
    // the retry a second later meets the closed port, and the status names that.
    const unreachable = /Failed to connect|Connection refused|Could not connect/i;
    const failing = await waitFor('failing with the upstream unreachable', async () => {
      const current = await status();
      return current.state === 'failing' && unreachable.test(current.lastError?.message ?? '') ? current : undefined;
    });
    expect(failing.lastError?.message).toMatch(unreachable);
    expect(failing.unpushedCommits).toBeGreaterThan(0);
    const keptnContext = await client.sendEvent({
      type: 'sh.keptn.event.dev.delivery.triggered',
      source: 'e2e',
      data: { project: 'shop', stage: 'dev', service: 'carts' },
    });
    const task = await waitFor('deployment task while the upstream is down', async () =>
      (await client.openTriggered('sh.keptn.event.deployment.triggered', { project: 'shop' })).find(
        (e) => e.shkeptncontext === keptnContext,
      ),
    );
    expect(task.gitcommitid).toBe(offlineWrite.body.commitID);

    // Back up on the same port: the retry pushes what was written meanwhile.
    gitServer = await startGitHttpServer({ root: upstream.root, user: 'bot', token: TOKEN, port });
    await waitFor('caught up', async () => ((await status()).state === 'synced' ? true : undefined), 20_000);
    expect(upstream.upstreamTip('dev')).toBe(offlineWrite.body.commitID);
  });
});
