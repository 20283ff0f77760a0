/**
 * `shipmate auth` (check a token against a control plane and keep both in the config file),
 * `shipmate status` (which control plane, from where, and whether it takes the token) and
 * `shipmate version` (the CLI's and the server's).
 */
import type { Command } from 'commander';
import type { Metadata } from '@shipmate/api';
import { SHIPMATE_VERSION } from '@shipmate/core';
import { cliConfigPath, writeCliConfig } from './cli-config-file.js';
import { loadConnection, resolveConnection } from './connection.js';
import type { Connection } from './connection.js';
import { clientFor, runLocalVerb, runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { withConnection, withOutput } from './verb-command.js';
import { describeFailure } from './verb-failure.js';
import { renderTable } from './verb-output.js';

/** What `shipmate status -o json` prints. */
export interface StatusReport {
  endpoint: string;
  endpointFrom: string;
  tokenFrom: string;
  /** Whether the control plane took the token. */
  authenticated: boolean;
  /** The server's version, when it answered. */
  serverVersion?: string;
  /** Why it did not, when it did not. */
  problem?: string;
}

const rows = (pairs: Array<[string, string]>) => pairs.map(([key, value]) => ({ key, value }));
const keyValueTable = (pairs: Array<[string, string]>, style: Parameters<typeof renderTable>[2]) =>
  renderTable(
    rows(pairs),
    [
      { header: 'KEY', value: (row) => row.key },
      { header: 'VALUE', value: (row) => row.value, tone: (cell, colours) => colours.outcome(cell) },
    ],
    style,
  );

/** The server's metadata, or the one-line reason it could not be read. */
async function serverMetadata(connection: Connection): Promise<{ metadata?: Metadata; problem?: string }> {
  try {
    const client = clientFor(connection);
    await client.checkToken();
    return { metadata: await client.metadata() };
  } catch (error) {
    return { problem: describeFailure(error, connection).message };
  }
}

/** Registers `auth`, `status` and `version` on `program`. */
export function registerAuthVerbs(program: Command): void {
  program
    .command('auth')
    .description('check an API token against a control plane and keep both in the config file (mode 0600) for every later command')
    .option('--endpoint <url>', 'the control plane, e.g. https://shipmate.example.com (env SHIPMATE_ENDPOINT or KEPTN_ENDPOINT)')
    .option('--api-token <token>', 'its API token (env SHIPMATE_API_TOKEN or KEPTN_API_TOKEN)')
    .action((flags: VerbFlags) =>
      runVerb(
        'auth',
        flags,
        async ({ client, connection, out }) => {
          const path = cliConfigPath(process.env);
          await client.checkToken();
          const metadata = await client.metadata();
          writeCliConfig(path, { endpoint: connection.endpoint, apiToken: connection.token });
          out.note(
            `authenticated at ${connection.endpoint} (Shipmate ${metadata.shipmateversion ?? 'unknown'}); endpoint and token kept in ${path} (mode 0600)`,
          );
        },
        // The file is what this writes: only the flags and the environment count.
        {
          connect: (given, env) =>
            resolveConnection({ flags: given, env, file: { path: cliConfigPath(env) }, local: { dataDir: '', token: undefined } }),
        },
      ),
    );

  withOutput(withConnection(program.command('status')))
    .description('show which control plane the CLI talks to, where its endpoint and token come from, and whether the token is taken')
    .action((flags: VerbFlags) =>
      runVerb('status', flags, async ({ connection, out }) => {
        const { metadata, problem } = await serverMetadata(connection);
        const report: StatusReport = {
          endpoint: connection.endpoint,
          endpointFrom: connection.endpointFrom,
          tokenFrom: connection.tokenFrom,
          authenticated: metadata !== undefined,
          ...(metadata?.shipmateversion ? { serverVersion: metadata.shipmateversion } : {}),
          ...(problem ? { problem } : {}),
        };
        out.data(report, () =>
          keyValueTable(
            [
              ['endpoint', `${report.endpoint} (from ${report.endpointFrom})`],
              ['token', `from ${report.tokenFrom}`],
              ['status', report.authenticated ? 'authenticated' : 'failed'],
              ...(report.serverVersion ? ([['server', `Shipmate ${report.serverVersion}`]] as Array<[string, string]>) : []),
            ],
            out.style,
          ),
        );
        if (problem) out.note(`shipmate status: ${problem}`);
        return problem ? 1 : 0;
      }),
    );

  withOutput(withConnection(program.command('version')))
    .description("show the CLI's version and, when it can be reached, the control plane's")
    .action((flags: VerbFlags) =>
      runLocalVerb('version', flags, async (out) => {
        let server: { serverVersion?: string; problem?: string };
        try {
          const { metadata, problem } = await serverMetadata(loadConnection(flags));
          server = metadata ? { serverVersion: metadata.shipmateversion ?? 'unknown' } : { problem: problem ?? 'unknown' };
        } catch (error) {
          server = { problem: describeFailure(error, undefined).message };
        }
        const report = { cliVersion: SHIPMATE_VERSION, ...server };
        out.data(report, () =>
          keyValueTable(
            [
              ['cli', SHIPMATE_VERSION],
              ['server', server.serverVersion ?? 'unknown'],
            ],
            out.style,
          ),
        );
        if (server.problem) out.note(`shipmate version: the server's version is unknown: ${server.problem}`);
      }),
    );
}
