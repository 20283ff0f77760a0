/**
 * The names bus-nats gives NATS (the task stream's name, subject prefixes) and their checks, apart
 * from the modules that connect so that configuration code can check a name without loading the
 * NATS client.
 */
import { ErrorCode, InputError } from '@shipmate/core';

/** The task stream's name unless configured otherwise. */
export const DEFAULT_TASK_STREAM = 'shipmate-tasks';

/** A stream name JetStream accepts: no whitespace, `.`, `*`, `>`, path separators. */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Dot-separated subject tokens of letters, digits, `_` and `-` (no wildcards). */
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Checks a stream name, throwing `ERR_INVALID_FIELD` naming `field`. */
export function checkStreamName(name: string, field = 'stream'): string {
  if (!STREAM_NAME.test(name))
    throw new InputError(
      ErrorCode.invalidField,
      `${field} '${name}' is not a JetStream stream name: use 1 to 64 letters, digits, '_' and '-', e.g. ${DEFAULT_TASK_STREAM}`,
    );
  return name;
}

/** Checks the first tokens of a subject, throwing `ERR_INVALID_FIELD` naming `field`. */
export function checkSubjectPrefix(prefix: string, field = 'subjectPrefix'): string {
  if (!SUBJECT_PREFIX.test(prefix))
    throw new InputError(
      ErrorCode.invalidField,
      `${field} '${prefix}' is not a NATS subject prefix: use dot-separated tokens of letters, digits, '_' and '-' without wildcards, e.g. shipmate or shipmate.prod`,
    );
  return prefix;
}
