/**
 * The `shipmate` CLI's verbs against a real control plane: `shipmate up` (its local execution plane
 * deploys and tests the sample service) in one process, each verb a `node apps/cli/bin/shipmate.js`
 * child process with its own config dir and no inherited SHIPMATE_* variables. Covers `auth` and
 * its config file, every verb with `-o json` parsed, the `--watch` output of whole deliveries, and
 * the bad-input table: exact exit codes and one-line messages that name the fix.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPMATE_BIN, freePort, startServerProcess, waitFor } from '@shipmate/testing';
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

/** Approvals waiting for a person, and a sequence whose task nobody answers (to pause, resume and abort). */
const GATE_SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: gate
spec:
  stages:
    - name: staging
      sequences:
        - name: delivery
          tasks:
            - name: approval
              properties:
                pass: manual
                warning: manual
        - name: hold
          tasks:
            - name: nobody-answers
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
  writeFileSync(join(dir, 'work', 'gate.yaml'), GATE_SHIPYARD);
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

/** Starts `shipmate <args>` and lets the test read its output while it runs. */
function start(args: readonly string[]): { stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  let stdout = '';
  let stderr = '';
  const child = spawn(process.execPath, [SHIPMATE_BIN, ...args], {
    cwd: join(dir, 'work'),
    env: baseEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { stdout: () => stdout, stderr: () => stderr, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

/** Runs a verb that must succeed; fails with its stderr otherwise. */
async function ok(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const run = await cli(args, env);
  expect(run.code, `shipmate ${args.join(' ')}\n${run.stderr}`).toBe(0);
  return run;
}

/** True where util-linux's `script` can give a command a terminal. */
const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs `shipmate <args>` on a pseudo-terminal (util-linux `script`); stdout and stderr both come back in `stdout`. */
function onTerminal(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const command = [process.execPath, SHIPMATE_BIN, ...args].map((word) => `'${word}'`).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { cwd: join(dir, 'work'), env: { ...baseEnv, TERM: 'xterm', ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout: stdout.replaceAll('\r\n', '\n'), stderr }),
    );
  });
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
    chmodSync(file, 0o644);
    const warned = await ok(['get', 'projects']);
    expect(warned.stderr).toBe(`shipmate: warning: ${file} holds an API token and other users may read it: chmod 600 ${file}\n`);
    chmodSync(file, 0o600);
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

  it('prints a binary file byte for byte, so `get resource … > file` gives the file back', async () => {
    const chart = randomBytes(200 * 1024);
    const site = ['--project', 'web', '--stage', 'dev', '--service', 'site'];
    writeFileSync(join(dir, 'work', 'chart.tgz'), chart);
    await ok(['add-resource', ...site, '--resource', 'chart.tgz', '--resourceUri', 'helm/site.tgz']);
    const printed = await new Promise<Buffer>((resolve, reject) => {
      execFile(
        process.execPath,
        [SHIPMATE_BIN, 'get', 'resource', 'helm/site.tgz', ...site],
        { cwd: join(dir, 'work'), env: baseEnv, encoding: 'buffer', maxBuffer: 1024 * 1024 },
        (error, stdout) => (error ? reject(new Error(`get resource failed: ${error.message}`)) : resolve(stdout)),
      );
    });
    expect(printed.length).toBe(chart.length);
    expect(printed.equals(chart)).toBe(true);
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

describe.skipIf(!hasScript)('on a terminal (skipped without util-linux script)', () => {
  it('colours tables, and NO_COLOR turns the colours off', async () => {
    const coloured = await onTerminal(['get', 'projects']);
    expect(coloured.code, coloured.stdout).toBe(0);
    expect(coloured.stdout).toContain('\u001b[1mNAME\u001b[22m');
    const plain = await onTerminal(['get', 'projects'], { NO_COLOR: '1' });
    expect(plain.stdout).toMatch(/^NAME +STAGES/m);
    expect(plain.stdout).not.toContain('\u001b[');
  });

  it('trigger follows the sequence by default, and --no-watch returns at once', async () => {
    const followed = await onTerminal(['trigger', 'delivery', '--project', 'web', '--service', 'site', '--image', 'fast'], {
      NO_COLOR: '1',
    });
    expect(followed.code, followed.stdout).toBe(0);
    expect(followed.stdout).toMatch(/^ {2}dev +deployment +pass +serving at/m);
    expect(followed.stdout.trimEnd().split('\n').at(-1)).toBe('Result: pass  (dev delivery pass)');
    const returned = await onTerminal(['trigger', 'delivery', '--project', 'web', '--service', 'site', '--image', 'fast', '--no-watch']);
    expect(returned.code).toBe(0);
    expect(returned.stdout).toMatch(/^[0-9a-f-]{36}\n/);
    expect(returned.stdout).not.toContain('Result:');
  });
});

describe('evaluations, sequences and events', () => {
  it('trigger evaluation --watch: the lighthouse passes without objectives and says why', async () => {
    const run = await ok([
      'trigger',
      'evaluation',
      '--project',
      'web',
      '--stage',
      'dev',
      '--service',
      'site',
      '--timeframe',
      '5m',
      '--watch',
    ]);
    expect(run.stdout).toMatch(/^ {2}dev +evaluation +pass +no evaluation performed by lighthouse because no SLO file found$/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('Result: pass  (dev evaluation pass)');
  });

  it('configure monitoring chooses the SLI provider of the project', async () => {
    const run = await ok(['configure', 'monitoring', 'test-results', '--project', 'web', '--service', 'site']);
    expect(run.stderr).toMatch(/^project 'web' reads its SLIs from test-results now \(keptn context [0-9a-f-]{36}\)\n$/);
    expect((await ok(['get', 'resource', 'lighthouse/config.yaml', '--project', 'web'])).stdout).toContain('test-results');
  });

  it('get sequences lists and filters; get event and send event', async () => {
    const sequences = await json<Array<{ name: string; state: string; shkeptncontext: string; service: string }>>([
      'get',
      'sequences',
      '--project',
      'web',
      '--name',
      'delivery',
      '--state',
      'finished',
      '--limit',
      '2',
    ]);
    expect(sequences).toHaveLength(2);
    expect(
      sequences.every((sequence) => sequence.name === 'delivery' && sequence.state === 'finished' && sequence.service === 'site'),
    ).toBe(true);
    const table = (await ok(['get', 'sequences', '--project', 'web', '--name', 'evaluation'])).stdout;
    expect(table).toMatch(
      /^KEPTN CONTEXT +SEQUENCE +SERVICE +STATE +STAGES +STARTED\n[0-9a-f-]{36} +evaluation +site +finished +dev:succeeded +20/,
    );

    const context = sequences[0]?.shkeptncontext ?? '';
    const events = await json<Array<{ type: string; shkeptncontext: string; data: { result?: string } }>>([
      'get',
      'event',
      'deployment.finished',
      '--project',
      'web',
      '--keptn-context',
      context,
    ]);
    expect(events.map((event) => `${event.type} ${event.data.result ?? ''} ${event.shkeptncontext}`)).toEqual([
      `sh.keptn.event.deployment.finished pass ${context}`,
    ]);

    writeFileSync(
      join(dir, 'work', 'event.json'),
      JSON.stringify({
        type: 'sh.keptn.event.dev.delivery.triggered',
        source: 'a-script',
        data: { project: 'web', stage: 'dev', service: 'site', configurationChange: { values: { image: 'fast' } } },
      }),
    );
    const sent = await ok(['send', 'event', '--file', 'event.json']);
    const sentContext = sent.stdout.trim();
    expect(sentContext).toMatch(/^[0-9a-f-]{36}$/);
    const followed = await ok(['get', 'sequence', '--project', 'web', '--keptn-context', sentContext, '--watch']);
    expect(followed.stdout.trimEnd().split('\n').at(-1)).toBe('Result: pass  (dev delivery pass)');
  });
});

describe('approvals and sequence control', () => {
  it('--watch names the approval waiting for a person; `approve --id` lets the delivery go on to pass', async () => {
    await ok(['create', 'project', 'gate', '--shipyard', 'gate.yaml']);
    await ok(['create', 'service', 'api', '--project', 'gate']);
    const watching = start(['trigger', 'delivery', '--project', 'gate', '--service', 'api', '--image', 'api:2', '--watch']);
    const id = await waitFor(
      'the approval hint',
      async () => /`shipmate approve --project gate --id ([0-9a-f-]{36})`/.exec(watching.stderr())?.[1],
    );
    const open = await json<Array<{ triggeredId: string; stage: string; service: string }>>(['get', 'approvals', '--project', 'gate']);
    expect(open).toMatchObject([{ triggeredId: id, stage: 'staging', service: 'api' }]);
    const approved = await ok(['approve', '--project', 'gate', '--id', id, '--message', 'ship it']);
    expect(approved.stderr).toMatch(new RegExp(`^approved ${id} in project 'gate' \\(keptn context [0-9a-f-]{36}\\)\\n$`));
    expect(await watching.exited, watching.stderr()).toBe(0);
    expect(watching.stdout()).toMatch(/^ {2}staging +approval +pass +ship it$/m);
    expect(watching.stdout().trimEnd().split('\n').at(-1)).toBe('Result: pass  (staging delivery pass)');
    expect(await json<unknown[]>(['get', 'approvals', '--project', 'gate'])).toEqual([]);
  });

  it('`decline --keptn-context` fails the delivery: following it ends with fail and exit 1', async () => {
    const context = (await ok(['trigger', 'delivery', '--project', 'gate', '--service', 'api', '--image', 'api:3'])).stdout.trim();
    await waitFor('the approval', async () =>
      (await json<unknown[]>(['get', 'approvals', '--project', 'gate', '--keptn-context', context])).length ? true : undefined,
    );
    await ok(['decline', '--project', 'gate', '--keptn-context', context]);
    const followed = await cli(['get', 'sequence', '--project', 'gate', '--keptn-context', context, '--watch']);
    expect(followed.code, followed.stderr).toBe(1);
    expect(followed.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Result: fail {2}\(staging delivery fail\)/);
  });

  it('pause, resume and abort (also as `abort sequence`) a sequence, and the watch ends with aborted, exit 1', async () => {
    const context = (
      await ok(['trigger', 'sequence', 'hold', '--project', 'gate', '--stage', 'staging', '--service', 'api'])
    ).stdout.trim();
    const stateOf = async () =>
      (await json<Array<{ state: string }>>(['get', 'sequences', '--project', 'gate', '--keptn-context', context]))[0]?.state;
    await waitFor('the sequence to start', async () => ((await stateOf()) === 'started' ? true : undefined));
    expect((await ok(['pause', '--project', 'gate', '--keptn-context', context])).stderr).toBe(`paused the sequence ${context} of gate\n`);
    expect(await stateOf()).toBe('paused');
    await ok(['resume', 'sequence', '--project', 'gate', '--keptn-context', context]);
    expect(await stateOf()).toBe('started');
    await ok(['abort', 'sequence', '--project', 'gate', '--keptn-context', context]);
    const followed = await cli(['get', 'sequence', '--project', 'gate', '--keptn-context', context, '--watch', '-o', 'json']);
    expect(followed.code).toBe(1);
    const last = JSON.parse(followed.stdout.trimEnd().split('\n').at(-1) ?? '{}') as { kind: string; result: string };
    expect(last).toMatchObject({ kind: 'result', result: 'aborted' });
  });
});

describe('secrets, integrations, updates and deletes', () => {
  it('creates, updates, lists and deletes a secret without ever printing a value', async () => {
    await ok([
      'create',
      'secret',
      'db',
      '--from-literal',
      'user=app',
      '--from-literal',
      'password=a,b=c',
      '--scope',
      'keptn-webhook-service',
    ]);
    expect(await json<unknown[]>(['get', 'secrets'])).toEqual([{ name: 'db', scope: 'keptn-webhook-service', keys: ['password', 'user'] }]);
    await ok(['update', 'secret', 'db', '--from-literal', 'user=other', '--scope', 'keptn-webhook-service']);
    const table = (await ok(['get', 'secret', 'db'])).stdout;
    expect(table).toBe('NAME  SCOPE                  KEYS\ndb    keptn-webhook-service  user\n');
    expect(table).not.toContain('other');
    await ok(['delete', 'secret', 'db', '--scope', 'keptn-webhook-service']);
    expect(await json<unknown[]>(['get', 'secrets'])).toEqual([]);
  });

  it('lists the integrations with their instances and where they run', async () => {
    const integrations = await json<Array<{ name: string; instances: Array<{ state: string; location: string }> }>>([
      'get',
      'integrations',
    ]);
    const names = integrations.map((integration) => integration.name);
    expect(names).toEqual(expect.arrayContaining(['deployment-service', 'http-test-service', 'lighthouse-service', 'approval-service']));
    expect(integrations.find((integration) => integration.name === 'approval-service')?.instances).toMatchObject([
      { state: 'online', location: 'control-plane' },
    ]);
    expect((await ok(['get', 'integration', 'deployment-service'])).stdout).toMatch(
      /^deployment-service +online \(1\) +\S+ +\S+ +deployment, release, rollback/m,
    );
  });

  it('updates a shipyard, deletes a service and a project', async () => {
    writeFileSync(join(dir, 'work', 'gate2.yaml'), `${GATE_SHIPYARD}        - name: smoke\n          tasks:\n            - name: test\n`);
    await ok(['update', 'project', 'gate', '--shipyard', 'gate2.yaml']);
    expect((await json<{ shipyard: string }>(['get', 'project', 'gate'])).shipyard).toContain('- name: smoke');
    writeFileSync(join(dir, 'work', 'gate3.yaml'), `${GATE_SHIPYARD}    - name: production\n`);
    const refused = await cli(['update', 'project', 'gate', '--shipyard', 'gate3.yaml']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "shipmate update project: stage name cannot be changed or removed: project 'gate' has stages staging, the new shipyard has staging, production (400)\n",
    );
    await ok(['delete', 'service', 'api', '--project', 'gate']);
    expect(await json<unknown[]>(['get', 'services', '--project', 'gate'])).toEqual([]);
    expect((await ok(['delete', 'project', 'gate'])).stderr).toMatch(/^deleted project 'gate'/);
    expect((await cli(['get', 'project', 'gate'])).code).toBe(1);
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
