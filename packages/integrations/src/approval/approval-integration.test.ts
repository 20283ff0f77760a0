/**
 * The built-in approval-service in a real `shipmate server` process (built by `npm test` first):
 * it is in the registry under Keptn's name, and answers approval tasks by the shipyard's strategy
 * and the result before them: automatic approvals go on at once, manual ones wait for a person,
 * and a failed result is declined so the release never runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: approvals
spec:
  stages:
    - name: prod
      sequences:
        - name: auto
          tasks:
            - name: test
            - name: approval
              properties:
                pass: automatic
                warning: automatic
            - name: release
        - name: mixed
          tasks:
            - name: test
            - name: approval
              properties:
                pass: automatic
                warning: manual
            - name: release
        - name: unset
          tasks:
            - name: test
            - name: approval
            - name: release
        - name: gate
          tasks:
            - name: approval
              properties:
                pass: automatic
            - name: release
`;

let server: ServerProcess;
let api: KeptnApiClient;
let services = 0;

beforeAll(async () => {
  server = await startServerProcess();
  api = new KeptnApiClient(server.url, server.token);
  await api.createProject('shop', SHIPYARD);
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

async function newService(): Promise<string> {
  const service = `svc-${++services}`;
  await api.createService('shop', service);
  return service;
}

/** Runs `sequence` for a new service, answering its `test` task with `testResult` when it has one. */
async function run(sequence: string, testResult?: string, data: Record<string, unknown> = {}): Promise<string> {
  const service = await newService();
  const keptnContext = await api.triggerSequence('shop', 'prod', sequence, service, data);
  if (testResult !== undefined) {
    const test = await waitFor('test.triggered', async () =>
      (await api.openTriggered('sh.keptn.event.test.triggered', { project: 'shop', service })).find(
        (e) => e.shkeptncontext === keptnContext,
      ),
    );
    await api.answerTask(test, { result: testResult });
  }
  return keptnContext;
}

const eventsOf = (keptnContext: string): Promise<KeptnEvent[]> => api.contextEvents('shop', keptnContext);

async function eventOf(keptnContext: string, type: string, source?: string): Promise<KeptnEvent> {
  return waitFor(`${type} in ${keptnContext}`, async () =>
    (await eventsOf(keptnContext)).find((e) => e.type === type && (source === undefined || e.source === source)),
  );
}

describe('approval-service built into shipmate server', () => {
  it('is registered under its Keptn name with an instance in the control plane, subscribed to approval tasks', async () => {
    const list = await api.request<
      Array<{ name: string; subscriptions: Array<{ event: string }>; instances: Array<{ location: string }> }>
    >('GET', '/api/controlPlane/v1/uniform/registration?name=approval-service');
    expect(list.body).toHaveLength(1);
    expect(list.body[0]?.subscriptions.map((s) => s.event)).toEqual(['sh.keptn.event.approval.triggered']);
    expect(list.body[0]?.instances.map((i) => i.location)).toEqual(['control-plane']);
  });

  it.each([
    ['auto', 'pass'],
    ['auto', 'warning'],
    ['mixed', 'pass'],
  ])('approves %s after %s automatically: the release runs', async (sequence, result) => {
    const keptnContext = await run(sequence, result);
    expect((await eventOf(keptnContext, 'sh.keptn.event.approval.finished', 'approval-service')).data).toMatchObject({
      result: 'pass',
      status: 'succeeded',
      message: `Approval strategy for result '${result}': automatic`,
    });
    await eventOf(keptnContext, 'sh.keptn.event.release.triggered');
  });

  it.each([
    ['mixed', 'warning'],
    ['unset', 'pass'],
  ])('leaves %s after %s to a person: started, listed, and the release runs once approved', async (sequence, result) => {
    const keptnContext = await run(sequence, result);
    const started = await eventOf(keptnContext, 'sh.keptn.event.approval.started', 'approval-service');
    const progress = await eventOf(keptnContext, 'sh.keptn.event.approval.status.changed', 'approval-service');
    expect(progress.data.message).toMatch(new RegExp(`^Approval strategy for result '${result}': manual; approve or decline it with POST`));
    const listed = await api.request<{ approvals: Array<{ triggeredId: string; result: string }> }>(
      'GET',
      '/api/controlPlane/v1/project/shop/approval',
    );
    const approval = listed.body.approvals.find((a) => a.triggeredId === started.triggeredid);
    expect(approval).toMatchObject({ result });
    expect((await eventsOf(keptnContext)).some((e) => e.type === 'sh.keptn.event.approval.finished')).toBe(false);
    const decided = await api.request('POST', `/api/controlPlane/v1/project/shop/approval/${approval!.triggeredId}`, {
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    await eventOf(keptnContext, 'sh.keptn.event.release.triggered');
  });

  it('declines an approval whose result is fail: the sequence ends with fail and the release never runs', async () => {
    const keptnContext = await run('gate', undefined, { result: 'fail' });
    expect((await eventOf(keptnContext, 'sh.keptn.event.approval.finished', 'approval-service')).data).toMatchObject({ result: 'fail' });
    expect((await eventOf(keptnContext, 'sh.keptn.event.prod.gate.finished')).data).toMatchObject({ result: 'fail' });
    expect((await eventsOf(keptnContext)).some((e) => e.type === 'sh.keptn.event.release.triggered')).toBe(false);
  });
});
