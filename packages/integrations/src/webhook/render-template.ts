/**
 * The subset of Go templates Keptn's webhook-service configurations use: `{{.data.project}}`,
 * `{{ .id }}`, `{{.env.token}}`: a dotted path of field names into the event (plus `env`), with
 * optional spaces inside the braces. As with Keptn's `missingkey=error`, a key that is not there is
 * an error naming it. Anything else between `{{` and `}}` (`if`, `range`, pipes, functions, `-`
 * trim markers) is refused, so a configuration never half-works. Pure: no I/O.
 *
 * Values render as text: strings as they are, numbers and booleans as Go prints them, null as the
 * empty string, objects and arrays as JSON (Go printed `map[...]`, which nobody could use).
 */
import { ErrorCode, InputError } from '@shipmate/core';

/** A template that cannot be rendered: unsupported syntax, or a key the data does not have. */
export class TemplateError extends InputError {
  constructor(message: string) {
    super(ErrorCode.invalidWebhookConfig, message);
  }
}

const ACTION = /\{\{(.*?)\}\}/gs;
const PATH = /^\s*((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$/;

function render(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** The value at `.a.b.c` in `data`; throws {@link TemplateError} naming the key and `where`. */
function lookup(data: Readonly<Record<string, unknown>>, path: string, where: string): unknown {
  let current: unknown = data;
  let walked = '';
  for (const key of path.slice(1).split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) {
      const kind = Array.isArray(current) ? 'a list' : current === null ? 'null' : `a ${typeof current}`;
      throw new TemplateError(`template key '${path}' in ${where} cannot be read: '${walked}' is ${kind}, not an object`);
    }
    if (!Object.hasOwn(current, key)) throw new TemplateError(`unknown template key '${walked}.${key}' in ${where}`);
    current = (current as Record<string, unknown>)[key];
    walked += `.${key}`;
  }
  return current;
}

/**
 * Renders `template` over `data` (the event, with `env` added). `where` names the field in messages,
 * e.g. `requests[0].url`. Throws {@link TemplateError}.
 */
export function renderTemplate(template: string, data: Readonly<Record<string, unknown>>, where: string): string {
  const open = template.indexOf('{{');
  if (open < 0) return template;
  let out = '';
  let last = 0;
  for (const match of template.matchAll(ACTION)) {
    const action = match[1]!;
    if (action.includes('{{')) break; // an unclosed `{{` before this one: reported below
    const path = PATH.exec(action)?.[1];
    if (path === undefined) {
      throw new TemplateError(
        `unsupported template '{{${action}}}' in ${where}: only field paths such as '{{.data.project}}' or '{{.env.token}}' are supported (no if, range, pipes or functions)`,
      );
    }
    out += template.slice(last, match.index) + render(lookup(data, path, where));
    last = match.index + match[0].length;
  }
  const rest = template.slice(last);
  const unclosed = rest.indexOf('{{');
  if (unclosed >= 0) {
    throw new TemplateError(`unclosed '{{' in ${where} at character ${last + unclosed + 1}: close it with '}}'`);
  }
  return out + rest;
}
