/**
 * The `shipmate` command: one binary, several roles. The execution plane's commands (`agent`,
 * `agent test-connection`) are imported up front; the others are imported when they run, so an
 * agent never loads the server, Fastify or the SQLite addon (commands/agent-imports.test.ts), and
 * the shipmate-agent image can leave them out (docs/images.md). The client verbs (`auth`, `get`,
 * `create`, `trigger`, …, verbs/) are registered up front too: their definitions are needed for
 * `--help` and `completion`, and they load only the API client and the core, which the agent loads
 * anyway, so they work in the agent image as well.
 */
import { SHIPMATE_VERSION } from '@shipmate/core';
import { runAgent, runTestConnection } from './commands/agent-command.js';
import type { AgentFlags } from './agent/agent-config.js';
import type { TestConnectionFlags } from './commands/agent-command.js';
import { ConfigError } from './config/config-error.js';
import type { ServerFlags } from './config/server-config.js';
import type { DemoFlags } from './demo/demo-options.js';
import { registerApprovalVerbs } from './verbs/approval-verbs.js';
import { registerAuthVerbs } from './verbs/auth-verbs.js';
import { registerCompletionVerbs } from './verbs/completion-verbs.js';
import { registerIntegrationVerbs } from './verbs/integration-verbs.js';
import { registerMonitoringVerbs } from './verbs/monitoring-verbs.js';
import { registerProjectVerbs } from './verbs/project-verbs.js';
import { registerResourceVerbs } from './verbs/resource-verbs.js';
import { runVerb } from './verbs/run-verb.js';
import { registerSecretVerbs } from './verbs/secret-verbs.js';
import { registerSequenceVerbs } from './verbs/sequence-verbs.js';
import { registerServiceVerbs } from './verbs/service-verbs.js';
import { registerTokenVerbs } from './verbs/token-verbs.js';
import { registerTriggerVerbs } from './verbs/trigger-verbs.js';
import { ShipmateCommand, withConnection } from './verbs/verb-command.js';

/** True when `error` is Node's failure to find an imported package. */
function isMissingModule(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
}

/**
 * Imports the module of a command that needs the control plane's packages, when it runs. Where
 * they were left out (the shipmate-agent image), it is a ConfigError (exit 2) saying where to run it.
 */
async function controlPlaneCommand<T>(command: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissingModule(error)) throw error;
    throw new ConfigError(
      `shipmate ${command} is not in this installation (it has the execution plane only, like the shipmate-agent image): run it where the whole CLI is installed, or from the shipmate image`,
    );
  }
}

const program = new ShipmateCommand();
// Commander exits 1 after a usage error it reports itself (help shown for a missing subcommand): usage is exit 2.
program.exitOverride((error) => process.exit(error.exitCode === 1 ? 2 : error.exitCode));
program.enablePositionalOptions();
program.name('shipmate').description('Event-driven continuous delivery, speaking Keptn v1').version(SHIPMATE_VERSION);

/** The flags `shipmate server` and `shipmate up` share. */
function serverFlags(command: ShipmateCommand): ShipmateCommand {
  return command
    .option('--port <port>', 'port to listen on (env SHIPMATE_PORT, default 8080)')
    .option('--host <host>', 'address to bind (env SHIPMATE_HOST, default 0.0.0.0)')
    .option('--data-dir <dir>', 'where the store and token hash live (env SHIPMATE_DATA_DIR, default ./.shipmate)')
    .option('--log-format <format>', 'text or json (env SHIPMATE_LOG_FORMAT; default text on a terminal, json otherwise)')
    .option('--store <url>', 'a postgres:// URL to keep the store in PostgreSQL (env SHIPMATE_STORE_URL; default SQLite in the data dir)')
    .option(
      '--bus <url>',
      'a nats:// URL: the bus that carries notices between control-plane replicas (env SHIPMATE_BUS_URL; default none)',
    );
}

serverFlags(program.command('server'))
  .description('run the control plane (API, orchestrator, store: embedded SQLite or PostgreSQL) and its built-in integrations')
  .action(async (flags: ServerFlags) => {
    const { runServer } = await controlPlaneCommand('server', () => import('./commands/server-command.js'));
    await runServer(flags);
  });

serverFlags(program.command('up'))
  .description(
    'run the control plane and a local execution plane on this machine (what `npm start` runs): the control plane of `shipmate server` plus the deployment, test and job integrations',
  )
  .action(async (flags: ServerFlags) => {
    const { runServer } = await controlPlaneCommand('up', () => import('./commands/server-command.js'));
    await runServer(flags, { local: true });
  });

