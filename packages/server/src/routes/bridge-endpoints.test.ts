/**
 * Every Keptn API call of the real Keptn Bridge 1.4.5 that Shipmate claims to serve, walked with
 * the Bridge's own headers (`x-token` and `Content-Type: application/json` on every call) and the
 * query strings and bodies it builds, asserting the fields the Bridge then reads. The table is the
 * one in docs/keptn-compatibility.md, section "Keptn Bridge": change both together.
 *
 * Where the Bridge makes a call: `bridge/server/services/api-service.ts` (its server, for its own
 * `/api/project/...`, `/api/uniform/...`, `/api/bridgeInfo` ... routes) and
 * `bridge/client/app/_services/api.service.ts` (its browser code, through the server's `/api/*`
 * pass-through), in keptn/keptn at 1.4.5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { base64, startInProcessServer, TEST_TOKEN } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { triggerSequence } from '../test-support/sequence-events.js';

const CP = '/api/controlPlane/v1';
const RS = '/api/resource-service/v1';
const DS = '/api/mongodb-datastore';
const BRIDGE_HEADERS = { 'x-token': TEST_TOKEN, 'content-type': 'application/json' };
/** The Bridge escapes the slash of `webhook/webhook.yaml` twice in the resource URI. */
const WEBHOOK_URI = 'webhook%252Fwebhook.yaml';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: bridge
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
            - name: evaluation
            - name: release
    - name: prod
      sequences:
        - name: delivery
          tasks:
            - name: approval
            - name: deployment
