import { describe, expect, it } from 'vitest';
import type { ApiTokenSummary } from '@shipmate/core';
import { startInProcessServer } from '../test-support/in-process-server.js';
import { Permission, ROUTE_PERMISSIONS, checkPlaneRequest } from './route-permissions.js';
import type { PlaneFacts, RequestParts } from './route-permissions.js';

const token = (filters: Partial<ApiTokenSummary['filters']> = {}): ApiTokenSummary => ({
  id: 't1',
  name: 'plane',
  role: 'execution-plane',
  filters: { projects: [], stages: [], services: [], ...filters },
  createdAt: '2024-01-01T00:00:00.000Z',
});
/** t1 registered instance i1 of 'mine' (alone) and instance i1 of 'shared', where another token registered i2. */
const facts: PlaneFacts = {
  ownsIntegration: (tokenId, integrationId) => tokenId === 't1' && (integrationId === 'mine' || integrationId === 'shared'),
  ownsIntegrationAlone: (tokenId, integrationId) => tokenId === 't1' && integrationId === 'mine',
  ownsInstance: (tokenId, integrationId, instanceId) => tokenId === 't1' && integrationId !== 'theirs' && instanceId === 'i1',
  holdsTask: async (tokenId, triggeredId) => tokenId === 't1' && triggeredId === 'held',
  taskEnded: async (triggeredId) => triggeredId === 'ended',
};
const parts = (part: Partial<RequestParts>): RequestParts => ({ params: {}, query: {}, body: undefined, ...part });
const event = (type: string, extra: Record<string, unknown> = {}) =>
  parts({ body: { type, triggeredid: 'held', data: { project: 'shop', stage: 'dev', service: 'carts' }, ...extra } });

