import { describe, expect, it } from 'vitest';
import { helmNamespace, helmReleaseName } from './release-name.js';

const x = (n: number): string => 'x'.repeat(n);

describe('helmReleaseName (Keptn GetReleaseName)', () => {
  // [project, stage, service, release]
  const cases: Array<[string, string, string, string]> = [
    ['shop', 'dev', 'carts', 'shop-dev-carts'],
    // 52 characters still fit
    [x(42), 'dev', 'carts', `${x(42)}-dev-carts`],
    // 53 do not: drop the project
    [x(43), 'dev', 'carts', 'dev-carts'],
    // then the stage
    [x(10), x(30), x(22), x(22)],
    // then cut the service to 52
    ['shop', 'dev', x(60), x(52)],
  ];
  it.each(cases)('%s / %s / %s → %s', (project, stage, service, release) => {
    const name = helmReleaseName(project, stage, service);
    expect(name).toBe(release);
    expect(name.length).toBeLessThan(53);
  });

  it('puts a stage of a project in namespace <project>-<stage>', () => {
    expect(helmNamespace('shop', 'production')).toBe('shop-production');
  });
});
