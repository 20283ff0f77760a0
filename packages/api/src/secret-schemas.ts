/**
 * Schemas of Keptn's secret service paths (control-plane.md §8, swagger `secret-service.yaml`)
 * and of Shipmate's secret read for a running task. Field types are checked by the secret use
 * case, not by Ajv, so that a wrong value gets a message with the fix and is never coerced (a
 * number in `data` is an error, not the string "1").
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { errorSchema } from './common-schemas.js';
import { MapOf } from './schema-helpers.js';

/** `{"name", "scope", "data"}` as Keptn's `model.Secret`; the static type is what a client should send. */
export const secretBodySchema = Type.Object({
  name: Type.Unsafe<string>({
    description: 'string: a Kubernetes secret name (lower-case RFC 1123 subdomain, at most 253 characters)',
  }),
  scope: Type.Optional(Type.Unsafe<string>({ description: 'string: one of GET /api/secrets/v1/scope; default keptn-default' })),
  data: Type.Optional(
    Type.Unsafe<Record<string, string>>({
      description: 'object of string values; keys of letters, digits, -, _ and . (at most 253 characters)',
    }),
  ),
});
/** Body of `POST`/`PUT /api/secrets/v1/secret`. */
export type SecretBody = Static<typeof secretBodySchema>;

/** A secret without values: `model.GetSecretResponseItem`. */
export const secretSummarySchema = Type.Object({
  name: Type.String(),
  scope: Type.String(),
  keys: Type.Array(Type.String()),
});
/** A secret without values. */
export type SecretSummary = Static<typeof secretSummarySchema>;

/** `{"Secrets": [...]}` (Keptn's capital S). */
export const secretListSchema = Type.Object({ Secrets: Type.Array(secretSummarySchema) });
/** `{"Secrets": [...]}`. */
export type SecretList = Static<typeof secretListSchema>;

/** `{"scopes": [...]}`. */
export const scopeListSchema = Type.Object({ scopes: Type.Array(Type.String()) });
/** `{"scopes": [...]}`. */
export type ScopeList = Static<typeof scopeListSchema>;

/** `?name=&scope=` of GET (optional filters) and DELETE (both required, checked by the use case). */
export const secretQuery = Type.Object({
  name: Type.Optional(Type.String({ description: 'The name of the secret (required for DELETE)' })),
  scope: Type.Optional(Type.String({ description: 'The scope of the secret (required for DELETE)' })),
});
/** `?name=&scope=` of the secret list and delete. */
export type SecretQuery = Static<typeof secretQuery>;

/** `.../instance/{instanceID}/task/{triggeredID}/secret` path parameters. */
export const taskSecretParams = Type.Object({ integrationID: Type.String(), instanceID: Type.String(), triggeredID: Type.String() });

/** `?name=&scope=` of the task read. */
export const taskSecretQuery = Type.Object({
  name: Type.Optional(Type.String({ description: 'The name of the secret' })),
  scope: Type.Optional(Type.String({ description: 'Its scope; default keptn-default' })),
});
/** `?name=&scope=` of the task read. */
export type TaskSecretQuery = Static<typeof taskSecretQuery>;

/** A secret with its values, for a running task only. */
export const revealedSecretSchema = Type.Object({
  name: Type.String(),
  scope: Type.String(),
  data: MapOf(Type.String()),
});
/** A secret with its values, for a running task only. */
export type RevealedSecret = Static<typeof revealedSecretSchema>;

/** Error responses of the secret routes. */
export const secretErrorResponses = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  500: errorSchema,
} as const;

/** Error responses of the task read (403 for a task not held or a scope not readable). */
export const taskSecretErrorResponses = { ...secretErrorResponses, 403: errorSchema } as const;
