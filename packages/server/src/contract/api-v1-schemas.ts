/** Schemas of the api-service paths (`/api/v1/...`). */

import { keptnEventProperties } from './common-schemas.js';

/** Body of `POST /api/v1/event`; required fields are checked by the intake with clear messages. */
export const eventBodySchema = { type: 'object', additionalProperties: true, properties: keptnEventProperties } as const;

/** Response of `GET /api/v1/metadata`. */
export const metadataSchema = {
  type: 'object',
  required: ['automaticprovisioning'],
  properties: {
    namespace: { type: 'string' },
    keptnlabel: { type: 'string' },
    keptnversion: { type: 'string' },
    shipyardversion: { type: 'string' },
    bridgeversion: { type: 'string' },
    keptnservices: { type: 'object', description: 'never populated, as in Keptn' },
    automaticprovisioning: { type: 'boolean' },
    shipmateversion: { type: 'string' },
  },
} as const;
