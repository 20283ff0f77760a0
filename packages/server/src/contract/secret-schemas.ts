/**
 * Schemas of Keptn's secret service paths (control-plane.md §8, swagger `secret-service.yaml`)
 * and of Shipmate's secret read for a running task. Field types are checked by the secret use
 * case, not by Ajv, so that a wrong value gets a message with the fix and is never coerced (a
 * number in `data` is an error, not the string "1").
 */
import { errorSchema } from './common-schemas.js';

/** `{"name", "scope", "data"}` as Keptn's `model.Secret`. */
export const secretBodySchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { description: 'string: a Kubernetes secret name (lower-case RFC 1123 subdomain, at most 253 characters)' },
    scope: { description: 'string: one of GET /api/secrets/v1/scope; default keptn-default' },
    data: { description: 'object of string values; keys of letters, digits, -, _ and . (at most 253 characters)' },
  },
} as const;

/** A secret without values: `model.GetSecretResponseItem`. */
export const secretSummarySchema = {
  type: 'object',
  required: ['name', 'scope', 'keys'],
  properties: {
    name: { type: 'string' },
    scope: { type: 'string' },
    keys: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** `{"Secrets": [...]}` (Keptn's capital S). */
export const secretListSchema = {
  type: 'object',
  required: ['Secrets'],
  properties: { Secrets: { type: 'array', items: secretSummarySchema } },
} as const;

/** `{"scopes": [...]}`. */
export const scopeListSchema = {
  type: 'object',
  required: ['scopes'],
  properties: { scopes: { type: 'array', items: { type: 'string' } } },
} as const;

/** `?name=&scope=` of GET (optional filters) and DELETE (both required, checked by the use case). */
export const secretQuery = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'The name of the secret (required for DELETE)' },
    scope: { type: 'string', description: 'The scope of the secret (required for DELETE)' },
  },
} as const;

/** `.../instance/{instanceID}/task/{triggeredID}/secret` path parameters. */
export const taskSecretParams = {
  type: 'object',
  required: ['integrationID', 'instanceID', 'triggeredID'],
  properties: { integrationID: { type: 'string' }, instanceID: { type: 'string' }, triggeredID: { type: 'string' } },
} as const;

/** `?name=&scope=` of the task read. */
export const taskSecretQuery = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'The name of the secret' },
    scope: { type: 'string', description: 'Its scope; default keptn-default' },
  },
} as const;

/** A secret with its values, for a running task only. */
export const revealedSecretSchema = {
  type: 'object',
  required: ['name', 'scope', 'data'],
  properties: {
    name: { type: 'string' },
    scope: { type: 'string' },
    data: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

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
