/**
 * Keptn's name rules for projects, stages and services. Names become git branches, Kubernetes
 * namespaces (`<project>-<stage>`) and Helm release names, hence the DNS-like entity rule.
 */
import { InputError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';

/** Keptn's entity rule (`keptn/go-utils` `ValidateKeptnEntityName`), as one expression. */
const ENTITY_NAME = /^(?:[a-z][a-z0-9-]*[a-z0-9]|[a-z][a-z0-9]*)$/;

/** Characters Keptn forbids in a service name, which must be a valid unix directory name. */
const FORBIDDEN_DIRECTORY_CHARACTERS = ['/', '>', '<', '|', ':', '&'] as const;

const ENTITY_RULE = "it must start with a lower-case letter and contain only lower-case letters, digits and '-' (not ending in '-')";

/** Default maximum project name length (Keptn's `PROJECT_NAME_MAX_SIZE`). */
export const DEFAULT_PROJECT_NAME_MAX_LENGTH = 200;

/** Default maximum service name length (Keptn's `SERVICE_NAME_MAX_SIZE`, a Helm release limit). */
export const DEFAULT_SERVICE_NAME_MAX_LENGTH = 43;

/** Whether `name` satisfies Keptn's entity rule (`^[a-z][a-z0-9-]*[a-z0-9]$` or `^[a-z][a-z0-9]*$`). */
export function isValidEntityName(name: string): boolean {
  return ENTITY_NAME.test(name);
}

/** Returns `name` if it is a valid project name (entity rule, at most `maxLength` characters). */
export function validateProjectName(name: unknown, maxLength: number = DEFAULT_PROJECT_NAME_MAX_LENGTH): string {
  return validateEntityName(name, { field: 'project name', example: 'my-shop', maxLength });
}

/**
 * Longest stage name. Keptn sets no limit, but a stage name becomes a git branch (one ref
 * component, at most 255 bytes on most file systems, and git adds `.lock` while writing it);
 * 200 leaves room and matches the project name limit. Entity names are ASCII, so characters are bytes.
 */
export const STAGE_NAME_MAX_LENGTH = 200;

/** Returns `name` if it is a valid stage name (entity rule, at most {@link STAGE_NAME_MAX_LENGTH} characters). */
export function validateStageName(name: unknown): string {
  return validateEntityName(name, { field: 'stage name', example: 'production', maxLength: STAGE_NAME_MAX_LENGTH });
}

/**
 * Returns `name` if it is a valid service name: Keptn's own rule (non-empty, at most `maxLength`
 * characters, a unix directory name: not `.`/`..`, none of `/ > < | : &`) plus the entity rule,
 * which Keptn does not check but its Helm-based deployment needs (release names are DNS labels).
 */
export function validateServiceName(name: unknown, maxLength: number = DEFAULT_SERVICE_NAME_MAX_LENGTH): string {
  const field = 'service name';
  const example = 'carts';
  if (typeof name === 'string') {
    if (name === '.' || name === '..') {
      throw invalid(field, name, "it must be a valid directory name, not '.' or '..'", example);
    }
    const forbidden = FORBIDDEN_DIRECTORY_CHARACTERS.find((character) => name.includes(character));
    if (forbidden !== undefined) {
      throw invalid(
        field,
        name,
        `it must be a valid directory name without any of / > < | : & (found '${forbidden}')`,
        suggestName(name, maxLength) ?? example,
      );
    }
  }
  return validateEntityName(name, { field, example, maxLength });
}

interface EntityRule {
  field: string;
  example: string;
  maxLength?: number;
}

function validateEntityName(name: unknown, rule: EntityRule): string {
  const { field, example, maxLength } = rule;
  if (typeof name !== 'string') {
    const got = name === null ? 'null' : typeof name;
    throw new InputError(ErrorCode.invalidName, `${field} must be a string, got ${got}; send a name such as '${example}'`);
  }
  if (name === '') {
    throw new InputError(ErrorCode.invalidName, `${field} is empty; send a name such as '${example}'`);
  }
  if (maxLength !== undefined && name.length > maxLength) {
    throw invalid(field, name, `it is ${name.length} characters long, the maximum is ${maxLength}; use a shorter name`, example);
  }
  if (!ENTITY_NAME.test(name)) {
    throw invalid(field, name, ENTITY_RULE, suggestName(name, maxLength) ?? example);
  }
  return name;
}

function invalid(field: string, name: string, reason: string, example: string): InputError {
  return new InputError(ErrorCode.invalidName, `${field} '${name}' is invalid: ${reason}, e.g. '${example}'`);
}

/** A valid name close to `name` (`My_Shop` -> `my-shop`), or undefined if none is obvious. */
function suggestName(name: string, maxLength: number | undefined): string | undefined {
  let candidate = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z]+/, '');
  if (maxLength !== undefined) candidate = candidate.slice(0, maxLength);
  candidate = candidate.replace(/-+$/, '');
  return candidate !== '' && candidate !== name && ENTITY_NAME.test(candidate) ? candidate : undefined;
}
