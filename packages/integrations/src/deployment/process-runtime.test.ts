/**
 * The process runtime with real processes: the sample service program of @shipmate/testing is
 * the deployed service (`$IMAGE` is its latency preset, so `GET /latency` tells the versions apart)
 * behind the runtime's stable address. The task is a stand-in that serves process.yaml.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskContext } from '@shipmate/agent-sdk';
import { SAMPLE_SERVICE_MAIN } from '@shipmate/testing';
import { DeploymentFailure, DeploymentStrategy } from './deployment-runtime.js';
import type { DeploymentRuntime, DeploymentTarget } from './deployment-runtime.js';
import { ProcessConfigError } from './parse-process-config.js';
import { createProcessRuntime } from './process-runtime.js';

const SAMPLE = (extra = '') =>
  `command: [node, ${JSON.stringify(SAMPLE_SERVICE_MAIN)}, --latency, $IMAGE, --rps, "0"]\nhealthCheck: {path: /metrics, timeoutSeconds: 20}\n${extra}`;

type Levels = Partial<Record<'service' | 'stage' | 'project', string>>;

/** A task that serves `files` as deployment/process.yaml and records its progress messages. */
function fakeTask(files: Levels, signal: AbortSignal = new AbortController().signal): TaskContext & { progressed: string[] } {
  const progressed: string[] = [];
  const task: Partial<TaskContext> = {
    task: 'deployment',
    data: { project: 'shop', stage: 'dev', service: 'carts' },
    signal,
    progress: (message) => {
      progressed.push(message);
      return Promise.resolve();
    },
    started: () => Promise.resolve(),
    resource: (uri) => {
      expect(uri).toBe('deployment/process.yaml');
      for (const level of ['service', 'stage', 'project'] as const) {
        const text = files[level];
        if (text !== undefined) return Promise.resolve({ content: Buffer.from(text), level });
      }
      return Promise.resolve(undefined);
    },
  };
  return Object.assign(task as TaskContext, { progressed });
}

const target = (image: string | undefined, strategy: DeploymentStrategy = DeploymentStrategy.direct): DeploymentTarget => ({
  project: 'shop',
  stage: 'dev',
  service: 'carts',
  image,
  values: image === undefined ? {} : { image },
  strategy,
});

