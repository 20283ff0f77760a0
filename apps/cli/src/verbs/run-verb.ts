/**
 * Runs one verb: resolves the connection, makes the API client, gives the verb its output, and
 * turns whatever it throws into one line on stderr and an exit code (verb-failure.ts). Nothing
 * but data goes to stdout.
 */
import { createApiClient } from '@shipmate/api-client';
import type { ApiClient } from '@shipmate/api-client';
import { SHIPMATE_VERSION } from '@shipmate/core';
import { cliConfigPath, readableByOthers } from './cli-config-file.js';
import { loadConnection } from './connection.js';
import type { Connection, ConnectionFlags } from './connection.js';
import { describeFailure } from './verb-failure.js';
import { colourWanted, createStyle, OutputFormat, parseOutputFormat, renderData } from './verb-output.js';
import type { Style } from './verb-output.js';

/** The flags every verb takes: the connection and, on reads, `-o`. */
export interface VerbFlags extends ConnectionFlags {
  output?: string;
}

/** Where a verb writes; process.stdout and process.stderr unless a test gives others. */
export interface VerbStreams {
  readonly stdout: { write(data: string | Uint8Array): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

/** How a verb prints. */
export interface VerbOutput {
  /** The `-o` format (table when not given). */
  readonly format: OutputFormat;
  /** Colours for stdout (none off a terminal or with NO_COLOR). */
  readonly style: Style;
  /** Colours for stderr. */
  readonly noteStyle: Style;
  /** True when stdout is a terminal (`--watch` is the default there). */
  readonly interactive: boolean;
  /** Data: `value` as JSON or YAML with `-o`, else the human form `table()` renders (text, or bytes as they are). */
  data(value: unknown, table: () => string | Uint8Array): void;
  /** A line of data on stdout. */
  line(text: string): void;
  /** One record of a stream (a followed sequence's steps): a JSON line, a YAML document, or the human line. */
  record(value: unknown, human: () => string): void;
  /** A message for the person on stderr. */
  note(text: string): void;
}

/** What a verb's body gets. */
export interface VerbContext {
  readonly connection: Connection;
  readonly client: ApiClient;
  readonly out: VerbOutput;
}

const PROCESS_STREAMS: VerbStreams = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** The output of a verb for `-o` on these streams. */
export function createVerbOutput(output: string | undefined, streams: VerbStreams = PROCESS_STREAMS): VerbOutput {
  const format = parseOutputFormat(output);
  const style = createStyle(colourWanted(streams.stdout, streams.env));
  return {
    format,
    style,
    noteStyle: createStyle(colourWanted(streams.stderr, streams.env)),
    interactive: streams.stdout.isTTY === true,
    data(value, table) {
      streams.stdout.write(format === OutputFormat.table ? table() : renderData(format, value));
    },
    line(text) {
      streams.stdout.write(`${text}\n`);
    },
    record(value, human) {
      if (format === OutputFormat.json) streams.stdout.write(`${JSON.stringify(value)}\n`);
      else if (format === OutputFormat.yaml) streams.stdout.write(`---\n${renderData(format, value)}`);
      else streams.stdout.write(`${human()}\n`);
    },
    note(text) {
      streams.stderr.write(`${text}\n`);
    },
  };
}

/** The API client of a connection (the CLI's user agent, the client's timeouts and retries). */
export function clientFor(connection: Connection): ApiClient {
  return createApiClient({
    baseUrl: `${connection.endpoint}/api`,
    token: connection.token,
    headers: { 'user-agent': `shipmate-cli/${SHIPMATE_VERSION}` },
  });
}

/** How {@link runVerb} runs a verb. */
export interface RunVerbOptions {
  /** Where it writes. @default process.stdout, process.stderr and process.env */
  readonly streams?: VerbStreams;
  /** How the connection is found. @default loadConnection (flags, environment, config file, `shipmate up`) */
  readonly connect?: (flags: ConnectionFlags, env: NodeJS.ProcessEnv) => Connection;
}

/**
 * Runs `body` for `command` (e.g. `get projects`) with `flags`; sets process.exitCode to what the
 * body returns (0 when nothing) or to the failure's exit code, after one line on stderr.
 */
export async function runVerb(
  command: string,
  flags: VerbFlags,
  body: (context: VerbContext) => Promise<number | void>,
  options: RunVerbOptions = {},
): Promise<void> {
  const streams = options.streams ?? PROCESS_STREAMS;
  let connection: Connection | undefined;
  try {
    const out = createVerbOutput(flags.output, streams);
    connection = (options.connect ?? loadConnection)(flags, streams.env);
    const file = cliConfigPath(streams.env);
    if (connection.tokenFrom.endsWith(file) && readableByOthers(file)) {
      out.note(`shipmate: warning: ${file} holds an API token and other users may read it: chmod 600 ${file}`);
    }
    const code = await body({ connection, client: clientFor(connection), out });
    process.exitCode = code ?? 0;
  } catch (error) {
    process.exitCode = failed(command, error, connection, streams);
  }
}

/** Runs a verb that needs no control plane (`completion`), with the same error handling. */
export async function runLocalVerb(
  command: string,
  flags: { output?: string },
  body: (out: VerbOutput) => Promise<number | void>,
  streams: VerbStreams = PROCESS_STREAMS,
): Promise<void> {
  try {
    const code = await body(createVerbOutput(flags.output, streams));
    process.exitCode = code ?? 0;
  } catch (error) {
    process.exitCode = failed(command, error, undefined, streams);
  }
}

function failed(command: string, error: unknown, connection: Connection | undefined, streams: VerbStreams): number {
  const { message, exitCode } = describeFailure(error, connection);
  streams.stderr.write(`shipmate ${command}: ${message}\n`);
  if (streams.env.SHIPMATE_DEBUG === '1' && error instanceof Error && error.stack) streams.stderr.write(`${error.stack}\n`);
  return exitCode;
}
