/**
 * The connection URL of the PostgreSQL store: checked before any connection is tried, and shown
 * in messages without its password.
 */
import { ErrorCode, InputError } from '@shipmate/core';

/** URL schemes libpq and `pg` accept for a PostgreSQL server. */
export const POSTGRES_URL_SCHEMES: readonly string[] = ['postgres:', 'postgresql:'];

/** A checked connection URL. */
export interface PostgresUrl {
  /** As given (passed to `pg`). */
  readonly url: string;
  /** For messages and logs: the password replaced by `***`. */
  readonly redacted: string;
}

/** Whether `value` names a PostgreSQL server (`postgres://` or `postgresql://`). */
export function isPostgresUrl(value: string): boolean {
  return POSTGRES_URL_SCHEMES.some((scheme) => value.toLowerCase().startsWith(`${scheme}//`));
}

/**
 * Checks a connection URL: `postgres://` or `postgresql://`, parseable, with a host. Throws
 * `ERR_INVALID_FIELD` with an example otherwise. The message never repeats a password.
 */
export function parsePostgresUrl(value: string): PostgresUrl {
  const example = 'e.g. postgres://shipmate:secret@db.example:5432/shipmate';
  if (!isPostgresUrl(value)) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
    throw new InputError(
      ErrorCode.invalidField,
      `PostgreSQL URL must start with postgres:// or postgresql://${scheme ? `, not ${scheme}:` : ''}; ${example}`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InputError(ErrorCode.invalidField, `PostgreSQL URL '${roughlyRedacted(value)}' cannot be parsed; ${example}`);
  }
  if (parsed.hostname === '') {
    throw new InputError(ErrorCode.invalidField, `PostgreSQL URL '${redact(parsed)}' names no host; ${example}`);
  }
  return Object.freeze({ url: value, redacted: redact(parsed) });
}

function redact(url: URL): string {
  if (url.password === '') return url.toString();
  const copy = new URL(url.toString());
  copy.password = '***';
  return copy.toString();
}

/** A URL that does not parse, with whatever sits between `:` and `@` after the scheme hidden. */
function roughlyRedacted(value: string): string {
  return value.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}
