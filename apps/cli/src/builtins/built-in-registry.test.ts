/**
 * `shipmate server` with its defaults (a real process, built by `npm test` first): every built-in
 * integration is in the registry under Keptn's name, with its subscriptions and one online
 * instance at location `control-plane`, as Keptn's control-plane services were.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

let server: ServerProcess;
let api: KeptnApiClient;

beforeAll(async () => {
  server = await startServerProcess();
  api = new KeptnApiClient(server.url, server.token);
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

interface Registered {
  name: string;
  metadata: { location: string };
  subscriptions: Array<{ event: string }>;
  instances: Array<{ location: string; state: string }>;
}

it('lists each built-in under its Keptn name with its subscriptions and an instance in the control plane', async () => {
  const expected: Record<string, string[]> = {
    'approval-service': ['sh.keptn.event.approval.triggered'],
    'lighthouse-service': ['sh.keptn.event.evaluation.triggered'],
    'prometheus-service': ['sh.keptn.event.get-sli.triggered'],
    'remediation-service': ['sh.keptn.event.get-action.triggered'],
    // Keptn's webhook-service has no subscriptions of its own: users add them.
    'webhook-service': [],
  };
  const registered = await waitFor('every built-in registered', async () => {
    const list = (await api.request<Registered[]>('GET', '/api/controlPlane/v1/uniform/registration')).body;
    return Object.keys(expected).every((name) => list.some((i) => i.name === name)) ? list : undefined;
  });
  for (const [name, events] of Object.entries(expected)) {
    const integration = registered.find((i) => i.name === name);
    expect(integration?.metadata.location, name).toBe('control-plane');
    expect(integration?.subscriptions.map((s) => s.event).sort(), name).toEqual(events);
    expect(integration?.instances, name).toEqual([expect.objectContaining({ location: 'control-plane', state: 'online' })]);
  }
});
