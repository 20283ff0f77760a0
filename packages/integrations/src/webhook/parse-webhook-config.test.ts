import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import { WebhookConfigError, findWebhook, parseWebhookConfig } from './parse-webhook-config.js';

const GOOD = `apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
metadata:
  name: webhook-configuration
spec:
  webhooks:
    - type: sh.keptn.event.notify.triggered
      subscriptionID: sub-1
      sendFinished: true
      envFrom:
        - name: token
          secretRef: {name: hook-secret, key: token}
      requests:
        - url: https://example.com/{{.data.project}}
          method: POST
          headers:
            - {key: Authorization, value: "Bearer {{.env.token}}"}
          payload: '{"ctx": "{{.shkeptncontext}}"}'
        - url: https://example.com/ping
          method: GET
    - type: sh.keptn.event.notify.triggered
      subscriptionID: sub-2
      sendStarted: false
      requests:
        - {url: "https://example.com/two", method: PUT}
`;

/** GOOD with the text of line `line` (1-based) replaced. */
function withLine(line: number, text: string): string {
  const lines = GOOD.split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

function refusal(text: string): string {
  try {
    parseWebhookConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookConfigError);
    expect((error as WebhookConfigError).code).toBe(ErrorCode.invalidWebhookConfig);
    return (error as Error).message;
  }
  throw new Error('parsed without a refusal');
}

describe('parseWebhookConfig', () => {
  it("reads webhooks with Keptn's defaults (sendStarted true, sendFinished false)", () => {
    const config = parseWebhookConfig(GOOD);
    expect(config.webhooks).toHaveLength(2);
    expect(findWebhook(config, 'sub-1')).toEqual({
      type: 'sh.keptn.event.notify.triggered',
      subscriptionID: 'sub-1',
      sendStarted: true,
      sendFinished: true,
      envFrom: [{ name: 'token', secretName: 'hook-secret', secretKey: 'token' }],
      requests: [
        {
          url: 'https://example.com/{{.data.project}}',
          method: 'POST',
          headers: [{ key: 'Authorization', value: 'Bearer {{.env.token}}' }],
          payload: '{"ctx": "{{.shkeptncontext}}"}',
        },
        { url: 'https://example.com/ping', method: 'GET', headers: [], payload: '' },
      ],
    });
    expect(findWebhook(config, 'sub-2')).toMatchObject({ sendStarted: false, sendFinished: false, envFrom: [] });
    expect(findWebhook(config, 'sub-3')).toBeUndefined();
  });

  // [input, what the message says]
  const bad: Array<[string, string, string]> = [
    ['not YAML', 'spec:\n  webhooks: [\n', 'line 3: not valid YAML'],
    ['not a mapping', '- a\n- b\n', 'line 1: the document must be a mapping'],
    ['no apiVersion', GOOD.replace(/^apiVersion.*\n/, ''), 'apiVersion is missing: set apiVersion: webhookconfig.keptn.sh/v1beta1'],
    ['other apiVersion', GOOD.replace('v1beta1', 'v2'), "line 1: unsupported apiVersion 'webhookconfig.keptn.sh/v2'"],
    [
      'v1alpha1',
      GOOD.replace('v1beta1', 'v1alpha1'),
      'line 1: apiVersion webhookconfig.keptn.sh/v1alpha1 (curl command strings) is not supported: convert the file to webhookconfig.keptn.sh/v1beta1',
    ],
    [
      'curl string request',
      withLine(25, '        - "curl -X POST https://example.com"'),
      'line 25: spec.webhooks[1].requests[0] is a curl command string',
    ],
    ['no spec', 'apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\n', 'spec must be a mapping'],
    ['no webhooks', 'apiVersion: webhookconfig.keptn.sh/v1beta1\nspec:\n  webhooks: []\n', 'line 3: spec.webhooks is empty'],
    [
      'missing url',
      withLine(14, '        - payload: x').replace('          payload: \'{"ctx": "{{.shkeptncontext}}"}\'\n', ''),
      'line 14: spec.webhooks[0].requests[0].url is missing: give the URL to call',
    ],
    ['empty url', withLine(14, '        - url: ""'), 'line 14: spec.webhooks[0].requests[0].url must be a non-empty string'],
    ['missing method', withLine(20, ''), 'line 19: spec.webhooks[0].requests[1].method is missing: give one of GET, POST, PUT, HEAD'],
    [
      'unknown method',
      withLine(15, '          method: DELETE'),
      "line 15: spec.webhooks[0].requests[0].method 'DELETE' is not supported: use one of GET, POST, PUT, HEAD",
    ],
    ['lower-case method', withLine(15, '          method: post'), "method 'post' is not supported"],
    [
      'missing type',
      withLine(7, '    - subscriptionID: sub-1').replace('      subscriptionID: sub-1\n', ''),
      'spec.webhooks[0].type is missing',
    ],
    ['missing subscriptionID', withLine(8, ''), 'line 7: spec.webhooks[0].subscriptionID is missing'],
    ['no requests', withLine(25, '').replace('      requests:\n\n', '      requests: []\n'), 'spec.webhooks[1].requests is empty'],
    [
      'empty header value',
      withLine(17, '            - {key: Authorization, value: ""}'),
      'line 17: spec.webhooks[0].requests[0].headers[0].value must be a non-empty string',
    ],
    [
      'typo key',
      withLine(16, '          header:'),
      "line 16: unknown key 'header' in spec.webhooks[0].requests[0]: use url, method, headers, payload",
    ],
    [
      'curl options',
      withLine(18, '          options: --insecure'),
      'line 18: spec.webhooks[0].requests[0].options (curl options) is not supported',
    ],
    ['payload object', withLine(18, '          payload: {a: 1}'), 'line 18: spec.webhooks[0].requests[0].payload must be a string'],
    ['sendFinished string', withLine(9, '      sendFinished: "yes"'), 'line 9: spec.webhooks[0].sendFinished must be true or false'],
    [
      'env name with dash',
      withLine(11, '        - name: my-token'),
      "line 11: spec.webhooks[0].envFrom[0].name 'my-token' cannot be used as {{.env.my-token}}",
    ],
    [
      'secretRef without key',
      withLine(12, '          secretRef: {name: hook-secret}'),
      'line 12: spec.webhooks[0].envFrom[0].secretRef.key is missing',
    ],
    ['duplicate key', withLine(9, '      type: other'), 'line 9: not valid YAML: Map keys must be unique'],
  ];
  it.each(bad)('refuses %s', (_name, text, message) => {
    expect(refusal(text)).toContain(message);
  });
});
