/**
 * The `shipmate` CLI's verbs against a real control plane: `shipmate up` (its local execution plane
 * deploys and tests the sample service) in one process, each verb a `node apps/cli/bin/shipmate.js`
 * child process with its own config dir and no inherited SHIPMATE_* variables. Covers `auth` and
 * its config file, every verb with `-o json` parsed, the `--watch` output of whole deliveries, and
 * the bad-input table: exact exit codes and one-line messages that name the fix.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPMATE_BIN, freePort, startServerProcess } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

/** The demo's sample HTTP service, built with the CLI: `--version fast|slow`, listens on PORT. */
const SAMPLE_SERVICE = fileURLToPath(new URL('../../apps/cli/dist/demo/demo-service.js', import.meta.url));

/** One stage: deploy the image, test it, approve automatically, release. */
const WEB_SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: web
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: direct
            - name: test
              properties:
                teststrategy: functional
            - name: approval
              properties:
                pass: automatic
                warning: automatic
            - name: release
`;

const PROCESS_YAML = `command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(SAMPLE_SERVICE)}, --version, $IMAGE]
portEnv: PORT
healthCheck:
  path: /health
  timeoutSeconds: 15
`;

const WORKLOADS_YAML = `spec_version: '0.1.0'
workloads:
  - teststrategy: functional
    requests:
      - {method: GET, path: /}
    checks:
      - {status: 200}
