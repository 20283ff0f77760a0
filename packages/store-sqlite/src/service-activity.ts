/**
 * Service activity noted one note at a time, merged into one update per service row (the fold of
 * service-activity-log.ts applies every note logged since the last fold this way). A step that
 * handles a task's `.finished` notes it and the next task's `.triggered` for the same service,
 * and a batch of events notes many more; one `UPDATE services` with two `json_patch` calls per
 * note cost 5.7 % of the server's busy CPU in bench (a). Merged, each row is updated once, to the same
 * result as the updates one after the other: the merged patch first removes every event type it
 * sets (so each moves to the end, as a single update moves it), then adds them in the order of
 * their last note, each with its last value; the deployed image is the last one noted.
 */
import type { LastEventType, ServiceActivity } from '@shipmate/core';

/** One service row's merged activity. */
export interface ServiceRowActivity {
  readonly project: string;
  readonly stage: string;
  readonly service: string;
  /** A JSON merge patch setting every event type noted to null (removes it). */
  readonly removals: string;
  /** A JSON merge patch setting every event type noted to its last reference, in the order of the last notes. */
  readonly additions: string;
  /** The last deployed image noted, if any. */
  readonly deployedImage: string | undefined;
}

interface Merging {
  readonly project: string;
  readonly stage: string;
  readonly service: string;
  // No prototype: an event type is a client's string and could be `__proto__`.
  readonly latest: Record<string, LastEventType>;
  deployedImage: string | undefined;
}

/** Merges `activities` (in the order they were noted) per (project, stage, service), in the order each row was first noted. */
export function mergeServiceActivity(activities: readonly ServiceActivity[]): ServiceRowActivity[] {
  const rows = new Map<string, Merging>();
  for (const activity of activities) {
    const key = JSON.stringify([activity.project, activity.stage, activity.service]);
    let row = rows.get(key);
    if (!row) {
      row = {
        project: activity.project,
        stage: activity.stage,
        service: activity.service,
        latest: Object.create(null) as Record<string, LastEventType>,
        deployedImage: undefined,
      };
      rows.set(key, row);
    }
    // Deleted first so that the type takes its place at the end, where its last update puts it.
    delete row.latest[activity.eventType];
    row.latest[activity.eventType] = activity.ref;
    if (activity.deployedImage) row.deployedImage = activity.deployedImage;
  }
  return [...rows.values()].map((row) => ({
    project: row.project,
    stage: row.stage,
    service: row.service,
    removals: JSON.stringify(Object.fromEntries(Object.keys(row.latest).map((type) => [type, null]))),
    additions: JSON.stringify(row.latest),
    deployedImage: row.deployedImage,
  }));
}