describe('ROUTE_PERMISSIONS', () => {
  it('names only routes the server has', async () => {
    const api = await startInProcessServer();
    try {
      const missing = Object.keys(ROUTE_PERMISSIONS).filter((key) => {
        const [method = '', url = ''] = key.split(' ');
        return !api.server.app.hasRoute({ method: method, url });
      });
      expect(missing).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it('gives plane tokens no write to projects, secrets, upstreams or tokens', () => {
    const writes = Object.keys(ROUTE_PERMISSIONS).filter((key) => /project|secret|upstream|token/.test(key) && !key.startsWith('GET '));
    expect(writes).toEqual([]);
  });
});

const PUT_PING = 'PUT /api/controlPlane/v1/uniform/registration/:integrationID/ping';
const TASKS = 'GET /api/controlPlane/v1/uniform/registration/:integrationID/instance/:instanceID/tasks';
const SECRET = 'GET /api/controlPlane/v1/uniform/registration/:integrationID/instance/:instanceID/task/:triggeredID/secret';
const DELETE_INSTANCE = 'DELETE /api/controlPlane/v1/uniform/registration/:integrationID/instance/:instanceID';
const DELETE_INTEGRATION = 'DELETE /api/controlPlane/v1/uniform/registration/:integrationID';
const SUBSCRIPTIONS = 'GET /api/controlPlane/v1/uniform/registration/:integrationID/subscription';
const REGISTER = 'POST /api/controlPlane/v1/uniform/registration';
const EVENT = 'POST /api/v1/event';
const RESOURCE = 'GET /api/resource-service/v1/project/:project/stage/:stage/resource';
const DATASTORE = 'GET /api/mongodb-datastore/event';
const DATASTORE_TYPE = 'GET /api/mongodb-datastore/event/type/:eventType';
const subscription = (projects: string[]) => parts({ body: { subscriptions: [{ event: 'e', filter: { projects } }] } });
/** A registration as `shipmate agent` sends it: subscriptions without a filter, the instance's own filters in metadata. */
const agentRegistration = (filters: Record<string, string[]>) =>
  parts({ body: { subscriptions: [{ event: 'e', filter: {} }], metadata: { shipmate: { filters } } } });

describe('checkPlaneRequest', () => {
  it.each<[string, string, ApiTokenSummary, RequestParts, true | RegExp]>([
    ['a route not in the table', 'POST /api/controlPlane/v1/project', token(), parts({}), /^POST \/api\/controlPlane\/v1\/project$/],
    ['metadata', 'GET /api/v1/metadata', token({ projects: ['shop'] }), parts({}), true],
    ['ping of its integration', PUT_PING, token(), parts({ params: { integrationID: 'mine' } }), true],
    ['ping of its instance', PUT_PING, token(), parts({ params: { integrationID: 'shared' }, query: { instanceId: 'i1' } }), true],
    [
      'ping of another token’s instance of a shared integration',
      PUT_PING,
      token(),
      parts({ params: { integrationID: 'shared' }, query: { instanceId: 'i2' } }),
      /instance 'i2' of integration 'shared', which was not registered with this token/,
    ],
    ['long poll of its instance', TASKS, token(), parts({ params: { integrationID: 'shared', instanceID: 'i1' } }), true],
    [
      'long poll of another token’s instance',
      TASKS,
      token(),
      parts({ params: { integrationID: 'shared', instanceID: 'i2' } }),
      /instance 'i2' of integration 'shared', which was not registered with this token/,
    ],
    [
      'a task secret through another token’s instance',
      SECRET,
      token(),
      parts({ params: { integrationID: 'shared', instanceID: 'i2', triggeredID: 'held' } }),
      /instance 'i2'/,
    ],
    ['unregistering its own instance', DELETE_INSTANCE, token(), parts({ params: { integrationID: 'shared', instanceID: 'i1' } }), true],
    ['unregistering an integration it registered alone', DELETE_INTEGRATION, token(), parts({ params: { integrationID: 'mine' } }), true],
    [
      'unregistering an integration shared with another token',
      DELETE_INTEGRATION,
      token(),
      parts({ params: { integrationID: 'shared' } }),
      /has instances registered with other tokens; unregister this token's instances instead/,
    ],
    ['reading the subscriptions of a shared integration', SUBSCRIPTIONS, token(), parts({ params: { integrationID: 'shared' } }), true],
    [
      'ping of another integration',
      PUT_PING,
      token(),
      parts({ params: { integrationID: 'theirs' } }),
      /integration 'theirs', which was not registered/,
    ],
    ['registration inside the filters', REGISTER, token({ projects: ['shop'] }), subscription(['shop']), true],
    ['registration for all projects', REGISTER, token({ projects: ['shop'] }), subscription([]), /for all projects/],
    ['registration for another project', REGISTER, token({ projects: ['shop'] }), subscription(['shop', 'bank']), /for projects 'bank'/],
    ['registration of an unfiltered token', REGISTER, token(), subscription([]), true],
    [
      'an agent registration whose own filters lie inside the token’s',
      REGISTER,
      token({ projects: ['shop'], stages: ['hardening'] }),
      agentRegistration({ projects: ['shop'], stages: ['hardening'] }),
      true,
    ],
    [
      'an agent registration without its own filters, naming the variable to set',
      REGISTER,
      token({ projects: ['shop'], stages: ['hardening'] }),
      agentRegistration({ projects: ['shop'] }),
      /for all stages \(the token is limited to stages hardening; give the agent STAGE_FILTER=hardening or the subscription a filter\)/,
    ],
    [
      'an agent registration whose own filters reach another stage',
      REGISTER,
      token({ stages: ['hardening'] }),
      agentRegistration({ stages: ['hardening', 'production'] }),
      /for stages 'production'/,
    ],
    [
      'a subscription narrowed by the instance’s filters to the token’s',
      REGISTER,
      token({ projects: ['shop'] }),
      parts({
        body: {
          subscriptions: [{ event: 'e', filter: { projects: ['shop', 'bank'] } }],
          metadata: { shipmate: { filters: { projects: ['shop'] } } },
        },
      }),
      true,
    ],
    ['.started of a held task', EVENT, token(), event('sh.keptn.event.deployment.started'), true],
    ['.status.changed of a held task', EVENT, token(), event('sh.keptn.event.deployment.status.changed'), true],
    [
      '.finished of a task not held',
      EVENT,
      token(),
      event('sh.keptn.event.approval.finished', { triggeredid: 'other' }),
      /task 'other', which no instance/,
    ],
    ['.finished without triggeredid', EVENT, token(), event('sh.keptn.event.test.finished', { triggeredid: undefined }), /task ''/],
    [
      '.finished of a task that has ended',
      EVENT,
      token(),
      event('sh.keptn.event.deployment.finished', { triggeredid: 'ended' }),
      /task 'ended', which has ended \(another integration finished it, or its sequence was aborted or timed out\): there is nothing left to answer/,
    ],
    ['a sub-task .triggered', EVENT, token({ projects: ['shop'] }), event('sh.keptn.event.test.triggered'), true],
    ['a sequence trigger', EVENT, token(), event('sh.keptn.event.dev.delivery.triggered'), /triggering the sequence/],
    ['a log event', EVENT, token(), event('sh.keptn.log.error'), true],
    ['another event type', EVENT, token(), event('sh.keptn.event.project.create.finished.extra'), /posting the event type/],
    ['a held task outside the filters', EVENT, token({ stages: ['prod'] }), event('sh.keptn.event.deployment.finished'), /stage 'dev'/],
    [
      'a resource inside the filters',
      RESOURCE,
      token({ projects: ['shop'], stages: ['dev'] }),
      parts({ params: { project: 'shop', stage: 'dev' } }),
      true,
    ],
    [
      'a resource of another stage',
      RESOURCE,
      token({ stages: ['prod'] }),
      parts({ params: { project: 'shop', stage: 'dev' } }),
      /stage 'dev'/,
    ],
    [
      'a project resource for a stage-limited token',
      'GET /api/resource-service/v1/project/:project/resource',
      token({ stages: ['dev'] }),
      parts({ params: { project: 'shop' } }),
      /no stage named/,
    ],
    ['datastore events of its project', DATASTORE, token({ projects: ['shop'] }), parts({ query: { project: 'shop' } }), true],
    ['datastore events of no project', DATASTORE, token({ projects: ['shop'] }), parts({ query: {} }), /no project named/],
    [
      'datastore filter on its project',
      DATASTORE_TYPE,
      token({ projects: ['shop'] }),
      parts({ query: { filter: 'data.project:shop AND data.stage:dev' } }),
      true,
    ],
    [
      'datastore filter on two projects',
      DATASTORE_TYPE,
      token({ projects: ['shop'] }),
      parts({ query: { filter: 'data.project:shop,bank' } }),
      /no project named/,
    ],
    ['logs of its integration', 'POST /api/controlPlane/v1/log', token(), parts({ body: { logs: [{ integrationid: 'mine' }] } }), true],
    [
      'logs of another integration',
      'POST /api/controlPlane/v1/log',
      token(),
      parts({ body: { logs: [{ integrationid: 'x' }] } }),
      /logs of integration 'x'/,
    ],
  ])('%s', async (_name, action, plane, request, expected) => {
    const decision = await checkPlaneRequest(plane, action, ROUTE_PERMISSIONS[action], request, facts);
    if (expected === true) expect(decision).toEqual({ allowed: true });
    else {
      expect(decision.allowed).toBe(false);
      expect(decision.allowed ? '' : decision.reason).toMatch(expected);
    }
  });

  it('covers every permission in the table', () => {
    const used = new Set(Object.values(ROUTE_PERMISSIONS).map((rule) => rule.permission));
    expect([...used].sort()).toEqual(Object.values(Permission).sort());
  });
});
