/**
 * `shipmate create secret NAME --from-literal k=v --scope S`, `update secret`, `delete secret`
 * and `get secret[s]`, as `keptn` spells them. Values go to the control plane only; nothing prints
 * them back (the API never returns them).
 */
import type { Command } from 'commander';
import type { SecretSummary } from '@shipmate/api';
import { collect, parseKeyValues } from './key-value-flags.js';
import { runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { verbGroup, withConnection, withOutput } from './verb-command.js';
import { renderTable } from './verb-output.js';

/** Keptn's default secret scope. */
export const DEFAULT_SECRET_SCOPE = 'keptn-default';

/** Flags of the secret writes. */
export interface SecretFlags extends VerbFlags {
  fromLiteral?: string[];
  scope: string;
}

/** Registers the secret verbs on `program`. */
export function registerSecretVerbs(program: Command): void {
  const writes: Array<['create' | 'update', string, string]> = [
    ['create', 'create a project, service or secret', 'create a secret with the given keys and values'],
    ['update', 'update a project or secret', "replace a secret's keys and values"],
  ];
  for (const [verb, groupDescription, description] of writes) {
    const group = verbGroup(program, verb, groupDescription);
    withConnection(group.command('secret <name>'))
      .description(description)
      .option('--from-literal <key=value>', 'a key and its value (repeat for several)', collect)
      .option('-s, --scope <scope>', 'the scope: who may read it (`GET /api/secrets/v1/scope` lists them)', DEFAULT_SECRET_SCOPE)
      .action((name: string, flags: SecretFlags) =>
        runVerb(`${verb} secret`, flags, async ({ client, out }) => {
          const data = parseKeyValues(flags.fromLiteral, '--from-literal', { commaSeparated: false, example: 'password=s3cret' });
          const body = { name, scope: flags.scope, data };
          const written = verb === 'create' ? await client.createSecret(body) : await client.updateSecret(body);
          out.note(`${verb}d secret '${written.name}' in scope ${written.scope} with keys ${written.keys.join(', ') || '(none)'}`);
        }),
      );
  }

  const remove = verbGroup(program, 'delete', 'delete a project, service or secret');
  withConnection(remove.command('secret <name>'))
    .description('delete a secret')
    .option('-s, --scope <scope>', 'its scope', DEFAULT_SECRET_SCOPE)
    .action((name: string, flags: SecretFlags) =>
      runVerb('delete secret', flags, async ({ client, out }) => {
        await client.deleteSecret(name, flags.scope);
        out.note(`deleted secret '${name}' from scope ${flags.scope}`);
      }),
    );

  const get = verbGroup(program, 'get', 'show projects, stages, services, sequences, events, resources, approvals, secrets, integrations');
  withOutput(withConnection(get.command('secret [name]').alias('secrets')))
    .description('list the secrets: names, scopes and keys, never values')
    .option('-s, --scope <scope>', 'only of this scope')
    .action((name: string | undefined, flags: VerbFlags & { scope?: string }) =>
      runVerb('get secret', flags, async ({ client, out }) => {
        const { Secrets } = await client.secrets({ ...(name ? { name } : {}), ...(flags.scope ? { scope: flags.scope } : {}) });
        const secrets: SecretSummary[] = Secrets.filter(
          (secret) => (name === undefined || secret.name === name) && (flags.scope === undefined || secret.scope === flags.scope),
        );
        out.data(secrets, () =>
          renderTable(
            secrets,
            [
              { header: 'NAME', value: (secret) => secret.name },
              { header: 'SCOPE', value: (secret) => secret.scope },
              { header: 'KEYS', value: (secret) => secret.keys.join(', ') },
            ],
            out.style,
          ),
        );
      }),
    );
}