async function latencyAt(url: string): Promise<number> {
  const response = await fetch(`${url}/latency`);
  return ((await response.json()) as { latencyMs: number }).latencyMs;
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/latency`);
    return false;
  } catch {
    return true;
  }
}

const portsOf = (messages: string[]) => messages.map((m) => /on port (\d+)/.exec(m)?.[1]).filter((p) => p !== undefined);

const runtimes: DeploymentRuntime[] = [];
function newRuntime(deployDir = mkdtempSync(join(tmpdir(), 'shipmate-deploy-'))): DeploymentRuntime {
  const runtime = createProcessRuntime({ deployDir, listenHost: '127.0.0.1', publicHost: 'plane.example', stopGraceMs: 3000 });
  runtimes.push(runtime);
  return runtime;
}

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

describe('process runtime', () => {
  it("runs the README's example process.yaml (examples/deployment/process.yaml): the version answers with its image", async () => {
    const example = readFileSync(new URL('../../../../examples/deployment/process.yaml', import.meta.url), 'utf8');
    const deployed = await newRuntime().deploy(target('ghcr.io/shop/carts:1.2.0'), fakeTask({ service: example }));
    const response = await fetch(deployed.deployment.deploymentURIsLocal[0]!);
    expect(await response.text()).toBe('carts ghcr.io/shop/carts:1.2.0\n');
  });

  it('direct: replaces the version behind the stable address, stops the old one, and a rollback starts it again', async () => {
    const runtime = newRuntime();
    const first = fakeTask({ service: SAMPLE() });
    const a = await runtime.deploy(target('fast'), first);
    const url = a.deployment.deploymentURIsLocal[0]!;
    expect(a.deployment).toEqual({
      deploymentstrategy: 'direct',
      deploymentNames: ['direct'],
      deploymentURIsLocal: [url],
      deploymentURIsPublic: [url.replace('127.0.0.1', 'plane.example')],
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await latencyAt(url)).toBe(20);

    const second = fakeTask({ service: SAMPLE() });
    const b = await runtime.deploy(target('slow'), second);
    expect(b.deployment.deploymentURIsLocal).toEqual([url]);
    expect(b.message).toContain("Successfully deployed 'slow'");
    expect(await latencyAt(url)).toBe(600);
    expect(await refused(`http://127.0.0.1:${portsOf(first.progressed)[0]}`)).toBe(true);

    const back = await runtime.rollback(target('slow'), fakeTask({ service: SAMPLE() }));
    expect(back.message).toContain("serves 'fast' again");
    expect(await latencyAt(url)).toBe(20);
    expect(await refused(`http://127.0.0.1:${portsOf(second.progressed)[0]}`)).toBe(true);
  });

  it('blue/green: keeps the old version beside the new until release, and a rollback switches back to it', async () => {
    const runtime = newRuntime();
    const first = fakeTask({ service: SAMPLE() });
    const url = (await runtime.deploy(target('fast', DeploymentStrategy.blueGreen), first)).deployment.deploymentURIsLocal[0]!;
    const second = fakeTask({ service: SAMPLE() });
    const b = await runtime.deploy(target('slow', DeploymentStrategy.blueGreen), second);
    expect(b.deployment).toMatchObject({ deploymentstrategy: 'duplicate', deploymentNames: ['canary'] });
    expect(await latencyAt(url)).toBe(600);
    const oldUrl = `http://127.0.0.1:${portsOf(first.progressed)[0]}`;
    expect(await latencyAt(oldUrl)).toBe(20);

    const rolledBack = await runtime.rollback(target('slow', DeploymentStrategy.blueGreen), fakeTask({}));
    expect(rolledBack.message).toContain("serves 'fast' again; 'slow' was stopped");
    expect(await latencyAt(url)).toBe(20);
    expect(await refused(`http://127.0.0.1:${portsOf(second.progressed)[0]}`)).toBe(true);

    const third = fakeTask({ service: SAMPLE() });
    await runtime.deploy(target('slow', DeploymentStrategy.blueGreen), third);
    const released = await runtime.release(target('slow', DeploymentStrategy.blueGreen), fakeTask({}));
    expect(released.message).toContain("promoted 'slow'");
    expect(await latencyAt(url)).toBe(600);
    expect(await refused(oldUrl)).toBe(true);
    // Nothing beside it any more: a second release has nothing to do.
    expect((await runtime.release(target('slow', DeploymentStrategy.blueGreen), fakeTask({}))).message).toContain('nothing to promote');
  });

  it('keeps the stable address across a restart (state file in the deploy dir)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipmate-deploy-'));
    const first = newRuntime(dir);
    const url = (await first.deploy(target('fast'), fakeTask({ stage: SAMPLE() }))).deployment.deploymentURIsLocal[0]!;
    await first.close();
    expect(await refused(url)).toBe(true);
    const state = JSON.parse(readFileSync(join(dir, '.shipmate', 'stable-ports.json'), 'utf8')) as { ports: Record<string, number> };
    expect(`http://127.0.0.1:${state.ports['shop/dev/carts']}`).toBe(url);

    const second = newRuntime(dir);
    expect((await second.deploy(target('slow'), fakeTask({ project: SAMPLE() }))).deployment.deploymentURIsLocal).toEqual([url]);
    expect(await latencyAt(url)).toBe(600);
  });

  it('a version that exits at once fails with its output, and the previous version keeps serving', async () => {
    const runtime = newRuntime();
    const url = (await runtime.deploy(target('fast'), fakeTask({ service: SAMPLE() }))).deployment.deploymentURIsLocal[0]!;
    const failed = runtime.deploy(target('broken'), fakeTask({ service: SAMPLE() }));
    await expect(failed).rejects.toBeInstanceOf(DeploymentFailure);
    const message = ((await failed.catch((e: unknown) => e)) as Error).message;
    expect(message).toContain("'broken' of service 'carts' in stage 'dev' of project 'shop' exited with code 1 before it was healthy");
    expect(message).toContain('check command in deployment/process.yaml at service level');
    expect(message).toContain("'fast' keeps serving");
    expect(message).toContain("latency 'broken' is not fast, slow or a number of milliseconds");
    expect(await latencyAt(url)).toBe(20);
  });

  it('a version that never passes its health check is stopped and fails; the previous version keeps serving', async () => {
    const runtime = newRuntime();
    const url = (await runtime.deploy(target('fast'), fakeTask({ service: SAMPLE() }))).deployment.deploymentURIsLocal[0]!;
    const task = fakeTask({ service: SAMPLE().replace('path: /metrics, timeoutSeconds: 20', 'path: /ready, timeoutSeconds: 1') });
    const failed = (await runtime.deploy(target('slow'), task).catch((e: unknown) => e)) as Error;
    expect(failed).toBeInstanceOf(DeploymentFailure);
    expect(failed.message).toContain(
      'did not pass its health check (GET /ready answering 2xx/3xx) within 1 s; last: GET /ready answered 404',
    );
    expect(failed.message).toContain('Last output:\nsample service (latency 600 ms) listening on');
    expect(await refused(`http://127.0.0.1:${portsOf(task.progressed)[0]}`)).toBe(true);
    expect(await latencyAt(url)).toBe(20);
  });

  it('an abort of the task stops the version being started', async () => {
    const runtime = newRuntime();
    const controller = new AbortController();
    const task = fakeTask({ service: SAMPLE().replace('path: /metrics', 'path: /ready') }, controller.signal);
    const deploying = runtime.deploy(target('fast'), task).catch((e: unknown) => e);
    // Once it listens (it answers 404 on /ready), abort.
    for (
      let i = 0;
      i < 200 && (portsOf(task.progressed).length === 0 || (await refused(`http://127.0.0.1:${portsOf(task.progressed)[0]}`)));
      i++
    )
      await new Promise((resolve) => setTimeout(resolve, 25));
    controller.abort('aborted');
    expect(await deploying).toBe('aborted');
    expect(await refused(`http://127.0.0.1:${portsOf(task.progressed)[0]}`)).toBe(true);
  });

  // [files, strategy error or config error, message]
  const bad: Array<[string, Levels, string | undefined, new (...args: never[]) => Error, string]> = [
    [
      'no deployment/process.yaml at any level',
      {},
      'fast',
      ProcessConfigError,
      "deployment/process.yaml: not found at service, stage or project level for service 'carts' in stage 'dev' of project 'shop'; add it (at service level, e.g. 'command: [node, server.js, --version, $IMAGE]')",
    ],
    [
      'an unknown key',
      { stage: 'command: [node]\nhealtCheck: {}' },
      'fast',
      ProcessConfigError,
      "deployment/process.yaml at stage level line 2: unknown field 'healtCheck'",
    ],
    [
      'an empty command',
      { service: 'command: []' },
      'fast',
      ProcessConfigError,
      'deployment/process.yaml at service level line 1: command is empty',
    ],
    [
      '$IMAGE without an image',
      { service: SAMPLE() },
      undefined,
      ProcessConfigError,
      'command[3] uses $IMAGE, but the sequence has no configurationChange.values.image',
    ],
    [
      'a working dir that does not exist',
      { service: 'command: [node]\nworkingDir: builds/v2' },
      'fast',
      ProcessConfigError,
      'deployment/process.yaml at service level: workingDir resolves to',
    ],
    [
      'a program that does not exist',
      { project: 'command: [no-such-program-shipmate, $IMAGE]' },
      'fast',
      DeploymentFailure,
      "could not start: program 'no-such-program-shipmate' was not found (ENOENT) before it was healthy (port",
    ],
  ];
  it.each(bad)('refuses %s, naming the file, the field and the fix', async (_what, files, image, kind, message) => {
    const runtime = newRuntime();
    const error = (await runtime.deploy(target(image), fakeTask(files)).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toContain(message);
  });
});
