/**
 * `shipmate create project`, `update project`, `delete project` and `get project[s]`, with
 * Keptn's flags (`--shipyard`, `--git-remote-url`, `--git-user`, `--git-token`, the SSH key and
 * proxy flags). A shipyard is checked here with the control plane's own parser before anything is
 * sent, so a mistake is reported with its line and reason and exit 2.
 */
import type { Command } from 'commander';
import type { ExpandedProject, GitCredentials } from '@shipmate/api';
import type { ApiClient } from '@shipmate/api-client';
import { InputError, parseShipyardYaml } from '@shipmate/core';
import { ConfigError } from '../config/config-error.js';
import { readInputFile } from './input-file.js';
import { runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { verbGroup, withConnection, withOutput } from './verb-command.js';
import { displayTime, renderTable } from './verb-output.js';

/** Keptn's git upstream flags of `create project` and `update project`. */
export interface GitFlags {
  gitRemoteUrl?: string;
  gitUser?: string;
  gitToken?: string;
  gitPrivateKey?: string;
  gitPrivateKeyPass?: string;
  gitProxyUrl?: string;
  gitProxyScheme?: string;
  gitProxyUser?: string;
  gitProxyPassword?: string;
  gitPemCertificate?: string;
  insecureSkipTls?: boolean;
}

/** Flags of `create project` and `update project`. */
export interface ProjectWriteFlags extends VerbFlags, GitFlags {
  shipyard?: string;
}

/** The shipyard file as base64, after the core's parser accepted it; its line and reason otherwise (exit 2). */
export function checkedShipyard(path: string): string {
  const bytes = readInputFile(path, '--shipyard', 'a shipyard.yaml');
  try {
    parseShipyardYaml(bytes.toString('utf8'));
  } catch (error) {
    if (error instanceof InputError) throw new ConfigError(`--shipyard '${path}': ${error.message}`);
    throw error;
  }
  return bytes.toString('base64');
}

/** The project's `gitCredentials` from Keptn's flags (files read and encoded as the API wants), or undefined without any. */
export function gitCredentialsOf(flags: GitFlags): GitCredentials | undefined {
  const given = Object.entries(flags).some(([key, value]) => key.startsWith('git') && value !== undefined);
  if (!given && flags.insecureSkipTls !== true) return undefined;
  if (!flags.gitRemoteUrl) throw new ConfigError('the git flags need --git-remote-url: give the URL of the upstream repository');
  const ssh = flags.gitPrivateKey !== undefined || flags.gitPrivateKeyPass !== undefined;
  const https =
    flags.gitToken !== undefined ||
    flags.gitPemCertificate !== undefined ||
    flags.gitProxyUrl !== undefined ||
    flags.insecureSkipTls === true;
  if (ssh && https)
    throw new ConfigError(
      '--git-private-key is for ssh:// upstreams and --git-token, --git-proxy-* and --git-pem-certificate for https://: give one kind',
    );
  const base64File = (path: string, flag: string, what: string) => readInputFile(path, flag, what).toString('base64');
  return {
    remoteURL: flags.gitRemoteUrl,
    ...(flags.gitUser ? { user: flags.gitUser } : {}),
    ...(ssh
      ? {
          ssh: {
            ...(flags.gitPrivateKey ? { privateKey: base64File(flags.gitPrivateKey, '--git-private-key', 'a PEM private key') } : {}),
            ...(flags.gitPrivateKeyPass ? { privateKeyPass: flags.gitPrivateKeyPass } : {}),
          },
        }
      : {}),
    ...(https
      ? {
          https: {
            ...(flags.gitToken ? { token: flags.gitToken } : {}),
            ...(flags.gitPemCertificate
              ? { certificate: base64File(flags.gitPemCertificate, '--git-pem-certificate', 'a PEM certificate') }
              : {}),
            insecureSkipTLS: flags.insecureSkipTls === true,
            ...(flags.gitProxyUrl
              ? {
                  proxy: {
                    url: flags.gitProxyUrl,
                    ...(flags.gitProxyScheme ? { scheme: flags.gitProxyScheme } : {}),
                    ...(flags.gitProxyUser ? { user: flags.gitProxyUser } : {}),
                    ...(flags.gitProxyPassword ? { password: flags.gitProxyPassword } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}

/** Every project, page by page. */
export async function allProjects(client: ApiClient): Promise<ExpandedProject[]> {
  const projects: ExpandedProject[] = [];
  let nextPageKey: string | undefined;
  do {
    const page = await client.projects({ pageSize: '100', ...(nextPageKey ? { nextPageKey } : {}) });
    projects.push(...page.projects);
    nextPageKey = page.nextPageKey !== '0' ? page.nextPageKey : undefined;
  } while (nextPageKey);
  return projects;
}

function withGitFlags(command: Command): Command {
  return command
    .option('--git-remote-url <url>', 'the upstream git repository (https://, ssh:// or file://)')
    .option('--git-user <user>', 'the git user of the upstream')
    .option('--git-token <token>', 'the git token of the user (https)')
    .option('--git-private-key <file>', 'the SSH private key file (ssh)')
    .option('--git-private-key-pass <passphrase>', 'the passphrase of the private key')
    .option('--git-proxy-url <host:port>', 'an HTTP(S) proxy for the upstream')
    .option('--git-proxy-scheme <scheme>', 'http or https')
    .option('--git-proxy-user <user>', 'the proxy user')
    .option('--git-proxy-password <password>', 'the proxy password')
    .option('--git-pem-certificate <file>', 'a PEM certificate file the upstream is verified with')
    .option('--insecure-skip-tls', "do not verify the upstream's TLS certificate");
}

/** Registers the project verbs on `program`. */
export function registerProjectVerbs(program: Command): void {
  const create = verbGroup(program, 'create', 'create a project, service or secret');
  withConnection(withGitFlags(create.command('project <name>')))
    .description('create a project from a shipyard (checked here first), optionally with a git upstream')
    .requiredOption('-s, --shipyard <file>', 'the shipyard.yaml of the project')
    .action((name: string, flags: ProjectWriteFlags) =>
      runVerb('create project', flags, async ({ client, out }) => {
        const shipyard = checkedShipyard(flags.shipyard ?? '');
        const gitCredentials = gitCredentialsOf(flags);
        await client.createProject({ name, shipyard, ...(gitCredentials ? { gitCredentials } : {}) });
        const project = await client.project(name);
        out.note(`created project '${name}' with stages ${project.stages.map((stage) => stage.stageName).join(', ')}`);
      }),
    );

  const update = verbGroup(program, 'update', 'update a project or secret');
  withConnection(withGitFlags(update.command('project <name>')))
    .description("change a project's shipyard or git upstream")
    .option('-s, --shipyard <file>', 'a new shipyard.yaml (checked here first)')
    .action((name: string, flags: ProjectWriteFlags) =>
      runVerb('update project', flags, async ({ client, out }) => {
        const shipyard = flags.shipyard === undefined ? undefined : checkedShipyard(flags.shipyard);
        const gitCredentials = gitCredentialsOf(flags);
        if (shipyard === undefined && gitCredentials === undefined)
          throw new ConfigError('nothing to update: give --shipyard FILE, or --git-remote-url with the git flags');
        await client.updateProject({ name, ...(shipyard ? { shipyard } : {}), ...(gitCredentials ? { gitCredentials } : {}) });
        out.note(`updated project '${name}'`);
      }),
    );

  const remove = verbGroup(program, 'delete', 'delete a project, service or secret');
  withConnection(remove.command('project <name>'))
    .description('delete a project with its services, sequences and configuration')
    .action((name: string, flags: VerbFlags) =>
      runVerb('delete project', flags, async ({ client, out }) => {
        const answer = await client.deleteProject(name);
        out.note(`deleted project '${name}'${answer.message ? `: ${answer.message}` : ''}`);
      }),
    );

  const get = verbGroup(program, 'get', 'show projects, stages, services, sequences, events, resources, approvals, secrets, integrations');
  withOutput(withConnection(get.command('project [name]').alias('projects')))
    .description('list the projects, or show one')
    .action((name: string | undefined, flags: VerbFlags) =>
      runVerb('get project', flags, async ({ client, out }) => {
        const projects = name === undefined ? await allProjects(client) : [await client.project(name)];
        out.data(name === undefined ? projects : projects[0], () =>
          renderTable(
            projects,
            [
              { header: 'NAME', value: (project) => project.projectName },
              { header: 'STAGES', value: (project) => project.stages.map((stage) => stage.stageName).join(', ') },
              {
                header: 'SERVICES',
                value: (project) => String(new Set(project.stages.flatMap((stage) => stage.services.map((s) => s.serviceName))).size),
              },
              { header: 'SHIPYARD VERSION', value: (project) => project.shipyardVersion },
              {
                header: 'UPSTREAM',
                value: (project) =>
                  project.gitCredentials?.remoteURL
                    ? `${project.gitCredentials.remoteURL}${project.upstreamStatus ? ` (${project.upstreamStatus.state})` : ''}`
                    : '-',
              },
              { header: 'CREATED', value: (project) => displayTime(project.creationDate) },
            ],
            out.style,
          ),
        );
      }),
    );
}
