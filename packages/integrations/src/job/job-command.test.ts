import { describe, expect, it } from 'vitest';
import { commandLine, expandReferences, jobEnvironment, mapMountPath, resolveWorkingDir } from './job-command.js';

describe('jobEnvironment', () => {
  it('is the base, then the task env in order, then KEPTN_* and LABELS_* as JES set them', () => {
    const env = jobEnvironment(
      { PATH: '/bin', KEPTN_PROJECT: 'overridden' },
      [
        ['A', '1'],
        ['A', '2'],
        ['PATH', '/usr/bin'],
      ],
      { project: 'shop', stage: 'dev', service: 'carts', labels: { 'build-id': '7', 'git sha': 'abc', owner: 'me' } },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      A: '2',
      KEPTN_PROJECT: 'shop',
      KEPTN_STAGE: 'dev',
      KEPTN_SERVICE: 'carts',
      LABELS_BUILD_ID: '7',
      LABELS_GIT_SHA: 'abc',
      LABELS_OWNER: 'me',
    });
  });
});

describe('expandReferences', () => {
  const env = { HOST: 'http://carts', EMPTY: '' };
  // [word, expanded]
  const cases: Array<[string, string]> = [
    ['$(HOST)/health', 'http://carts/health'],
    ['--host=$(HOST) $(EMPTY)x', '--host=http://carts x'],
    ['$(UNKNOWN)', '$(UNKNOWN)'],
    ['$$(HOST)', '$(HOST)'],
    ['$HOST and ${HOST}', '$HOST and ${HOST}'],
    ['cost: 5$', 'cost: 5$'],
  ];
  it.each(cases)('%s', (word, expanded) => expect(expandReferences(word, env)).toBe(expanded));
});

describe('paths', () => {
  // [word, mapped]
  const mount: Array<[string, string]> = [
    ['/keptn', '/w'],
    ['/keptn/locust/basic.py', '/w/locust/basic.py'],
    ['/keptnx/a', '/keptnx/a'],
    ['keptn/a', 'keptn/a'],
    ['--file=/keptn/a', '--file=/keptn/a'],
  ];
  it.each(mount)('mapMountPath %s', (word, mapped) => expect(mapMountPath(word, '/w')).toBe(mapped));

  // [workingDir, resolved]
  const dirs: Array<[string | undefined, string]> = [
    [undefined, '/w'],
    ['/keptn', '/w'],
    ['/keptn/tests', '/w/tests'],
    ['tests', '/w/tests'],
    ['/opt/tools', '/opt/tools'],
  ];
  it.each(dirs)('resolveWorkingDir %s', (workingDir, resolved) => expect(resolveWorkingDir(workingDir, '/w')).toBe(resolved));

  it('commandLine joins cmd and args, expands references and maps the mount', () => {
    expect(commandLine(['locust'], ['-f', '/keptn/basic.py', '--host', '$(HOST)'], { HOST: 'http://h' }, '/w')).toEqual({
      command: 'locust',
      args: ['-f', '/w/basic.py', '--host', 'http://h'],
    });
  });
});
