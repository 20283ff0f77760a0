import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import { TemplateError, renderTemplate } from './render-template.js';

const EVENT = {
  id: 'e-1',
  shkeptncontext: 'ctx-1',
  type: 'sh.keptn.event.notify.triggered',
  data: {
    project: 'shop',
    stage: 'dev',
    count: 3,
    ok: true,
    nothing: null,
    deployment: { deploymentURIsPublic: ['http://a', 'http://b'] },
    labels: { team: 'blue' },
  },
  env: { token: 's3cr3t' },
};

describe('renderTemplate', () => {
  // [template, rendered]
  const table: Array<[string, string]> = [
    ['no actions', 'no actions'],
    ['https://x/{{.data.project}}', 'https://x/shop'],
    ['{{ .data.project }}/{{.data.stage}}', 'shop/dev'],
    ['{{.id}} {{.shkeptncontext}}', 'e-1 ctx-1'],
    ['Bearer {{.env.token}}', 'Bearer s3cr3t'],
    ['{{.data.count}} {{.data.ok}}', '3 true'],
    ['[{{.data.nothing}}]', '[]'],
    ['{{.data.deployment.deploymentURIsPublic}}', '["http://a","http://b"]'],
    ['{{.data.labels}}', '{"team":"blue"}'],
    ['{"ctx":"{{.shkeptncontext}}"}', '{"ctx":"ctx-1"}'],
    ['a }} b', 'a }} b'],
    ['{{\n.data.project\n}}', 'shop'],
  ];
  it.each(table)('%j → %j', (template, rendered) => {
    expect(renderTemplate(template, EVENT, 'requests[0].url')).toBe(rendered);
  });

  // [template, message]
  const bad: Array<[string, string]> = [
    ['{{.data.nope}}', "unknown template key '.data.nope' in requests[0].url"],
    ['{{.nope.deeper}}', "unknown template key '.nope' in requests[0].url"],
    ['{{.env.missing}}', "unknown template key '.env.missing' in requests[0].url"],
    [
      '{{.data.project.name}}',
      "template key '.data.project.name' in requests[0].url cannot be read: '.data.project' is a string, not an object",
    ],
    ['{{.data.deployment.deploymentURIsPublic.x}}', "'.data.deployment.deploymentURIsPublic' is a list, not an object"],
    ['{{if .data.project}}x{{end}}', "unsupported template '{{if .data.project}}' in requests[0].url: only field paths"],
    ['{{.data.project | upper}}', 'unsupported template'],
    ['{{- .data.project}}', 'unsupported template'],
    ['{{.}}', 'unsupported template'],
    ['{{index .data "project"}}', 'unsupported template'],
    ['{{.data.project', "unclosed '{{' in requests[0].url at character 1: close it with '}}'"],
    ['x {{ {{.id}}', "unclosed '{{' in requests[0].url at character 3"],
  ];
  it.each(bad)('%j is refused: %s', (template, message) => {
    let caught: unknown;
    try {
      renderTemplate(template, EVENT, 'requests[0].url');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).code).toBe(ErrorCode.invalidWebhookConfig);
    expect((caught as Error).message).toContain(message);
  });

  it('does not read inherited properties as keys', () => {
    expect(() => renderTemplate('{{.data.constructor}}', EVENT, 'payload')).toThrow("unknown template key '.data.constructor' in payload");
  });
});
