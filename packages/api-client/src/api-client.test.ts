/**
 * The typed client against a real control plane listening on loopback (in-process, SQLite in a
 * temp dir): the calls an agent, the CLI and the web UI make, with the answers' shapes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitResourceStore } from '@shipmate/config-git';
import { createControlPlaneServer, hashToken } from '@shipmate/server';
import type { ControlPlaneServer } from '@shipmate/server';
import { createSqliteStore } from '@shipmate/store-sqlite';
import type { SqliteControlPlaneStore } from '@shipmate/store-sqlite';
import { shipyardYaml, waitFor } from '@shipmate/testing';
import { createApiClient } from './api-client.js';
import type { ApiClient } from './api-client.js';
import { ApiError } from './api-error.js';

const TOKEN = 'api-client-test-token';
const SHIPYARD = shipyardYaml({ dev: ['deployment', 'approval'] }, { name: 'client' });

let dir: string;
let store: SqliteControlPlaneStore;
let server: ControlPlaneServer;
let client: ApiClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shipmate-api-client-'));
  store = createSqliteStore({ path: join(dir, 'store.db') });
  server = await createControlPlaneServer({
    store,
    resources: createGitResourceStore({ rootDir: join(dir, 'git') }),
    apiTokenSha256: hashToken(TOKEN),
    version: '9.9.9',
  });
  const url = await server.listen('127.0.0.1', 0);
  client = createApiClient({ baseUrl: `${url}/api`, token: TOKEN, retryBaseDelayMs: 10 });
  await client.createProject({ name: 'shop', shipyard: Buffer.from(SHIPYARD).toString('base64') });
  await client.createService('shop', 'cart');
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('reads', () => {
  it('checks the token and reads the metadata', async () => {
    await expect(client.checkToken()).resolves.toBeUndefined();
    expect(await client.metadata()).toMatchObject({ shipmateversion: '9.9.9', automaticprovisioning: false });
  });

  it('lists projects, stages and services', async () => {
    const projects = await client.projects();
    expect(projects.projects.map((project) => project.projectName)).toEqual(['shop']);
    expect(projects.totalCount).toBe(1);
    expect((await client.project('shop')).stages.map((stage) => stage.stageName)).toEqual(['dev']);
    expect((await client.stages('shop')).stages.map((stage) => stage.stageName)).toEqual(['dev']);
    expect((await client.stage('shop', 'dev')).services.map((service) => service.serviceName)).toEqual(['cart']);
    expect((await client.services('shop', 'dev', { pageSize: '10' })).services.map((service) => service.serviceName)).toEqual(['cart']);
    expect(await client.service('shop', 'dev', 'cart')).toMatchObject({ serviceName: 'cart', lastEventTypes: {} });
  });

  it("answers a wrong token with an ApiError carrying Keptn's code and Shipmate's errorCode", async () => {
    const stranger = createApiClient({ baseUrl: client.options.baseUrl, token: 'wrong' });
    const error = await stranger.projects().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 401, transient: false });
    expect((error as ApiError).errorCode).toMatch(/^ERR_/);
  });

  it('answers an unknown project with ERR_PROJECT_NOT_FOUND', async () => {
    await expect(client.project('nope')).rejects.toMatchObject({ status: 404, code: 404, errorCode: 'ERR_PROJECT_NOT_FOUND' });
  });

  it('reads the secrets, the scopes and the logs', async () => {
    expect(await client.secrets()).toEqual({ Secrets: [] });
    expect((await client.secretScopes()).scopes).toContain('keptn-default');
    await client.sendLogs([{ integrationid: 'someone', message: 'it broke' }]);
    const logs = await client.logs({ integrationId: 'someone' });
    expect(logs.logs?.map((entry) => entry.message)).toEqual(['it broke']);
    await client.deleteLogs({ integrationId: 'someone' });
    expect((await client.logs({ integrationId: 'someone' })).logs).toEqual([]);
  });
});

describe('resources', () => {
  const service = { project: 'shop', stage: 'dev', service: 'cart' };
  const text = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');

  it('writes, lists, reads and deletes files on the project and service levels', async () => {
    const written = await client.putResource(service, 'deployment/process.yaml', Buffer.from('command: [x]\n').toString('base64'));
    expect(written.commitID).toMatch(/^[0-9a-f]{40}$/);
    await client.putResources(
      { project: 'shop' },
      { resources: [{ resourceURI: 'prometheus/sli.yaml', resourceContent: Buffer.from('indicators: {}\n').toString('base64') }] },
    );

    const listed = await client.resources(service, { pageSize: '50' });
    expect(listed.resources?.map((resource) => resource.resourceURI)).toContain('deployment/process.yaml');
    const read = await client.resource(service, 'deployment/process.yaml');
    expect(text(read.resourceContent)).toBe('command: [x]\n');
    expect(text((await client.resource({ project: 'shop' }, 'prometheus/sli.yaml')).resourceContent)).toBe('indicators: {}\n');
    const atFirstCommit = await client.resource(service, 'deployment/process.yaml', { gitCommitID: written.commitID ?? '' });
    expect(text(atFirstCommit.resourceContent)).toBe('command: [x]\n');

    await client.deleteResource(service, 'deployment/process.yaml');
    await expect(client.resource(service, 'deployment/process.yaml')).rejects.toMatchObject({ status: 404 });
  });
});

describe('an agent and a sequence', () => {
  it('registers, long-polls a task, answers it, waits for an approval and declines it', async () => {
    const registration = await client.register({
      name: 'client-deployer',
      metadata: {
        hostname: 'test',
        integrationversion: '1',
        distributorversion: '1',
        location: 'test',
        kubernetesmetadata: { namespace: 'test', podname: 'pod-1', deploymentname: 'client-deployer' },
        shipmate: { filters: { projects: [], stages: [], services: [] } },
      },
      subscriptions: [{ event: 'sh.keptn.event.deployment.triggered', filter: { projects: ['shop'], stages: [], services: [] } }],
    });
    expect(registration.id).toEqual(expect.any(String));
    expect(registration.instanceId).toEqual(expect.any(String));
    const integrationId = registration.id ?? '';
    const instanceId = registration.instanceId ?? '';
    expect((await client.ping(integrationId, instanceId)).name).toBe('client-deployer');
    expect((await client.integrations({ name: 'client-deployer' })).map((integration) => integration.id)).toEqual([integrationId]);
    expect((await client.subscriptions(integrationId)).map((subscription) => subscription.event)).toEqual([
      'sh.keptn.event.deployment.triggered',
    ]);

    const accepted = await client.sendEvent({
      type: 'sh.keptn.event.dev.delivery.triggered',
      source: 'api-client-test',
      specversion: '1.0',
      data: { project: 'shop', stage: 'dev', service: 'cart', configurationChange: { values: { image: 'cart:1' } } },
    });
    expect(accepted.keptnContext).toEqual(expect.any(String));

    const batch = await client.pollTasks(integrationId, instanceId, { waitMs: 10_000 });
    expect(batch.aborted).toEqual([]);
    const [task] = batch.events;
    expect(task?.type).toBe('sh.keptn.event.deployment.triggered');
    expect(task?.shkeptncontext).toBe(accepted.keptnContext);
    expect(task?.data.service).toBe('cart');
    const open = await client.triggeredEvents('sh.keptn.event.deployment.triggered', { project: 'shop' });
    expect(open.events.map((event) => event.id)).toEqual([task?.id]);

    const answer = { source: 'client-deployer', specversion: '1.0', shkeptncontext: accepted.keptnContext, triggeredid: task?.id };
    await client.sendEvent({
      ...answer,
      type: 'sh.keptn.event.deployment.started',
      data: { project: 'shop', stage: 'dev', service: 'cart' },
    });
    await client.sendEvent({
      ...answer,
      type: 'sh.keptn.event.deployment.finished',
      data: { project: 'shop', stage: 'dev', service: 'cart', result: 'pass', status: 'succeeded' },
    });
    const finished = await client.finishedEvent(task?.id ?? '', { waitMs: 5_000, keptnContext: accepted.keptnContext });
    expect(finished.event?.type).toBe('sh.keptn.event.deployment.finished');

    const approvals = await waitFor('the approval task', async () => {
      const list = await client.approvals('shop');
      return list.approvals?.length ? list.approvals : undefined;
    });
    expect(approvals[0]).toMatchObject({ keptnContext: accepted.keptnContext, stage: 'dev', service: 'cart' });
    await client.decideApproval('shop', approvals[0]?.triggeredId ?? '', { decision: 'decline', message: 'not today' });

    const state = await waitFor('the sequence to finish', async () => {
      const states = await client.sequences('shop', { keptnContext: accepted.keptnContext });
      const found = states.states[0];
      return found?.state === 'finished' ? found : undefined;
    });
    expect(state.name).toBe('delivery');
    const executions = await client.sequenceExecutions({ project: 'shop', keptnContext: accepted.keptnContext });
    expect(executions.sequenceExecutions).toHaveLength(1);
    const events = await client.events({ keptnContext: accepted.keptnContext, type: 'sh.keptn.event.approval.finished' });
    expect(events.events.map((event) => event.data.result)).toEqual(['fail']);

    await client.unregisterInstance(integrationId, instanceId);
    await client.unregister(integrationId);
    expect(await client.integrations({ name: 'client-deployer' })).toEqual([]);
  });

  it('aborts a running sequence through the control route', async () => {
    const accepted = await client.sendEvent({
      type: 'sh.keptn.event.dev.delivery.triggered',
      source: 'api-client-test',
      specversion: '1.0',
      data: { project: 'shop', stage: 'dev', service: 'cart' },
    });
    await waitFor('the sequence to start', async () =>
      (await client.sequences('shop', { keptnContext: accepted.keptnContext })).states[0] ? true : undefined,
    );
    await client.controlSequence('shop', accepted.keptnContext, { state: 'abort' });
    const state = await waitFor('the sequence to be aborted', async () => {
      const found = (await client.sequences('shop', { keptnContext: accepted.keptnContext })).states[0];
      return found?.state === 'aborted' ? found : undefined;
    });
    expect(state.state).toBe('aborted');
  });
});
