import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors/error-codes.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { IntegrationRecord } from './integration.js';
import { integrationIdOf, parseRegistration, parseSubscription, planRegistration } from './registration-rules.js';

function counterIds(): IdGenerator {
  let n = 0;
  return { newId: () => `sub-${++n}` };
}

const body = (metadata: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  name: 'helm-service',
  metadata: { hostname: 'node-1', kubernetesmetadata: { namespace: 'keptn', podname: 'pod-1' }, ...metadata },
  subscriptions: [{ event: 'sh.keptn.event.deployment.triggered', filter: { stages: ['dev'] } }],
  ...extra,
});

function stored(id: string, lastseen: string, subscriptions: IntegrationRecord['subscriptions'] = []): IntegrationRecord {
  return {
    id,
    name: 'helm-service',
    metadata: {
      hostname: 'old-node',
      integrationversion: '1',
      distributorversion: '1',
      location: 'x',
      lastseen,
      kubernetesmetadata: { namespace: 'keptn', podname: 'old', deploymentname: '' },
    },
    subscriptions,
  };
}

describe('subscription rules', () => {
  it.each([
    { name: 'event missing', value: { filter: {} }, webhook: false, message: /'event' is required/ },
    {
      name: 'services without stages',
      value: { event: 'e', filter: { services: ['carts'] } },
      webhook: false,
      message: /needs filter\.stages/,
    },
    { name: 'webhook without project', value: { event: 'e' }, webhook: true, message: /exactly one project/ },
    { name: 'webhook with two projects', value: { event: 'e', filter: { projects: ['a', 'b'] } }, webhook: true, message: /got 2/ },
    { name: 'filter list of numbers', value: { event: 'e', filter: { stages: [1] } }, webhook: false, message: /list of strings/ },
  ])('rejects $name', ({ value, webhook, message }) => {
    expect(() => parseSubscription(value, webhook ? 'webhook-service' : 'x', true)).toThrow(
      expect.objectContaining({ code: ErrorCode.invalidSubscription, message: expect.stringMatching(message) }),
    );
  });

  it('accepts null filter lists as all, and skips the webhook rule when asked (POST)', () => {
    expect(parseSubscription({ event: 'e', filter: { projects: null } }, 'webhook-service', false)).toEqual({
      event: 'e',
      filter: { projects: [], stages: [], services: [] },
    });
  });
});

describe('registration', () => {
  it('computes the id as Keptn does', () => {
    expect(integrationIdOf('a', 'b', 'c')).toBe(createHash('sha1').update('a-b-c').digest('hex'));
  });

  it.each(['name', 'namespace', 'hostname'])('needs a non-empty %s', (field) => {
    const b = body() as Record<string, unknown> & { metadata: Record<string, unknown> & { kubernetesmetadata: Record<string, unknown> } };
    if (field === 'name') b.name = '';
    if (field === 'namespace') b.metadata.kubernetesmetadata.namespace = '';
    if (field === 'hostname') b.metadata.hostname = '';
    expect(() => parseRegistration(b)).toThrow(
      expect.objectContaining({ code: ErrorCode.missingField, message: expect.stringMatching(/incomplete integration ID/) }),
    );
  });

  it('takes the instance filters from the extension, else from subscriptions sharing one filter', () => {
    expect(parseRegistration(body()).instanceFilters).toEqual({ projects: [], stages: ['dev'], services: [] });
    expect(parseRegistration(body({ shipmate: { filters: { stages: ['prod'] } } })).instanceFilters.stages).toEqual(['prod']);
    const mixed = body({}, { subscriptions: [{ event: 'a', filter: { stages: ['dev'] } }, { event: 'b' }] });
    expect(parseRegistration(mixed).instanceFilters).toEqual({ projects: [], stages: [], services: [] });
    expect(parseRegistration(body({ location: '' })).location).toBe('control-plane');
  });

  it('creates a new integration with fresh subscription ids', () => {
    const plan = planRegistration(parseRegistration(body()), [], 'T1', counterIds());
    expect(plan.created).toBe(true);
    expect(plan.integration.id).toBe(integrationIdOf('helm-service', 'keptn', 'node-1'));
    expect(plan.integration.subscriptions.map((s) => s.id)).toEqual(['sub-1']);
    expect(plan.instance).toMatchObject({ integrationId: plan.integration.id, podname: 'pod-1', lastseen: 'T1' });
  });

  it('reuses the most recently seen duplicate, merges the others and keeps its hostname', () => {
    const newer = stored('newer', 'T5', [{ id: 's1', event: 'e1', filter: { projects: [], stages: [], services: [] } }]);
    const older = stored('older', 'T3', [{ id: 's2', event: 'e2', filter: { projects: [], stages: [], services: [] } }]);
    const plan = planRegistration(parseRegistration(body({ integrationversion: '2' })), [older, newer], 'T9', counterIds());
    expect(plan.created).toBe(false);
    expect(plan.integration.id).toBe('newer');
    expect(plan.removeIds).toEqual(['older']);
    expect(plan.integration.subscriptions.map((s) => s.id)).toEqual(['s1', 's2']);
    expect(plan.integration.metadata).toMatchObject({ hostname: 'old-node', integrationversion: '2', lastseen: 'T9' });
    expect(plan.instance.integrationId).toBe('newer');
  });

  it("gives a reused integration without subscriptions the request's", () => {
    const plan = planRegistration(parseRegistration(body()), [stored('a', 'T1')], 'T2', counterIds());
    expect(plan.integration.subscriptions.map((s) => s.event)).toEqual(['sh.keptn.event.deployment.triggered']);
  });
});
