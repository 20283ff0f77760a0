/**
 * `shipmate token create|list|revoke`: execution-plane tokens through the token API, with the admin
 * token (docs/security.md). A created token is printed once on stdout, under the line that
 * describes it; nothing can show it again.
 */
import type { Command } from 'commander';
import type { TokenSummary } from '@shipmate/api';
import { collect } from './key-value-flags.js';
import { runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { withConnection, withOutput } from './verb-command.js';
import { displayTime, renderTable } from './verb-output.js';

/** Flags of `shipmate token create`. */
export interface TokenCreateFlags extends VerbFlags {
  project?: string[];
  stage?: string[];
  service?: string[];
}

/** `projects=shop stages=hardening`, or `all` for a token without filters. */
export function filterText(filters: TokenSummary['filters']): string {
  return (
    [
      filters?.projects?.length ? `projects=${filters.projects.join(',')}` : '',
      filters?.stages?.length ? `stages=${filters.stages.join(',')}` : '',
      filters?.services?.length ? `services=${filters.services.join(',')}` : '',
    ]
      .filter(Boolean)
      .join(' ') || 'all'
  );
}

/** Registers `token create|list|revoke` on `program`. */
export function registerTokenVerbs(program: Command): void {
  const token = program.command('token').description('execution-plane tokens: create (printed once), list, revoke (docs/security.md)');

  withOutput(withConnection(token.command('create <name>')))
    .description('create an execution-plane token, limited to the given projects, stages and services (all when none given)')
    .option('--project <name>', 'limit to this project (repeat for several)', collect)
    .option('--stage <name>', 'limit to this stage (repeat for several)', collect)
    .option('--service <name>', 'limit to this service (repeat for several)', collect)
    .action((name: string, flags: TokenCreateFlags) =>
      runVerb('token create', flags, async ({ client, out }) => {
        const created = await client.createToken({
          name,
          role: 'execution-plane',
          filters: { projects: flags.project ?? [], stages: flags.stage ?? [], services: flags.service ?? [] },
        });
        out.data(created, () =>
          [
            `created token '${created.name ?? name}' (id ${created.id ?? ''}, role ${created.role ?? ''}, filters ${filterText(created.filters)})`,
            created.token ?? '',
            '',
          ].join('\n'),
        );
        out.note('this is the only time the token is shown; give it to the execution plane as KEPTN_API_TOKEN');
      }),
    );

  withOutput(withConnection(token.command('list')))
    .description('list the tokens (never the tokens themselves): id, name, role, filters, created, last used, revoked')
    .action((flags: VerbFlags) =>
      runVerb('token list', flags, async ({ client, out }) => {
        const tokens = [...((await client.tokens()).tokens ?? [])];
        out.data(tokens, () =>
          renderTable(
            tokens,
            [
              { header: 'ID', value: (t) => t.id ?? '' },
              { header: 'NAME', value: (t) => t.name ?? '' },
              { header: 'ROLE', value: (t) => t.role ?? '' },
              { header: 'FILTERS', value: (t) => filterText(t.filters) },
              { header: 'CREATED', value: (t) => displayTime(t.createdAt) },
              { header: 'LAST USED', value: (t) => displayTime(t.lastUsedAt) || '-' },
              { header: 'REVOKED', value: (t) => displayTime(t.revokedAt) || '-' },
            ],
            out.style,
          ),
        );
      }),
    );

  withConnection(token.command('revoke <id>'))
    .description('revoke a token at once')
    .action((id: string, flags: VerbFlags) =>
      runVerb('token revoke', flags, async ({ client, out }) => {
        const revoked = await client.revokeToken(id);
        out.note(`revoked token '${revoked.name ?? ''}' (id ${revoked.id ?? id}) at ${revoked.revokedAt ?? ''}`);
      }),
    );
}
