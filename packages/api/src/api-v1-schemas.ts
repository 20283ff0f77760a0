/** Schemas of the api-service paths (`/api/v1/...`). */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { keptnEventInputSchema } from './common-schemas.js';

/** Body of `POST /api/v1/event`; required fields are checked by the intake with clear messages. */
export const eventBodySchema = keptnEventInputSchema;

/** Response of `GET /api/v1/metadata`. */
export const metadataSchema = Type.Object({
  namespace: Type.Optional(Type.String()),
  keptnlabel: Type.Optional(Type.String()),
  keptnversion: Type.Optional(Type.String()),
  shipyardversion: Type.Optional(Type.String()),
  bridgeversion: Type.Optional(Type.String()),
  keptnservices: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object', description: 'never populated, as in Keptn' })),
  automaticprovisioning: Type.Boolean(),
  shipmateversion: Type.Optional(Type.String()),
});
/** Response of `GET /api/v1/metadata`. */
export type Metadata = Static<typeof metadataSchema>;
