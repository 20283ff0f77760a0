/**
 * `shipmate demo`: a first delivery against a running control plane with a local execution plane
 * (`npm start`). It creates the demo project (dev → staging → production, with a quality gate,
 * an approval and a rollback in staging), onboards the sample service `carts`, triggers a delivery
 * of the chosen version and shows each task as it happens; it ends saying where the service runs.
 * The fast version reaches production; the slow one fails the quality gate in staging, staging
 * rolls back, and what ran before keeps serving. Nothing asks for input.
 */
import type { KeptnEvent } from '@shipmate/core';
import { DemoApi } from './demo-api.js';
import type { DemoOptions } from './demo-options.js';
import { DEMO_SERVICE, DEMO_SLO, DEMO_WORKLOADS, demoProcessYaml, demoShipyard } from './demo-project.js';
import { stepLine } from './delivery-steps.js';

/** Integrations the demo needs, and who runs them. */
const NEEDED = ['deployment-service', 'http-test-service', 'test-results-service', 'lighthouse-service', 'approval-service'];
const STAGES = ['dev', 'staging', 'production'];
const ENDED = ['finished', 'aborted', 'timedOut'];

/** How long the demo waits for the delivery before it gives up. */
const DEMO_TIMEOUT_MS = 5 * 60 * 1000;

type Write = (line: string) => void;

/** Runs the demo; resolves with the exit code. */
export async function runDemo(options: DemoOptions, write: Write = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const api = new DemoApi(options.endpoint, options.token);
  await requireIntegrations(api);
  write(`Setting up project '${options.project}' (dev → staging → production) with service '${DEMO_SERVICE}' on ${options.endpoint}`);
  await setUpProject(api, options);
  const keptnContext = await triggerDelivery(api, options);
  write(`Delivering ${DEMO_SERVICE} version '${options.version}' (keptn context ${keptnContext})`);
  const events = await follow(api, options, keptnContext, write);
  return summarize(api, options, events, write);
}

async function requireIntegrations(api: DemoApi): Promise<void> {
  const registered = await api.expect<Array<{ name: string; instances?: Array<{ state: string }> }>>(
    'listing the integrations',
    'GET',
    '/controlPlane/v1/uniform/registration',
  );
  const missing = NEEDED.filter(
    (name) => !registered.some((i) => i.name === name && (i.instances ?? []).some((x) => x.state === 'online')),
  );
  if (missing.length > 0) {
    throw new Error(
      `the demo needs ${missing.join(', ')}, which no execution plane runs: start the control plane with its local execution plane (\`npm start\`, i.e. \`shipmate up\`), or run them with \`shipmate agent --integration <name>\` on the machine that should run the service`,
    );
  }
}

async function setUpProject(api: DemoApi, options: DemoOptions): Promise<void> {
  const shipyard = Buffer.from(demoShipyard(options.project, options.manualApproval)).toString('base64');
  const created = await api.call('POST', '/controlPlane/v1/project', { name: options.project, shipyard });
  if (created.status === 409)
    await api.expect('updating the shipyard', 'PUT', '/controlPlane/v1/project', { name: options.project, shipyard });
  else if (created.status !== 201)
    await api.expect('creating the project', 'POST', '/controlPlane/v1/project', { name: options.project, shipyard });
  await api.expect(
    'creating the service',
    'POST',
    `/controlPlane/v1/project/${options.project}/service`,
    { serviceName: DEMO_SERVICE },
    [409],
  );
  // The quality gate is judged from the test's own figures: no monitoring system needed.
  await api.expect('choosing the SLI provider', 'POST', '/v1/event', {
    type: 'sh.keptn.event.monitoring.configure',
    source: 'shipmate-demo',
    data: { project: options.project, service: DEMO_SERVICE, type: 'test-results' },
  });
  for (const stage of STAGES) {
    await api.putServiceFile(options.project, stage, DEMO_SERVICE, 'deployment/process.yaml', demoProcessYaml());
    await api.putServiceFile(options.project, stage, DEMO_SERVICE, 'test/workloads.yaml', DEMO_WORKLOADS);
  }
  await api.putServiceFile(options.project, 'staging', DEMO_SERVICE, 'slo.yaml', DEMO_SLO);
}

async function triggerDelivery(api: DemoApi, options: DemoOptions): Promise<string> {
  const answer = await api.expect<{ keptnContext: string }>('triggering the delivery', 'POST', '/v1/event', {
    type: 'sh.keptn.event.dev.delivery.triggered',
    source: 'shipmate-demo',
    data: {
      project: options.project,
      stage: 'dev',
      service: DEMO_SERVICE,
      configurationChange: { values: { image: options.version } },
    },
  });
  return answer.keptnContext;
}

