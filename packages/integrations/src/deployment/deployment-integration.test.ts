/**
 * The deployment integration with the process runtime in this test, against a real `shipmate
 * server` process (built by `npm test` first): delivery sequences deploy the sample service
 * program of @shipmate/testing (`$IMAGE` is its latency preset; `GET /latency` tells the builds
 * apart) behind a stable address; blue/green switches under keep-alive load without a failed
 * request; a failing health check keeps the previous version serving; bad input errs.
 */
import { mkdtempSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegration, silentLogger } from '@shipmate/agent-sdk';
import type { Integration } from '@shipmate/agent-sdk';
import type { KeptnEvent } from '@shipmate/core';
import { KeptnApiClient, SAMPLE_SERVICE_MAIN, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { withDeployment } from './deployment-integration.js';
import { createProcessRuntime, DEPLOYMENT_SERVICE } from './process-runtime.js';

const PROJECT = 'shop';
const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: shop
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: direct
            - name: release
        - name: canary
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: blue_green_service
        - name: plain
          tasks:
            - name: deployment
        - name: promote
          tasks:
            - name: release
        - name: rollback
          tasks:
            - name: rollback
`;

const PROCESS_YAML = `command: [node, ${JSON.stringify(SAMPLE_SERVICE_MAIN)}, --latency, $IMAGE, --rps, "0"]
portEnv: PORT
healthCheck: {path: /metrics, timeoutSeconds: 20}
`;

let server: ServerProcess;
let api: KeptnApiClient;
let integration: Integration;

beforeAll(async () => {
  server = await startServerProcess({ env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'none' } });
  api = new KeptnApiClient(server.url, server.token);
  await api.createProject(PROJECT, SHIPYARD);
  const runtime = createProcessRuntime({
    deployDir: mkdtempSync(join(tmpdir(), 'shipmate-deploy-')),
    listenHost: '127.0.0.1',
    publicHost: 'plane.example',
    stopGraceMs: 5000,
  });
  integration = withDeployment(
    createIntegration({
      name: DEPLOYMENT_SERVICE,
      controlPlane: { endpoint: `${server.url}/api`, token: server.token },
      handleSignals: false,
      logger: silentLogger,
    }),
    runtime,
  );
  await integration.start();
});

afterAll(async () => {
  await integration?.stop();
  expect(await server?.stop()).toBe(0);
});

let services = 0;
/** A new service with `processYaml` at service level (null: none). */
async function newService(processYaml: string | null = PROCESS_YAML): Promise<string> {
  const service = `carts-${++services}`;
  await api.createService(PROJECT, service);
  if (processYaml !== null) await api.putResource({ project: PROJECT, stage: 'dev', service }, 'deployment/process.yaml', processYaml);
  return service;
}

/** Runs `dev.<sequence>` for `service` and returns the events of its context once it finished. */
async function run(sequence: string, service: string, data: Record<string, unknown> = {}): Promise<KeptnEvent[]> {
  const context = await api.triggerSequence(PROJECT, 'dev', sequence, service, data);
  return waitFor(
    `dev.${sequence} of ${service} finished`,
    async () => {
      const events = await api.contextEvents(PROJECT, context);
      return events.some((e) => e.type === `sh.keptn.event.dev.${sequence}.finished`) ? events : undefined;
    },
    60_000,
    200,
  );
}

const image = (name: string) => ({ configurationChange: { values: { image: name } } });
const finishedOf = (events: KeptnEvent[], task: string) => events.find((e) => e.type === `sh.keptn.event.${task}.finished`);

async function latencyAt(url: string): Promise<number> {
  return ((await (await fetch(`${url}/latency`)).json()) as { latencyMs: number }).latencyMs;
}

/** Keep-alive request loops against `url` until stopped; counts answers and failures. */
function startLoad(url: string, loops: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: loops });
  const seen = { ok: 0, failed: 0, failures: [] as string[], latencies: new Set<number>() };
  let running = true;
  const once = (path: string) =>
    new Promise<void>((resolve) => {
      get(`${url}${path}`, { agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          if (res.statusCode === 200) {
            seen.ok += 1;
            if (path === '/latency') seen.latencies.add((JSON.parse(body) as { latencyMs: number }).latencyMs);
          } else {
            seen.failed += 1;
            seen.failures.push(`${res.statusCode}: ${body}`);
          }
          resolve();
        });
        res.on('error', (error) => {
          seen.failed += 1;
          seen.failures.push(error.message);
          resolve();
        });
      }).on('error', (error) => {
        seen.failed += 1;
        seen.failures.push(error.message);
        resolve();
      });
    });
  const loop = async (path: string) => {
    while (running) await once(path);
  };
  const done = Promise.all(Array.from({ length: loops }, (_, i) => loop(i === 0 ? '/latency' : '/work')));
  return {
    seen,
    async stop() {
      running = false;
      await done;
      agent.destroy();
      return seen;
    },
  };
}

describe('deployment-service with the process runtime', () => {
  it('a delivery sequence deploys version A, then B, at one stable address with Keptn deployment data', async () => {
    const service = await newService();
    const first = await run('delivery', service, image('fast'));
    const deployed = finishedOf(first, 'deployment');
    expect(deployed?.source).toBe(DEPLOYMENT_SERVICE);
    expect(deployed?.data).toMatchObject({ result: 'pass', status: 'succeeded', project: PROJECT, stage: 'dev', service });
    const deployment = deployed?.data.deployment as { deploymentURIsLocal: string[]; deploymentURIsPublic: string[] };
    const url = deployment.deploymentURIsLocal[0]!;
    expect(deployment).toEqual({
      deploymentstrategy: 'direct',
      deploymentNames: ['direct'],
      deploymentURIsLocal: [url],
      deploymentURIsPublic: [url.replace('127.0.0.1', 'plane.example')],
    });
    // The control plane hands the deployment data on to the next task.
    const release = first.find((e) => e.type === 'sh.keptn.event.release.triggered');
    expect((release?.data.deployment as { deploymentURIsLocal?: string[] }).deploymentURIsLocal).toEqual([url]);
    expect(finishedOf(first, 'release')?.data).toMatchObject({
      result: 'pass',
      status: 'succeeded',
      message: expect.stringContaining('Finished release') as unknown,
    });
    expect(await latencyAt(url)).toBe(20);

    const second = await run('delivery', service, image('slow'));
    expect(finishedOf(second, 'deployment')?.data).toMatchObject({ result: 'pass', deployment: { deploymentURIsLocal: [url] } });
    expect(await latencyAt(url)).toBe(600);
  });

  it('blue/green: switches under keep-alive load without a failed request; release promotes; rollback returns to A', async () => {
    const service = await newService();
    const first = await run('canary', service, image('fast'));
    const url = (finishedOf(first, 'deployment')?.data.deployment as { deploymentURIsLocal: string[] }).deploymentURIsLocal[0]!;
    expect(finishedOf(first, 'deployment')?.data.deployment).toMatchObject({
      deploymentstrategy: 'duplicate',
      deploymentNames: ['canary'],
    });

    const load = startLoad(url, 4);
    const second = await run('canary', service, image('slow'));
    expect(finishedOf(second, 'deployment')?.data).toMatchObject({
      result: 'pass',
      message: expect.stringContaining("'fast' keeps running beside it until release or rollback") as unknown,
    });
    expect(await latencyAt(url)).toBe(600);

    const promoted = await run('promote', service);
    expect(finishedOf(promoted, 'release')?.data).toMatchObject({
      result: 'pass',
      message: expect.stringContaining("promoted 'slow'") as unknown,
    });
    expect(await latencyAt(url)).toBe(600);

    const rolledBack = await run('rollback', service);
    expect(finishedOf(rolledBack, 'rollback')?.data).toMatchObject({
      result: 'pass',
      status: 'succeeded',
      message: expect.stringContaining("serves 'fast' again") as unknown,
    });
    expect(await latencyAt(url)).toBe(20);

    const seen = await load.stop();
    expect(seen.failures).toEqual([]);
    expect(seen.failed).toBe(0);
    expect(seen.ok).toBeGreaterThan(0);
    // The load saw both builds: it ran through the switches.
    expect([...seen.latencies].sort((a, b) => a - b)).toEqual([20, 600]);
  });

  it('a version failing its health check ends the task fail with its output, and the previous version keeps serving', async () => {
    const service = await newService();
    const first = await run('plain', service, image('fast'));
    expect(finishedOf(first, 'deployment')?.data).toMatchObject({ result: 'pass', deployment: { deploymentstrategy: 'direct' } });
    const url = (finishedOf(first, 'deployment')?.data.deployment as { deploymentURIsLocal: string[] }).deploymentURIsLocal[0]!;
    await api.putResource(
      { project: PROJECT, stage: 'dev', service },
      'deployment/process.yaml',
      PROCESS_YAML.replace('path: /metrics, timeoutSeconds: 20', 'path: /ready, timeoutSeconds: 1'),
    );
    const second = await run('delivery', service, image('slow'));
    const failed = finishedOf(second, 'deployment')?.data;
    expect(failed).toMatchObject({ result: 'fail', status: 'succeeded' });
    expect(failed?.message).toContain('did not pass its health check (GET /ready answering 2xx/3xx) within 1 s');
    expect(failed?.message).toContain("'fast' keeps serving");
    expect(failed?.message).toContain('Last output:\nsample service (latency 600 ms) listening on');
    expect(second.some((e) => e.type === 'sh.keptn.event.release.triggered')).toBe(false);
    expect(await latencyAt(url)).toBe(20);
  });

  // [what, process.yaml, data, message]
  const bad: Array<[string, string | null, Record<string, unknown>, string]> = [
    [
      'a strategy Keptn does not know',
      PROCESS_YAML,
      { ...image('fast'), deployment: { deploymentstrategy: 'canary' } },
      'deployment.deploymentstrategy "canary" is not a deployment strategy: give direct, blue_green_service (or duplicate), user_managed',
    ],
    ['no deployment/process.yaml', null, image('fast'), 'deployment/process.yaml: not found at service, stage or project level'],
    [
      'an unknown key in deployment/process.yaml',
      `${PROCESS_YAML}port: 8080\n`,
      image('fast'),
      "deployment/process.yaml at service level line 4: unknown field 'port'",
    ],
  ];
  it.each(bad)('ends the deployment errored for %s, naming the value and the fix', async (_what, processYaml, data, message) => {
    const service = await newService(processYaml);
    const deployed = finishedOf(await run('plain', service, data), 'deployment');
    expect(deployed?.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(deployed?.data.message).toContain(message);
  });
});
