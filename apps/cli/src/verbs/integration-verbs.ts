/**
 * `shipmate get integrations`: the registered integrations with their instances (which execution
 * planes run them, online or not) and subscriptions; a collision (several planes under one
 * identity) is a warning on stderr.
 */
import type { Command } from 'commander';
import type { Integration } from '@shipmate/api';
import { runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { verbGroup, withConnection, withOutput } from './verb-command.js';
import { displayTime, renderTable } from './verb-output.js';

/** Flags of `get integrations`. */
export interface IntegrationFlags extends VerbFlags {
  name?: string;
  project?: string;
}

/** The task names an integration subscribes to (`sh.keptn.event.deployment.triggered` is `deployment`). */
export function subscribedTasks(integration: Integration): string {
  const tasks = (integration.subscriptions ?? []).map((subscription) =>
    (subscription.event ?? '').replace(/^sh\.keptn\.event\./, '').replace(/\.triggered$/, ''),
  );
  return [...new Set(tasks)].join(', ');
}

/** `2/3 online`, or the single instance's state. */
export function instancesText(integration: Integration): string {
  const instances = integration.instances ?? [];
  if (instances.length === 0) return '-';
  const online = instances.filter((instance) => instance.state === 'online').length;
  return online === instances.length ? `online (${online})` : `${online}/${instances.length} online`;
}

/** Registers `get integrations` on `program`. */
export function registerIntegrationVerbs(program: Command): void {
  const get = verbGroup(program, 'get', 'show projects, stages, services, sequences, events, resources, approvals, secrets, integrations');
  withOutput(withConnection(get.command('integration [name]').alias('integrations')))
    .description('list the integrations with their instances, where they run and what they subscribe to; warns of collisions')
    .option('--project <project>', 'only integrations whose subscriptions include this project')
    .action((name: string | undefined, flags: IntegrationFlags) =>
      runVerb('get integration', flags, async ({ client, out }) => {
        const integrations = await client.integrations({ ...(name ? { name } : {}), ...(flags.project ? { project: flags.project } : {}) });
        out.data(integrations, () =>
          renderTable(
            integrations,
            [
              { header: 'NAME', value: (integration) => integration.name ?? '' },
              {
                header: 'INSTANCES',
                value: instancesText,
                tone: (cell, style) => (cell.startsWith('online') ? style.green(cell) : cell === '-' ? cell : style.yellow(cell)),
              },
              {
                header: 'LOCATIONS',
                value: (integration) => [...new Set((integration.instances ?? []).map((instance) => instance.location ?? ''))].join(', '),
              },
              { header: 'VERSION', value: (integration) => integration.metadata?.integrationversion ?? '' },
              { header: 'TASKS', value: subscribedTasks },
              { header: 'LAST SEEN', value: (integration) => displayTime(integration.metadata?.lastseen) },
            ],
            out.style,
          ),
        );
        for (const integration of integrations) {
          if (integration.collision?.message)
            out.note(out.noteStyle.yellow(`warning: ${integration.name ?? ''}: ${integration.collision.message}`));
        }
      }),
    );
}
