/** Schemas of Shipmate's task delivery endpoint (docs/keptn-compatibility.md, "Task delivery"). */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AnyObject } from './schema-helpers.js';
import type { KeptnEvent } from './common-schemas.js';

/**
 * Longest `waitMs` of a long poll (ms). The control plane's core has the same bound
 * (`MAX_WAIT_MS`); a test keeps the two equal.
 */
export const MAX_WAIT_MS = 60_000;

/** `{integrationID}/instance/{instanceID}` path parameters. */
export const instanceParams = Type.Object({ integrationID: Type.String(), instanceID: Type.String() });
/** `{integrationID}/instance/{instanceID}` path parameters. */
export type InstanceParams = Static<typeof instanceParams>;

/**
 * `?waitMs=`. Optional for the client; the server's validator fills in the default, so a handler
 * always sees a number.
 */
export const tasksQuery = Type.Object({
  waitMs: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_WAIT_MS,
      default: 0,
      description: 'How long to hold the request when no task is available (ms, 0..60000)',
    }),
  ),
});
/** `?waitMs=` of the long poll. */
export type TasksQuery = Static<typeof tasksQuery>;

/** The answer: new tasks and aborted ones. */
export const tasksResponseSchema = Type.Object({
  events: Type.Array(Type.Unsafe<KeptnEvent>(AnyObject()), {
    description: 'Task .triggered events leased to this instance, with data.temporaryData.distributor.subscriptionID set',
  }),
  aborted: Type.Array(Type.String(), {
    description: 'Triggered ids of tasks leased to this instance whose sequence was aborted or timed out',
  }),
});
/** One long-poll answer: tasks leased to the instance and the triggered ids of its aborted tasks. */
export type TaskBatch = Static<typeof tasksResponseSchema>;
