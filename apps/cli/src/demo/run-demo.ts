/**
 * `shipmate demo`: a first delivery against a running control plane with a local execution plane
 * (`npm start`). It creates the demo project (dev → staging → production, with a quality gate,
 * an approval and a rollback in staging), onboards the sample service `carts`, triggers a delivery
 * of the chosen version and shows each task as it happens; it ends saying where the service runs.
 * The fast version reaches production; the slow one fails the quality gate in staging, staging
 * rolls back, and what ran before keeps serving. Nothing asks for input.
 */
import type { KeptnEvent } from '@shipmate/api';
import { ApiError } from '@shipmate/api-client';
import type { ApiClient } from '@shipmate/api-client';
import { VerbFailure } from '../verbs/verb-failure.js';
import type { VerbContext } from '../verbs/run-verb.js';
import { StepKind, stepLine } from '../verbs/sequence-steps.js';
import { watchSequence } from '../verbs/watch-sequence.js';
import type { DemoOptions } from './demo-options.js';
import { DEMO_SERVICE, DEMO_SLO, DEMO_WORKLOADS, demoProcessYaml, demoShipyard } from './demo-project.js';

/** Integrations the demo needs, and who runs them. */
const NEEDED = ['deployment-service', 'http-test-service', 'test-results-service', 'lighthouse-service', 'approval-service'];
const STAGES = ['dev', 'staging', 'production'];

/** How long the demo waits for the delivery before it gives up. */
const DEMO_TIMEOUT_MS = 5 * 60 * 1000;

/** Runs the demo; resolves with the exit code. */
export async function runDemo({ client, connection, out }: VerbContext, options: DemoOptions): Promise<number> {
  await requireIntegrations(client);
  out.line(`Setting up project '${options.project}' (dev → staging → production) with service '${DEMO_SERVICE}' on ${connection.endpoint}`);
  await setUpProject(client, options);
  const keptnContext = await triggerDelivery(client, options);
  out.line(`Delivering ${DEMO_SERVICE} version '${options.version}' (keptn context ${keptnContext})`);
  const watched = await watchSequence(client, { project: options.project, keptnContext, timeoutMs: DEMO_TIMEOUT_MS }, (step) => {
    out.line(stepLine(step, out.style));
    if (step.kind === StepKind.taskTriggered && step.task === 'approval' && options.manualApproval) {
      out.line(
        `    waiting for a person: approve with  shipmate approve --project ${options.project} --id ${step.triggeredId}  (or shipmate decline)`,
      );
    }
  });
  if (!watched.ended) {
    throw new VerbFailure(
      `the delivery did not end within ${DEMO_TIMEOUT_MS / 60000} minutes (state ${watched.state}); follow it with \`shipmate get sequence --project ${options.project} --keptn-context ${keptnContext} --watch\``,
    );
  }
  return summarize(client, options, watched.events, (line) => out.line(line));
}

async function requireIntegrations(client: ApiClient): Promise<void> {
  const registered = await client.integrations();
  const missing = NEEDED.filter(
    (name) => !registered.some((i) => i.name === name && (i.instances ?? []).some((x) => x.state === 'online')),
  );
  if (missing.length > 0) {
    throw new VerbFailure(
      `the demo needs ${missing.join(', ')}, which no execution plane runs: start the control plane with its local execution plane (\`npm start\`, i.e. \`shipmate up\`), or run them with \`shipmate agent --integration <name>\` on the machine that should run the service`,
    );
  }
}

/** Swallows the API's answer `status` (e.g. 409: exists already). */
async function unless(status: number, call: Promise<unknown>): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === status) return false;
    throw error;
  }
}

async function setUpProject(client: ApiClient, options: DemoOptions): Promise<void> {
  const shipyard = Buffer.from(demoShipyard(options.project, options.manualApproval)).toString('base64');
  if (!(await unless(409, client.createProject({ name: options.project, shipyard })))) {
    await client.updateProject({ name: options.project, shipyard });
  }
  await unless(409, client.createService(options.project, DEMO_SERVICE));
  // The quality gate is judged from the test's own figures: no monitoring system needed.
  await client.sendEvent({
    type: 'sh.keptn.event.monitoring.configure',
    source: 'shipmate-demo',
    data: { project: options.project, service: DEMO_SERVICE, type: 'test-results' },
  });
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  for (const stage of STAGES) {
    const level = { project: options.project, stage, service: DEMO_SERVICE };
    await client.putResources(level, {
      resources: [
        { resourceURI: 'deployment/process.yaml', resourceContent: base64(demoProcessYaml()) },
        { resourceURI: 'test/workloads.yaml', resourceContent: base64(DEMO_WORKLOADS) },
        ...(stage === 'staging' ? [{ resourceURI: 'slo.yaml', resourceContent: base64(DEMO_SLO) }] : []),
      ],
    });
  }
}

async function triggerDelivery(client: ApiClient, options: DemoOptions): Promise<string> {
  const answer = await client.sendEvent({
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

function finished(events: readonly KeptnEvent[], type: string, stage: string): KeptnEvent | undefined {
  return events.filter((e) => e.type === type && e.data.stage === stage).at(-1);
}

function localUri(event: KeptnEvent | undefined): string | undefined {
  const uris = (event?.data.deployment as { deploymentURIsLocal?: unknown } | undefined)?.deploymentURIsLocal;
  return Array.isArray(uris) && typeof uris[0] === 'string' ? uris[0] : undefined;
}

/** Says how it ended and where the service runs; 0 when the delivery went as the shipyard says. */
async function summarize(
  client: ApiClient,
  options: DemoOptions,
  events: readonly KeptnEvent[],
  write: (line: string) => void,
): Promise<number> {
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
    const serving = await lastProductionUri(client, options.project);
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
async function lastProductionUri(client: ApiClient, project: string): Promise<string | undefined> {
  const answer = await client.eventsByType('sh.keptn.event.deployment.finished', {
    filter: `data.project:${project} AND data.stage:production AND data.result:pass`,
    limit: 1,
  });
  return localUri(answer.events[0]);
}
