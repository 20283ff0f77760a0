/**
 * `shipmate configure monitoring <provider> --project P [--service S]`: chooses the project's SLI
 * provider (Keptn's `sh.keptn.event.monitoring.configure`), e.g. `prometheus`, or `test-results`
 * to judge quality gates from the test's own figures.
 */
import type { Command } from 'commander';
import { CLI_SOURCE } from './trigger-verbs.js';
import { runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { verbGroup, withConnection } from './verb-command.js';

/** Flags of `configure monitoring`. */
export interface MonitoringFlags extends VerbFlags {
  project: string;
  service?: string;
}

/** Registers `configure monitoring` on `program`. */
export function registerMonitoringVerbs(program: Command): void {
  const configure = verbGroup(program, 'configure', 'configure the monitoring (SLI provider) of a project');
  withConnection(configure.command('monitoring <provider>'))
    .description(
      'choose the SLI provider the quality gates of a project read: prometheus, test-results, or any provider an integration serves',
    )
    .requiredOption('-p, --project <project>', 'the project')
    .option('-s, --service <service>', 'the service (Keptn sends it; the provider is per project)')
    .action((provider: string, flags: MonitoringFlags) =>
      runVerb('configure monitoring', flags, async ({ client, out }) => {
        const { keptnContext } = await client.sendEvent({
          type: 'sh.keptn.event.monitoring.configure',
          source: CLI_SOURCE,
          specversion: '1.0',
          contenttype: 'application/json',
          data: { project: flags.project, type: provider, ...(flags.service ? { service: flags.service } : {}) },
        });
        out.note(`project '${flags.project}' reads its SLIs from ${provider} now (keptn context ${keptnContext})`);
      }),
    );
}
