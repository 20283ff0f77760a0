import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ServiceActivity } from '@shipmate/core';
import { mergeServiceActivity } from './service-activity.js';

/** Two copies of the same services, one updated note by note (the store's old statement), one with the merged updates. */
function servicesTable() {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE services (project TEXT, stage TEXT, name TEXT, deployed_image TEXT, last_event_types TEXT NOT NULL DEFAULT '{}')`);
  const insert = db.prepare('INSERT INTO services (project, stage, name, deployed_image, last_event_types) VALUES (?, ?, ?, ?, ?)');
  for (const name of ['carts', 'orders'])
    insert.run('shop', 'dev', name, 'old:1', JSON.stringify({ 'sh.keptn.event.a.triggered': ref('0'), x: ref('1') }));
  const rows = () => db.prepare('SELECT name, deployed_image, last_event_types FROM services ORDER BY name').all();
  return { db, rows };
}

function ref(eventId: string) {
  return { eventId, keptnContext: `ctx-${eventId}`, time: `${eventId}000000` };
}

function note(service: string, eventType: string, eventId: string, deployedImage?: string): ServiceActivity {
  return { project: 'shop', stage: 'dev', service, eventType, ref: ref(eventId), ...(deployedImage ? { deployedImage } : {}) };
}

describe('mergeServiceActivity', () => {
  const notes = [
    note('carts', 'sh.keptn.event.deployment.triggered', '2'),
    note('orders', 'sh.keptn.event.test.finished', '3'),
    note('carts', 'sh.keptn.event.a.triggered', '4'),
    note('carts', 'sh.keptn.event.deployment.finished', '5', 'carts:2'),
    note('carts', '__proto__', '6'),
    note('carts', 'sh.keptn.event.deployment.triggered', '7'),
    note('carts', 'sh.keptn.event.test.triggered', '8'),
    note('carts', 'sh.keptn.event.deployment.finished', '9'),
  ];

  it('updates each service once, to what the updates one after the other give (key order, last values, last image)', () => {
    const oneByOne = servicesTable();
    const update = oneByOne.db.prepare(
      `UPDATE services SET
         last_event_types = json_patch(json_patch(last_event_types, json_object(?, NULL)), json_object(?, json(?))),
         deployed_image = coalesce(?, deployed_image)
       WHERE project = ? AND stage = ? AND name = ?`,
    );
    for (const a of notes)
      update.run(a.eventType, a.eventType, JSON.stringify(a.ref), a.deployedImage ?? null, a.project, a.stage, a.service);

    const merged = servicesTable();
    const rows = mergeServiceActivity(notes);
    expect(rows.map((row) => row.service)).toEqual(['carts', 'orders']);
    const mergedUpdate = merged.db.prepare(
      `UPDATE services SET
         last_event_types = json_patch(json_patch(last_event_types, ?), ?),
         deployed_image = coalesce(?, deployed_image)
       WHERE project = ? AND stage = ? AND name = ?`,
    );
    for (const row of rows) mergedUpdate.run(row.removals, row.additions, row.deployedImage ?? null, row.project, row.stage, row.service);

    expect(merged.rows()).toEqual(oneByOne.rows());
    const carts = JSON.parse((merged.rows()[0] as { last_event_types: string }).last_event_types) as Record<string, unknown>;
    expect(Object.keys(carts)).toEqual([
      'x',
      'sh.keptn.event.a.triggered',
      '__proto__',
      'sh.keptn.event.deployment.triggered',
      'sh.keptn.event.test.triggered',
      'sh.keptn.event.deployment.finished',
    ]);
  });

  it('has nothing to update without activity', () => {
    expect(mergeServiceActivity([])).toEqual([]);
  });
});
