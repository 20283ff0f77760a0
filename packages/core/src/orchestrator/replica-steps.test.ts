/**
 * Two event processors ("replicas") on one store, in one process: each step awaits the store
 * between its reads and its commit, so their steps interleave as two replicas' would. With shared
 * claims (here one mutex standing in for PostgreSQL's advisory locks, which have their own tests
 * in store-postgres) one service never runs two sequences at once, and a pending event is handled
 * by one replica only; without claims (`processClaims`) both go wrong, which the last test shows.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, fixtureProject, manualClock, shipyardYaml } from '@shipmate/testing';
import type { MemoryControlPlaneStore } from '@shipmate/testing';
import { createStoreConfigurationSource } from '../config/store-configuration-source.js';
import { keptnTime } from '../events/keptn-event.js';
import type { KeptnEvent } from '../events/keptn-event.js';
import { processClaims } from '../ports/step-claims.js';
import type { StepClaims } from '../ports/step-claims.js';
import { createEventProcessor } from './event-processor.js';
import type { EventProcessor } from './event-processor.js';
import { createOrchestrator } from './orchestrator.js';

const SHIPYARD = shipyardYaml({ dev: ['deployment'] }, { name: 'delivery' });

/** Shared claims of one process: one mutex for every scope (coarser than PostgreSQL's, as correct). */
function mutexClaims(): StepClaims {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    shared: true,
    hold(_scopes, work) {
      const result = chain.then(work);
      chain = result.catch(() => undefined);
      return result;
    },
  };
}

let lastId = 0;

/** Two processors on one fresh store with project shop and service carts. */
async function twoReplicas(claims: StepClaims): Promise<{ store: MemoryControlPlaneStore; replicas: EventProcessor[]; errors: string[] }> {
  const store = createMemoryStore();
  const clock = manualClock();
  await store.putShipyardVersion('shop', 'c1', SHIPYARD);
  await store.insertProject(fixtureProject('shop', { shipyard: SHIPYARD, shipyardCommit: 'c1', stages: ['dev'] }));
  await store.insertService('shop', 'carts', ['dev'], '1');
  const errors: string[] = [];
  const replicas = [1, 2].map(() =>
    createEventProcessor({
      store,
      clock,
      claims,
      sweepMs: 3_600_000,
      orchestrator: createOrchestrator({
        store,
        configuration: createStoreConfigurationSource(store),
        clock,
        ids: { newId: () => `id-${++lastId}` },
        taskStartedWaitMs: 60_000,
      }),
      onError: (_error, what) => errors.push(what),
    }),
  );
  for (const replica of replicas) await replica.start();
  return { store, replicas, errors };
}

const triggerOf = (context: string): KeptnEvent => ({
  id: `trigger-${++lastId}`,
  type: 'sh.keptn.event.dev.delivery.triggered',
  source: 'replica-test',
  specversion: '1.0',
  time: keptnTime(1000),
  shkeptncontext: context,
  data: { project: 'shop', stage: 'dev', service: 'carts' },
});

/** The deployment tasks triggered so far, by context. */
async function deployments(store: MemoryControlPlaneStore): Promise<string[]> {
  const page = await store.queryEvents({ type: 'sh.keptn.event.deployment.triggered', offset: 0, limit: 100 });
  return page.items.map((e) => e.shkeptncontext).sort();
}

describe('two replicas on one store', () => {
  it('start one of two sequences of an idle service sent to both at once, and queue the other', async () => {
    const { store, replicas } = await twoReplicas(mutexClaims());
    await Promise.all([replicas[0]?.ingest([triggerOf('ctx-a')]), replicas[1]?.ingest([triggerOf('ctx-b')])]);
    expect(await deployments(store)).toHaveLength(1);
    const views = await store.querySequenceStates({ project: 'shop', offset: 0, limit: 10 });
    expect(views.items.map((v) => v.state).sort()).toEqual(['started', 'waiting']);
  });

  it('handle a pending event once when both replicas drain it', async () => {
    const { store, replicas, errors } = await twoReplicas(mutexClaims());
    await store.appendEvents([triggerOf('ctx-pending')], { pending: true });
    await Promise.all(replicas.map((replica) => replica.idle()));
    expect(await deployments(store)).toEqual(['ctx-pending']);
    expect(await store.pendingEvents(10)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('go wrong without claims (what the claims prevent)', async () => {
    const { store, replicas } = await twoReplicas(processClaims);
    await Promise.all([replicas[0]?.ingest([triggerOf('ctx-a')]), replicas[1]?.ingest([triggerOf('ctx-b')])]);
    expect(await deployments(store)).toEqual(['ctx-a', 'ctx-b']);
  });
});
