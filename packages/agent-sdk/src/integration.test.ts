/**
 * The SDK against a real `shipmate server` process on loopback (built by `npm test` first):
 * automatic `.started`/`.finished`, errors, abort, drain and unregistration.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { KeptnApiClient, shipyardYaml, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { createIntegration, LEAVE_OPEN } from './integration.js';
import type { Integration, IntegrationOptions } from './integration.js';
import type { AgentIdentity } from './registration-body.js';
import type { TaskSource } from './task-source.js';
import { silentLogger } from './logger.js';

const SHIPYARD = shipyardYaml({ dev: ['deployment', 'test'] }, { name: 'sdk' });

let server: ServerProcess;
let api: KeptnApiClient;
const started: Integration[] = [];
let serviceCount = 0;

beforeAll(async () => {
  server = await startServerProcess();
  api = new KeptnApiClient(server.url, server.token);
  await api.createProject('sdk', SHIPYARD);
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((i) => i.stop()));
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

/** A fresh service per test, so sequences of one test never queue behind another's. */
async function newService(): Promise<string> {
  const service = `svc-${++serviceCount}`;
  await api.createService('sdk', service);
  return service;
}

function integration(name: string, extra: Partial<IntegrationOptions> = {}): Integration {
  const created = createIntegration({
    name,
    controlPlane: { endpoint: `${server.url}/api`, token: server.token },
    handleSignals: false,
    logger: silentLogger,
    ...extra,
  });
  started.push(created);
  return created;
}

async function contextEvents(context: string): Promise<KeptnEvent[]> {
  return api.contextEvents('sdk', context);
}

async function finishedOf(context: string, task: string): Promise<KeptnEvent> {
  return waitFor(`${task}.finished in ${context}`, async () =>
    (await contextEvents(context)).find((e) => e.type === `sh.keptn.event.${task}.finished`),
  );
}

