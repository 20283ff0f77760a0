/**
 * Parses Keptn's `webhook/webhook.yaml` (`apiVersion: webhookconfig.keptn.sh/v1beta1`, kind
 * WebhookConfig) into typed webhooks with Keptn's defaults (`sendStarted` true, `sendFinished`
 * false). Pure: no I/O.
 *
 * Keptn's rules (webhook-service/lib/webhook_config.go): every webhook needs `type`,
 * `subscriptionID` and at least one request; every request a `url` and a `method` of POST, PUT,
 * GET or HEAD; header keys and values are non-empty. One bad webhook makes the whole file invalid.
 * Shipmate adds, failing closed where Keptn silently ignored: unknown keys in a webhook or request
 * (a typo such as `header:`) are refused, `envFrom` entries need a name usable in a template and a
 * complete `secretRef`, and the curl-specific `options` and the `v1alpha1` curl strings are
 * refused with the fix (Shipmate sends requests itself, without curl). Every message names the
 * field and, when known, the line.
 */
import { ErrorCode } from '@shipmate/core';
import { isMap, isScalar, isSeq } from 'yaml';
import { ConfigFileError } from '../config-file/config-file-error.js';
import { fieldNode, keyNodeOf, parseLocatedYaml } from '../config-file/parse-located-yaml.js';
import type { Node, YAMLMap } from 'yaml';

/** Keptn's v1beta1 API version, the one Shipmate runs. */
export const WEBHOOK_API_VERSION = 'webhookconfig.keptn.sh/v1beta1';
/** Keptn's older curl-string format. */
export const WEBHOOK_ALPHA_API_VERSION = 'webhookconfig.keptn.sh/v1alpha1';

/** The methods Keptn allows. */
export const WebhookMethod = { get: 'GET', post: 'POST', put: 'PUT', head: 'HEAD' } as const;
/** One of {@link WebhookMethod}. */
export type WebhookMethod = (typeof WebhookMethod)[keyof typeof WebhookMethod];
const METHODS: readonly string[] = Object.values(WebhookMethod);

/** One request of a webhook; `url`, header keys and values and `payload` are templates. */
export interface WebhookRequest {
  readonly url: string;
  readonly method: WebhookMethod;
  readonly headers: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  /** Empty: no body. */
  readonly payload: string;
}

/** A template variable `.env.<name>` read from the key of a secret. */
export interface WebhookEnvFrom {
  readonly name: string;
  readonly secretName: string;
  readonly secretKey: string;
}

/** One webhook of the file. */
export interface Webhook {
  /** The event type, e.g. `sh.keptn.event.deployment.triggered` (informational; the subscription decides). */
  readonly type: string;
  readonly subscriptionID: string;
  /** @default true */
  readonly sendStarted: boolean;
  /** @default false */
  readonly sendFinished: boolean;
  readonly envFrom: readonly WebhookEnvFrom[];
  readonly requests: readonly WebhookRequest[];
}

/** A parsed `webhook.yaml`. */
export interface WebhookConfig {
  readonly webhooks: readonly Webhook[];
}

/** A `webhook.yaml` that cannot be used. */
export class WebhookConfigError extends ConfigFileError {
  constructor(line: number | undefined, reason: string) {
    super(ErrorCode.invalidWebhookConfig, undefined, line, reason);
  }
}

