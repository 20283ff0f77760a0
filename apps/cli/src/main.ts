/** The `shipmate` command: one binary, several roles. */
import { Command } from 'commander';
import { SHIPMATE_VERSION } from '@shipmate/server';
import { runServer } from './commands/server-command.js';
import { ConfigError } from './config/server-config.js';

const program = new Command();
program.name('shipmate').description('Event-driven continuous delivery, speaking Keptn v1').version(SHIPMATE_VERSION);

program
  .command('server')
  .description('run the control plane (API, orchestrator, embedded SQLite store)')
  .option('--port <port>', 'port to listen on (env SHIPMATE_PORT, default 8080)')
  .option('--host <host>', 'address to bind (env SHIPMATE_HOST, default 0.0.0.0)')
  .option('--data-dir <dir>', 'where the store and token hash live (env SHIPMATE_DATA_DIR, default ./.shipmate)')
  .action(async (flags: { port?: string; host?: string; dataDir?: string }) => {
    await runServer(flags);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`shipmate: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`shipmate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