`;

let server: ServerProcess;
let dir: string;
/** The environment every CLI run starts from: no SHIPMATE_* or KEPTN_* of the test's own. */
let baseEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shipmate-cli-e2e-'));
  mkdirSync(join(dir, 'home'));
  mkdirSync(join(dir, 'work'));
  writeFileSync(join(dir, 'work', 'shipyard.yaml'), WEB_SHIPYARD);
  writeFileSync(join(dir, 'work', 'process.yaml'), PROCESS_YAML);
  writeFileSync(join(dir, 'work', 'workloads.yaml'), WORKLOADS_YAML);
  baseEnv = { PATH: process.env.PATH, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'config') };
  server = await startServerProcess({
    command: 'up',
    env: { SHIPMATE_DEPLOY_DIR: join(dir, 'deployments'), SHIPMATE_JOB_DIR: join(dir, 'jobs') },
  });
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `shipmate <args>` in the work dir to its end. */
function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SHIPMATE_BIN, ...args],
      { cwd: join(dir, 'work'), env: { ...baseEnv, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs a verb that must succeed; fails with its stderr otherwise. */
async function ok(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const run = await cli(args, env);
  expect(run.code, `shipmate ${args.join(' ')}\n${run.stderr}`).toBe(0);
  return run;
}

/** A JSON answer of `-o json`. */
async function json<T>(args: readonly string[]): Promise<T> {
  return JSON.parse((await ok([...args, '-o', 'json'])).stdout) as T;
}

/** A one-line message without a stack trace. */
function expectOneLine(text: string): void {
  expect(text.trimEnd().split('\n'), text).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /);
}

describe('auth, status and version', () => {
  it('auth checks the token, keeps endpoint and token in a 0600 config file that every later verb uses', async () => {
    const run = await ok(['auth', '--endpoint', `${server.url}/api`, '--api-token', server.token]);
    const file = join(dir, 'config', 'shipmate', 'config.yaml');
    expect(run.stderr).toContain(`authenticated at ${server.url} (Shipmate `);
    expect(run.stderr).toContain(`kept in ${file} (mode 0600)`);
    expect(run.stdout).toBe('');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(`endpoint: ${server.url}\napiToken: ${server.token}\n`);

    const status = await json<{ endpoint: string; endpointFrom: string; tokenFrom: string; authenticated: boolean; serverVersion: string }>(
      ['status'],
    );
    expect(status).toMatchObject({
      endpoint: server.url,
      endpointFrom: `the config file ${file}`,
      tokenFrom: `the config file ${file}`,
      authenticated: true,
      serverVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    const version = await json<{ cliVersion: string; serverVersion: string }>(['version']);
    expect(version.cliVersion).toBe(status.serverVersion);
    expect(version.serverVersion).toBe(status.serverVersion);
  });

  it("reads Keptn's KEPTN_ENDPOINT and KEPTN_API_TOKEN, SHIPMATE_* over them, and flags over both", async () => {
    const keptn = await cli(['status', '-o', 'json'], {
      XDG_CONFIG_HOME: join(dir, 'empty-config'),
      KEPTN_ENDPOINT: `${server.url}/api`,
      KEPTN_API_TOKEN: server.token,
    });
    expect(JSON.parse(keptn.stdout)).toMatchObject({ endpointFrom: 'KEPTN_ENDPOINT', tokenFrom: 'KEPTN_API_TOKEN', authenticated: true });
    const shipmate = await cli(['status', '-o', 'json'], {
      KEPTN_API_TOKEN: 'keptn-token',
      SHIPMATE_API_TOKEN: server.token,
      SHIPMATE_ENDPOINT: server.url,
    });
    expect(JSON.parse(shipmate.stdout)).toMatchObject({ endpointFrom: 'SHIPMATE_ENDPOINT', tokenFrom: 'SHIPMATE_API_TOKEN' });
    const flags = await cli(['status', '-o', 'json', '--api-token', 'wrong'], { SHIPMATE_API_TOKEN: server.token });
    expect(flags.code).toBe(1);
    expect(JSON.parse(flags.stdout)).toMatchObject({ tokenFrom: '--api-token', authenticated: false });
  });
});

describe('projects, services and resources', () => {
  it('creates a project from a shipyard and a service, and reads them back as tables and JSON', async () => {
    const created = await ok(['create', 'project', 'web', '--shipyard', 'shipyard.yaml']);
    expect(created.stderr).toBe("created project 'web' with stages dev\n");
    expect(created.stdout).toBe('');
    await ok(['create', 'service', 'site', '--project', 'web']);

    const projects = await json<Array<{ projectName: string; stages: Array<{ stageName: string }> }>>(['get', 'projects']);
    expect(projects.find((project) => project.projectName === 'web')?.stages.map((stage) => stage.stageName)).toEqual(['dev']);
    expect((await ok(['get', 'project', 'web'])).stdout).toMatch(
      /^NAME +STAGES +SERVICES +SHIPYARD VERSION +UPSTREAM +CREATED\nweb +dev +1 +spec\.keptn\.sh\/0\.2\.3 +- +20/,
    );
    const services = await json<Array<{ serviceName: string; stage: string }>>(['get', 'services', '--project', 'web']);
    expect(services.map((service) => `${service.stage}/${service.serviceName}`)).toEqual(['dev/site']);
    expect(await json<Array<{ stageName: string }>>(['get', 'stages', '--project', 'web'])).toMatchObject([{ stageName: 'dev' }]);
  });

  it('adds files to a service and reads them back', async () => {
    const added = await ok([
      'add-resource',
      '--project=web',
      '--stage=dev',
      '--service=site',
      '--resource=process.yaml',
      '--resourceUri=deployment/process.yaml',
    ]);
    expect(added.stderr).toMatch(/^added deployment\/process\.yaml to web\/dev\/site \(commit [0-9a-f]{12}\)\n$/);
    await ok([
      'add-resource',
      '--project',
      'web',
      '--all-stages',
      '--service',
      'site',
      '--resource',
      'workloads.yaml',
      '--resourceUri',
      'test/workloads.yaml',
    ]);
    const listed = await json<Array<{ resourceURI: string }>>([
      'get',
      'resources',
      '--project',
      'web',
      '--stage',
      'dev',
      '--service',
      'site',
    ]);
    expect(listed.map((resource) => resource.resourceURI)).toEqual(
      expect.arrayContaining(['deployment/process.yaml', 'test/workloads.yaml']),
    );
    expect((await ok(['get', 'resource', 'test/workloads.yaml', '--project', 'web', '--stage', 'dev', '--service', 'site'])).stdout).toBe(
      WORKLOADS_YAML,
    );
  });
});

describe('trigger delivery --watch', () => {
  it('follows a whole delivery: a line per task triggered, started and finished, the result last, exit 0', async () => {
    const run = await ok(['trigger', 'delivery', '--project', 'web', '--service', 'site', '--image', 'fast', '--watch', '--timeout', '2m']);
    const context = /\(keptn context ([0-9a-f-]{36})\)/.exec(run.stderr)?.[1];
    expect(context, run.stderr).toBeDefined();
    const lines = run.stdout.trimEnd().split('\n');
    const expected: RegExp[] = [
      /^▸ dev: delivery started$/,
      /^ {2}dev +deployment +triggered$/,
      /^ {2}dev +deployment +started +deployment-service$/,
      /^ {2}dev +deployment +pass +serving at http:\/\/127\.0\.0\.1:\d+$/,
      /^ {2}dev +test +triggered$/,
      /^ {2}dev +test +started +http-test-service$/,
      /^ {2}dev +test +pass +p95 [\d.]+ ms, \d+ req\/s, 0\.0 % errors$/,
      /^ {2}dev +approval +triggered$/,
      /^ {2}dev +approval +pass +Approval strategy for result 'pass': automatic$/,
      /^ {2}dev +release +triggered$/,
      /^ {2}dev +release +pass/,
      /^▸ dev: delivery pass$/,
      /^Result: pass {2}\(dev delivery pass\)$/,
    ];
    // Each expected line in this order (progress lines of the integrations may come between them).
    let at = 0;
    for (const pattern of expected) {
      const found = lines.findIndex((line, index) => index >= at && pattern.test(line));
      expect(found, `${String(pattern)} after line ${at} in\n${run.stdout}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    expect(lines.at(-1)).toBe('Result: pass  (dev delivery pass)');
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('-o json prints one JSON object per step and the result last', async () => {
    const run = await ok(['trigger', 'delivery', '--project', 'web', '--service', 'site', '--image', 'fast', '--watch', '-o', 'json']);
    const records = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; task?: string; result?: string; keptnContext?: string });
    expect(records.filter((record) => record.kind === 'task.finished').map((record) => `${record.task} ${record.result}`)).toEqual([
      'deployment pass',
      'test pass',
      'approval pass',
      'release pass',
    ]);
    expect(records.at(-1)).toMatchObject({
      kind: 'result',
      result: 'pass',
      stages: [{ stage: 'dev', sequence: 'delivery', result: 'pass' }],
    });
  });

  it('without --watch off a terminal prints only the keptn context on stdout', async () => {
    const run = await ok(['trigger', 'delivery', '--project', 'web', '--service', 'site', '--image', 'fast', '--labels', 'run=1,by=cli']);
    expect(run.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(run.stderr).toContain(`follow it with \`shipmate get sequence --project web --keptn-context ${run.stdout.trim()} --watch\``);
  });
});

