/**
 * API tokens beyond the admin token (issue 12 point 4): execution-plane tokens created through the
 * API, limited to what an execution plane does and optionally to some projects, stages and
 * services, revocable one by one. Only the SHA-256 of a token is kept; the token itself is shown
 * once, when it is created.
 */
import { ErrorCode } from '../errors/error-codes.js';
import { InputError } from '../errors/errors.js';

/** Roles a created token can have (the admin token is not created through the API). */
export const TokenRole = { executionPlane: 'execution-plane' } as const;
/** One of {@link TokenRole}. */
export type TokenRole = (typeof TokenRole)[keyof typeof TokenRole];

/** Where a token may act; an empty list allows every name. */
export interface TokenFilters {
  readonly projects: readonly string[];
  readonly stages: readonly string[];
  readonly services: readonly string[];
}

/** What the API shows of a token (never the token or its hash). */
export interface ApiTokenSummary {
  readonly id: string;
  readonly name: string;
  readonly role: TokenRole;
  readonly filters: TokenFilters;
  /** Keptn time (ISO 8601 UTC). */
  readonly createdAt: string;
  readonly lastUsedAt?: string;
  readonly revokedAt?: string;
}

/** A token as stored: its summary and the hex SHA-256 of the token. */
export interface StoredApiToken extends ApiTokenSummary {
  readonly sha256: string;
}

/** The body of a token creation, checked. */
export interface ApiTokenInput {
  readonly name: string;
  readonly role: TokenRole;
  readonly filters: TokenFilters;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ROLES: readonly string[] = Object.values(TokenRole);
const FILTER_KEYS = ['projects', 'stages', 'services'] as const;

function filterList(value: unknown, key: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === ''))
    throw new InputError(ErrorCode.invalidField, `filters.${key} must be a list of names, e.g. ["shop"]; got ${JSON.stringify(value)}`);
  return Object.freeze([...new Set(value as string[])]);
}

/** Checks the body of `POST /api/shipmate/v1/token`; an InputError names the field and the fix. */
export function parseApiTokenInput(body: unknown): ApiTokenInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InputError(ErrorCode.invalidField, 'the body must be a JSON object {"name", "role", "filters"?}');
  const { name, role, filters } = body as Record<string, unknown>;
  if (typeof name !== 'string' || !NAME.test(name))
    throw new InputError(
      ErrorCode.invalidName,
      `name must be 1-63 lowercase letters, digits and '-', starting with a letter or digit, e.g. 'hardening-plane'; got ${JSON.stringify(name)}`,
    );
  if (typeof role !== 'string' || !ROLES.includes(role))
    throw new InputError(ErrorCode.invalidField, `role must be one of ${ROLES.join(', ')}; got ${JSON.stringify(role)}`);
  if (filters !== undefined && (typeof filters !== 'object' || filters === null || Array.isArray(filters)))
    throw new InputError(ErrorCode.invalidField, 'filters must be an object {"projects": [], "stages": [], "services": []}');
  const raw = (filters ?? {}) as Record<string, unknown>;
  const unknownKey = Object.keys(raw).find((key) => !(FILTER_KEYS as readonly string[]).includes(key));
  if (unknownKey !== undefined)
    throw new InputError(ErrorCode.invalidField, `filters.${unknownKey} is not a filter; use projects, stages and services`);
  return Object.freeze({
    name,
    role: role as TokenRole,
    filters: Object.freeze({
      projects: filterList(raw.projects, 'projects'),
      stages: filterList(raw.stages, 'stages'),
      services: filterList(raw.services, 'services'),
    }),
  });
}

/** Where a request acts: the names it touches (undefined when it names none of that kind). */
export interface TokenTarget {
  readonly project?: string | undefined;
  readonly stage?: string | undefined;
  readonly service?: string | undefined;
}

/**
 * The first filter `target` falls outside of, or undefined when it is inside all. A filter that is
 * set requires the name: a request that names no project cannot prove it stays in the token's projects.
 */
export function outsideFilters(filters: TokenFilters, target: TokenTarget): string | undefined {
  const checks = [
    ['project', filters.projects, target.project],
    ['stage', filters.stages, target.stage],
    ['service', filters.services, target.service],
  ] as const;
  for (const [kind, allowed, value] of checks) {
    if (allowed.length === 0) continue;
    if (value === undefined || value === '') return `no ${kind} named (the token is limited to ${kind}s ${allowed.join(', ')})`;
    if (!allowed.includes(value)) return `${kind} '${value}' (the token is limited to ${kind}s ${allowed.join(', ')})`;
  }
  return undefined;
}
