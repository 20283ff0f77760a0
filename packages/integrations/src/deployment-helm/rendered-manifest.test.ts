import { describe, expect, it } from 'vitest';
import { containerImages, firstService, localDeploymentUri } from './rendered-manifest.js';
import type { ManifestService } from './rendered-manifest.js';

const service = (name: string, ports: string): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  type: ClusterIP\n  ports:${ports}\n`;

const deployment = `# Source: carts/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: carts
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: carts-migrate:1
      containers:
        - name: carts
          image: ghcr.io/shop/carts:0.13.2
        - name: sidecar
          image: envoy:1.30
`;

describe('firstService (Keptn getDeploymentURIs / getPortOfService)', () => {
  // [name, manifest, service]
  const cases: Array<[string, string, ManifestService | undefined]> = [
    ['no Service', deployment, undefined],
    ['one port', `${deployment}---\n${service('carts', '\n    - port: 8080\n      targetPort: http')}`, { name: 'carts', port: 8080 }],
    [
      'the lowest TCP port; a port without protocol is TCP',
      service('carts', '\n    - port: 9090\n    - port: 53\n      protocol: UDP\n    - port: 8080\n      protocol: TCP'),
      { name: 'carts', port: 8080 },
    ],
    [
      'only UDP ports: the lowest of them',
      service('dns', '\n    - port: 5353\n      protocol: UDP\n    - port: 53\n      protocol: UDP'),
      { name: 'dns', port: 53 },
    ],
    ['no ports', service('carts', ' []'), { name: 'carts', port: undefined }],
    [
      'the first Service only, after documents that are not YAML',
      `key: [unclosed\n---\n${service('first', '\n    - port: 80')}---\n${service('second', '\n    - port: 1')}`,
      { name: 'first', port: 80 },
    ],
    ['a Service of another API group is not one', `apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: k\n`, undefined],
    ['an empty manifest', '', undefined],
  ];
  it.each(cases)('%s', (_name, manifest, expected) => {
    expect(firstService(manifest)).toEqual(expected);
  });

  it('builds http://<service>.<project>-<stage>:<port>', () => {
    expect(localDeploymentUri('shop', 'dev', 'carts', 8080)).toBe('http://carts.shop-dev:8080');
  });
});

describe('containerImages', () => {
  it.each<[string, string, string[]]>([
    [
      'containers and init containers, once each',
      `${deployment}---\n${deployment}`,
      ['carts-migrate:1', 'ghcr.io/shop/carts:0.13.2', 'envoy:1.30'],
    ],
    [
      'a CronJob nests them deeper',
      'kind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - image: backup:2\n',
      ['backup:2'],
    ],
    ['no workloads', service('carts', '\n    - port: 80'), []],
  ])('%s', (_name, manifest, images) => {
    expect(containerImages(manifest)).toEqual(images);
  });
});
