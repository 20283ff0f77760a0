/**
 * Commander wiring the verbs share: {@link ShipmateCommand}, whose usage errors are one line with
 * the command's `--help` as the fix and exit 2; the verb groups (`create`, `get`, …) that several
 * verb modules add to; and the connection and output flags every verb takes.
 */
import { Command } from 'commander';
import type { ErrorOptions } from 'commander';

/** `shipmate create project`, the path of a command from the root. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/**
 * The CLI's command class: a usage error (unknown option, missing flag or argument) is printed as
 * `shipmate <command>: <problem>; see \`shipmate <command> --help\`` on one line and exits 2.
 */
export class ShipmateCommand extends Command {
  override createCommand(name?: string): ShipmateCommand {
    return new ShipmateCommand(name);
  }

  override error(message: string, errorOptions?: ErrorOptions): never {
    const path = commandPath(this);
    const problem = message
      .replace(/^error: /, '')
      .replace(/\s*\n\s*/g, ' ')
      .trim();
    return super.error(`${path}: ${problem}; see \`${path} --help\``, { ...errorOptions, exitCode: 2 });
  }
}

/** The group command `name` of `program` (`create`, `get`, …), made on first use. */
export function verbGroup(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((command) => command.name() === name);
  if (existing) return existing;
  return program.command(name).description(description);
}

/** Adds `--endpoint` and `--api-token` (every verb that calls the control plane). */
export function withConnection(command: Command): Command {
  return command
    .option(
      '--endpoint <url>',
      'the control plane (env SHIPMATE_ENDPOINT or KEPTN_ENDPOINT; else `shipmate auth`, else http://127.0.0.1:8080)',
    )
    .option(
      '--api-token <token>',
      'its API token (env SHIPMATE_API_TOKEN or KEPTN_API_TOKEN; else `shipmate auth`, else the token of `shipmate up`)',
    );
}

/** Adds `-o, --output` (every read). */
export function withOutput(command: Command): Command {
  return command.option('-o, --output <format>', 'table (default), json or yaml');
}
