/**
 * Secrets of Keptn's secret service (control-plane.md §8): a name, a scope and string values
 * under keys. Keptn kept each secret as a Kubernetes Secret, so the names follow Kubernetes'
 * rules: a secret name is a lower-case RFC 1123 subdomain, a key a Secret data key, both at most
 * 253 characters. Names are unique across scopes, as Secret names are in one namespace.
 */
import { ErrorCode } from '../errors/error-codes.js';
import { InputError } from '../errors/errors.js';
import { isPlainObject } from '../sequence/merge-data.js';

/** Keptn's default scopes (the `scopes.yaml` ConfigMap of its Helm chart). */
export const KEPTN_SECRET_SCOPES: readonly string[] = Object.freeze([
  'keptn-default',
  'keptn-webhook-service',
  'dynatrace-service',
  'keptn-prometheus-service',
]);

/** The scope of a secret created without one, and the scope every integration may read. */
export const DEFAULT_SECRET_SCOPE = 'keptn-default';

/** Longest secret name or key (Kubernetes' limit, which Keptn's secret service checks). */
export const SECRET_NAME_MAX_LENGTH = 253;

/** A secret as listed: never its values. */
export interface SecretSummary {
  name: string;
  scope: string;
  /** Its keys, sorted. */
  keys: string[];
}

/** A secret as written by a client. */
export interface SecretInput {
  name: string;
  scope: string;
  data: Record<string, string>;
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** Returns `name` if it is a valid secret name; `field` ("field 'name'") names it in the message. */
export function validateSecretName(name: unknown, field = "field 'name'"): string {
  if (name === undefined || name === null || name === '') {
    throw new InputError(ErrorCode.missingField, `${field} is missing; send a secret name such as 'my-api-token'`);
  }
  if (typeof name !== 'string') {
    throw new InputError(
      ErrorCode.invalidField,
      `${field} must be a string, got ${typeof name}; send a secret name such as 'my-api-token'`,
    );
  }
  if (name.length > SECRET_NAME_MAX_LENGTH) {
    throw new InputError(
      ErrorCode.invalidName,
      `${field} is ${name.length} characters long, the maximum is ${SECRET_NAME_MAX_LENGTH}; use a shorter name`,
    );
  }
  if (!SUBDOMAIN.test(name)) {
    throw new InputError(
      ErrorCode.invalidName,
      `${field} '${name}' is invalid: it must be a Kubernetes secret name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit), e.g. 'my-api-token'`,
    );
  }
  return name;
}

/** Returns `scope` (or the default scope when it is absent or empty) if it is one of `scopes`. */
export function validateSecretScope(scope: unknown, scopes: readonly string[], field = "field 'scope'"): string {
  if (scope === undefined || scope === null || scope === '') return DEFAULT_SECRET_SCOPE;
  if (typeof scope !== 'string') {
    throw new InputError(ErrorCode.invalidField, `${field} must be a string, got ${typeof scope}; send one of ${scopes.join(', ')}`);
  }
  if (!scopes.includes(scope)) {
    throw new InputError(
      ErrorCode.unknownScope,
      `unknown scope '${scope}' in ${field}: use one of ${scopes.join(', ')} (the server's SHIPMATE_SECRET_SCOPES)`,
    );
  }
  return scope;
}

/** Returns `data` if it is an object of string values under valid keys. */
export function validateSecretData(data: unknown): Record<string, string> {
  if (data === undefined || data === null) {
    throw new InputError(ErrorCode.missingField, `field 'data' is missing; send the values as an object of strings, e.g. {"token": "..."}`);
  }
  if (!isPlainObject(data)) {
    throw new InputError(
      ErrorCode.invalidField,
      `field 'data' must be an object of string values, got ${Array.isArray(data) ? 'an array' : typeof data}; e.g. {"token": "..."}`,
    );
  }
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key.length > SECRET_NAME_MAX_LENGTH) {
      throw new InputError(
        ErrorCode.invalidName,
        `key '${key.slice(0, 40)}...' in field 'data' is ${key.length} characters long, the maximum is ${SECRET_NAME_MAX_LENGTH}; use a shorter key`,
      );
    }
    if (!DATA_KEY.test(key)) {
      throw new InputError(
        ErrorCode.invalidName,
        `key '${key}' in field 'data' is invalid: a key may contain only letters, digits, '-', '_' and '.' (a Kubernetes secret key), e.g. 'api_token'`,
      );
    }
    if (typeof value !== 'string') {
      throw new InputError(
        ErrorCode.invalidField,
        `field 'data.${key}' must be a string, got ${value === null ? 'null' : typeof value}; send every value as a string (JSON-encode structured values)`,
      );
    }
    result[key] = value;
  }
  return result;
}

/** Parses a POST/PUT body `{"name", "scope", "data"}`; the scope defaults to `keptn-default`. */
export function parseSecretInput(body: unknown, scopes: readonly string[]): SecretInput {
  if (!isPlainObject(body)) {
    throw new InputError(
      ErrorCode.invalidField,
      'the body must be a JSON object {"name": "...", "scope": "...", "data": {"key": "value"}}',
    );
  }
  const name = validateSecretName(body.name);
  const scope = validateSecretScope(body.scope, scopes);
  return { name, scope, data: validateSecretData(body.data) };
}

/** The summary of an input: name, scope and sorted keys. */
export function summaryOf(input: SecretInput): SecretSummary {
  return { name: input.name, scope: input.scope, keys: Object.keys(input.data).sort() };
}
