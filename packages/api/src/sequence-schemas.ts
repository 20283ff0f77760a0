/**
 * Schemas of the sequence writes: control (pause, resume, abort), the evaluation trigger, and
 * Shipmate's wait for the `.finished` answering a `.triggered`.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { KeptnEvent } from './common-schemas.js';
import { MAX_WAIT_MS } from './delivery-schemas.js';
import { MapOf, StringEnum } from './schema-helpers.js';

/** What `POST /sequence/{project}/{keptnContext}/control` can do to a sequence. */
export const SEQUENCE_CONTROL_STATES = ['pause', 'resume', 'abort'] as const;
/** One of {@link SEQUENCE_CONTROL_STATES}. */
export type SequenceControlState = (typeof SEQUENCE_CONTROL_STATES)[number];

/** `{project}/{keptnContext}` path parameters of the control. */
export const sequenceControlParams = Type.Object({ project: Type.String(), keptnContext: Type.String() });

/** Body of the control; the server names a missing `state` itself. */
export const sequenceControlBodySchema = Type.Object({
  state: Type.Optional(StringEnum(SEQUENCE_CONTROL_STATES)),
  stage: Type.Optional(Type.String()),
});
/** Body of `POST /sequence/{project}/{keptnContext}/control`. */
export type SequenceControlBody = Static<typeof sequenceControlBodySchema>;

/** Body of `POST .../project/{p}/stage/{s}/service/{svc}/evaluation` (Keptn's evaluation window rules). */
export const evaluationBodySchema = Type.Object({
  start: Type.Optional(Type.String()),
  end: Type.Optional(Type.String()),
  timeframe: Type.Optional(Type.String()),
  labels: Type.Optional(MapOf(Type.String())),
  gitcommitid: Type.Optional(Type.String()),
});
/** Body of the evaluation trigger. */
export type EvaluationBody = Static<typeof evaluationBodySchema>;

/** `{triggeredId}` of `GET /event/finished/{triggeredId}`. */
export const finishedEventParams = Type.Object({ triggeredId: Type.String({ minLength: 1 }) });

/** Query of `GET /event/finished/{triggeredId}`; the server fills in `waitMs`'s default. */
export const finishedEventQuery = Type.Object({
  keptnContext: Type.Optional(Type.String({ description: 'The context of the .triggered (narrows the lookup)' })),
  waitMs: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_WAIT_MS, default: 0, description: 'How long to wait for the answer (ms, 0..60000)' }),
  ),
});
/** Query of `GET /event/finished/{triggeredId}`. */
export type FinishedEventQuery = Static<typeof finishedEventQuery>;

/** `{"event": <the .finished> | null}`. */
export const finishedEventResponse = Type.Object({
  event: Type.Optional(Type.Unsafe<KeptnEvent | null>({ type: ['object', 'null'] })),
});
/** Answer of `GET /event/finished/{triggeredId}`. */
export type FinishedEventResponse = Static<typeof finishedEventResponse>;
