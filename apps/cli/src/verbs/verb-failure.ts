/**
 * What a verb says when it fails: one line naming the problem and the fix, never a stack trace.
 * A usage error (a flag missing or wrong, a file unreadable or invalid) exits 2, a call that
 * failed exits 1.
 */
import { ApiError, ApiTimeoutError, ApiUnreachableError } from '@shipmate/api-client';
import { ErrorCode } from '@shipmate/core';
import { ConfigError } from '../config/config-error.js';
import type { Connection } from './connection.js';

/** A verb's own failure found on the client side (e.g. a service not in the project): exit 1. */
export class VerbFailure extends Error {
  override readonly name = 'VerbFailure';
}

/** Exit codes of the verbs. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;
/** One of {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Where to look next for a missing thing, by Shipmate's error code. */
const NOT_FOUND_HINTS: Readonly<Partial<Record<string, string>>> = {
  [ErrorCode.projectNotFound]: 'see the projects with `shipmate get projects`',
  [ErrorCode.stageNotFound]: 'see the stages with `shipmate get stages --project <project>`',
  [ErrorCode.serviceNotFound]: 'see the services with `shipmate get services --project <project>`',
  [ErrorCode.sequenceNotFound]: 'see the sequences with `shipmate get sequences --project <project>`',
  [ErrorCode.resourceNotFound]: 'see the files with `shipmate get resource --project <project> [--stage --service]`',
  [ErrorCode.secretNotFound]: 'see the secrets with `shipmate get secrets`',
  [ErrorCode.approvalNotFound]: 'see the open approvals with `shipmate get approvals --project <project>`',
  [ErrorCode.tokenNotFound]: 'see the tokens with `shipmate token list`',
};

/** The first line of an error's message (server messages are one line; causes may not be). */
function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

/** The message the detail ends with a fix already (`…; use …`), or one with the hint appended. */
function withHint(detail: string, hint: string | undefined): string {
  return hint === undefined || detail.includes('shipmate ') ? detail : `${detail}; ${hint}`;
}

/** The one-line message and exit code of any error a verb threw. */
export function describeFailure(error: unknown, connection: Connection | undefined): { message: string; exitCode: ExitCode } {
  const at = connection?.endpoint ?? 'the endpoint';
  if (error instanceof ConfigError) return { message: firstLine(error.message), exitCode: ExitCode.usage };
  if (error instanceof ApiUnreachableError) {
    const cause = /unreachable \((.*)\)$/.exec(firstLine(error.message))?.[1] ?? 'no connection';
    return {
      message: `cannot reach the control plane at ${at} (${cause}; endpoint from ${connection?.endpointFrom ?? 'the default'}): start it (\`shipmate up\`), or give the right one with --endpoint, SHIPMATE_ENDPOINT or \`shipmate auth\``,
      exitCode: ExitCode.failed,
    };
  }
  if (error instanceof ApiTimeoutError) {
    return {
      message: `the control plane at ${at} did not answer ${error.method} ${error.path} within ${Math.round(error.timeoutMs / 1000)} s: check that it is up and not overloaded (\`shipmate status\`), then try again`,
      exitCode: ExitCode.failed,
    };
  }
  if (error instanceof ApiError) return { message: apiErrorMessage(error, connection), exitCode: ExitCode.failed };
  if (error instanceof VerbFailure) return { message: firstLine(error.message), exitCode: ExitCode.failed };
  return { message: firstLine(error instanceof Error ? error.message : String(error)), exitCode: ExitCode.failed };
}

function apiErrorMessage(error: ApiError, connection: Connection | undefined): string {
  const at = connection?.endpoint ?? 'the endpoint';
  const detail = firstLine(error.detail);
  if (error.status === 401) {
    const revoked = error.errorCode === ErrorCode.tokenRevoked ? `${detail}; ` : '';
    return `the control plane at ${at} refused the API token from ${connection?.tokenFrom ?? 'the configuration'} (401): ${revoked}give the right one with \`shipmate auth --endpoint ${at} --api-token TOKEN\`, --api-token or SHIPMATE_API_TOKEN`;
  }
  if (error.status === 403) return `${detail} (403)`;
  if (error.status === 429) return `${detail} (429)`;
  if (error.status >= 500) {
    return `the control plane at ${at} failed on ${error.method} ${error.path} (${error.status}: ${detail}): try again; if it persists, its log has the cause`;
  }
  return `${withHint(detail, error.errorCode === undefined ? undefined : NOT_FOUND_HINTS[error.errorCode])} (${error.status})`;
}
