/** Schemas of Shipmate's task delivery endpoint (docs/keptn-compatibility.md, "Task delivery"). */
import { MAX_WAIT_MS } from '@shipmate/core';

/** `{integrationID}/instance/{instanceID}` path parameters. */
export const instanceParams = {
  type: 'object',
  required: ['integrationID', 'instanceID'],
  properties: { integrationID: { type: 'string' }, instanceID: { type: 'string' } },
} as const;

/** `?waitMs=`. */
export const tasksQuery = {
  type: 'object',
  properties: {
    waitMs: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_WAIT_MS,
      default: 0,
      description: 'How long to hold the request when no task is available (ms, 0..60000)',
    },
  },
} as const;

/** The answer: new tasks and aborted ones. */
export const tasksResponseSchema = {
  type: 'object',
  required: ['events', 'aborted'],
  properties: {
    events: {
      type: 'array',
      description: 'Task .triggered events leased to this instance, with data.temporaryData.distributor.subscriptionID set',
      items: { type: 'object', additionalProperties: true },
    },
    aborted: {
      type: 'array',
      description: 'Triggered ids of tasks leased to this instance whose sequence was aborted or timed out',
      items: { type: 'string' },
    },
  },
} as const;
