/** JSON schemas shared by routes: Keptn's error body, event envelope, context response. */

/** Keptn's error body `{code, message}`. */
export const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'integer' },
    message: { type: 'string' },
    errorCode: { type: 'string', description: "Shipmate's stable error code (docs/errors.md)" },
  },
} as const;

/** The 4xx/5xx responses every route may give. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  413: errorSchema,
  500: errorSchema,
} as const;

/** `{"keptnContext": "<uuid>"}`. */
export const keptnContextResponse = {
  type: 'object',
  required: ['keptnContext'],
  properties: { keptnContext: { type: 'string' } },
} as const;

/** `POST /api/v1/event`: Keptn's answer plus the id the control plane gave the event (Shipmate). */
export const acceptedEventResponse = {
  type: 'object',
  required: ['keptnContext', 'id'],
  properties: { keptnContext: { type: 'string' }, id: { type: 'string', description: 'Shipmate: the id of the stored event' } },
} as const;

/** Fields of the Keptn CloudEvent envelope (`KeptnContextExtendedCE`). */
export const keptnEventProperties = {
  contenttype: { type: 'string' },
  data: { type: 'object', additionalProperties: true },
  extensions: { type: 'object', additionalProperties: true },
  id: { type: 'string' },
  shkeptncontext: { type: 'string' },
  shkeptnspecversion: { type: 'string' },
  source: { type: 'string', description: 'URI reference' },
  specversion: { type: 'string' },
  time: { type: 'string', description: 'RFC 3339' },
  triggeredid: { type: 'string' },
  gitcommitid: { type: 'string' },
  type: { type: 'string' },
} as const;

/** The Keptn CloudEvent as stored and returned. */
export const keptnEventSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['type', 'source', 'data'],
  properties: keptnEventProperties,
} as const;

/** Empty object response `{}`. */
export const emptyObjectSchema = { type: 'object', additionalProperties: false, properties: {} } as const;
