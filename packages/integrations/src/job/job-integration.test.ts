/**
 * The job integration (job-executor-service) written into this test with the SDK, against a real
 * `shipmate server` process (built by `npm test` first), subscribed through the API as a user
 * would, running real commands on this host in a job directory of its own.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegration, silentLogger } from '@shipmate/agent-sdk';
import type { AgentLogger, Integration } from '@shipmate/agent-sdk';
import type { KeptnEvent } from '@shipmate/core';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { JOB_EXECUTOR_SERVICE, withJob } from './job-integration.js';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: jobs
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: test
`;
const SECRET_VALUE = 's3cr3t-value';
const REGISTRATION = '/api/controlPlane/v1/uniform/registration';
/** Services whose tasks the other integration answers (after the job integration passed them by). */
const ANSWERED_BY_OTHER = new Set<string>();

let server: ServerProcess;
let api: KeptnApiClient;
let job: Integration;
let other: Integration;
let jobDir: string;
let pidDir: string;
let services = 0;
const logLines: string[] = [];
const capture: AgentLogger = {
  info: (message) => logLines.push(message),
  warn: (message) => logLines.push(message),
  error: (message) => logLines.push(message),
};

beforeAll(async () => {
  jobDir = await mkdtemp(join(tmpdir(), 'shipmate-jobs-'));
  pidDir = await mkdtemp(join(tmpdir(), 'shipmate-job-pids-'));
  server = await startServerProcess({ env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'none' } });
  api = new KeptnApiClient(server.url, server.token);
  await api.createProject('jobs', SHIPYARD);
  const controlPlane = { endpoint: `${server.url}/api`, token: server.token };
  job = withJob(createIntegration({ name: JOB_EXECUTOR_SERVICE, controlPlane, handleSignals: false, logger: silentLogger }), {
    jobDir,
    killGraceMs: 1_000,
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    logger: capture,
  });
  await job.start();
  // As a Keptn user would: subscribe job-executor-service to the test task of the project.
  const list = await api.request<Array<{ id: string }>>('GET', `${REGISTRATION}?name=${JOB_EXECUTOR_SERVICE}`);
  const added = await api.request('POST', `${REGISTRATION}/${list.body[0]!.id}/subscription`, {
    event: 'sh.keptn.event.test.triggered',
    filter: { projects: ['jobs'] },
  });
  expect(added.status).toBe(201);
  // Another test tool: it answers a task only once the job integration logged that it passed it by.
  other = createIntegration({ name: 'other-tester', controlPlane, handleSignals: false, logger: silentLogger }).onTask(
    'test',
    async (task) => {
      await waitFor('the job integration to pass the task by', async () =>
        logLines.some((line) => line.startsWith(`task test ${task.event.id}: no`)) ? true : undefined,
      );
      return { test: { answeredBy: 'other-tester' } };
    },
    { accepts: (event) => ANSWERED_BY_OTHER.has(String(event.data.service)) },
  );
  await other.start();
  const secret = await api.request('POST', '/api/secrets/v1/secret', { name: 'job-secret', data: { API_TOKEN: SECRET_VALUE } });
  expect(secret.status).toBe(201);
});

afterAll(async () => {
  await job?.stop();
  await other?.stop();
  expect(await server?.stop()).toBe(0);
  await rm(jobDir, { recursive: true, force: true });
  await rm(pidDir, { recursive: true, force: true });
});

/** A job/config.yaml with one action for test tasks of `teststrategy` and `tasks` (YAML lines at task-list indent). */
function jobConfig(teststrategy: string, tasks: string): string {
  return [
    'apiVersion: v2',
    'actions:',
    '  - name: "Run checks"',
    '    events:',
    '      - name: "sh.keptn.event.test.triggered"',
    '        jsonpath:',
    '          property: "$.data.test.teststrategy"',
    `          match: "${teststrategy}"`,
    '    tasks:',
    tasks,
  ].join('\n');
}

/** A new service with `files` at service level; runs the delivery sequence with `data`; returns the context. */
async function run(
  files: Record<string, string>,
  data: Record<string, unknown>,
  options: { otherAnswers?: boolean } = {},
): Promise<string> {
  const service = `svc-${++services}`;
  await api.createService('jobs', service);
  for (const [uri, content] of Object.entries(files)) await api.putResource({ project: 'jobs', stage: 'dev', service }, uri, content);
  if (options.otherAnswers) ANSWERED_BY_OTHER.add(service);
  return api.triggerSequence('jobs', 'dev', 'delivery', service, data);
}

