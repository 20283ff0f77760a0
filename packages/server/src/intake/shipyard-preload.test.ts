import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigurationSource, ControlPlaneStore, KeptnEvent } from '@shipmate/core';
import { createStoreConfigurationSource } from '@shipmate/core';
import { shipyardYaml } from '@shipmate/testing';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

const CP = '/api/controlPlane/v1';
const SHIPYARD = shipyardYaml({ dev: ['deployment'] }, { name: 'preload' });

/** Store-backed configuration whose shipyard reads for project `slow` wait until `release()` (a slow git read). */
function gatedConfiguration(storeRef: { store?: ControlPlaneStore }) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const reads: string[] = [];
  const source = (): ConfigurationSource => createStoreConfigurationSource(storeRef.store as ControlPlaneStore);
  const configuration: ConfigurationSource = {
    latestCommit: (project, stage) => source().latestCommit(project, stage),
    async readShipyard(project, commit) {
      reads.push(project);
      if (project === 'slow') await gate;
      return source().readShipyard(project, commit);
    },
  };
  return { configuration, release, reads };
}

describe('shipyard preload when a trigger arrives', () => {
  const storeRef: { store?: ControlPlaneStore } = {};
  const gated = gatedConfiguration(storeRef);
  let api: InProcessServer;

  beforeAll(async () => {
    api = await startInProcessServer({ resources: undefined, configuration: gated.configuration });
    storeRef.store = api.store;
    for (const project of ['slow', 'fast']) {
      expect((await api.call('POST', `${CP}/project`, { name: project, shipyard: base64(SHIPYARD) })).status).toBe(201);
      expect((await api.call('POST', `${CP}/project/${project}/service`, { serviceName: 'svc' })).status).toBe(200);
    }
  });

  afterAll(async () => {
    gated.release();
    await api.close();
  });

  const trigger = (project: string) =>
    api.call<{ keptnContext: string }>('POST', '/api/v1/event', {
      type: 'sh.keptn.event.dev.delivery.triggered',
      source: 'test',
      data: { project, stage: 'dev', service: 'svc' },
    });
  const openTasks = async (project: string) =>
    (await api.call<{ events: KeptnEvent[] }>('GET', `${CP}/event/triggered/sh.keptn.event.deployment.triggered?project=${project}`)).body
      .events;

  it('reads the shipyard before the step, so a slow read holds only its own trigger, and the step reads nothing more', async () => {
    const slow = trigger('slow');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gated.reads).toEqual(['slow']);

    // While the slow read waits, another project's sequence starts: the orchestrator is not blocked.
    const fast = await trigger('fast');
    expect(fast.status).toBe(200);
    await api.server.processor.idle();
    expect((await openTasks('fast')).map((e) => e.shkeptncontext)).toEqual([fast.body.keptnContext]);
    expect(await openTasks('slow')).toEqual([]);

    gated.release();
    const slowReply = await slow;
    expect(slowReply.status).toBe(200);
    await api.server.processor.idle();
    expect((await openTasks('slow')).map((e) => e.shkeptncontext)).toEqual([slowReply.body.keptnContext]);
    // One read per project: the steps found the shipyards in the cache.
    expect(gated.reads.sort()).toEqual(['fast', 'slow']);
  });
});
