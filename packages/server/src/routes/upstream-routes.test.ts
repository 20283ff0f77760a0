import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent, UpstreamStatus } from '@shipmate/core';
import { GitUpstream, LOCAL_TEST_UPSTREAMS, personGit, shipyardYaml, waitFor } from '@shipmate/testing';
import { base64 } from '../test-support/in-process-server.js';
import { startMirroredServer } from '../test-support/mirrored-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { triggerSequence } from '../test-support/sequence-events.js';

const CP = '/api/controlPlane/v1';
const RS = '/api/resource-service/v1';
const SHIPYARD = shipyardYaml({ dev: ['deployment'] }, { name: 'mirrored' });

let api: InProcessServer;
let upstream: GitUpstream;
const deniedPattern = /^https:\/\/forbidden\.example\.com\//;

beforeAll(async () => {
  ({ api, upstream } = await startMirroredServer({
    hosts: LOCAL_TEST_UPSTREAMS,
    server: { remoteUrlDenylist: [deniedPattern] },
  }));
});

afterAll(async () => {
  await api.close();
  upstream.cleanup();
});

async function createProject(name: string, gitCredentials?: unknown): Promise<void> {
  const reply = await api.call('POST', `${CP}/project`, {
    name,
    shipyard: base64(SHIPYARD),
    ...(gitCredentials ? { gitCredentials } : {}),
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  expect((await api.call('POST', `${CP}/project/${name}/service`, { serviceName: 'carts' })).status).toBe(200);
}

async function statusOf(project: string): Promise<UpstreamStatus> {
  const reply = await api.call<UpstreamStatus>('GET', `${CP}/project/${project}/upstream`);
  expect(reply.status).toBe(200);
  return reply.body;
}

async function firstTaskCommit(project: string): Promise<string | undefined> {
  const keptnContext = await triggerSequence(api, { project, stage: 'dev', service: 'carts' });
  const tasks = await api.call<{ events: KeptnEvent[] }>(
    'GET',
    `${CP}/event/triggered/sh.keptn.event.deployment.triggered?project=${project}`,
  );
  return tasks.body.events.find((e) => e.shkeptncontext === keptnContext)?.gitcommitid;
}

describe('project upstream through the API', () => {
  it('mirrors a project created with gitCredentials, shows the sync status and never returns the token', async () => {
    await createProject('shop', { remoteURL: upstream.url, user: 'bot', https: { token: 'tok-123456' } });
    await waitFor('synced', async () => ((await statusOf('shop')).state === 'synced' && upstream.upstreamTip('dev') ? true : undefined));
    const project = await api.call<Record<string, unknown>>('GET', `${CP}/project/shop`);
    expect(project.body.gitCredentials).toEqual({ remoteURL: upstream.url, user: 'bot', https: { insecureSkipTLS: false } });
    expect(JSON.stringify(project.body)).not.toContain('tok-123456');
    expect(project.body.upstreamStatus).toMatchObject({ remoteURL: upstream.url, state: 'synced', unpushedCommits: 0, lastError: null });
    const resource = await api.call<{ metadata: { upstreamURL: string } }>('GET', `${RS}/project/shop/stage/dev/resource/shipyard.yaml`);
    expect(resource.body.metadata.upstreamURL).toBe(upstream.url);
  });

  it('pins a commit made in the upstream by someone else when a sequence starts', async () => {
    const theirs = upstream.commitInUpstream('dev', { 'carts/helm/values.yaml': 'image: carts:0.2\n' });
    expect(await firstTaskCommit('shop')).toBe(theirs);
    const read = await api.call<{ resourceContent: string }>(
      'GET',
      `${RS}/project/shop/stage/dev/service/carts/resource/helm%2Fvalues.yaml`,
    );
    expect(Buffer.from(read.body.resourceContent, 'base64').toString()).toBe('image: carts:0.2\n');
  });

  it('pushes resource writes to the upstream after answering', async () => {
    const write = await api.call<{ commitID: string }>('PUT', `${RS}/project/shop/stage/dev/service/carts/resource`, {
      resources: [{ resourceURI: 'slo.yaml', resourceContent: base64('objectives: []\n') }],
    });
    expect(write.status).toBe(200);
    await waitFor('pushed', async () => (upstream.upstreamTip('dev') === write.body.commitID ? true : undefined));
  });

  it('keeps sequences and writes running with an unreachable upstream and shows the error', async () => {
    await createProject('offline', { remoteURL: `file://${join(upstream.root, 'gone.git')}` });
    const failing = await waitFor('failing', async () => {
      const status = await statusOf('offline');
      return status.state === 'failing' ? status : undefined;
    });
    expect(failing.lastError?.message).toMatch(/gone\.git/);
    expect(failing.nextAttempt).not.toBeNull();
    expect(await firstTaskCommit('offline')).toMatch(/^[0-9a-f]{40}$/);
    const write = await api.call('PUT', `${RS}/project/offline/stage/dev/service/carts/resource`, {
      resources: [{ resourceURI: 'a.yaml', resourceContent: base64('a\n') }],
    });
    expect(write.status).toBe(200);
    expect((await statusOf('offline')).unpushedCommits).toBeGreaterThan(0);
  });

  it('moves a project to new credentials given with PUT /project', async () => {
    const moved = new GitUpstream();
    try {
      const reply = await api.call('PUT', `${CP}/project`, { name: 'offline', gitCredentials: { remoteURL: moved.url } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      const synced = await waitFor('synced to the new upstream', async () => {
        const status = await statusOf('offline');
        return status.state === 'synced' && moved.upstreamTip('dev') ? status : undefined;
      });
      expect(synced).toMatchObject({ remoteURL: moved.url, lastError: null });
      expect(personGit(['--git-dir', moved.upstreamDir, 'log', '--format=%s', 'dev'])).toContain('Updated resource');
    } finally {
      moved.cleanup();
    }
  });

  it('answers 404 for the status of a project without upstream and of an unknown project', async () => {
    await createProject('local');
    const none = await api.call('GET', `${CP}/project/local/upstream`);
    expect(none).toMatchObject({ status: 404, body: { errorCode: 'ERR_UPSTREAM_NOT_FOUND' } });
    expect(String(none.body.message)).toContain('gitCredentials.remoteURL');
    expect((await api.call<Record<string, unknown>>('GET', `${CP}/project/local`)).body.upstreamStatus).toBeUndefined();
    expect((await api.call('GET', `${CP}/project/nope/upstream`)).body).toMatchObject({ errorCode: 'ERR_PROJECT_NOT_FOUND' });
  });
});

describe('bad gitCredentials', () => {
  it('refuses a remote URL on the deny list with 422 and creates nothing', async () => {
    const reply = await api.call('POST', `${CP}/project`, {
      name: 'denied',
      shipyard: base64(SHIPYARD),
      gitCredentials: { remoteURL: 'https://forbidden.example.com/x.git' },
    });
    expect(reply).toMatchObject({ status: 422, body: { errorCode: 'ERR_REMOTE_URL_DENIED' } });
    expect(String(reply.body.message)).toContain('Invalid RemoteURL: https://forbidden.example.com/x.git');
    expect((await api.call('GET', `${CP}/project/denied`)).status).toBe(404);
    const put = await api.call('PUT', `${CP}/project`, {
      name: 'shop',
      gitCredentials: { remoteURL: 'https://forbidden.example.com/y.git' },
    });
    expect(put.status).toBe(422);
    expect((await statusOf('shop')).remoteURL).toBe(upstream.url);
  });

  it.each([
    [{ remoteURL: 'ftp://host/x.git' }, 'gitCredentials.remoteURL'],
    [{ remoteURL: 'https://h/x.git', https: { certificate: 'not base64!' } }, 'gitCredentials.https.certificate'],
    [{ remoteURL: 'ssh://h/x.git', ssh: { privateKey: '***' } }, 'gitCredentials.ssh.privateKey'],
    [{ remoteURL: 'https://h/x.git', https: {}, ssh: {} }, 'mutually exclusive'],
    [{ remoteURL: 'https://h/x.git', password: 'x' }, 'gitCredentials.password'],
  ])('400 for %j naming %s', async (gitCredentials, named) => {
    const reply = await api.call('POST', `${CP}/project`, { name: 'bad', shipyard: base64(SHIPYARD), gitCredentials });
    expect(reply.status).toBe(400);
    expect(String(reply.body.message)).toContain(named);
  });
});