/** Whether a process with `pid` still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const eventsOf = (context: string): Promise<KeptnEvent[]> => api.contextEvents('jobs', context);

async function jobEvent(context: string, kind: 'started' | 'finished'): Promise<KeptnEvent> {
  return waitFor(
    `test.${kind} from the job integration in ${context}`,
    async () => (await eventsOf(context)).find((e) => e.type === `sh.keptn.event.test.${kind}` && e.source === JOB_EXECUTOR_SERVICE),
    30_000,
  );
}

describe('job-executor-service on a plain host', () => {
  it('runs a task with env from the event and a secret and a file from the resources, and sends its logs in .finished', async () => {
    const script = [
      'echo "target=$1 project=$KEPTN_PROJECT stage=$KEPTN_STAGE label=$LABELS_BUILD_ID"',
      'echo "token=$API_TOKEN"',
      '[ "$API_TOKEN" = "' + SECRET_VALUE + '" ] && echo token-ok',
      'cat data/greeting.txt',
      'echo "plane token: ${SHIPMATE_TOKEN:-absent}"',
    ].join('\n');
    const context = await run(
      {
        'job/config.yaml': jobConfig(
          'smoke',
          [
            '      - name: check',
            '        image: alpine:3.20',
            '        files: [scripts/check.sh, /data]',
            '        cmd: [sh]',
            '        args: [/keptn/scripts/check.sh, "$(TARGET)"]',
            '        env:',
            '          - {name: TARGET, value: "$.data.deployment.deploymentURIsPublic[0]", valueFrom: event}',
            '          - {name: job-secret, valueFrom: secret}',
          ].join('\n'),
        ),
        'scripts/check.sh': script,
        'data/greeting.txt': 'hello from the resources\n',
      },
      {
        test: { teststrategy: 'smoke' },
        deployment: { deploymentURIsPublic: ['http://carts.example'] },
        labels: { 'build-id': '42' },
      },
    );
    const finished = await jobEvent(context, 'finished');
    await jobEvent(context, 'started');
    expect(finished.data).toMatchObject({
      status: 'succeeded',
      result: 'pass',
      test: { start: expect.any(String), end: expect.any(String) },
    });
    expect(finished.data.message).toBe(
      [
        "Task 'check' finished successfully!",
        '',
        'Logs:',
        'target=http://carts.example project=jobs stage=dev label=42',
        'token=***',
        'token-ok',
        'hello from the resources',
        'plane token: absent',
        '',
      ].join('\n'),
    );
    expect(JSON.stringify(finished)).not.toContain(SECRET_VALUE);
    // The working directory was removed.
    expect(await readdir(jobDir)).toEqual([]);
  });

  it('fails a task that exits non-zero with the exit code and the last lines, and skips the tasks after it', async () => {
    const context = await run(
      {
        'job/config.yaml': jobConfig(
          'failing',
          [
            '      - name: first',
            '        cmd: [sh, -c, "echo first ran"]',
            '      - name: broken',
            '        cmd: [sh, -c, "echo one; echo two >&2; exit 3"]',
            '      - name: never',
            '        cmd: [sh, -c, "echo should not run"]',
          ].join('\n'),
        ),
      },
      { test: { teststrategy: 'failing' } },
    );
    const finished = await jobEvent(context, 'finished');
    expect(finished.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(finished.data.message).toBe(
      [
        "Task 'first' finished successfully!",
        '',
        'Logs:',
        'first ran',
        '',
        '',
        "Task 'broken' of action 'Run checks' exited with code 3.",
        '',
        'Last lines:',
        'one',
        'two',
      ].join('\n'),
    );
  });

  it('stops a task that outlives its maxPollDuration and fails saying so', async () => {
    const context = await run(
      {
        'job/config.yaml': jobConfig(
          'slow',
          ['      - name: sleepy', '        cmd: [sh, -c, "echo going to sleep; sleep 30"]', '        maxPollDuration: 1'].join('\n'),
        ),
      },
      { test: { teststrategy: 'slow' } },
    );
    const finished = await jobEvent(context, 'finished');
    expect(finished.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(finished.data.message).toBe(
      "Task 'sleepy' of action 'Run checks' did not finish within maxPollDuration 1s: its process group was stopped (SIGTERM, SIGKILL after 1000 ms); raise maxPollDuration if it needs longer.\n\nLast lines:\ngoing to sleep",
    );
    expect(await readdir(jobDir)).toEqual([]);
  });

  it('stops the running command when the sequence is aborted, and sends no .finished', async () => {
    const pidFile = join(pidDir, 'aborted.pid');
    const context = await run(
      {
        'job/config.yaml': jobConfig(
          'long',
          [
            '      - name: long',
            // $$ is Kubernetes' escape of $ in cmd and args, so the shell sees $$ (its pid).
            '        cmd: [sh, -c, "echo $$$$ > $PID_FILE; sleep 30"]',
            '        maxPollDuration: 600',
            `        env: [{name: PID_FILE, value: "${pidFile}", valueFrom: string}]`,
          ].join('\n'),
        ),
      },
      { test: { teststrategy: 'long' } },
    );
    await jobEvent(context, 'started');
    const pid = await waitFor('the command to write its pid', async () => {
      const text = await readFile(pidFile, 'utf8').catch(() => '');
      return /^\d+$/.test(text.trim()) ? Number(text) : undefined;
    });
    const aborted = await api.request('POST', `/api/controlPlane/v1/sequence/jobs/${context}/control`, { state: 'abort' });
    expect(aborted.status).toBe(200);
    await waitFor('the command to be stopped', async () => (alive(pid) ? undefined : true));
    await waitFor('its working directory to be removed', async () => ((await readdir(jobDir)).length === 0 ? true : undefined));
    expect((await eventsOf(context)).filter((e) => e.source === JOB_EXECUTOR_SERVICE).map((e) => e.type)).toEqual([
      'sh.keptn.event.test.started',
    ]);
  });

  it('sends nothing for a task no action matches, and nothing without job/config.yaml (as JES)', async () => {
    const unmatched = await run(
      { 'job/config.yaml': jobConfig('smoke', '      - name: t\n        cmd: [sh, -c, "echo ran > /dev/null"]') },
      { test: { teststrategy: 'something-else' } },
      { otherAnswers: true },
    );
    const noConfig = await run({}, { test: { teststrategy: 'smoke' } }, { otherAnswers: true });
    for (const context of [unmatched, noConfig]) {
      await waitFor(`sequence ${context} finished by the other integration`, async () =>
        (await api.sequenceState('jobs', context))?.state === 'finished' ? true : undefined,
      );
      const events = await eventsOf(context);
      expect(events.find((e) => e.type === 'sh.keptn.event.test.finished')?.source).toBe('other-tester');
      expect(events.filter((e) => e.source === JOB_EXECUTOR_SERVICE)).toEqual([]);
    }
  });

  // [case, job/config.yaml tasks or whole file, event data, message]
  const bad: Array<[string, string, Record<string, unknown>, string]> = [
    [
      'a broken file (unknown key)',
      jobConfig('bad', '      - name: t\n        command: [echo]'),
      { test: { teststrategy: 'bad' } },
      "job/config.yaml at service level: line 11: unknown key 'command' in actions[0].tasks[0]: use name, cmd, args, env, files, workingDir, maxPollDuration, image, imagePullPolicy, resources, namespace, ttlSecondsAfterFinished, securityContext, serviceAccount, annotations",
    ],
    [
      'an unknown apiVersion',
      'apiVersion: v1\nactions: []\n',
      { test: { teststrategy: 'bad' } },
      "job/config.yaml at service level: line 1: apiVersion 'v1' is not supported: use apiVersion: v2 (JES 0.3.0's format)",
    ],
    [
      'an empty cmd',
      jobConfig('bad', '      - name: t\n        cmd: []'),
      { test: { teststrategy: 'bad' } },
      "job/config.yaml at service level: line 11: actions[0].tasks[0].cmd is empty: give the program and its first arguments as a list, e.g. cmd: ['sh', '-c', 'echo hello']",
    ],
    [
      'an env path the event does not have',
      jobConfig(
        'bad',
        '      - name: t\n        cmd: [env]\n        env: [{name: URL, value: "$.data.deployment.deploymentURIsPublic[0]", valueFrom: event}]',
      ),
      { test: { teststrategy: 'bad' } },
      "task 't' env[0] (URL): the event has no $.data.deployment (value: $.data.deployment.deploymentURIsPublic[0]): send it in the event's data or change the path",
    ],
    [
      'a secret that does not exist',
      jobConfig('bad', '      - name: t\n        cmd: [env]\n        env: [{name: no-such-secret, valueFrom: secret}]'),
      { test: { teststrategy: 'bad' } },
      "task 't' env[0]: cannot read secret 'no-such-secret' of scope keptn-default:",
    ],
    [
      'a file that is not a resource',
      jobConfig('bad', '      - name: t\n        cmd: [ls]\n        files: [missing/file.txt]'),
      { test: { teststrategy: 'bad' } },
      "task 't' files: 'missing/file.txt' is neither a file nor a directory of service",
    ],
    [
      'a program that is not on this host',
      jobConfig('bad', '      - name: t\n        image: locustio/locust\n        cmd: [no-such-program-for-jobs]'),
      { test: { teststrategy: 'bad' } },
      "Task 't' of action 'Run checks' could not start 'no-such-program-for-jobs': spawn no-such-program-for-jobs ENOENT; install it on this host or name a program on the plane's PATH (image 'locustio/locust' is not used on a plain host)",
    ],
  ];
  it.each(bad)('finishes errored on %s, naming the fix', async (_case, config, data, message) => {
    const context = await run({ 'job/config.yaml': config }, data);
    await jobEvent(context, 'started');
    const finished = await jobEvent(context, 'finished');
    expect(finished.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(finished.data.message).toContain(message);
  });
});
