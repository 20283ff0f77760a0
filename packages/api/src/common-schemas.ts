/** Schemas shared by routes: Keptn's error body, the event envelope, context answers. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AnyObject, MapOf, OpenObject } from './schema-helpers.js';

/** Keptn's error body `{code, message}` with Shipmate's stable `errorCode`. */
export const errorSchema = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  errorCode: Type.Optional(Type.String({ description: "Shipmate's stable error code (docs/errors.md)" })),
});
/** Keptn's error body `{code, message}` with Shipmate's stable `errorCode`. */
export type ErrorBody = Static<typeof errorSchema>;

/** The 4xx/5xx responses every route may give. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  413: errorSchema,
  500: errorSchema,
} as const;

/** `{"keptnContext": "<uuid>"}`. */
export const keptnContextResponse = Type.Object({ keptnContext: Type.String() });
/** `{"keptnContext": "<uuid>"}`. */
export type KeptnContextResponse = Static<typeof keptnContextResponse>;

/** `POST /api/v1/event`: Keptn's answer plus the id the control plane gave the event (Shipmate). */
export const acceptedEventResponse = Type.Object({
  keptnContext: Type.String(),
  id: Type.String({ description: 'Shipmate: the id of the stored event' }),
});
/** Answer of `POST /api/v1/event`. */
export type AcceptedEvent = Static<typeof acceptedEventResponse>;

/**
 * The common fields of an event's `data`; every other field (one object per task name) passes.
 * The schemas keep `data` an open object: the intake checks it with messages that name the field.
 */
export const eventDataSchema = Type.Object({
  project: Type.Optional(Type.String()),
  stage: Type.Optional(Type.String()),
  service: Type.Optional(Type.String()),
  labels: Type.Optional(MapOf(Type.String())),
  status: Type.Optional(Type.String()),
  result: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});
/** `data` of a Keptn event: common fields plus one object per task name. */
export type EventData = Static<typeof eventDataSchema> & { [key: string]: unknown };

/** Fields of the Keptn CloudEvent envelope (`KeptnContextExtendedCE`). */
export const keptnEventProperties = {
  contenttype: Type.Optional(Type.String()),
  data: Type.Optional(Type.Unsafe<EventData>(AnyObject())),
  extensions: Type.Optional(AnyObject()),
  id: Type.Optional(Type.String()),
  shkeptncontext: Type.Optional(Type.String()),
  shkeptnspecversion: Type.Optional(Type.String()),
  source: Type.Optional(Type.String({ description: 'URI reference' })),
  specversion: Type.Optional(Type.String()),
  time: Type.Optional(Type.String({ description: 'RFC 3339' })),
  triggeredid: Type.Optional(Type.String()),
  gitcommitid: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
};

/** An event as a client sends it: every field optional here, the intake names what is missing. */
export const keptnEventInputSchema = OpenObject(keptnEventProperties);
/** An event as a client sends it (`POST /api/v1/event`). */
export type KeptnEventInput = Static<typeof keptnEventInputSchema>;

/**
 * The strict shape of an event as Shipmate stores and returns it (what {@link KeptnEvent} says);
 * the served document keeps Keptn's looser {@link keptnEventSchema}.
 */
export const storedKeptnEventSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  source: Type.String(),
  specversion: Type.String(),
  time: Type.String(),
  contenttype: Type.Optional(Type.String()),
  shkeptncontext: Type.String(),
  triggeredid: Type.Optional(Type.String()),
  gitcommitid: Type.Optional(Type.String()),
  shkeptnspecversion: Type.Optional(Type.String()),
  data: Type.Unsafe<EventData>(AnyObject()),
});
/** A Keptn CloudEvent as the API stores and returns it. */
export type KeptnEvent = Static<typeof storedKeptnEventSchema>;

/**
 * The Keptn CloudEvent as stored and returned. The served schema stays Keptn's (three required
 * fields, any other passes); the type says what Shipmate always fills in.
 */
export const keptnEventSchema = Type.Unsafe<KeptnEvent>({
  type: 'object',
  additionalProperties: true,
  required: ['type', 'source', 'data'],
  properties: keptnEventProperties,
});

/**
 * An answer without a body (`201` of the project writes, `200` of the token check): documented as
 * Keptn's `null`, typed `undefined` because nothing is sent.
 */
export const noContentSchema = Type.Unsafe<undefined>({ type: 'null' });

/** Empty object response `{}`. */
export const emptyObjectSchema = Type.Object({}, { additionalProperties: false });
/** `{}`. */
export type EmptyObject = Static<typeof emptyObjectSchema>;