/** Prints each new step until the delivery (and what it chained) ended; returns every event. */
async function follow(api: DemoApi, options: DemoOptions, keptnContext: string, write: Write): Promise<KeptnEvent[]> {
  const shown = new Set<string>();
  const deadline = Date.now() + DEMO_TIMEOUT_MS;
  let approvalHinted = false;
  for (;;) {
    const events = await api.contextEvents(options.project, keptnContext);
    for (const event of events) {
      if (shown.has(event.id)) continue;
      shown.add(event.id);
      const line = stepLine(event);
      if (line) write(line);
      if (event.type === 'sh.keptn.event.approval.triggered' && options.manualApproval && !approvalHinted) {
        approvalHinted = true;
        write(
          `    waiting for a person: approve with  curl -X POST -H 'x-token: …' -H 'content-type: application/json' ${options.endpoint}/api/controlPlane/v1/project/${options.project}/approval/${event.id} -d '{"decision":"approve"}'  (or "decline")`,
        );
      }
    }
    const state = await api.sequenceState(options.project, keptnContext);
    if (state && ENDED.includes(state.state)) return events;
    if (Date.now() > deadline)
      throw new Error(
        `the delivery did not end within ${DEMO_TIMEOUT_MS / 60000} minutes (state ${state?.state ?? 'unknown'}); see GET /api/controlPlane/v1/sequence/${options.project}?keptnContext=${keptnContext}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function finished(events: readonly KeptnEvent[], type: string, stage: string): KeptnEvent | undefined {
  return events.filter((e) => e.type === type && e.data.stage === stage).at(-1);
}

function localUri(event: KeptnEvent | undefined): string | undefined {
  const uris = (event?.data.deployment as { deploymentURIsLocal?: unknown } | undefined)?.deploymentURIsLocal;
  return Array.isArray(uris) && typeof uris[0] === 'string' ? uris[0] : undefined;
}

/** Says how it ended and where the service runs; 0 when the delivery went as the shipyard says. */
async function summarize(api: DemoApi, options: DemoOptions, events: readonly KeptnEvent[], write: Write): Promise<number> {
  const production = finished(events, 'sh.keptn.event.production.delivery.finished', 'production');
  const staging = finished(events, 'sh.keptn.event.staging.delivery.finished', 'staging');
  const errored = events.find((e) => e.type.endsWith('.finished') && e.data.status !== undefined && e.data.status !== 'succeeded');
  write('');
  if (production?.data.result === 'pass') {
    const uri = localUri(finished(events, 'sh.keptn.event.deployment.finished', 'production'));
    write(`Done: ${DEMO_SERVICE} '${options.version}' passed the quality gate and runs in production${uri ? ` at ${uri}` : ''}.`);
    if (uri) write(`Try it: curl ${uri}`);
    return 0;
  }
  if (staging?.data.result === 'fail' && !errored) {
    const evaluation = finished(events, 'sh.keptn.event.evaluation.finished', 'staging');
    const rollback = finished(events, 'sh.keptn.event.rollback.finished', 'staging');
    write(
      `${DEMO_SERVICE} '${options.version}' failed the quality gate in staging: ${String(evaluation?.data.message ?? staging.data.message ?? '')}`,
    );
    write(`Staging rolled back (${String(rollback?.data.result ?? 'no rollback ran')}); '${options.version}' never reached production.`);
    const serving = await lastProductionUri(api, options.project);
    write(
      serving
        ? `Production still serves the version before it at ${serving}.`
        : 'Production has no version yet: run the demo with --version fast first.',
    );
    return 0;
  }
  const failure = errored ?? staging ?? production ?? events.at(-1);
  write(`The delivery stopped: ${failure?.type ?? 'no event'}${failure?.data.message ? `: ${String(failure.data.message)}` : ''}`);
  return 1;
}

/** Where production runs now: the stable address of its last successful deployment. */
async function lastProductionUri(api: DemoApi, project: string): Promise<string | undefined> {
  const filter = encodeURIComponent(`data.project:${project} AND data.stage:production AND data.result:pass`);
  const answer = await api.call<{ events?: KeptnEvent[] }>(
    'GET',
    `/mongodb-datastore/event/type/sh.keptn.event.deployment.finished?filter=${filter}&limit=1`,
  );
  return localUri(answer.body?.events?.[0]);
}