`;

/** A Bridge screen or action, as the doc's table groups the calls. */
type Feature =
  | 'bridge info'
  | 'project list'
  | 'environment'
  | 'sequences'
  | 'trigger a sequence'
  | 'approvals'
  | 'evaluations'
  | 'service'
  | 'integrations'
  | 'webhook config'
  | 'secrets'
  | 'project settings';

/** One call of the Bridge: `{name}` in `path` and in string values of `body` is filled from the scenario. */
interface BridgeCall {
  feature: Feature;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** What the Bridge reads from the answer (`toMatchObject`). */
  reads: unknown;
}

/** Ids of the scenario set up in `beforeAll`. */
interface Scenario {
  devContext: string;
  prodContext: string;
  deploymentFinishedId: string;
  evaluationFinishedId: string;
  evaluationTriggeredId: string;
  approvalTriggeredId: string;
  integrationId: string;
  subscriptionId: string;
  logTime: string;
}

const anyString = expect.any(String) as unknown;
const anyArray = expect.any(Array) as unknown;
const nonEmpty = expect.arrayContaining([expect.anything()]) as unknown;

/**
 * The calls in the order a user meets them; reads first, then the writes (a later write may use what
 * an earlier one made: the subscription PUT the POST's, the deletes the creates').
 */
const BRIDGE_CALLS: readonly BridgeCall[] = [
  // Header, version and login info: server api/index.ts /bridgeInfo.
  {
    feature: 'bridge info',
    method: 'GET',
    path: '/api/v1/metadata',
    reads: { keptnversion: anyString, shipyardversion: anyString, namespace: anyString, keptnlabel: anyString, bridgeversion: anyString },
  },

  // Dashboard and project menu: client getProjects.
  {
    feature: 'project list',
    method: 'GET',
    path: `${CP}/project?disableUpstreamSync=true&pageSize=50`,
    reads: {
      totalCount: 1,
      projects: [
        {
          projectName: 'shop',
          creationDate: anyString,
          shipyard: anyString,
          stages: [{ stageName: 'dev', services: [{ serviceName: 'carts' }, { serviceName: 'orders' }] }, { stageName: 'prod' }],
        },
      ],
    },
  },

  // Environment screen: server DataService.getProject (plus getServiceStates, getSequencesFilter,
  // getServiceNames, intersectEvents), client getProject/getPlainProject through it.
  {
    feature: 'environment',
    method: 'GET',
    path: `${CP}/project/shop`,
    reads: {
      projectName: 'shop',
      shipyard: anyString,
      shipyardVersion: anyString,
      stages: [
        {
          stageName: 'dev',
          services: [
            {
              serviceName: 'carts',
              creationDate: anyString,
              lastEventTypes: {
                'sh.keptn.event.deployment.finished': { eventId: '{deploymentFinishedId}', keptnContext: '{devContext}', time: anyString },
                'sh.keptn.event.evaluation.finished': { eventId: '{evaluationFinishedId}', keptnContext: '{devContext}' },
              },
            },
            { serviceName: 'orders' },
          ],
        },
        { stageName: 'prod', services: [{ serviceName: 'carts' }, { serviceName: 'orders' }] },
      ],
    },
  },
  {
    feature: 'environment',
    method: 'GET',
    path: `${CP}/project/shop/stage`,
    reads: { stages: [{ stageName: 'dev', services: [{ serviceName: 'carts' }, { serviceName: 'orders' }] }, { stageName: 'prod' }] },
  },
  {
    feature: 'environment',
    method: 'GET',
    path: `${CP}/sequence/shop?pageSize=100&keptnContext={devContext},{prodContext}`,
    reads: {
      states: [
        { shkeptncontext: '{prodContext}', state: 'started' },
        {
          shkeptncontext: '{devContext}',
          name: 'delivery',
          project: 'shop',
          service: 'carts',
          state: 'finished',
          time: anyString,
          stages: [
            {
              name: 'dev',
              state: 'succeeded',
              latestEvent: { type: anyString, id: anyString, time: anyString },
              latestEvaluation: { result: 'pass', score: 100 },
            },
          ],
        },
      ],
    },
  },
  {
    feature: 'environment',
    method: 'GET',
    path: `${DS}/event/type/sh.keptn.event.deployment.finished?filter=data.project:shop AND id:{deploymentFinishedId}&limit=100`,
    reads: {
      events: [
        {
          id: '{deploymentFinishedId}',
          data: { result: 'pass', stage: 'dev', service: 'carts', deployment: { deploymentURIsPublic: ['http://carts.dev.example'] } },
        },
      ],
    },
  },
  {
    feature: 'environment',
    method: 'GET',
    path: `${DS}/event/type/sh.keptn.event.evaluation.finished?filter=data.project:shop AND id:{evaluationFinishedId}&limit=100`,
    reads: { events: [{ id: '{evaluationFinishedId}', source: 'lighthouse-service', data: { evaluation: { score: 100 } } }] },
  },
  {
    feature: 'environment',
    method: 'GET',
    path: `${DS}/event/type/sh.keptn.event.deployment.finished?filter=data.project:shop AND data.service:carts AND data.stage:dev AND data.result:pass&limit=1`,
    reads: { events: [{ id: '{deploymentFinishedId}' }] },
  },
  {
    feature: 'environment',
    method: 'GET',
    path: `${DS}/event/type/sh.keptn.event.evaluation.finished?filter=data.project:shop AND data.service:carts AND data.stage:dev AND source:lighthouse-service&excludeInvalidated=true&limit=1`,
    reads: { events: [{ id: '{evaluationFinishedId}' }] },
  },
  {
    feature: 'environment',
    method: 'GET',
    path: `${CP}/event/triggered/sh.keptn.event.approval.triggered?project=shop`,
    reads: {
      events: [
        { id: '{approvalTriggeredId}', shkeptncontext: '{prodContext}', data: { project: 'shop', stage: 'prod', service: 'carts' } },
      ],
    },
  },
  {
    feature: 'environment',
    method: 'GET',
    path: `${CP}/event/triggered/sh.keptn.event.approval.triggered?project=shop&stage=prod&service=carts`,
    reads: { events: [{ id: '{approvalTriggeredId}' }] },
  },
  { feature: 'environment', method: 'GET', path: `${CP}/sequence/shop?pageSize=100&name=remediation&state=started`, reads: { states: [] } },
  {
    feature: 'environment',
    method: 'GET',
    path: `${DS}/event?pageSize=50&project=shop&stage=dev&service=carts&keptnContext={devContext}`,
    reads: { events: nonEmpty, totalCount: expect.any(Number) },
  },

  // Sequence screen: client getSequences, getTraces, getEvent, getSequenceExecution,
  // sendSequenceControl; server getServiceDeployment (/api/project/:p/deployment/:ctx).
  {
    feature: 'sequences',
    method: 'GET',
    path: `${CP}/sequence/shop?pageSize=25`,
    reads: { states: [{ shkeptncontext: '{prodContext}' }, { shkeptncontext: '{devContext}' }], totalCount: 2 },
  },
  {
    feature: 'sequences',
    method: 'GET',
    path: `${CP}/sequence/shop?pageSize=25&beforeTime=2999-01-01T00:00:00.000Z`,
    reads: { states: [{}, {}] },
  },
  {
    feature: 'sequences',
    method: 'GET',
    path: `${CP}/sequence/shop?pageSize=25&fromTime=2000-01-01T00:00:00.000Z`,
    reads: { states: [{}, {}] },
  },
  {
    feature: 'sequences',
    method: 'GET',
    path: `${CP}/sequence/shop?pageSize=1&keptnContext={devContext}`,
    reads: { states: [{ shkeptncontext: '{devContext}' }] },
  },
  {
    feature: 'sequences',
    method: 'GET',
    path: `${DS}/event?keptnContext={devContext}&project=shop&pageSize=100&nextPageKey=0`,
    reads: { events: expect.arrayContaining([expect.objectContaining({ type: 'sh.keptn.event.dev.delivery.triggered' })]), pageSize: 100 },
  },
  {
    feature: 'sequences',
    method: 'GET',
    path: `${DS}/event?keptnContext={devContext}&project=shop&fromTime=2000-01-01T00:00:00.000Z`,
    reads: { events: nonEmpty },
  },
  {
    feature: 'sequences',
    method: 'GET',
    path: `${DS}/event?pageSize=1&type=sh.keptn.event.evaluation.finished&project=shop&stage=dev&service=carts`,
    reads: { events: [{ id: '{evaluationFinishedId}' }] },
  },
  {
    feature: 'sequences',
    method: 'GET',
    path: `${DS}/event/type/sh.keptn.event.evaluation.finished?filter=data.project:shop AND data.service:carts AND data.stage:dev AND shkeptncontext:{devContext} AND source:lighthouse-service&excludeInvalidated=true&limit=1`,
    reads: { events: [{ id: '{evaluationFinishedId}' }] },
  },

  // Evaluation heatmap and chart (service and sequence screens): client getEvaluationResults, getTracesByIds.
  {
    feature: 'evaluations',
    method: 'GET',
    path: `${DS}/event/type/sh.keptn.event.evaluation.finished?filter=data.project:shop AND data.service:carts AND data.stage:dev AND source:lighthouse-service&excludeInvalidated=true&limit=50&fromTime=2000-01-01T00:00:00.000Z`,
    reads: { events: [{ id: '{evaluationFinishedId}', data: { evaluation: { score: 100, result: 'pass', indicatorResults: anyArray } } }] },
  },
  {
    feature: 'evaluations',
    method: 'GET',
    path: `${DS}/event/type/sh.keptn.event.evaluation.finished?filter=data.project:shop AND source:lighthouse-service AND id:{evaluationFinishedId}&excludeInvalidated=true&limit=1`,
    reads: { events: [{ id: '{evaluationFinishedId}' }] },
  },

  // Service screen: client getService, server getResourceFileTreesForService (its loop stops on
  // nextPageKey "0" only), getServiceResource.
  {
    feature: 'service',
    method: 'GET',
    path: `${CP}/project/shop/stage/dev/service/carts`,
    reads: {
      serviceName: 'carts',
      creationDate: anyString,
      lastEventTypes: { 'sh.keptn.event.deployment.finished': { eventId: '{deploymentFinishedId}' } },
    },
  },
  {
    feature: 'service',
    method: 'GET',
    path: `${RS}/project/shop/stage/dev/service/carts/resource`,
    reads: { resources: [{ resourceURI: 'helm/values.yaml' }, { resourceURI: 'metadata.yaml' }], nextPageKey: '0' },
  },
  {
    feature: 'service',
    method: 'GET',
    path: `${RS}/project/shop/stage/prod/service/carts/resource`,
    reads: { resources: [{ resourceURI: 'metadata.yaml' }], nextPageKey: '0' },
  },
  {
    feature: 'service',
    method: 'GET',
    path: `${RS}/project/shop/stage/dev/service/carts/resource/helm%252Fvalues.yaml`,
    reads: { resourceURI: 'helm/values.yaml', resourceContent: base64('replicas: 1\n') },
  },

  // Integrations page: server getUniformRegistrations (drops entries with metadata.lastseen older
  // than 2 minutes), getUniformRegistrationLogs, getIsUniformRegistrationInfo; client getUniformSubscription.
  {
    feature: 'integrations',
    method: 'GET',
    path: `${CP}/uniform/registration`,
    reads: [
      {
        id: '{integrationId}',
        name: 'webhook-service',
        metadata: {
          lastseen: anyString,
          location: 'control-plane',
          hostname: 'bridge-host',
          integrationversion: '1.4.5',
          distributorversion: '1.4.5',
          kubernetesmetadata: { namespace: 'keptn', podname: 'webhook-0', deploymentname: 'webhook-service' },
        },
        subscriptions: [{ id: '{subscriptionId}', event: 'sh.keptn.event.deployment.triggered', filter: { projects: ['shop'] } }],
      },
    ],
  },
  {
    feature: 'integrations',
    method: 'GET',
    path: `${CP}/uniform/registration?id={integrationId}`,
    reads: [{ id: '{integrationId}', name: 'webhook-service' }],
  },
  {
    feature: 'integrations',
    method: 'GET',
    path: `${CP}/log?integrationId={integrationId}&pageSize=100`,
    reads: { logs: [{ integrationid: '{integrationId}', message: 'webhook failed', time: anyString }] },
  },
  {
    feature: 'integrations',
    method: 'GET',
    path: `${CP}/log?integrationId={integrationId}&fromTime={logTime}&pageSize=1`,
    reads: { logs: [] },
  },
  {
    feature: 'integrations',
    method: 'GET',
    path: `${CP}/uniform/registration/{integrationId}/subscription/{subscriptionId}`,
    reads: { id: '{subscriptionId}', event: 'sh.keptn.event.deployment.triggered', filter: { projects: ['shop'] } },
  },

  // Secrets page and the webhook form's secret picker: client getSecrets, getSecretScopes; server getSecretsForScope.
  {
    feature: 'secrets',
    method: 'GET',
    path: '/api/secrets/v1/secret',
    reads: { Secrets: [{ name: 'api-key', scope: 'keptn-webhook-service', keys: ['token'] }] },
  },
  {
    feature: 'secrets',
    method: 'GET',
    path: '/api/secrets/v1/scope',
    reads: { scopes: expect.arrayContaining(['keptn-default', 'keptn-webhook-service']) },
  },

  // Project settings and the trigger dialog: server getShipyard (getTasks, getCustomSequenceNames).
  {
    feature: 'project settings',
    method: 'GET',
    path: `${RS}/project/shop/resource/shipyard.yaml`,
    reads: { resourceURI: anyString, resourceContent: base64(SHIPYARD) },
  },

  // ---- writes ----

  // Webhook configuration form: server saveWebhookConfig / getWebhookConfigYaml / removeWebhook at
  // project, stage and service level (PUT on the collection creates the file as well).
  ...(['project/shop', 'project/shop/stage/dev', 'project/shop/stage/dev/service/carts'] as const).flatMap((level): BridgeCall[] => [
    {
      feature: 'webhook config',
      method: 'PUT',
      path: `${RS}/${level}/resource`,
      body: { resources: [{ resourceURI: 'webhook/webhook.yaml', resourceContent: base64(`# ${level}\n`) }] },
      reads: {},
    },
    {
      feature: 'webhook config',
      method: 'GET',
      path: `${RS}/${level}/resource/${WEBHOOK_URI}`,
      reads: { resourceContent: base64(`# ${level}\n`) },
    },
    { feature: 'webhook config', method: 'DELETE', path: `${RS}/${level}/resource/${WEBHOOK_URI}`, reads: {} },
  ]),

  // Subscriptions (integrations page): server createSubscription, updateSubscription, deleteSubscription.
  {
    feature: 'integrations',
    method: 'POST',
    path: `${CP}/uniform/registration/{integrationId}/subscription`,
    body: { event: 'sh.keptn.event.test.triggered', filter: { projects: ['shop'], stages: ['dev'], services: [] } },
    reads: { id: anyString },
  },
  {
    feature: 'integrations',
    method: 'PUT',
    path: `${CP}/uniform/registration/{integrationId}/subscription/{subscriptionId}`,
    body: {
      id: '{subscriptionId}',
      event: 'sh.keptn.event.release.triggered',
      filter: { projects: ['shop'], stages: ['dev'], services: ['carts'] },
    },
    reads: {},
  },
  {
    feature: 'integrations',
    method: 'GET',
    path: `${CP}/uniform/registration/{integrationId}/subscription/{subscriptionId}`,
    reads: { event: 'sh.keptn.event.release.triggered', filter: { stages: ['dev'], services: ['carts'] } },
  },
  {
    feature: 'integrations',
    method: 'DELETE',
    path: `${CP}/uniform/registration/{integrationId}/subscription/{subscriptionId}`,
    reads: {},
  },

  // Secrets page: client addSecret (data turned into a map first), deleteSecret.
  {
    feature: 'secrets',
    method: 'POST',
    path: '/api/secrets/v1/secret',
    body: { name: 'bridge-made', scope: 'keptn-default', data: { user: 'u', password: 'p' } },
    reads: {},
  },
  { feature: 'secrets', method: 'DELETE', path: '/api/secrets/v1/secret?name=bridge-made&scope=keptn-default', reads: {} },

  // Approvals (environment and sequence screens): client sendApprovalEvent.
  {
    feature: 'approvals',
    method: 'POST',
    path: '/api/v1/event',
    body: {
      shkeptncontext: '{prodContext}',
      type: 'sh.keptn.event.approval.finished',
      triggeredid: '{approvalTriggeredId}',
      source: 'https://github.com/keptn/keptn/bridge#approval.finished',
      data: { project: 'shop', stage: 'prod', service: 'carts', result: 'pass', status: 'succeeded' },
    },
    reads: { keptnContext: '{prodContext}' },
  },

  // Sequence controls: client sendSequenceControl and getSequenceExecution (navigating to the sequence that
  // blocks the queue): the approved prod delivery runs its deployment now.

  {
    feature: 'sequences',
    method: 'GET',
    path: `${CP}/sequence-execution?project=shop&stage=prod&service=carts&status=started&pageSize=1`,
    reads: { sequenceExecutions: [{ scope: { keptnContext: '{prodContext}', project: 'shop', stage: 'prod', service: 'carts' } }] },
  },
  { feature: 'sequences', method: 'POST', path: `${CP}/sequence/shop/{prodContext}/control`, body: { state: 'pause' }, reads: {} },
  { feature: 'sequences', method: 'POST', path: `${CP}/sequence/shop/{prodContext}/control`, body: { state: 'resume' }, reads: {} },
  { feature: 'sequences', method: 'POST', path: `${CP}/sequence/shop/{prodContext}/control`, body: { state: 'abort' }, reads: {} },

  // "Invalidate evaluation" on the evaluation details: client sendEvaluationInvalidated.
  {
    feature: 'evaluations',
    method: 'POST',
    path: '/api/v1/event',
    body: {
      shkeptncontext: '{devContext}',
      type: 'sh.keptn.event.evaluation.invalidated',
      triggeredid: '{evaluationTriggeredId}',
      source: 'https://github.com/keptn/keptn/bridge#evaluation.invalidated',
      data: { project: 'shop', stage: 'dev', service: 'carts', evaluation: { reason: 'flaky load test' } },
    },
    reads: { keptnContext: '{devContext}' },
  },
  {
    feature: 'evaluations',
    method: 'GET',
    path: `${DS}/event/type/sh.keptn.event.evaluation.finished?filter=data.project:shop AND data.service:carts AND data.stage:dev AND source:lighthouse-service&excludeInvalidated=true&limit=50`,
    reads: { events: [] },
  },

  // Trigger dialog: client triggerSequence (delivery, evaluation or a custom sequence).
  {
    feature: 'trigger a sequence',
    method: 'POST',
    path: '/api/v1/event',
    body: {
      contenttype: 'application/json',
      type: 'sh.keptn.event.dev.delivery.triggered',
      source: 'bridge',
      data: {
        project: 'shop',
        stage: 'dev',
        service: 'orders',
        labels: { buildId: '7' },
        configurationChange: { values: { image: 'docker.io/orders:0.2.0' } },
      },
    },
    reads: { keptnContext: anyString },
  },

  {
    feature: 'trigger a sequence',
    method: 'POST',
    path: '/api/v1/event',
    body: {
      contenttype: 'application/json',
      type: 'sh.keptn.event.dev.evaluation.triggered',
      source: 'bridge',
      data: { project: 'shop', stage: 'dev', service: 'orders', evaluation: { timeframe: '5m' } },
    },
    reads: { keptnContext: anyString },
  },

  // Project settings: client updateGitUpstreamExtended (the upstream itself: upstream-routes.test.ts).
  {
    feature: 'project settings',
    method: 'PUT',
    path: `${CP}/project`,
    body: {
      name: 'shop',
      gitCredentials: { remoteURL: 'https://git.example.com/shop.git', user: 'bot', https: { token: 'tok', insecureSkipTLS: false } },
    },
    reads: {},
  },

  // Create project and service pages, project deletion: client createProjectExtended,
  // createService, deleteService, deleteProject.
  {
    feature: 'project settings',
    method: 'POST',
    path: `${CP}/project`,
    body: { name: 'bridge-made', shipyard: base64(SHIPYARD) },
    reads: {},
  },
  { feature: 'project settings', method: 'POST', path: `${CP}/project/bridge-made/service`, body: { serviceName: 'made' }, reads: {} },
  { feature: 'project settings', method: 'DELETE', path: `${CP}/project/bridge-made/service/made`, reads: {} },
  { feature: 'project settings', method: 'DELETE', path: `${CP}/project/bridge-made`, reads: {} },
];