const WEBHOOK_KEYS = ['type', 'subscriptionID', 'sendStarted', 'sendFinished', 'envFrom', 'requests'];
const REQUEST_KEYS = ['url', 'method', 'headers', 'payload'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses `webhook.yaml` text; throws {@link WebhookConfigError} naming the field, the line and the fix. */
export function parseWebhookConfig(text: string): WebhookConfig {
  const { doc, lineOf } = parseLocatedYaml(text, (line, reason) => new WebhookConfigError(line, reason));
  const fail = (node: Node | null | undefined, reason: string): never => {
    throw new WebhookConfigError(lineOf(node), reason);
  };
  const root = doc.contents;
  if (!isMap(root)) return fail(root, `the document must be a mapping with apiVersion: ${WEBHOOK_API_VERSION}, kind and spec.webhooks`);

  const get = fieldNode;
  const keyNode = keyNodeOf;
  const string = (map: YAMLMap, key: string, field: string, fix: string): string => {
    const node = get(map, key);
    if (node === undefined) return fail(keyNode(map, key) ?? map, `${field} is missing: ${fix}`);
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '')
      return fail(node, `${field} must be a non-empty string: ${fix}`);
    return node.value;
  };
  const boolean = (map: YAMLMap, key: string, field: string, fallback: boolean): boolean => {
    const node = get(map, key);
    if (node === undefined) return fallback;
    if (!isScalar(node) || typeof node.value !== 'boolean') return fail(node, `${field} must be true or false`);
    return node.value;
  };
  const list = (map: YAMLMap, key: string, field: string, fix: string, required: boolean): readonly Node[] => {
    const node = get(map, key);
    if (node === undefined) return required ? fail(keyNode(map, key) ?? map, `${field} is missing: ${fix}`) : [];
    if (!isSeq(node)) return fail(node, `${field} must be a list: ${fix}`);
    if (required && node.items.length === 0) return fail(node, `${field} is empty: ${fix}`);
    return node.items as Node[];
  };
  const onlyKeys = (map: YAMLMap, known: readonly string[], field: string): void => {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (known.includes(key)) continue;
      if (key === 'options' && field.includes('requests['))
        fail(pair.key as Node, `${field}.options (curl options) is not supported: Shipmate sends requests without curl; remove it`);
      fail(pair.key as Node, `unknown key '${key}' in ${field}: use ${known.join(', ')}`);
    }
  };

  const versionNode = get(root, 'apiVersion');
  const apiVersion = versionNode && isScalar(versionNode) ? String(versionNode.value) : undefined;
  if (apiVersion === WEBHOOK_ALPHA_API_VERSION) {
    fail(
      versionNode,
      `apiVersion ${WEBHOOK_ALPHA_API_VERSION} (curl command strings) is not supported: convert the file to ${WEBHOOK_API_VERSION}, with each request as {url, method, headers, payload}`,
    );
  }
  if (apiVersion !== WEBHOOK_API_VERSION) {
    fail(
      versionNode ?? root,
      apiVersion === undefined
        ? `apiVersion is missing: set apiVersion: ${WEBHOOK_API_VERSION}`
        : `unsupported apiVersion '${apiVersion}': use ${WEBHOOK_API_VERSION}`,
    );
  }
  const spec = get(root, 'spec');
  if (spec === undefined || !isMap(spec)) return fail(spec ?? root, 'spec must be a mapping with webhooks: [...]');
  const webhookNodes = list(spec, 'webhooks', 'spec.webhooks', 'add at least one webhook with type, subscriptionID and requests', true);

  const webhooks = webhookNodes.map((node, w): Webhook => {
    const at = `spec.webhooks[${w}]`;
    if (!isMap(node)) return fail(node, `${at} must be a mapping with type, subscriptionID and requests`);
    onlyKeys(node, WEBHOOK_KEYS, at);
    const type = string(node, 'type', `${at}.type`, 'give the event type, e.g. type: sh.keptn.event.deployment.triggered');
    const subscriptionID = string(node, 'subscriptionID', `${at}.subscriptionID`, 'give the id of the webhook-service subscription');
    const names = new Set<string>();
    const envFrom = list(node, 'envFrom', `${at}.envFrom`, 'give [{name, secretRef: {name, key}}]', false).map(
      (item, e): WebhookEnvFrom => {
        const ef = `${at}.envFrom[${e}]`;
        if (!isMap(item)) return fail(item, `${ef} must be a mapping with name and secretRef: {name, key}`);
        onlyKeys(item, ['name', 'secretRef'], ef);
        const name = string(item, 'name', `${ef}.name`, 'give the name used as {{.env.<name>}}');
        if (!ENV_NAME.test(name))
          fail(get(item, 'name'), `${ef}.name '${name}' cannot be used as {{.env.${name}}}: use letters, digits and _`);
        if (names.has(name)) fail(get(item, 'name'), `${ef}.name '${name}' is given twice: give each variable once`);
        names.add(name);
        const ref = get(item, 'secretRef');
        if (ref === undefined || !isMap(ref)) return fail(ref ?? item, `${ef}.secretRef must be a mapping with name and key of a secret`);
        onlyKeys(ref, ['name', 'key'], `${ef}.secretRef`);
        return {
          name,
          secretName: string(ref, 'name', `${ef}.secretRef.name`, 'give the name of a secret of scope keptn-webhook-service'),
          secretKey: string(ref, 'key', `${ef}.secretRef.key`, 'give the key within the secret'),
        };
      },
    );
    const requests = list(node, 'requests', `${at}.requests`, 'add a request with url and method', true).map((item, r): WebhookRequest => {
      const rq = `${at}.requests[${r}]`;
      if (isScalar(item) && typeof item.value === 'string') {
        return fail(
          item,
          `${rq} is a curl command string (${WEBHOOK_ALPHA_API_VERSION}): write it as {url, method, headers, payload} (${WEBHOOK_API_VERSION})`,
        );
      }
      if (!isMap(item)) return fail(item, `${rq} must be a mapping with url and method`);
      onlyKeys(item, REQUEST_KEYS, rq);
      const url = string(item, 'url', `${rq}.url`, 'give the URL to call, e.g. url: https://example.com/hook');
      const method = string(item, 'method', `${rq}.method`, `give one of ${METHODS.join(', ')}`);
      if (!METHODS.includes(method))
        fail(get(item, 'method'), `${rq}.method '${method}' is not supported: use one of ${METHODS.join(', ')}`);
      const headers = list(item, 'headers', `${rq}.headers`, 'give [{key, value}]', false).map((header, h) => {
        const hd = `${rq}.headers[${h}]`;
        if (!isMap(header)) return fail(header, `${hd} must be a mapping with key and value`);
        onlyKeys(header, ['key', 'value'], hd);
        return {
          key: string(header, 'key', `${hd}.key`, 'give the header name, e.g. key: Content-Type'),
          value: string(header, 'value', `${hd}.value`, 'give the header value'),
        };
      });
      const payloadNode = get(item, 'payload');
      if (payloadNode !== undefined && (!isScalar(payloadNode) || typeof payloadNode.value !== 'string')) {
        fail(payloadNode, `${rq}.payload must be a string: quote a JSON body, e.g. payload: '{"project": "{{.data.project}}"}'`);
      }
      return {
        url,
        method: method as WebhookMethod,
        headers,
        payload: payloadNode === undefined ? '' : String((payloadNode as { value: unknown }).value),
      };
    });
    return {
      type,
      subscriptionID,
      sendStarted: boolean(node, 'sendStarted', `${at}.sendStarted`, true),
      sendFinished: boolean(node, 'sendFinished', `${at}.sendFinished`, false),
      envFrom,
      requests,
    };
  });
  return { webhooks };
}

/** The webhook of `config` for the subscription `subscriptionID`, if any (the first one, as Keptn). */
export function findWebhook(config: WebhookConfig, subscriptionID: string): Webhook | undefined {
  return config.webhooks.find((webhook) => webhook.subscriptionID === subscriptionID);
}
