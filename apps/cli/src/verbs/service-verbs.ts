/** `shipmate create service`, `delete service`, `get service[s]` and `get stage[s]`. */
import type { Command } from 'commander';
import type { ExpandedService } from '@shipmate/api';
import { runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { verbGroup, withConnection, withOutput } from './verb-command.js';
import { displayTime, renderTable } from './verb-output.js';
import { VerbFailure } from './verb-failure.js';

/** Flags of the service and stage verbs. */
export interface ServiceFlags extends VerbFlags {
  project: string;
  stage?: string;
}

/** A service in one stage, as `get services -o json` prints it. */
export type StageService = ExpandedService & { stage: string };

/** Registers the service and stage verbs on `program`. */
export function registerServiceVerbs(program: Command): void {
  const create = verbGroup(program, 'create', 'create a project, service or secret');
  withConnection(create.command('service <name>'))
    .description('create a service in every stage of a project')
    .requiredOption('-p, --project <project>', 'the project')
    .action((name: string, flags: ServiceFlags) =>
      runVerb('create service', flags, async ({ client, out }) => {
        await client.createService(flags.project, name);
        out.note(`created service '${name}' in project '${flags.project}'`);
      }),
    );

  const remove = verbGroup(program, 'delete', 'delete a project, service or secret');
  withConnection(remove.command('service <name>'))
    .description('delete a service from every stage of a project')
    .requiredOption('-p, --project <project>', 'the project')
    .action((name: string, flags: ServiceFlags) =>
      runVerb('delete service', flags, async ({ client, out }) => {
        await client.deleteService(flags.project, name);
        out.note(`deleted service '${name}' from project '${flags.project}'`);
      }),
    );

  const get = verbGroup(program, 'get', 'show projects, stages, services, sequences, events, resources, approvals, secrets, integrations');
  withOutput(withConnection(get.command('service [name]').alias('services')))
    .description('list the services of a project per stage, with the image each stage runs')
    .requiredOption('--project <project>', 'the project')
    .option('--stage <stage>', 'only this stage')
    .action((name: string | undefined, flags: ServiceFlags) =>
      runVerb('get service', flags, async ({ client, out }) => {
        const project = await client.project(flags.project);
        const stages = flags.stage === undefined ? project.stages : project.stages.filter((stage) => stage.stageName === flags.stage);
        if (flags.stage !== undefined && stages.length === 0) {
          throw new VerbFailure(
            `stage '${flags.stage}' is not in project '${flags.project}'; stages: ${project.stages.map((stage) => stage.stageName).join(', ')}`,
          );
        }
        const services: StageService[] = stages.flatMap((stage) =>
          stage.services
            .filter((service) => name === undefined || service.serviceName === name)
            .map((service) => ({ ...service, stage: stage.stageName })),
        );
        if (name !== undefined && services.length === 0) {
          throw new VerbFailure(
            `service '${name}' is not in project '${flags.project}'${flags.stage ? ` (stage ${flags.stage})` : ''}; create it with \`shipmate create service ${name} --project ${flags.project}\``,
          );
        }
        out.data(services, () =>
          renderTable(
            services,
            [
              { header: 'NAME', value: (service) => service.serviceName },
              { header: 'STAGE', value: (service) => service.stage },
              { header: 'IMAGE', value: (service) => service.deployedImage ?? '-' },
              { header: 'LAST EVENT', value: (service) => lastEventType(service) },
              { header: 'CREATED', value: (service) => displayTime(service.creationDate) },
            ],
            out.style,
          ),
        );
      }),
    );

  withOutput(withConnection(get.command('stage').alias('stages')))
    .description('list the stages of a project in shipyard order, with the stages they follow and their services')
    .requiredOption('--project <project>', 'the project')
    .action((flags: ServiceFlags) =>
      runVerb('get stage', flags, async ({ client, out }) => {
        const { stages } = await client.project(flags.project);
        out.data(stages, () =>
          renderTable(
            stages,
            [
              { header: 'NAME', value: (stage) => stage.stageName },
              { header: 'AFTER', value: (stage) => (stage.parentStages ?? []).join(', ') || '-' },
              { header: 'SERVICES', value: (stage) => stage.services.map((service) => service.serviceName).join(', ') || '-' },
            ],
            out.style,
          ),
        );
      }),
    );
}

/** The type of the service's latest event (by time), without the `sh.keptn.event.` prefix. */
function lastEventType(service: ExpandedService): string {
  // Times are unix nanoseconds as decimal strings: compared as padded text, they sort as numbers.
  const key = (time: string | undefined) => (time ?? '').padStart(24, '0');
  const latest = Object.entries(service.lastEventTypes).sort(([, a], [, b]) => key(b.time).localeCompare(key(a.time)))[0];
  return latest ? latest[0].replace(/^sh\.keptn\.event\./, '') : '-';
}
