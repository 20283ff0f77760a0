/**
 * The webhook-service's settings from the environment (only apps read it): SHIPMATE_WEBHOOK_ALLOW
 * (comma-separated CIDR blocks, addresses or host names requests may reach besides the public
 * internet) and SHIPMATE_WEBHOOK_TIMEOUT (per request, a Go duration, 1s to 5m, default 30s). The
 * control plane's own host is refused unless allowed: the endpoint's host, and inside
 * `shipmate server` every address of this machine (the server may listen on all of them).
 */
import { networkInterfaces } from 'node:os';
import { parseWebhookAllowList, WEBHOOK_TIMEOUT_BOUNDS } from '@shipmate/integrations';
import type { WebhookOptions } from '@shipmate/integrations';
import { stderrLogger } from '@shipmate/agent-sdk';
import { ConfigError } from '../config/config-error.js';
import { durationValue, listValue } from '../config/env-values.js';

/** The webhook options for an integration talking to `endpoint`; `onControlPlaneHost` when it runs inside the server. */
export function webhookOptionsFromEnv(env: NodeJS.ProcessEnv, endpoint: string, onControlPlaneHost: boolean): WebhookOptions {
  const allow = listValue(env.SHIPMATE_WEBHOOK_ALLOW);
  try {
    parseWebhookAllowList(allow);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const requestTimeoutMs = durationValue(env.SHIPMATE_WEBHOOK_TIMEOUT, '30s', 'SHIPMATE_WEBHOOK_TIMEOUT');
  if (requestTimeoutMs < WEBHOOK_TIMEOUT_BOUNDS.minMs || requestTimeoutMs > WEBHOOK_TIMEOUT_BOUNDS.maxMs) {
    throw new ConfigError(
      `SHIPMATE_WEBHOOK_TIMEOUT='${env.SHIPMATE_WEBHOOK_TIMEOUT}' is out of range: give 1s to 5m per request, e.g. SHIPMATE_WEBHOOK_TIMEOUT=30s`,
    );
  }
  const controlPlaneHosts = [new URL(endpoint).hostname];
  if (onControlPlaneHost) {
    for (const addresses of Object.values(networkInterfaces())) for (const entry of addresses ?? []) controlPlaneHosts.push(entry.address);
  }
  return { allow, controlPlaneHosts, requestTimeoutMs, logger: stderrLogger('webhook-service') };
}
