/**
 * The name of the JetStream stream of tasks and its check, apart from task-stream.ts so that
 * configuration code can check a name without loading the NATS client.
 */
import { ErrorCode, InputError } from '@shipmate/core';

/** The stream's name unless configured otherwise. */
export const DEFAULT_TASK_STREAM = 'shipmate-tasks';

/** A stream name JetStream accepts: no whitespace, `.`, `*`, `>`, path separators. */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks a stream name, throwing `ERR_INVALID_FIELD` naming `field`. */
export function checkStreamName(name: string, field = 'stream'): string {
  if (!STREAM_NAME.test(name))
    throw new InputError(
      ErrorCode.invalidField,
      `${field} '${name}' is not a JetStream stream name: use 1 to 64 letters, digits, '_' and '-', e.g. ${DEFAULT_TASK_STREAM}`,
    );
  return name;
}