describe('createIntegration', () => {
  it('sends .started as the handler starts and .finished with its data after it, so the sequence runs through', async () => {
    const service = await newService();
    const seen: string[] = [];
    await integration('sdk-happy')
      .onTask('deployment', (task) => {
        seen.push(`${task.task}:${task.data.service}`);
        expect(task.event.data.temporaryData).toMatchObject({ distributor: { subscriptionID: expect.any(String) } });
        return { deployment: { deploymentURIsLocal: ['http://carts'] } };
      })
      .onTask('test', async (task) => {
        await task.progress('half way');
        seen.push(`${task.task}:${String((task.data.deployment as { deploymentURIsLocal: string[] }).deploymentURIsLocal[0])}`);
      })
      .start();
    const context = await api.triggerSequence('sdk', 'dev', 'delivery', service);
    await waitFor('sequence finished', async () => ((await api.sequenceState('sdk', context))?.state === 'finished' ? true : undefined));
    expect(seen).toEqual([`deployment:${service}`, 'test:http://carts']);
    const events = await contextEvents(context);
    const types = events.map((e) => e.type);
    expect(types.indexOf('sh.keptn.event.deployment.started')).toBeLessThan(types.indexOf('sh.keptn.event.deployment.finished'));
    expect(types).toContain('sh.keptn.event.test.status.changed');
    const finished = events.find((e) => e.type === 'sh.keptn.event.deployment.finished');
    expect(finished).toMatchObject({
      source: 'sdk-happy',
      data: { status: 'succeeded', result: 'pass', deployment: { deploymentURIsLocal: ['http://carts'] } },
    });
  });

  it('sends only .started for a handler that returns LEAVE_OPEN: the .finished comes from elsewhere', async () => {
    const service = await newService();
    await integration('sdk-leave-open')
      .onTask('deployment', () => LEAVE_OPEN)
      .onTask('test', () => ({}))
      .start();
    const context = await api.triggerSequence('sdk', 'dev', 'delivery', service);
    await waitFor('deployment.started', async () =>
      (await contextEvents(context)).find((e) => e.type === 'sh.keptn.event.deployment.started' && e.source === 'sdk-leave-open'),
    );
    const [open] = await api.openTriggered('sh.keptn.event.deployment.triggered', { project: 'sdk', service });
    expect(open?.shkeptncontext).toBe(context);
    await api.answerTask(open!, { skipStarted: true, source: 'a-person' });
    await waitFor('sequence finished', async () => ((await api.sequenceState('sdk', context))?.state === 'finished' ? true : undefined));
    const finishedBySdk = (await contextEvents(context)).filter(
      (e) => e.type === 'sh.keptn.event.deployment.finished' && e.source === 'sdk-leave-open',
    );
    expect(finishedBySdk).toEqual([]);
  });

  it('reports a handler that throws as errored/fail with its message', async () => {
    const service = await newService();
    await integration('sdk-throws')
      .onTask('deployment', () => {
        throw new Error('helm upgrade failed: release not found');
      })
      .start();
    const context = await api.triggerSequence('sdk', 'dev', 'delivery', service);
    const finished = await finishedOf(context, 'deployment');
    expect(finished.data).toMatchObject({ status: 'errored', result: 'fail', message: 'helm upgrade failed: release not found' });
  });

  it('tells its observer of each task received and how it ended, and reports connected once registered', async () => {
    const service = await newService();
    const heard: string[] = [];
    const observed = integration('sdk-observed', {
      observer: {
        taskReceived: (task) => heard.push(`received ${task}`),
        taskEnded: (task, end, seconds) => heard.push(`${task} ${end} ${seconds >= 0 ? 'timed' : 'untimed'}`),
      },
    })
      .onTask('deployment', () => ({}))
      .onTask('test', () => {
        throw new Error('tests failed');
      });
    expect(observed.connected).toBe(false);
    await observed.start();
    expect(observed.connected).toBe(true);
    const context = await api.triggerSequence('sdk', 'dev', 'delivery', service);
    await finishedOf(context, 'test');
    await waitFor('test ended', async () => (heard.includes('test errored timed') ? true : undefined));
    expect(heard).toEqual(['received deployment', 'deployment finished timed', 'received test', 'test errored timed']);
  });

  it('aborts the handler signal when the sequence is aborted and sends no .finished', async () => {
    const service = await newService();
    let aborted = false;
    let inHandler = false;
    await integration('sdk-abort')
      .onTask('deployment', async (task) => {
        inHandler = true;
        await new Promise<void>((resolve) => task.signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted = true;
        return { late: true };
      })
      .start();
    const context = await api.triggerSequence('sdk', 'dev', 'delivery', service);
    await waitFor('the handler to run', async () => (inHandler ? true : undefined));
    const control = await api.request('POST', `/api/controlPlane/v1/sequence/sdk/${context}/control`, { state: 'abort' });
    expect(control.status).toBe(200);
    await waitFor('the handler to see the abort', async () => (aborted ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(
      (await contextEvents(context)).filter((e) => e.type === 'sh.keptn.event.deployment.finished' && e.source === 'sdk-abort'),
    ).toEqual([]);
  });

  it('drains on stop: the running task finishes, no new task is taken, then the instance unregisters', async () => {
    const service = await newService();
    let release: (() => void) | undefined;
    let calls = 0;
    const drained = integration('sdk-drain', { podname: 'drain-pod' }).onTask('deployment', async () => {
      calls++;
      await new Promise<void>((resolve) => (release = resolve));
      return { drained: true };
    });
    const registration = await drained.start();
    const first = await api.triggerSequence('sdk', 'dev', 'delivery', service);
    await waitFor('the handler to run', async () => (release ? true : undefined));
    const stopping = drained.stop();
    expect(drained.running).toBe(1);
    const other = await newService();
    const second = await api.triggerSequence('sdk', 'dev', 'delivery', other);
    await new Promise((r) => setTimeout(r, 300));
    release?.();
    await stopping;
    expect(calls).toBe(1);
    expect((await finishedOf(first, 'deployment')).data).toMatchObject({ drained: true });
    const second_events = await contextEvents(second);
    expect(second_events.some((e) => e.type === 'sh.keptn.event.deployment.started')).toBe(false);
    const view = await api.request<{ instances: unknown[] }>('GET', `/api/controlPlane/v1/uniform/registration/${registration.id}`);
    expect(view.body.instances).toEqual([]);
    // The second sequence's deployment is still open: aborted, so that no later test's integration receives it.
    const aborted = await api.request('POST', `/api/controlPlane/v1/sequence/sdk/${second}/control`, { state: 'abort' });
    expect(aborted.status).toBe(200);
  });

  it('refuses misuse with clear errors', async () => {
    const unused = createIntegration({
      name: 'x',
      controlPlane: { endpoint: `${server.url}/api`, token: server.token },
      handleSignals: false,
      logger: silentLogger,
    });
    await expect(unused.start()).rejects.toThrow(/no task subscribed: call onTask/);
    expect(() => unused.onTask('a.b', () => undefined)).toThrow(/without dots/);
    const wrongToken = createIntegration({
      name: 'sdk-token',
      controlPlane: { endpoint: `${server.url}/api`, token: 'wrong' },
      handleSignals: false,
      logger: silentLogger,
    }).onTask('deployment', () => undefined);
    const starting = wrongToken.start();
    // A refused token is retried (it may be rotated); stop() ends the attempts.
    await new Promise((r) => setTimeout(r, 300));
    await wrongToken.stop();
    await expect(starting).rejects.toThrow(/stopped before it could register/);
  });

  it('reads configuration files at the most specific level and at the sequence commit, secrets while it holds the task, and API paths', async () => {
    const service = await newService();
    await api.putResource({ project: 'sdk' }, 'conf/where.txt', 'project');
    await api.putResource({ project: 'sdk' }, 'conf/only-project.txt', 'project only');
    await api.putResource({ project: 'sdk', stage: 'dev' }, 'conf/where.txt', 'stage');
    const atStart = await api.putResource({ project: 'sdk', stage: 'dev', service }, 'conf/where.txt', 'service, as the sequence started');
    const secret = await api.request('POST', '/api/secrets/v1/secret', { name: 'sdk-reads', data: { token: 's3cret' } });
    expect(secret.status).toBe(201);
    const seen: Record<string, unknown> = {};
    await integration('sdk-reads')
      .onTask('deployment', async (task) => {
        // Only this test's task: the project is shared, and an open task of another test's service would write `seen` too.
        if (task.event.data.service !== service) return;
        // Written after the sequence started: the task still reads the commit it started with.
        await api.putResource({ project: 'sdk', stage: 'dev', service }, 'conf/where.txt', 'service, later');
        const where = await task.resource('conf/where.txt');
        seen.where = { text: where?.content.toString(), level: where?.level };
        const stageOnly = await task.resource('conf/where.txt', { levels: ['stage', 'project'] });
        seen.stageOnly = stageOnly?.content.toString();
        seen.projectOnly = (await task.resource('conf/only-project.txt'))?.content.toString();
        seen.missing = await task.resource('conf/none.txt');
        seen.secret = await task.secret('sdk-reads');
        seen.unknownSecret = await task.secret('no-such-secret').catch((error: Error) => error.message);
        const own = (await task.api(
          `/mongodb-datastore/event?project=sdk&keptnContext=${task.event.shkeptncontext}&type=sh.keptn.event.deployment.triggered`,
        )) as { events: KeptnEvent[] };
        seen.apiRead = own.events.map((e) => e.id === task.event.id);
        seen.apiUnknown = await task.api('/no-such-route?x=1').catch((error: Error) => error.message);
        seen.apiRelative = await task.api('mongodb-datastore/event').catch((error: Error) => error.message);
      })
      .onTask('test', () => undefined)
      .start();
    const context = await api.triggerSequence('sdk', 'dev', 'delivery', service, {});
    await waitFor('sequence finished', async () => ((await api.sequenceState('sdk', context))?.state === 'finished' ? true : undefined));
    expect(atStart).toMatch(/^[0-9a-f]{40}$/);
    expect(seen).toEqual({
      where: { text: 'service, as the sequence started', level: 'service' },
      stageOnly: 'stage',
      projectOnly: 'project only',
      missing: undefined,
      secret: { token: 's3cret' },
      unknownSecret: expect.stringMatching(/404.*no-such-secret/),
      apiRead: [true],
      apiUnknown: expect.stringMatching(/^GET \/no-such-route answered 404/),
      apiRelative: expect.stringMatching(/must start with '\/'/),
    });
  });

  it('hands tasks of subscriptions added through the API to onAnyTask, and sends nothing for a task accepts declines', async () => {
    const service = await newService();
    const handled: string[] = [];
    const registration = await integration('sdk-any')
      .onAnyTask((task) => {
        handled.push(task.task);
        return { anyTask: { task: task.task } };
      })
      .start();
    const ends: string[] = [];
    const declined = await integration('sdk-declines', { observer: { taskEnded: (task, end) => ends.push(`${task} ${end}`) } })
      .onTask('test', () => ({ shouldNot: 'run' }), { accepts: (event) => event.data.service !== service })
      .start();
    for (const task of ['deployment', 'test']) {
      const added = await api.request('POST', `/api/controlPlane/v1/uniform/registration/${registration.id}/subscription`, {
        event: `sh.keptn.event.${task}.triggered`,
        filter: { projects: ['sdk'] },
      });
      expect(added.status).toBe(201);
    }
    const context = await api.triggerSequence('sdk', 'dev', 'delivery', service);
    await waitFor('sequence finished', async () => ((await api.sequenceState('sdk', context))?.state === 'finished' ? true : undefined));
    expect(handled).toEqual(['deployment', 'test']);
    const events = await contextEvents(context);
    expect(events.filter((e) => e.source === 'sdk-declines')).toEqual([]);
    expect(events.find((e) => e.type === 'sh.keptn.event.test.finished')?.data).toMatchObject({ anyTask: { task: 'test' } });
    expect(declined.id).toEqual(expect.any(String));
    expect(ends).toEqual(['test declined']);
  });

  it('runs a sub-task in the task context: delivered like a task to its subscriber, answered into the parent handler, closed with the sequence', async () => {
    const service = await newService();
    const subtaskSeen: KeptnEvent[] = [];
    let abortedChild = false;
    await integration('sdk-child')
      .onTask('get-sli', async (task) => {
        subtaskSeen.push(task.event);
        if (task.data.slow) {
          await new Promise<void>((resolve) => task.signal.addEventListener('abort', () => resolve(), { once: true }));
          abortedChild = true;
          return {};
        }
        return { 'get-sli': { indicatorValues: [{ metric: 'p95', value: 42, success: true }] } };
      })
      .start();
    await integration('sdk-parent')
      .onTask('deployment', () => undefined)
      .onTask('test', async (task) => {
        const answer = await task.subtask('get-sli', { 'get-sli': { sliProvider: 'x' }, slow: task.data.slow === true });
        return { test: { fromChild: answer.data['get-sli'] } };
      })
      .start();
    const context = await api.triggerSequence('sdk', 'dev', 'delivery', service);
    await waitFor('sequence finished', async () => ((await api.sequenceState('sdk', context))?.state === 'finished' ? true : undefined));
    const events = await contextEvents(context);
    expect(events.find((e) => e.type === 'sh.keptn.event.test.finished')?.data).toMatchObject({
      test: { fromChild: { indicatorValues: [{ metric: 'p95', value: 42, success: true }] } },
    });
    const sub = events.find((e) => e.type === 'sh.keptn.event.get-sli.triggered');
    expect(sub).toMatchObject({ source: 'sdk-parent', shkeptncontext: context, data: { project: 'sdk', stage: 'dev', service } });
    expect(subtaskSeen.map((e) => e.id)).toEqual([sub?.id]);
    expect(events.find((e) => e.type === 'sh.keptn.event.get-sli.finished')).toMatchObject({ triggeredid: sub?.id, source: 'sdk-child' });
    expect(await api.openTriggered('sh.keptn.event.get-sli.triggered', { project: 'sdk', service })).toEqual([]);

    // A sub-task still running when its sequence is aborted is closed: its handler is signalled.
    const second = await newService();
    const abortedContext = await api.triggerSequence('sdk', 'dev', 'delivery', second, { slow: true });
    await waitFor('sub-task delivered', async () => (subtaskSeen.length === 2 ? true : undefined));
    const control = await api.request('POST', `/api/controlPlane/v1/sequence/sdk/${abortedContext}/control`, { state: 'abort' });
    expect(control.status).toBe(200);
    await waitFor('child handler aborted', async () => (abortedChild ? true : undefined));
    expect(await api.openTriggered('sh.keptn.event.get-sli.triggered', { project: 'sdk', service: second })).toEqual([]);
  });

  it('sends no .started for a deferStarted handler unless it calls task.started(), and the sequence still runs through', async () => {
    const service = await newService();
    await integration('sdk-deferred')
      .onTask('deployment', () => ({ deployment: { quiet: true } }), { deferStarted: true })
      .onTask(
        'test',
        async (task) => {
          await task.started();
          await task.started();
          return { test: { started: 'by handler' } };
        },
        { deferStarted: true },
      )
      .start();
    const context = await api.triggerSequence('sdk', 'dev', 'delivery', service);
    await waitFor('sequence finished', async () => ((await api.sequenceState('sdk', context))?.state === 'finished' ? true : undefined));
    const types = (await contextEvents(context)).filter((e) => e.source === 'sdk-deferred').map((e) => e.type);
    expect(types).toEqual(['sh.keptn.event.deployment.finished', 'sh.keptn.event.test.started', 'sh.keptn.event.test.finished']);
  });

  it('takes tasks from a task source instead of the long poll, and tells it which answers the control plane accepted', async () => {
    const service = await newService();
    const settled: string[] = [];
    const identities: AgentIdentity[] = [];
    // A task source that reads the open tasks through the API (the JetStream one is tested in bus-nats and e2e).
    let timer: NodeJS.Timeout | undefined;
    const source: TaskSource = {
      kind: 'api-listing',
      async start(deliver) {
        const given = new Set<string>();
        timer = setInterval(() => {
          void api.openTriggered('sh.keptn.event.deployment.triggered', { project: 'sdk', service }).then((open) => {
            for (const task of open.filter((open) => !given.has(open.id))) {
              given.add(task.id);
              deliver(task);
            }
          });
        }, 50);
      },
      answered: (triggeredId, outcome) => settled.push(`${triggeredId} ${outcome}`),
      async stop() {
        clearInterval(timer);
      },
      async close() {
        clearInterval(timer);
      },
    };
    await integration('sdk-sourced', {
      taskSource: async (identity) => {
        identities.push(identity);
        return source;
      },
    })
      .onTask('deployment', () => ({}))
      .start();
    const context = await api.triggerSequence('sdk', 'dev', 'delivery', service);
    const finished = await finishedOf(context, 'deployment');
    expect(identities.map((identity) => identity.topics)).toEqual([['sh.keptn.event.deployment.triggered']]);
    expect(settled).toEqual([`${String(finished.triggeredid)} accepted`, `${String(finished.triggeredid)} accepted`]);
  });
});

describe('createIntegration across a restart of the control plane', () => {
  it('reports connected again as soon as the control plane is back, without waiting out a long poll', async () => {
    let restartable = await startServerProcess();
    const idle = createIntegration({
      name: 'sdk-idle-through-restart',
      controlPlane: { endpoint: `${restartable.url}/api`, token: restartable.token },
      handleSignals: false,
      logger: silentLogger,
    }).onTask('deployment', () => ({}));
    try {
      await idle.start();
      expect(await restartable.stop()).toBe(0);
      await waitFor('the integration to notice', async () => (idle.connected ? undefined : true));
      restartable = await startServerProcess({ dataDir: restartable.dataDir, port: restartable.port, token: restartable.token });
      // No task is waiting: a long poll parked on the new server answers only after its 55 s, and
      // the integration must not look disconnected all that time (an agent's /health reads this).
      await waitFor('the integration to report itself connected', async () => (idle.connected ? true : undefined), 10_000);
    } finally {
      await idle.stop();
      expect(await restartable.stop()).toBe(0);
    }
  });
});
