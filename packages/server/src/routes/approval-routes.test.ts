/**
 * The approval routes: open approvals listed, approved (the sequence goes on) or declined (it ends
 * with fail and the remaining tasks are skipped), and the bad input around them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { shipyardYaml } from '@shipmate/testing';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { triggerSequence } from '../test-support/sequence-events.js';

const CP = '/api/controlPlane/v1';

interface Approval {
  triggeredId: string;
  keptnContext: string;
  stage: string;
  service: string;
  result: string;
}

let api: InProcessServer;
let services = 0;

beforeAll(async () => {
  api = await startInProcessServer();
  const shipyard = base64(shipyardYaml({ prod: ['approval', 'release'] }, { name: 'approvals' }));
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard })).status).toBe(201);
});

afterAll(async () => {
  await api.close();
});

/** A new service with a delivery waiting in its approval; resolves with its context and approval. */
async function waitingApproval(): Promise<{ keptnContext: string; approval: Approval }> {
  const service = `svc-${++services}`;
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: service })).status).toBe(200);
  const keptnContext = await triggerSequence(api, { project: 'shop', stage: 'prod', service });
  const listed = await api.call<{ approvals: Approval[] }>('GET', `${CP}/project/shop/approval`);
  const approval = listed.body.approvals.find((a) => a.keptnContext === keptnContext);
  expect(approval).toMatchObject({ stage: 'prod', service, triggeredId: expect.any(String) });
  return { keptnContext, approval: approval! };
}

async function contextEvents(keptnContext: string): Promise<KeptnEvent[]> {
  await api.server.processor.idle();
  const reply = await api.call<{ events: KeptnEvent[] }>('GET', `/api/mongodb-datastore/event?project=shop&keptnContext=${keptnContext}`);
  return reply.body.events;
}

const decide = (triggeredId: string, body: unknown, project = 'shop') =>
  api.call('POST', `${CP}/project/${project}/approval/${triggeredId}`, body);

describe('approvals through the API', () => {
  it('approves: approval.finished with pass, the next task is triggered, the approval leaves the list', async () => {
    const { keptnContext, approval } = await waitingApproval();
    const reply = await decide(approval.triggeredId, { decision: 'approve', message: 'looks good' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ keptnContext, id: expect.any(String) });
    const events = await contextEvents(keptnContext);
    expect(events.find((e) => e.type === 'sh.keptn.event.approval.finished')).toMatchObject({
      triggeredid: approval.triggeredId,
      data: { result: 'pass', status: 'succeeded', message: 'looks good' },
    });
    expect(events.some((e) => e.type === 'sh.keptn.event.release.triggered')).toBe(true);
    const listed = await api.call<{ approvals: Approval[] }>('GET', `${CP}/project/shop/approval`);
    expect(listed.body.approvals.map((a) => a.triggeredId)).not.toContain(approval.triggeredId);
  });

  it('declines: the sequence ends with fail and the remaining tasks are skipped', async () => {
    const { keptnContext, approval } = await waitingApproval();
    expect((await decide(approval.triggeredId, { decision: 'decline' })).status).toBe(200);
    const events = await contextEvents(keptnContext);
    expect(events.find((e) => e.type === 'sh.keptn.event.prod.delivery.finished')).toMatchObject({ data: { result: 'fail' } });
    expect(events.some((e) => e.type === 'sh.keptn.event.release.triggered')).toBe(false);
  });

  it.each([
    [
      'an approval decided already',
      'decided',
      { decision: 'approve' },
      404,
      /no open approval with id .* already approved, declined or aborted/,
    ],
    ['an unknown approval', 'unknown', { decision: 'approve' }, 404, /no open approval with id 'nope' in project 'shop'/],
    ['an unknown project', 'project', { decision: 'approve' }, 404, /project/i],
    ['a decision that is neither approve nor decline', 'open', { decision: 'maybe' }, 400, /decision.*approve, decline/],
    ['no decision', 'open', {}, 400, /decision/],
    ['an unknown field', 'open', { decision: 'approve', by: 'me' }, 400, /unknown field 'by'/],
  ])('refuses %s', async (_name, which, body, status, message) => {
    const { approval } = await waitingApproval();
    if (which === 'decided') await decide(approval.triggeredId, { decision: 'approve' });
    const id = which === 'unknown' ? 'nope' : approval.triggeredId;
    const reply = await decide(id, body, which === 'project' ? 'nowhere' : 'shop');
    expect(reply.status).toBe(status);
    expect(String(reply.body.message)).toMatch(message);
  });

  it("takes Keptn's way too: an approval.finished event for an open approval counts, one for a decided or unknown approval is 404", async () => {
    const { keptnContext, approval } = await waitingApproval();
    const post = (triggeredid: string) =>
      api.call('POST', '/api/v1/event', {
        type: 'sh.keptn.event.approval.finished',
        source: 'bridge',
        shkeptncontext: keptnContext,
        triggeredid,
        data: { project: 'shop', stage: 'prod', service: approval.service, result: 'pass', status: 'succeeded' },
      });
    expect((await post(approval.triggeredId)).status).toBe(200);
    const again = await post(approval.triggeredId);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ errorCode: 'ERR_APPROVAL_NOT_FOUND' });
    expect(String(again.body.message)).toMatch(/already approved, declined or aborted/);
    expect((await post('00000000-0000-0000-0000-000000000000')).status).toBe(404);
    const events = await contextEvents(keptnContext);
    expect(events.filter((e) => e.type === 'sh.keptn.event.approval.finished')).toHaveLength(1);
  });
});
