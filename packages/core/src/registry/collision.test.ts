import { describe, expect, it } from 'vitest';
import type { InstanceRecord } from './integration.js';
import { detectCollision, filtersOverlap, instanceState, planeOf } from './collision.js';

const NOW = Date.UTC(2024, 0, 1, 1);
const iso = (agoMs: number) => new Date(NOW - agoMs).toISOString();
const HB = 5000;
const integration = { name: 'helm-service', metadata: { kubernetesmetadata: { namespace: 'keptn-exec' } } } as Parameters<
  typeof detectCollision
>[0];

function instance(fields: Partial<InstanceRecord>): InstanceRecord {
  return {
    integrationId: 'i',
    instanceId: fields.hostname ?? 'x',
    hostname: 'node',
    podname: '',
    location: 'control-plane',
    integrationversion: '',
    distributorversion: '',
    filters: { projects: [], stages: [], services: [] },
    lastseen: iso(0),
    ...fields,
  };
}

describe('planes and state', () => {
  it.each([
    { location: 'hardening', hostname: 'n1', plane: 'hardening' },
    { location: 'control-plane', hostname: 'n1', plane: 'n1' },
    { location: '', hostname: 'n2', plane: 'n2' },
  ])('plane of $location/$hostname is $plane', ({ location, hostname, plane }) => {
    expect(planeOf({ location, hostname })).toBe(plane);
  });

  it('is online up to 3 intervals', () => {
    expect(instanceState(iso(3 * HB), NOW, HB)).toBe('online');
    expect(instanceState(iso(3 * HB + 1), NOW, HB)).toBe('offline');
  });

  it.each([
    { a: {}, b: {}, overlap: true },
    { a: { stages: ['hardening'] }, b: { stages: ['production'] }, overlap: false },
    { a: { stages: ['dev', 'prod'] }, b: { stages: ['prod'] }, overlap: true },
    { a: { projects: ['x'] }, b: { stages: ['prod'] }, overlap: true },
    { a: { projects: ['x'], stages: ['dev'] }, b: { projects: ['y'] }, overlap: false },
  ])('filters $a and $b overlap: $overlap', ({ a, b, overlap }) => {
    const full = (f: Partial<InstanceRecord['filters']>) => ({ projects: [], stages: [], services: [], ...f });
    expect(filtersOverlap(full(a), full(b))).toBe(overlap);
  });
});

describe('detectCollision', () => {
  it('is absent for replicas of one plane', () => {
    const instances = [instance({ hostname: 'n1', location: 'prod' }), instance({ hostname: 'n2', location: 'prod' })];
    expect(detectCollision(integration, instances, NOW, HB)).toBeUndefined();
  });

  it('ignores instances not seen within 10 intervals', () => {
    const instances = [instance({ location: 'a' }), instance({ hostname: 'old', location: 'b', lastseen: iso(10 * HB + 1) })];
    expect(detectCollision(integration, instances, NOW, HB)).toBeUndefined();
  });

  it('names the planes and the fix; adds the wrong-plane sentence only when filters overlap', () => {
    const disjoint = detectCollision(
      integration,
      [
        instance({ location: 'hardening', filters: { projects: [], stages: ['hardening'], services: [] } }),
        instance({ location: 'production', filters: { projects: [], stages: ['production'], services: [] } }),
      ],
      NOW,
      HB,
    );
    expect(disjoint?.message).toMatch(/identity 'helm-service' in namespace 'keptn-exec': hardening, production/);
    expect(disjoint?.message).toMatch(/unique K8S_DEPLOYMENT_NAME \(or the chart's nameOverride\)/);
    expect(disjoint?.message).not.toMatch(/wrong plane/);
    const overlapping = detectCollision(integration, [instance({ location: 'a' }), instance({ location: 'b' })], NOW, HB);
    expect(overlapping).toMatchObject({ planes: ['a', 'b'], filtersOverlap: true });
    expect(overlapping?.message).toMatch(/tasks may reach the wrong plane/);
  });
});