describe('bad input: one line naming the problem and the fix, exit 2 for usage, 1 for a failed call', () => {
  const rows: Array<[string, () => Promise<readonly string[]>, NodeJS.ProcessEnv, number, RegExp]> = [
    [
      'a missing flag',
      async () => ['create', 'service', 'x'],
      {},
      2,
      /^shipmate create service: required option '-p, --project <project>' not specified; see `shipmate create service --help`$/,
    ],
    [
      'an unknown flag',
      async () => ['get', 'projects', '--porject', 'x'],
      {},
      2,
      /^shipmate get project: unknown option '--porject'.*; see `shipmate get project --help`$/,
    ],
    [
      'an unreadable shipyard',
      async () => ['create', 'project', 'nope', '--shipyard', 'missing.yaml'],
      {},
      2,
      /^shipmate create project: --shipyard 'missing\.yaml' cannot be read \(no such file\): give the path of a shipyard\.yaml$/,
    ],
    [
      'an invalid shipyard, with its line and reason',
      async () => {
        writeFileSync(join(dir, 'work', 'bad.yaml'), WEB_SHIPYARD.replace('        - name: delivery\n', '        - nmae: delivery\n'));
        return ['create', 'project', 'bad', '--shipyard', 'bad.yaml'];
      },
      {},
      2,
      /^shipmate create project: --shipyard 'bad\.yaml': shipyard line 9, column 11 \(spec\.stages\[0\]\.sequences\[0\]\): unknown field 'nmae'; allowed fields: name, triggeredOn, tasks$/,
    ],
    [
      'an output format that does not exist',
      async () => ['get', 'projects', '-o', 'xml'],
      {},
      2,
      /^shipmate get project: -o 'xml' is not an output format: give table, json or yaml$/,
    ],
    [
      'a bad --timeout',
      async () => ['trigger', 'delivery', '--project', 'web', '--service', 'site', '--image', 'x', '--timeout', 'soon'],
      {},
      2,
      /^shipmate trigger delivery: --timeout 'soon' is not a valid duration: .*; use Go duration syntax such as/,
    ],
    [
      'an unknown project',
      async () => ['get', 'project', 'nope'],
      {},
      1,
      /^shipmate get project: Project not found: nope; see the projects with `shipmate get projects` \(404\)$/,
    ],
    [
      'a service not in the project',
      async () => ['trigger', 'delivery', '--project', 'web', '--service', 'nope', '--image', 'x'],
      {},
      1,
      /^shipmate trigger delivery: service 'nope' is not in stage 'dev' of project 'web'; create it with `shipmate create service nope --project web`$/,
    ],
    [
      'a wrong token',
      async () => ['get', 'projects', '--api-token', 'wrong'],
      {},
      1,
      /^shipmate get project: the control plane at http:\/\/127\.0\.0\.1:\d+ refused the API token from --api-token \(401\): give the right one with `shipmate auth --endpoint http:\/\/127\.0\.0\.1:\d+ --api-token TOKEN`, --api-token or SHIPMATE_API_TOKEN$/,
    ],
    [
      'an unreachable endpoint',
      async () => ['get', 'projects', '--endpoint', `http://127.0.0.1:${await freePort()}`, '--api-token', 'x'],
      {},
      1,
      /^shipmate get project: cannot reach the control plane at http:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED 127\.0\.0\.1:\d+; endpoint from --endpoint\): start it \(`shipmate up`\), or give the right one with --endpoint, SHIPMATE_ENDPOINT or `shipmate auth`$/,
    ],
    [
      'no token anywhere',
      async () => ['get', 'projects', '--endpoint', 'https://shipmate.example.com'],
      { XDG_CONFIG_HOME: join(tmpdir(), 'shipmate-cli-e2e-no-config') },
      2,
      /^shipmate get project: no API token for https:\/\/shipmate\.example\.com: run `shipmate auth --endpoint https:\/\/shipmate\.example\.com --api-token TOKEN` once, or give --api-token or SHIPMATE_API_TOKEN$/,
    ],
  ];
  for (const [name, args, env, code, message] of rows) {
    it(name, async () => {
      const run = await cli(await args(), env);
      expect(run.code, run.stderr).toBe(code);
      expect(run.stdout).toBe('');
      expectOneLine(run.stderr);
      expect(run.stderr.trimEnd()).toMatch(message);
    });
  }
});