let api: InProcessServer;
let scenario: Scenario;

/** Posts an event as a test client; fails the setup with the answer when it is refused. */
async function post(event: Record<string, unknown>): Promise<void> {
  const reply = await api.call('POST', '/api/v1/event', event);
  if (reply.status !== 200) throw new Error(`${String(event.type)} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  await api.server.processor.idle();
}

async function openTask(task: string, keptnContext: string): Promise<KeptnEvent> {
  const reply = await api.call<{ events: KeptnEvent[] }>('GET', `${CP}/event/triggered/sh.keptn.event.${task}.triggered?project=shop`);
  const found = reply.body.events.find((event) => event.shkeptncontext === keptnContext);
  if (!found) throw new Error(`no open ${task}.triggered in ${keptnContext}: ${JSON.stringify(reply.body)}`);
  return found;
}

/** Finishes a task as `source` with `data` beside the scope, and answers the `.finished` event's id. */
async function finishTask(task: KeptnEvent, source: string, data: Record<string, unknown>): Promise<string> {
  const { project, stage, service } = task.data;
  await post({
    type: task.type.replace(/\.triggered$/, '.started'),
    source,
    shkeptncontext: task.shkeptncontext,
    triggeredid: task.id,
    data: { project, stage, service },
  });
  await post({
    type: task.type.replace(/\.triggered$/, '.finished'),
    source,
    shkeptncontext: task.shkeptncontext,
    triggeredid: task.id,
    data: { project, stage, service, result: 'pass', status: 'succeeded', ...data },
  });
  const reply = await api.call<{ events: KeptnEvent[] }>(
    'GET',
    `${DS}/event?project=shop&keptnContext=${task.shkeptncontext}&type=${task.type.replace(/\.triggered$/, '.finished')}&pageSize=1`,
  );
  const finished = reply.body.events[0];
  if (!finished) throw new Error(`the .finished of ${task.type} was not stored`);
  return finished.id;
}

beforeAll(async () => {
  api = await startInProcessServer();
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(SHIPYARD) })).status).toBe(201);
  for (const serviceName of ['carts', 'orders']) {
    expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName })).status).toBe(200);
  }
  const values = { resources: [{ resourceURI: 'helm/values.yaml', resourceContent: base64('replicas: 1\n') }] };
  expect((await api.call('POST', `${RS}/project/shop/stage/dev/service/carts/resource`, values)).status).toBe(201);

  // A finished delivery in dev: deployment, evaluation (by the lighthouse) and release.
  const devContext = await triggerSequence(api, { project: 'shop', stage: 'dev', service: 'carts' });
  const deploymentFinishedId = await finishTask(await openTask('deployment', devContext), 'helm-service', {
    deployment: { deploymentURIsPublic: ['http://carts.dev.example'], deploymentNames: ['direct'] },
  });
  const evaluation = await openTask('evaluation', devContext);
  const evaluationFinishedId = await finishTask(evaluation, 'lighthouse-service', {
    evaluation: { score: 100, result: 'pass', indicatorResults: [], sloFileContent: base64('spec_version: "1.0"\n') },
  });
  await finishTask(await openTask('release', devContext), 'helm-service', {});

  // A delivery in prod waiting for its approval.
  const prodContext = await triggerSequence(api, { project: 'shop', stage: 'prod', service: 'carts' });
  const approval = await openTask('approval', prodContext);

  // The webhook-service on the control plane with one subscription and one error log entry.
  const registration = await api.call<{ id: string }>('POST', `${CP}/uniform/registration`, {
    name: 'webhook-service',
    metadata: {
      hostname: 'bridge-host',
      integrationversion: '1.4.5',
      distributorversion: '1.4.5',
      location: 'control-plane',
      kubernetesmetadata: { namespace: 'keptn', podname: 'webhook-0', deploymentname: 'webhook-service' },
    },
    subscriptions: [{ event: 'sh.keptn.event.deployment.triggered', filter: { projects: ['shop'] } }],
  });
  expect(registration.status).toBeLessThan(300);
  const integrationId = registration.body.id;
  const subscriptions = await api.call<Array<{ id: string }>>('GET', `${CP}/uniform/registration/${integrationId}/subscription`);
  const subscriptionId = subscriptions.body[0]?.id ?? '';
  expect(
    (
      await api.call('POST', `${CP}/log`, {
        logs: [{ integrationid: integrationId, message: 'webhook failed', shkeptncontext: devContext, task: 'deployment' }],
      })
    ).status,
  ).toBe(200);
  const logTime = new Date(Date.now() + 1000).toISOString();

  expect(
    (await api.call('POST', '/api/secrets/v1/secret', { name: 'api-key', scope: 'keptn-webhook-service', data: { token: 't' } })).status,
  ).toBe(201);

  scenario = {
    devContext,
    prodContext,
    deploymentFinishedId,
    evaluationFinishedId,
    evaluationTriggeredId: evaluation.id,
    approvalTriggeredId: approval.id,
    integrationId,
    subscriptionId,
    logTime,
  };
});

afterAll(async () => {
  await api.close();
});

/** `{name}` placeholders filled from the scenario in strings, arrays and plain objects (matchers are left as they are). */
function fill<T>(value: T): T {
  if (typeof value === 'string') {
    return value.replace(/\{(\w+)\}/g, (whole, name: string) => (name in scenario ? scenario[name as keyof Scenario] : whole)) as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => fill(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item)])) as T;
  }
  return value;
}

describe('the Keptn Bridge 1.4.5 calls Shipmate serves', () => {
  it.each(BRIDGE_CALLS.map((call) => [`${call.feature}: ${call.method} ${call.path}`, call] as const))('%s', async (_name, call) => {
    // Spaces as axios sends them (the Bridge's server); the browser's %20 decodes the same.
    const url = fill(call.path).replaceAll(' ', '+');
    const body = call.body === undefined ? '' : JSON.stringify(fill(call.body));
    const reply = await api.raw(call.method, url, body, BRIDGE_HEADERS);
    expect(reply.status, `${call.method} ${url}: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
    await api.server.processor.idle();
    // Writes the Bridge only checks for success may answer without a body (Keptn: 201, empty).
    if (call.method === 'GET' || reply.body !== undefined) expect(reply.body).toMatchObject(fill(call.reads) as Record<string, unknown>);
  });

  it('answers 404 for a webhook.yaml that is not there: the Bridge then starts a new one', async () => {
    for (const level of ['project/shop', 'project/shop/stage/dev', 'project/shop/stage/dev/service/carts']) {
      const reply = await api.raw('GET', `${RS}/${level}/resource/${WEBHOOK_URI}`, '', BRIDGE_HEADERS);
      expect(reply.status, level).toBe(404);
    }
  });
});
