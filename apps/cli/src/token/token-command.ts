/**
 * `shipmate token create|list|revoke`: execution-plane tokens through the token API, with the admin
 * token. The endpoint comes from `--endpoint` or SHIPMATE_ENDPOINT (default the local control
 * plane), the admin token from `--api-token` or SHIPMATE_API_TOKEN (else the one `shipmate up`
 * keeps in its data dir). A created token is printed once; nothing can show it again.
 */
import { resolveDemoOptions } from '../demo/demo-options.js';

/** Flags every `shipmate token` subcommand takes. */
export interface TokenFlags {
  endpoint?: string;
  apiToken?: string;
}

/** Flags of `shipmate token create`. */
export interface TokenCreateFlags extends TokenFlags {
  project?: string[];
  stage?: string[];
  service?: string[];
}

interface TokenSummary {
  id: string;
  name: string;
  role: string;
  filters: { projects: string[]; stages: string[]; services: string[] };
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

type Write = (text: string) => void;

async function call<T>(flags: TokenFlags, method: string, path: string, body?: unknown): Promise<T> {
  // The demo's resolution of endpoint and token is the one every client command shares.
  const { endpoint, token } = resolveDemoOptions(process.env, { endpoint: flags.endpoint, apiToken: flags.apiToken });
  const response = await fetch(`${endpoint}/api/shipmate/v1/token${path}`, {
    method,
    headers: { 'x-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json().catch(() => ({}))) as T & { message?: string };
  if (!response.ok)
    throw new Error(`${method} ${endpoint}/api/shipmate/v1/token${path} answered ${response.status}: ${parsed.message ?? ''}`);
  return parsed;
}

const filterText = (filters: TokenSummary['filters']): string =>
  [
    filters.projects.length ? `projects=${filters.projects.join(',')}` : '',
    filters.stages.length ? `stages=${filters.stages.join(',')}` : '',
    filters.services.length ? `services=${filters.services.join(',')}` : '',
  ]
    .filter(Boolean)
    .join(' ') || 'all';

/** Creates a token and prints it once with its id. */
export async function createToken(name: string, flags: TokenCreateFlags, write: Write): Promise<void> {
  const created = await call<TokenSummary & { token: string }>(flags, 'POST', '', {
    name,
    role: 'execution-plane',
    filters: { projects: flags.project ?? [], stages: flags.stage ?? [], services: flags.service ?? [] },
  });
  write(`created token '${created.name}' (id ${created.id}, role ${created.role}, filters ${filterText(created.filters)})\n`);
  write(`${created.token}\n`);
  write('this is the only time the token is shown; give it to the execution plane as KEPTN_API_TOKEN\n');
}

/** Prints the tokens, one a line (never the tokens themselves). */
export async function listTokens(flags: TokenFlags, write: Write): Promise<void> {
  const { tokens } = await call<{ tokens: TokenSummary[] }>(flags, 'GET', '');
  write('ID\tNAME\tROLE\tFILTERS\tCREATED\tLAST USED\tREVOKED\n');
  for (const t of tokens)
    write(`${t.id}\t${t.name}\t${t.role}\t${filterText(t.filters)}\t${t.createdAt}\t${t.lastUsedAt ?? '-'}\t${t.revokedAt ?? '-'}\n`);
}

/** Revokes a token by id. */
export async function revokeToken(id: string, flags: TokenFlags, write: Write): Promise<void> {
  const revoked = await call<TokenSummary>(flags, 'DELETE', `/${encodeURIComponent(id)}`);
  write(`revoked token '${revoked.name}' (id ${revoked.id}) at ${revoked.revokedAt ?? ''}\n`);
}
