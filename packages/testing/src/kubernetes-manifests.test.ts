import { describe, expect, it } from 'vitest';
import { validateKubernetesManifest } from './kubernetes-manifests.js';

function deployment(container: Record<string, unknown>, extraSpec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'agent', labels: { 'app.kubernetes.io/name': 'agent' } },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'x:1', ...container }] } },
      ...extraSpec,
    },
  };
}

describe('validateKubernetesManifest', () => {
  it('accepts a valid manifest, labels and env included', () => {
    expect(
      validateKubernetesManifest(deployment({ env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })),
    ).toEqual([]);
  });

  it.each([
    ['a misspelt container field', deployment({ envv: [] }), 'Deployment agent: spec.template.spec.containers[0].envv: unknown field'],
    [
      'a field at the wrong level',
      deployment({}, { terminationGracePeriodSeconds: 30 }),
      'Deployment agent: spec.terminationGracePeriodSeconds: unknown field',
    ],
    ['an unknown top-level field', { ...deployment({}), status2: {} }, 'Deployment agent: status2: unknown field'],
  ])('reports %s', (_, manifest, problem) => {
    expect(validateKubernetesManifest(manifest)).toContain(problem);
  });

  it('reports schema errors: a missing required field, a wrong type', () => {
    expect(validateKubernetesManifest(deployment({ name: undefined })).join('\n')).toMatch(/containers\/0.*name/);
    expect(validateKubernetesManifest(deployment({ ports: [{ containerPort: 'http' }] })).join('\n')).toMatch(/containerPort/);
  });

  it('names the kinds it cannot validate', () => {
    expect(validateKubernetesManifest({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' })[0]).toMatch(
      /^monitoring.coreos.com\/v1\/ServiceMonitor: no model/,
    );
  });
});
