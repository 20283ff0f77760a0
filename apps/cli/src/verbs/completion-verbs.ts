/** `shipmate completion bash|zsh|fish`: prints the completion script of the shell (completion-script.ts). */
import type { Command } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { COMPLETION_SHELLS, completionScript, completionTree } from './completion-script.js';
import type { CompletionShell } from './completion-script.js';
import { runLocalVerb } from './run-verb.js';

/** Registers `completion` on `program` (call it last: the script covers the commands registered before). */
export function registerCompletionVerbs(program: Command): void {
  program
    .command('completion <shell>')
    .description('print the shell completion script: bash, zsh or fish (e.g. `source <(shipmate completion bash)`)')
    .action((shell: string) =>
      runLocalVerb('completion', {}, async (out) => {
        if (!(COMPLETION_SHELLS as readonly string[]).includes(shell))
          throw new ConfigError(`'${shell}' is not a shell completion is written for: give ${COMPLETION_SHELLS.join(', ')}`);
        out.line(completionScript(shell as CompletionShell, completionTree(program)).trimEnd());
      }),
    );
}
