import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { launchSpec } from './launch-spec.js';
import { ProcessConfigError, parseProcessConfig } from './parse-process-config.js';

const TARGET = { project: 'shop', stage: 'dev', service: 'carts', image: 'carts:1.2' };
const WHERE = 'deployment/process.yaml at project level';

describe('launchSpec', () => {
  // [command, env, file, args, env of the child]
  const table: Array<[string, string, string, string[], Record<string, string>]> = [
    ['[node, server.js, --version, $IMAGE]', '{}', 'node', ['server.js', '--version', 'carts:1.2'], {}],
    ['"./bin/${IMAGE}/run --x=$IMAGE_TAG"', '{}', './bin/carts:1.2/run', ['--x=$IMAGE_TAG'], {}],
    ['[run]', '{VERSION: "v-${IMAGE}", LITERAL: "$$IMAGEX"}', 'run', [], { VERSION: 'v-carts:1.2', LITERAL: '$$IMAGEX' }],
  ];
  it.each(table)('runs %s with env %s', (command, env, file, args, childEnv) => {
    const spec = launchSpec(parseProcessConfig(`command: ${command}\nenv: ${env}`), TARGET, '/plane', { PATH: '/bin' }, WHERE);
    expect(spec).toMatchObject({ file, args, cwd: resolve('/plane'), portEnv: 'PORT', image: 'carts:1.2' });
    expect(spec.env).toEqual({
      PATH: '/bin',
      KEPTN_PROJECT: 'shop',
      KEPTN_STAGE: 'dev',
      KEPTN_SERVICE: 'carts',
      IMAGE: 'carts:1.2',
      ...childEnv,
    });
  });

  it('resolves workingDir against the deploy dir unless it is absolute', () => {
    const at = (dir: string) => launchSpec(parseProcessConfig(`command: [x]\nworkingDir: ${dir}`), TARGET, '/plane', {}, WHERE).cwd;
    expect(at('svc/carts')).toBe(resolve('/plane/svc/carts'));
    expect(at('/opt/carts')).toBe('/opt/carts');
  });

  it('refuses $IMAGE when the sequence has no image, naming the field and the fix', () => {
    const noImage = { ...TARGET, image: undefined };
    expect(launchSpec(parseProcessConfig('command: [run]'), noImage, '/plane', {}, WHERE).env.IMAGE).toBeUndefined();
    for (const [yaml, field] of [
      ['command: [run, $IMAGE]', 'command[1]'],
      ['command: [run]\nenv: {V: "${IMAGE}"}', 'env.V'],
    ]) {
      expect(() => launchSpec(parseProcessConfig(yaml!), noImage, '/plane', {}, WHERE)).toThrow(ProcessConfigError);
      expect(() => launchSpec(parseProcessConfig(yaml!), noImage, '/plane', {}, WHERE)).toThrow(
        `${WHERE}: ${field} uses $IMAGE, but the sequence has no configurationChange.values.image; trigger the delivery with 'configurationChange: {values: {image: <version>}}'`,
      );
    }
  });
});
