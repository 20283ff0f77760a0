/**
 * Fuzzes every operation of the served OpenAPI document against a real server process: a few
 * thousand seeded requests with bent parameters and bodies. No answer may be a 5xx or missing,
 * and the server must still be alive and serving afterwards. SHIPMATE_FUZZ_SEED and
 * SHIPMATE_FUZZ_REQUESTS replay or widen a run; every finding prints the seed (and the server's
 * log); SHIPMATE_FUZZ_REPORT=1 prints how many answers of each status every operation got.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { KeptnApiClient, fuzzApi, startServerProcess } from '@shipmate/testing';
import type { FuzzResult, OpenApiDocument, ServerProcess } from '@shipmate/testing';
import { THREE_STAGE_SHIPYARD } from './shipyards.js';

const SEED = Number(process.env.SHIPMATE_FUZZ_SEED ?? 20261205);
const REQUESTS = Number(process.env.SHIPMATE_FUZZ_REQUESTS ?? 3000);

function describeFinding(result: FuzzResult): string {
  const { request } = result;
  const body = request.body === undefined ? '' : ` body=${request.body.slice(0, 300)}`;
  return `${result.status} ${request.method} ${request.url.slice(0, 300)}${body} -> ${result.responseText.slice(0, 200)}`;
}

describe('API fuzzing on a real server', () => {
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it(`answers ${REQUESTS} fuzzed requests over every operation without a 5xx and stays up (seed ${SEED})`, async () => {
    // Wrong tokens are part of the mix: lift the per-address limit so the fuzzer is not locked out.
    server = await startServerProcess({ env: { SHIPMATE_AUTH_FAILURE_LIMIT: '1000000' } });
    const client = new KeptnApiClient(server.url, server.token);
    await client.createProject('shop', THREE_STAGE_SHIPYARD);
    await client.createService('shop', 'carts');
    const keptnContext = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    const registration = await client.request<{ id: string; instanceId: string }>('POST', '/api/controlPlane/v1/uniform/registration', {
      name: 'fuzz-service',
      metadata: { hostname: 'h', kubernetesmetadata: { namespace: 'keptn', podname: 'p', deploymentname: 'fuzz-service' } },
      subscriptions: [{ event: 'sh.keptn.event.deployment.triggered' }],
    });
    expect(registration.status).toBeLessThan(300);
    const documentReply = await client.request<OpenApiDocument>('GET', '/api/openapi.json');
    expect(documentReply.status).toBe(200);
    const operations = Object.values(documentReply.body.paths).reduce((count, methods) => count + Object.keys(methods).length, 0);
    expect(operations).toBeGreaterThan(40);

    const results = await fuzzApi({
      baseUrl: server.url,
      token: server.token,
      document: documentReply.body,
      seed: SEED,
      requests: REQUESTS,
      known: {
        project: ['shop'],
        projectName: ['shop'],
        name: ['shop', 'carts', 'delivery'],
        stage: ['dev', 'hardening', 'production'],
        service: ['carts'],
        serviceName: ['carts'],
        keptnContext: [keptnContext],
        shkeptncontext: [keptnContext],
        integrationID: [registration.body.id],
        integrationId: [registration.body.id],
        instanceID: [registration.body.instanceId],
        instanceId: [registration.body.instanceId],
        eventType: ['sh.keptn.event.deployment.triggered', 'sh.keptn.event.dev.delivery.triggered'],
        type: ['sh.keptn.event.dev.delivery.triggered', 'sh.keptn.event.deployment.finished'],
        resourceURI: ['shipyard.yaml', 'helm/carts.tgz'],
        scope: ['keptn-default'],
      },
      // A long poll parks for up to a minute: keep it short so the run stays bounded.
      fixed: { waitMs: () => String(Math.floor(Math.random() * 50)) },
    });

    if (process.env.SHIPMATE_FUZZ_REPORT) {
      const histogram = new Map<string, number>();
      for (const result of results) {
        const key = `${result.request.method} ${result.request.operation} ${result.status}`;
        histogram.set(key, (histogram.get(key) ?? 0) + 1);
      }
      process.stdout.write(
        [...histogram]
          .map(([key, count]) => `${count}\t${key}`)
          .sort()
          .join('\n') + '\n',
      );
    }
    expect(results).toHaveLength(REQUESTS);
    const failures = results.filter((result) => result.status === 0 || result.status >= 500);
    if (failures.length > 0) process.stderr.write(`server log:\n${server.output().slice(-20_000)}\n`);
    expect(failures.map(describeFinding), `seed ${SEED}`).toEqual([]);
    const fuzzedOperations = new Set(results.map((result) => `${result.request.method} ${result.request.operation}`));
    expect(fuzzedOperations.size).toBe(operations);

    expect(server.child.exitCode, server.output()).toBeNull();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await client.request('GET', '/api/v1/metadata')).status).toBe(200);
  });
});
