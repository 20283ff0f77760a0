/**
 * The server URL of a NATS connection (the replicas' notice bus, the task stream, an agent's task
 * source): checked before any connection is tried, and shown in messages without its password.
 * Several servers of one cluster may be given separated by commas, as NATS clients accept them.
 */
import { ErrorCode, InputError } from '@shipmate/core';

/** URL schemes of a NATS server (`tls://` asks for TLS). */
export const NATS_URL_SCHEMES: readonly string[] = ['nats:', 'tls:'];

/** A checked server URL. */
export interface NatsUrl {
  /** The servers, as given (passed to the client). */
  readonly servers: readonly string[];
  /** For messages and logs: passwords and tokens replaced by `***`. */
  readonly redacted: string;
}

/** Whether `value` names a NATS server (`nats://` or `tls://`). */
export function isNatsUrl(value: string): boolean {
  return NATS_URL_SCHEMES.some((scheme) => value.trim().toLowerCase().startsWith(`${scheme}//`));
}

/**
 * Checks a server URL (or a comma-separated list of them): `nats://` or `tls://`, parseable, with a
 * host. Throws `ERR_INVALID_FIELD` naming `field` (the option, flag or variable it came from) with
 * an example otherwise. The message never repeats a password.
 */
export function parseNatsUrl(value: string, field = 'url'): NatsUrl {
  const example = 'e.g. nats://nats.example:4222 or nats://user:secret@nats-0:4222,nats://user:secret@nats-1:4222';
  const servers = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (servers.length === 0) throw new InputError(ErrorCode.invalidField, `${field} is empty: give the NATS server, ${example}`);
  const redacted: string[] = [];
  for (const server of servers) {
    if (!isNatsUrl(server)) {
      const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(server)?.[1];
      throw new InputError(
        ErrorCode.invalidField,
        `${field} must be a NATS URL starting with nats:// or tls://${scheme ? `, not ${scheme}:` : ''}; ${example}`,
      );
    }
    let parsed: URL;
    try {
      parsed = new URL(server);
    } catch {
      throw new InputError(ErrorCode.invalidField, `${field} '${roughlyRedacted(server)}' cannot be parsed as a URL; ${example}`);
    }
    if (parsed.hostname === '') throw new InputError(ErrorCode.invalidField, `${field} '${redact(parsed)}' names no host; ${example}`);
    redacted.push(redact(parsed));
  }
  return Object.freeze({ servers: Object.freeze(servers), redacted: redacted.join(',') });
}

function redact(url: URL): string {
  if (url.password === '' && url.username === '') return url.toString();
  const copy = new URL(url.toString());
  // nats://TOKEN@host carries a token as the user name: hide it too.
  if (copy.password === '') copy.username = '***';
  else copy.password = '***';
  return copy.toString();
}

/** A URL that does not parse, with whatever sits between `//` and `@` hidden. */
function roughlyRedacted(value: string): string {
  return value.replace(/^([a-z]+:\/\/)[^/@]*@/i, '$1***@');
}
