import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64, createTestResourceStore, SOCKSHOP_SHIPYARD, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { bootstrapRepositories } from './bootstrap-repositories.js';

const CP = '/api/controlPlane/v1';

let api: InProcessServer;

beforeAll(async () => {
  // A server without git: shipyard versions in the store only (as before the repositories existed).
  api = await startInProcessServer({ resources: undefined });
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(SOCKSHOP_SHIPYARD) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
});

afterAll(async () => {
  await api.close();
});

describe('bootstrapRepositories', () => {
  it('gives a project without a repository its repository, stage branches and service folders, once', async () => {
    const resources = createTestResourceStore(api.dir);
    expect(await bootstrapRepositories(api.store, resources)).toEqual(['shop']);
    const project = await api.store.getProject('shop');
    for (const stage of project!.stages) {
      const listing = await resources.listResources({ project: 'shop', stage });
      expect(listing.uris).toEqual(['carts/metadata.yaml', 'metadata.yaml', 'shipyard.yaml']);
    }
    expect(await resources.readShipyard('shop', project!.shipyardCommit)).toBe(SOCKSHOP_SHIPYARD);
    expect(await bootstrapRepositories(api.store, resources)).toEqual([]);
  });
});
