/**
 * The webhook integration (Keptn's `webhook-service`): it has no topics of its own; users add
 * subscriptions (one project each) through the API, and a task of such a subscription runs the
 * webhook of `webhook/webhook.yaml` whose `subscriptionID` is the task's
 * `data.temporaryData.distributor.subscriptionID`. The file is looked up at service, then stage,
 * then project level; the first level whose file has that webhook is used (a file that cannot be
 * parsed fails the task rather than being skipped, so a broken override never silently runs the
 * project-wide webhook).
 *
 * The webhook's requests run in order: templates rendered over the event and `.env.*` (secrets
 * of scope `keptn-webhook-service` named by `envFrom`), the target checked by the address policy,
 * the request sent. `sendFinished: true` finishes the task with `data.<task>.responses` (each
 * parsed JSON or text); `sendFinished: false` leaves it open for the called system to finish.
 * `.started` is sent when `sendStarted` is true (one, where Keptn sent one per request). Any error
 * finishes the task `errored`/`fail`; secret values are masked in everything written.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { LEAVE_OPEN, silentLogger } from '@shipmate/agent-sdk';
import type { AgentLogger, Integration, ResourceLevelName, TaskContext, TaskHandler, TaskOutcome } from '@shipmate/agent-sdk';
import type { KeptnEvent, ResolveHost } from '@shipmate/core';
import { secretMasker } from './mask-secrets.js';
import type { SecretMasker } from './mask-secrets.js';
import { WebhookConfigError, findWebhook, parseWebhookConfig } from './parse-webhook-config.js';
import type { Webhook } from './parse-webhook-config.js';
import { renderTemplate } from './render-template.js';
import { sendWebhookRequest } from './send-webhook-request.js';
import type { OutgoingRequest } from './send-webhook-request.js';
import { checkWebhookUrl, parseWebhookAllowList } from './webhook-address-policy.js';
import type { WebhookAddressPolicy } from './webhook-address-policy.js';

/** Keptn's name of the integration. */
export const WEBHOOK_SERVICE = 'webhook-service';
/** Where the configuration lives in a project's repository. */
export const WEBHOOK_CONFIG_URI = 'webhook/webhook.yaml';
/** The secret scope webhook secrets live in (Keptn's). */
export const WEBHOOK_SECRET_SCOPE = 'keptn-webhook-service';

/** Bounds of {@link WebhookOptions.requestTimeoutMs}. */
export const WEBHOOK_TIMEOUT_BOUNDS = Object.freeze({ minMs: 1_000, maxMs: 300_000 });

/** Options of the webhook integration. */
export interface WebhookOptions {
  /** CIDR blocks, addresses or host names requests may reach besides the public internet (SHIPMATE_WEBHOOK_ALLOW). @default [] */
  allow?: readonly string[];
  /** Host names or addresses of the control plane, refused unless allowed. @default [] */
  controlPlaneHosts?: readonly string[];
  /** Per request, 1 s to 300 s. @default 30000 */
  requestTimeoutMs?: number;
  /** Longer response bodies are cut. @default 1 MiB */
  maxResponseBytes?: number;
  /** @default node's `dns.lookup` (all addresses) */
  resolve?: ResolveHost;
  /** Log lines (masked). @default silent */
  logger?: AgentLogger;
}

/** {@link WebhookOptions} resolved. */
export interface ResolvedWebhookOptions {
  readonly policy: WebhookAddressPolicy;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly logger: AgentLogger;
}

const systemResolve: ResolveHost = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** Resolves the options once; throws on a bad allow-list entry or an out-of-range timeout. */
export function resolveWebhookOptions(options: WebhookOptions = {}): ResolvedWebhookOptions {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  if (!(requestTimeoutMs >= WEBHOOK_TIMEOUT_BOUNDS.minMs && requestTimeoutMs <= WEBHOOK_TIMEOUT_BOUNDS.maxMs)) {
    throw new RangeError(`webhook request timeout ${requestTimeoutMs} ms is out of range: give 1000 to 300000 ms`);
  }
  return Object.freeze({
    policy: Object.freeze({
      allow: parseWebhookAllowList(options.allow ?? []),
      controlPlaneHosts: Object.freeze([...(options.controlPlaneHosts ?? [])]),
      resolve: options.resolve ?? systemResolve,
    }),
    requestTimeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
    logger: options.logger ?? silentLogger,
  });
}

