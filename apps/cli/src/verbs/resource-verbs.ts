/**
 * `shipmate add-resource` (Keptn's flags: `--resource FILE --resourceUri PATH` on the project,
 * a stage, a service in a stage, or `--all-stages`) and `shipmate get resource` (the files of a
 * level, or one file's content).
 */
import { basename, isAbsolute, normalize } from 'node:path';
import type { Command } from 'commander';
import type { Resource } from '@shipmate/api';
import type { ApiClient, ResourceLevel } from '@shipmate/api-client';
import { ConfigError } from '../config/config-error.js';
import { readInputFile } from './input-file.js';
import { runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { verbGroup, withConnection, withOutput } from './verb-command.js';
import { renderTable } from './verb-output.js';

/** Flags naming a level. */
export interface LevelFlags extends VerbFlags {
  project: string;
  stage?: string;
  service?: string;
}

/** Flags of `add-resource`. */
export interface AddResourceFlags extends LevelFlags {
  resource: string;
  resourceUri?: string;
  allStages?: boolean;
}

/** Flags of `get resource`. */
export interface GetResourceFlags extends LevelFlags {
  gitCommitId?: string;
}

/** The level the flags name; a service without a stage is a usage error (services live in stages). */
export function levelOf(flags: LevelFlags, stage: string | undefined = flags.stage): ResourceLevel {
  if (flags.service !== undefined && stage === undefined)
    throw new ConfigError('--service needs --stage (or --all-stages): a service has its files per stage');
  return {
    project: flags.project,
    ...(stage === undefined ? {} : { stage }),
    ...(flags.service === undefined ? {} : { service: flags.service }),
  };
}

/** `shop`, `shop/dev` or `shop/dev/carts`. */
export function levelText(level: ResourceLevel): string {
  return [level.project, level.stage, level.service].filter((part) => part !== undefined).join('/');
}

/** Where a file goes without `--resourceUri`: its path as given (Keptn), an absolute one by its name. */
export function defaultResourceUri(file: string): string {
  return isAbsolute(file) ? basename(file) : normalize(file).replace(/^(\.\/)+/, '');
}

/** Every file of a level, page by page. */
async function allResources(client: ApiClient, level: ResourceLevel, gitCommitID: string | undefined): Promise<Resource[]> {
  const resources: Resource[] = [];
  let nextPageKey: string | undefined;
  do {
    const page = await client.resources(level, {
      pageSize: '100',
      ...(nextPageKey ? { nextPageKey } : {}),
      ...(gitCommitID ? { gitCommitID } : {}),
    });
    resources.push(...(page.resources ?? []));
    nextPageKey = page.nextPageKey && page.nextPageKey !== '0' ? page.nextPageKey : undefined;
  } while (nextPageKey);
  return resources;
}

/** Registers `add-resource` and `get resource` on `program`. */
export function registerResourceVerbs(program: Command): void {
  withConnection(program.command('add-resource'))
    .description("add a file to a project's configuration: on the project, a stage, a service in a stage, or a service in every stage")
    .requiredOption('-p, --project <project>', 'the project')
    .option('-s, --stage <stage>', 'the stage (without it: the project level)')
    .option('--service <service>', 'the service (needs --stage or --all-stages)')
    .option('--all-stages', 'add it in every stage of the project')
    .requiredOption('-r, --resource <file>', 'the local file')
    .option('--resourceUri <path>', 'where it goes in the configuration, e.g. helm/carts.tgz (default the --resource path)')
    .action((flags: AddResourceFlags) =>
      runVerb('add-resource', flags, async ({ client, out }) => {
        if (flags.allStages === true && flags.stage !== undefined) throw new ConfigError('give --stage or --all-stages, not both');
        const uri = flags.resourceUri ?? defaultResourceUri(flags.resource);
        const content = readInputFile(flags.resource, '--resource', 'the file to add').toString('base64');
        const stages =
          flags.allStages === true ? (await client.project(flags.project)).stages.map((stage) => stage.stageName) : [flags.stage];
        for (const stage of stages) {
          const level = levelOf(flags, stage);
          const written = await client.putResource(level, uri, content);
          out.note(`added ${uri} to ${levelText(level)}${written.commitID ? ` (commit ${written.commitID.slice(0, 12)})` : ''}`);
        }
      }),
    );

  const get = verbGroup(program, 'get', 'show projects, stages, services, sequences, events, resources, approvals, secrets, integrations');
  withOutput(withConnection(get.command('resource [resourceUri]').alias('resources')))
    .description('list the files of a project, stage or service, or print one (its content; -o json gives it in base64 with its commit)')
    .requiredOption('-p, --project <project>', 'the project')
    .option('-s, --stage <stage>', 'the stage')
    .option('--service <service>', 'the service (needs --stage)')
    .option('--git-commit-id <commit>', 'as it was at this commit')
    .action((resourceUri: string | undefined, flags: GetResourceFlags) =>
      runVerb('get resource', flags, async ({ client, out }) => {
        const level = levelOf(flags);
        if (resourceUri !== undefined) {
          const resource = await client.resource(level, resourceUri, flags.gitCommitId ? { gitCommitID: flags.gitCommitId } : {});
          // The file's bytes as they are: a chart archive must come out whole, not as UTF-8 text.
          out.data(resource, () => Buffer.from(resource.resourceContent ?? '', 'base64'));
          return;
        }
        const resources = await allResources(client, level, flags.gitCommitId);
        out.data(resources, () =>
          renderTable(
            resources,
            [
              { header: 'URI', value: (resource) => resource.resourceURI ?? '' },
              { header: 'VERSION', value: (resource) => (resource.metadata?.version ?? '').slice(0, 12) },
            ],
            out.style,
          ),
        );
      }),
    );
}
