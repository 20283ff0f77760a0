/**
 * The agent's optional YAML configuration file (`--config <file>` or SHIPMATE_AGENT_CONFIG): a
 * mapping of the same variable names the environment uses, so a chart's env block and the file
 * read alike:
 *
 *   KEPTN_API_ENDPOINT: https://cp.example.com/api
 *   K8S_DEPLOYMENT_NAME: helm-service-production
 *   PUBSUB_TOPIC: [sh.keptn.event.deployment.triggered, sh.keptn.event.release.triggered]
 *   STAGE_FILTER: production
 *
 * Values may be strings, numbers, booleans or lists (joined with commas). The environment wins over
 * the file; flags win over both. An unknown key or a bad value is a ConfigError naming it.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '../config/config-error.js';

/** Every variable the agent reads. */
export const AGENT_VARIABLES: readonly string[] = [
  'KEPTN_API_ENDPOINT',
  'KEPTN_API_TOKEN',
  'HTTP_SSL_VERIFY',
  'SHIPMATE_CA_FILE',
  'PUBSUB_TOPIC',
  'PUBSUB_RECIPIENT',
  'PUBSUB_RECIPIENT_PORT',
  'PUBSUB_RECIPIENT_PATH',
  'PROJECT_FILTER',
  'STAGE_FILTER',
  'SERVICE_FILTER',
  'K8S_DEPLOYMENT_NAME',
  'K8S_NAMESPACE',
  'K8S_POD_NAME',
  'K8S_NODE_NAME',
  'LOCATION',
  'VERSION',
  'API_PROXY_PORT',
  'API_PROXY_MAX_PAYLOAD_BYTES_KB',
  'HEARTBEAT_INTERVAL',
  'SHIPMATE_FORWARD_RETRY',
  'SHIPMATE_DRAIN_TIMEOUT',
  'SHIPMATE_POLL_WAIT',
  'SHIPMATE_INTEGRATION',
  'SHIPMATE_WEBHOOK_ALLOW',
  'SHIPMATE_WEBHOOK_TIMEOUT',
  'SHIPMATE_JOB_DIR',
  'SHIPMATE_JOB_MAX_LOG_BYTES',
  'SHIPMATE_JOB_KILL_GRACE',
  'SHIPMATE_JOB_KEEP_FAILED',
  'SHIPMATE_JOB_PASS_ENV',
];

function scalar(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ConfigError(`${where} must be a string, number, boolean or a list of those`);
}

/** The file's variables as environment values. */
export function readAgentConfigFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `agent config file '${path}' cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}): give the path of a YAML file`,
    );
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ConfigError(`agent config file '${path}' is not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(
      `agent config file '${path}' must be a mapping of variable names to values, e.g. 'PUBSUB_TOPIC: sh.keptn.event.test.triggered'`,
    );
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(document as Record<string, unknown>)) {
    if (!AGENT_VARIABLES.includes(key)) {
      throw new ConfigError(
        `unknown key '${key}' in agent config file '${path}': use the agent's variable names (${AGENT_VARIABLES.join(', ')})`,
      );
    }
    const where = `'${key}' in '${path}'`;
    values[key] = Array.isArray(value) ? value.map((item) => scalar(item, where)).join(',') : scalar(value, where);
  }
  return values;
}

/** The environment the agent resolves: the file's values (when a file is named) under the real environment. */
export function agentEnvironment(env: NodeJS.ProcessEnv, configPath: string | undefined): NodeJS.ProcessEnv {
  const path = configPath ?? (env.SHIPMATE_AGENT_CONFIG || undefined);
  return path === undefined ? env : { ...readAgentConfigFile(path), ...env };
}