/** The subscription id the control plane put on the task, if any. */
export function subscriptionIdOf(event: KeptnEvent): string | undefined {
  const temporary = event.data.temporaryData as { distributor?: { subscriptionID?: unknown } } | undefined;
  const id = temporary?.distributor?.subscriptionID;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

const LEVELS: readonly ResourceLevelName[] = ['service', 'stage', 'project'];

/** The webhook for `subscriptionID`, at the most specific level whose file has it. */
async function findConfiguredWebhook(task: TaskContext, subscriptionID: string): Promise<Webhook> {
  const looked: string[] = [];
  for (const level of LEVELS) {
    const resource = await task.resource(WEBHOOK_CONFIG_URI, { levels: [level] });
    if (!resource) {
      looked.push(`${level}: no file`);
      continue;
    }
    let webhook: Webhook | undefined;
    try {
      webhook = findWebhook(parseWebhookConfig(resource.content.toString('utf8')), subscriptionID);
    } catch (error) {
      if (error instanceof WebhookConfigError)
        throw new Error(`${WEBHOOK_CONFIG_URI} at ${level} level: ${error.message}`, { cause: error });
      throw error;
    }
    if (webhook) return webhook;
    looked.push(`${level}: no webhook with that subscriptionID`);
  }
  const { project, stage, service } = task.data;
  throw new Error(
    `no webhook for subscription '${subscriptionID}' in ${WEBHOOK_CONFIG_URI} of project '${String(project)}', stage '${String(stage)}', service '${String(service)}' (${looked.join('; ')}): add a webhook with subscriptionID: ${subscriptionID}`,
  );
}

/** The `.env` values of the webhook, read while the task is held. */
async function readEnv(task: TaskContext, webhook: Webhook): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [index, ref] of webhook.envFrom.entries()) {
    const where = `envFrom[${index}] (${ref.name})`;
    let values: Readonly<Record<string, string>>;
    try {
      values = await task.secret(ref.secretName, WEBHOOK_SECRET_SCOPE);
    } catch (error) {
      throw new Error(
        `${where}: cannot read secret '${ref.secretName}' of scope ${WEBHOOK_SECRET_SCOPE}: ${error instanceof Error ? error.message : String(error)}; create it with that scope`,
      );
    }
    const value = values[ref.secretKey];
    if (value === undefined) {
      throw new Error(
        `${where}: secret '${ref.secretName}' has no key '${ref.secretKey}' (keys: ${Object.keys(values).join(', ') || 'none'})`,
      );
    }
    env[ref.name] = value;
  }
  return env;
}

/** The request `index` of `webhook` rendered over `data`. */
function renderRequest(webhook: Webhook, index: number, data: Readonly<Record<string, unknown>>, mask: SecretMasker): OutgoingRequest {
  const spec = webhook.requests[index]!;
  const at = `requests[${index}]`;
  const rendered = renderTemplate(spec.url, data, `${at}.url`);
  let url: URL;
  try {
    url = new URL(rendered);
  } catch {
    throw new Error(`${at}.url '${mask.text(rendered)}' is not a URL: give an absolute http(s):// URL`);
  }
  return {
    url,
    method: spec.method,
    headers: spec.headers.map((header, h) => ({
      key: renderTemplate(header.key, data, `${at}.headers[${h}].key`),
      value: renderTemplate(header.value, data, `${at}.headers[${h}].value`),
    })),
    payload: renderTemplate(spec.payload, data, `${at}.payload`),
  };
}

/** A response as Keptn put it in `.finished`: parsed JSON, or the text. */
function responseData(body: string, truncated: boolean): unknown {
  if (truncated) return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

/** Runs the webhook of the task's subscription (see the module comment). */
export async function runWebhook(task: TaskContext, options: ResolvedWebhookOptions): Promise<TaskOutcome> {
  const { logger } = options;
  const subscriptionID = subscriptionIdOf(task.event);
  let mask = secretMasker([]);
  let webhook: Webhook;
  try {
    if (subscriptionID === undefined) throw new Error('the task has no data.temporaryData.distributor.subscriptionID');
    webhook = await findConfiguredWebhook(task, subscriptionID);
  } catch (error) {
    // Keptn: a task whose webhook cannot be found or read is started and finished errored.
    await task.started();
    throw error;
  }
  if (webhook.sendStarted) await task.started();
  try {
    const env = await readEnv(task, webhook);
    mask = secretMasker(Object.values(env));
    const data = { ...task.event, env } as Readonly<Record<string, unknown>>;
    const responses: unknown[] = [];
    for (let index = 0; index < webhook.requests.length; index += 1) {
      const outgoing = renderRequest(webhook, index, data, mask);
      const shown = mask.text(outgoing.url.href);
      const target = await checkWebhookUrl(outgoing.url, options.policy, shown);
      let answer;
      try {
        answer = await sendWebhookRequest(
          outgoing,
          target,
          { timeoutMs: options.requestTimeoutMs, maxResponseBytes: options.maxResponseBytes },
          task.signal,
        );
      } catch (error) {
        throw new Error(`requests[${index}] ${outgoing.method} ${shown} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      logger.info(`task ${task.event.id}: requests[${index}] ${outgoing.method} ${shown} answered ${answer.status}`);
      if (answer.status < 200 || answer.status > 299) {
        const redirect = answer.location ? ` (redirects are not followed; call '${answer.location}' directly)` : '';
        const start = answer.body.length > 300 ? `${answer.body.slice(0, 300)}…` : answer.body;
        throw new Error(`requests[${index}] ${outgoing.method} ${shown} answered ${answer.status}${redirect}: ${start}`);
      }
      responses.push(responseData(answer.body, answer.truncated));
    }
    if (!webhook.sendFinished) return LEAVE_OPEN;
    return mask.value({ [task.task]: { responses } }) as Record<string, unknown>;
  } catch (error) {
    const message = mask.text(error instanceof Error ? error.message : String(error));
    logger.warn(`task ${task.event.id}: ${message}`);
    throw new Error(message);
  }
}

/** The handler of webhook tasks with `options`. */
export function webhookHandler(options: WebhookOptions = {}): TaskHandler {
  const resolved = resolveWebhookOptions(options);
  return (task) => runWebhook(task, resolved);
}

/** Subscribes the webhook handler on `integration` (named {@link WEBHOOK_SERVICE}) for every task of its API-added subscriptions. */
export function withWebhook(integration: Integration, options: WebhookOptions = {}): Integration {
  return integration.onAnyTask(webhookHandler(options), { deferStarted: true });
}