withConnection(program.command('demo'))
  .description(
    'a first delivery on a running Shipmate (`npm start`): creates a project with dev, staging and production, onboards a small sample service and delivers it, showing each task; --version slow fails the quality gate in staging and rolls back',
  )
  .option('--version <version>', 'fast or slow (default fast)')
  .option('--manual-approval', 'ask a person to approve the release to production instead of approving automatically')
  .option('--project <name>', 'the demo project (default shipmate-demo)')
  .action((flags: DemoFlags) =>
    runVerb('demo', flags, async (context) => {
      const { resolveDemoOptions } = await import('./demo/demo-options.js');
      const { runDemo } = await import('./demo/run-demo.js');
      return runDemo(context, resolveDemoOptions(flags));
    }),
  );

const agent = program
  .command('agent')
  .description(
    'run an execution-plane agent: register K8S_DEPLOYMENT_NAME, receive the tasks of PUBSUB_TOPIC that match the filters by long poll, forward them to PUBSUB_RECIPIENT, serve /health, /event and the API proxy on localhost:API_PROXY_PORT',
  )
  .option('--endpoint <url>', 'control plane API URL ending in /api (overrides KEPTN_API_ENDPOINT)')
  .option('--token <token>', 'API token (overrides KEPTN_API_TOKEN)')
  .option('--config <file>', 'YAML file with the same variable names (env SHIPMATE_AGENT_CONFIG); the environment wins over it')
  .option(
    '--integration <name>',
    'run this built-in integration (e.g. webhook-service) in this process against the control plane, instead of forwarding to PUBSUB_RECIPIENT (env SHIPMATE_INTEGRATION)',
  )
  .addHelpText(
    'after',
    `
Environment (Keptn's distributor variables): KEPTN_API_ENDPOINT, KEPTN_API_TOKEN, PUBSUB_TOPIC,
PUBSUB_RECIPIENT, PUBSUB_RECIPIENT_PORT, PUBSUB_RECIPIENT_PATH, PROJECT_FILTER, STAGE_FILTER,
SERVICE_FILTER, K8S_DEPLOYMENT_NAME, K8S_NAMESPACE, K8S_POD_NAME, K8S_NODE_NAME, LOCATION, VERSION,
HTTP_SSL_VERIFY, SHIPMATE_CA_FILE, API_PROXY_PORT, API_PROXY_MAX_PAYLOAD_BYTES_KB, HEARTBEAT_INTERVAL,
SHIPMATE_FORWARD_RETRY, SHIPMATE_DRAIN_TIMEOUT, SHIPMATE_POLL_WAIT, SHIPMATE_INTEGRATION, SHIPMATE_METRICS_PORT,
SHIPMATE_WEBHOOK_ALLOW, SHIPMATE_WEBHOOK_TIMEOUT. See docs/agent.md.`,
  )
  .action(async (flags: AgentFlags & { config?: string; integration?: string }) => {
    await runAgent(flags);
  });

agent
  .command('test-connection')
  .description(
    'check the connection to the control plane in order: endpoint form, DNS, TCP, TLS, token, API compatibility; exit 0 when all pass, 1 at the first failure (with cause and fix), 2 for a configuration error',
  )
  .option('--endpoint <url>', 'control plane API URL ending in /api (overrides KEPTN_API_ENDPOINT)')
  .option('--token <token>', 'API token (overrides KEPTN_API_TOKEN)')
  .option('--timeout <duration>', 'timeout of each network step, a Go duration (default 5s)')
  .option('--config <file>', 'YAML file with the agent variables (env SHIPMATE_AGENT_CONFIG); the environment wins over it')
  .addHelpText(
    'after',
    `
Environment: KEPTN_API_ENDPOINT, KEPTN_API_TOKEN, HTTP_SSL_VERIFY (default true),
SHIPMATE_CA_FILE (PEM bundle trusted in addition to the system CAs), and the other
distributor variables of the agent. See docs/agent-test-connection.md.`,
  )
  .action(async (flags: TestConnectionFlags) => {
    process.exitCode = await runTestConnection(flags);
  });

registerAuthVerbs(program);
registerProjectVerbs(program);
registerServiceVerbs(program);
registerResourceVerbs(program);
registerTriggerVerbs(program);
registerSequenceVerbs(program);
registerApprovalVerbs(program);
registerSecretVerbs(program);
registerMonitoringVerbs(program);
registerIntegrationVerbs(program);
registerTokenVerbs(program);
registerCompletionVerbs(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`shipmate: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`shipmate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
