import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigurationSource, ControlPlaneStore, KeptnEvent } from '@shipmate/core';
import { createStoreConfigurationSource } from '@shipmate/core';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { shipyardYaml } from '@shipmate/testing';

const CP = '/api/controlPlane/v1';
const SHIPYARD = shipyardYaml({ dev: ['deployment'] }, { name: 's' });

/**
 * Reads configuration from the store, but `latestCommit` fails for one project: an unexpected
 * error (a bug or an outage) in the middle of handling an event.
 */
function failingFor(project: string, storeRef: { store?: ControlPlaneStore }): ConfigurationSource {
  return {
    latestCommit: (p, stage) => {
      if (p === project) return Promise.reject(new Error('configuration store is down'));
      return createStoreConfigurationSource(storeRef.store as ControlPlaneStore).latestCommit(p, stage);
    },
    readShipyard: (p, commit) => createStoreConfigurationSource(storeRef.store as ControlPlaneStore).readShipyard(p, commit),
  };
}

describe('a failure while handling new events', () => {
  const storeRef: { store?: ControlPlaneStore } = {};
  let api: InProcessServer;
  const errors: string[] = [];

  beforeAll(async () => {
    api = await startInProcessServer({ resources: undefined, configuration: failingFor('broken', storeRef) });
    storeRef.store = api.store;
    api.server.app.log.error = (obj: unknown, msg?: string) => void errors.push(String(msg ?? obj));
    for (const project of ['good', 'broken']) {
      expect((await api.call('POST', `${CP}/project`, { name: project, shipyard: base64(SHIPYARD) })).status).toBe(201);
      expect((await api.call('POST', `${CP}/project/${project}/service`, { serviceName: 'svc' })).status).toBe(200);
    }
  });

  afterAll(async () => {
    await api.close();
  });

  it("keeps every acknowledged event, ends the broken one's sequence as errored and still handles the good ones of the same batch", async () => {
    const send = (project: string) =>
      api.call('POST', '/api/v1/event', {
        type: 'sh.keptn.event.dev.delivery.triggered',
        source: 'test',
        data: { project, stage: 'dev', service: 'svc' },
      });
    const [good, broken] = await Promise.all([send('good'), send('broken')]);
    expect([good.status, broken.status]).toEqual([200, 200]);
    await api.server.processor.idle();

    const stored = async (project: string, context: unknown) =>
      (await api.call<{ events: KeptnEvent[] }>('GET', `/api/mongodb-datastore/event?project=${project}&keptnContext=${String(context)}`))
        .body.events;
    // The broken trigger cannot be handled (a permanent error): its sequence ends visibly, errored with the cause.
    const brokenEvents = await stored('broken', broken.body.keptnContext);
    expect(brokenEvents.map((e) => e.type).sort()).toEqual([
      'sh.keptn.event.dev.delivery.finished',
      'sh.keptn.event.dev.delivery.triggered',
    ]);
    const finished = brokenEvents.find((e) => e.type === 'sh.keptn.event.dev.delivery.finished');
    expect(finished?.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(String(finished?.data.message)).toContain('configuration store is down');
    const states = await api.call<{ states: Array<{ state: string; stages: Array<{ state: string; message?: string }> }> }>(
      'GET',
      `${CP}/sequence/broken?keptnContext=${String(broken.body.keptnContext)}`,
    );
    expect(states.body.states[0]).toMatchObject({ state: 'finished', stages: [{ state: 'errored' }] });
    expect(states.body.states[0]?.stages[0]?.message).toContain('configuration store is down');
    const open = await api.call<{ events: KeptnEvent[] }>('GET', `${CP}/event/triggered/sh.keptn.event.deployment.triggered?project=good`);
    expect(open.body.events.map((e) => e.shkeptncontext)).toEqual([good.body.keptnContext]);
    expect(errors.some((e) => e.includes('one by one') || e.includes('one-by-one'))).toBe(true);
    expect((await api.call('GET', '/health')).status).toBe(200);
  });
});
