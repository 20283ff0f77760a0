import { afterEach, expect, it } from 'vitest';
import { startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

let api: InProcessServer | undefined;
afterEach(async () => {
  await api?.close();
});

it('counts no replica notices on a single server, whose registry and token changes have nobody to tell', async () => {
  api = await startInProcessServer();
  const registered = await api.call('POST', '/api/controlPlane/v1/uniform/registration', {
    name: 'helm-service',
    metadata: { hostname: 'node-1', kubernetesmetadata: { namespace: 'keptn', podname: 'helm-1' } },
    subscriptions: [{ event: 'sh.keptn.event.deployment.triggered', filter: { projects: [], stages: [], services: [] } }],
  });
  expect(registered.status).toBeLessThan(300);
  expect((await api.call('POST', '/api/shipmate/v1/token', { name: 'plane-eu', role: 'execution-plane' })).status).toBe(201);
  const metrics = await api.server.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-token': 'test-token' } });
  expect(metrics.statusCode).toBe(200);
  expect(metrics.body).not.toMatch(/^shipmate_replica_notices_total\{/m);
});
