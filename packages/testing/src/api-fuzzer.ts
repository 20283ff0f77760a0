/**
 * A seeded fuzzer over every operation of an OpenAPI 3 document: for each request it picks an
 * operation, fills path and query parameters and the JSON body from their schemas, and then bends
 * some of them: wrong types, empty and huge strings, path tricks, deep nesting, unknown fields,
 * broken JSON, missing or wrong tokens. The same seed gives the same requests, so a failure found
 * in CI can be replayed (`seed` is printed with every finding).
 *
 * It judges nothing itself: it returns every request with the status it got, and the caller
 * asserts (no 5xx, server alive). Known values (an existing project, stage, service, context)
 * are mixed in so that requests reach past the "not found" answers into the code behind them.
 */

/** A JSON Schema as found in an OpenAPI 3.0 document (the parts the fuzzer reads). */
export interface FuzzSchema {
  type?: string | string[];
  properties?: Record<string, FuzzSchema>;
  required?: string[];
  items?: FuzzSchema;
  enum?: unknown[];
  oneOf?: FuzzSchema[];
  anyOf?: FuzzSchema[];
  allOf?: FuzzSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  nullable?: boolean;
  additionalProperties?: boolean | FuzzSchema;
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: FuzzSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: FuzzSchema }> };
}

/** The parts of an OpenAPI document the fuzzer reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** One generated request. */
export interface FuzzRequest {
  readonly method: string;
  /** The operation's path template, e.g. `/api/controlPlane/v1/project/{project}`. */
  readonly operation: string;
  /** Path and query, encoded. */
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** A request and what came back. */
export interface FuzzResult {
  readonly request: FuzzRequest;
  readonly status: number;
  readonly responseText: string;
}

/** Settings of {@link fuzzApi}. */
export interface FuzzOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly document: OpenApiDocument;
  readonly seed: number;
  readonly requests: number;
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Values that exist on the server, by parameter or field name (`project`, `stage`, …). */
  readonly known?: Readonly<Record<string, readonly string[]>>;
  /** Per-parameter value overrides (e.g. keep `waitMs` short so long polls do not park). */
  readonly fixed?: Readonly<Record<string, () => string>>;
  /** Largest body sent, in bytes. @default 60000 */
  readonly maxBodyBytes?: number;
}

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strings that have broken parsers, path handling and storage before. */
const NASTY_STRINGS = [
  '',
  ' ',
  '.',
  '..',
  '../../etc/passwd',
  '..%2f..%2fetc',
  '/',
  '//',
  '%',
  '%00',
  '\u0000',
  'a\u0000b',
  '\n',
  '\r\n',
  '\t',
  '\\',
  '"',
  "'",
  '`',
  '{}',
  '[]',
  'null',
  'true',
  '-1',
  '0',
  '1e309',
  'NaN',
  '9999999999999999999999',
  '__proto__',
  'constructor',
  'prototype',
  'ü',
  '日本語',
  '🚀',
  '\ud800',
  'A'.repeat(256),
  'a'.repeat(300),
  'x'.repeat(5000),
  'dev',
  'DEV',
  'sh.keptn.event.dev.delivery.triggered',
  'sh.keptn.event..triggered',
  'sh.keptn.event.a.b.c.d.e.f.triggered',
  'sh.keptn.event.deployment.triggered',
  '2024-01-01T00:00:00.000Z',
  '2024-13-45T99:99:99Z',
  '00000000-0000-0000-0000-000000000000',
  'master',
  'HEAD',
  'refs/heads/master',
  '-rf',
  '--upload-pack=touch /tmp/x',
  'file:///etc',
  'http://127.0.0.1:1/',
  'a/b/c',
  'a b',
  '<script>',
  '$(id)',
  '; ls',
  'helm/carts.tgz',
  'shipyard.yaml',
  '.git/config',
];

const NASTY_NUMBERS = [-1, 0, 1, -2147483649, 2147483648, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 0.5, 1e-300];

/** `text` with lone surrogates replaced (they cannot be percent-encoded as UTF-8). */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Marks where {@link deepen} puts a deeply nested array into a JSON text. */
const DEEP_MARKER = /"@@deep:(\d+)@@"/g;

/** Replaces every deep marker in a JSON text by an array nested that many levels. */
function deepen(json: string): string {
  return json.replace(DEEP_MARKER, (_whole, depth: string) => nestedText(Number(depth)));
}

/** A deeply nested array, `depth` levels (as text, so building it cannot overflow the stack). */
function nestedText(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** Generates request parts from schemas with a seeded random source. */
class Generator {
  /** While true, values conform to their schemas and names prefer known values (reaches deeper code). */
  gentle = false;
  /** While false, known values are not used (so that a DELETE does not remove them early in the run). */
  useKnown = true;

  constructor(
    readonly random: () => number,
    private readonly known: Readonly<Record<string, readonly string[]>>,
  ) {}

  chance(p: number): boolean {
    return this.random() < p;
  }

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A string for the field or parameter `name`: known, nasty or random. */
  string(name: string, schema: FuzzSchema = {}): string {
    const known = this.useKnown ? this.known[name] : undefined;
    if (known && known.length > 0 && this.chance(this.gentle ? 0.9 : 0.5)) return this.pick(known);
    if (schema.enum && schema.enum.length > 0 && this.chance(this.gentle ? 0.95 : 0.5)) return String(this.pick(schema.enum));
    if (!this.gentle && this.chance(0.4)) return this.pick(NASTY_STRINGS);
    const length = this.int(this.chance(0.1) ? 400 : 20);
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCharCode(this.chance(0.9) ? 97 + this.int(26) : 32 + this.int(0x2fff));
    return text;
  }

  /** A value for `schema`, conforming most of the time and broken some of the time. */
  value(name: string, schema: FuzzSchema | undefined, depth: number): unknown {
    if (!schema || depth > 6) return this.anything(name, depth);
    if (!this.gentle && this.chance(0.12)) return this.anything(name, depth);
    const choices = schema.oneOf ?? schema.anyOf;
    if (choices && choices.length > 0) return this.value(name, this.pick(choices), depth);
    if (schema.allOf && schema.allOf.length > 0) return this.value(name, Object.assign({}, ...schema.allOf) as FuzzSchema, depth);
    if (schema.enum && schema.enum.length > 0 && this.chance(0.7)) return this.pick(schema.enum);
    const type = Array.isArray(schema.type) ? this.pick(schema.type) : (schema.type ?? (schema.properties ? 'object' : undefined));
    switch (type) {
      case 'object':
        return this.object(schema, depth);
      case 'array': {
        const length = this.chance(0.05) ? 200 : this.int(4);
        return Array.from({ length }, () => this.value(name, schema.items, depth + 1));
      }
      case 'string':
        return this.string(name, schema);
      case 'integer':
      case 'number':
        if (!this.gentle && this.chance(0.5)) return this.pick(NASTY_NUMBERS);
        return Math.floor((schema.minimum ?? 0) + this.random() * Math.min(1000, (schema.maximum ?? 1000) - (schema.minimum ?? 0) + 1));
      case 'boolean':
        return this.chance(0.5);
      case 'null':
        return null;
      default:
        return this.anything(name, depth);
    }
  }

  object(schema: FuzzSchema, depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const required = new Set(schema.required ?? []);
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      const keep = required.has(key) ? this.gentle || this.chance(0.93) : this.chance(0.6);
      if (keep) result[key] = this.value(key, property, depth + 1);
    }
    if (this.gentle) return result;
    if (this.chance(0.1)) result[this.string('field')] = this.anything('extra', depth + 1);
    // Now and then a field nested hundreds or thousands of levels deep, beside valid ones.
    if (this.chance(0.04)) result[this.pick(['x', 'labels', 'data', 'nested'])] = `@@deep:${50 + this.int(6000)}@@`;
    return result;
  }

  /** Any JSON value, of any type. */
  anything(name: string, depth: number): unknown {
    switch (this.int(depth > 4 ? 5 : 7)) {
      case 0:
        return this.string(name);
      case 1:
        return this.pick(NASTY_NUMBERS);
      case 2:
        return this.chance(0.5);
      case 3:
        return null;
      case 4:
        return this.string(name).slice(0, 10);
      case 5:
        return Array.from({ length: this.int(3) }, () => this.anything(name, depth + 1));
      default:
        return { [this.string('key').slice(0, 20)]: this.anything(name, depth + 1) };
    }
  }
}

/** One request for one operation. */
function buildRequest(generator: Generator, options: FuzzOptions, path: string, method: string, operation: OpenApiOperation): FuzzRequest {
  const parameters = operation.parameters ?? [];
  let url = path.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const fixed = options.fixed?.[name];
    const schema = parameters.find((parameter) => parameter.in === 'path' && parameter.name === name)?.schema;
    // A lone surrogate cannot be percent-encoded as UTF-8; URLs carry its replacement character.
    return encodeURIComponent(wellFormed(fixed && generator.chance(0.9) ? fixed() : generator.string(name, schema)));
  });
  const query = new URLSearchParams();
  for (const parameter of parameters.filter((p) => p.in === 'query')) {
    if (!generator.chance(parameter.required ? 0.95 : 0.4)) continue;
    const fixed = options.fixed?.[parameter.name];
    const value = fixed && generator.chance(0.95) ? fixed() : generator.value(parameter.name, parameter.schema, 0);
    query.append(parameter.name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  if (query.size > 0) url += `?${query.toString()}`;

  const headers: Record<string, string> = {};
  const tokenRoll = generator.gentle ? 1 : generator.random();
  if (tokenRoll > 0.04) headers['x-token'] = options.token;
  else if (tokenRoll > 0.02) headers['x-token'] = generator.string('token').replace(/[^\x21-\x7e]/g, '') || 'wrong';

  const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
  const maxBodyBytes = options.maxBodyBytes ?? 60_000;
  let body: string | undefined;
  if (bodySchema || method === 'post' || method === 'put') {
    headers['content-type'] = !generator.gentle && generator.chance(0.03) ? 'text/plain' : 'application/json';
    const roll = generator.gentle ? 1 : generator.random();
    if (roll < 0.03) body = '{"unterminated": ';
    else if (roll < 0.05) body = '';
    else if (roll < 0.07) body = nestedText(1000 + generator.int(9000));
    else if (roll < 0.09) body = `{"data":${nestedText(100 + generator.int(5000))}}`;
    else if (roll < 0.11) body = JSON.stringify(generator.anything('body', 0));
    else body = deepen(JSON.stringify(generator.value('body', bodySchema, 0)) ?? 'null');
    if (Buffer.byteLength(body) > maxBodyBytes) body = body.slice(0, maxBodyBytes / 4);
  }
  return { method: method.toUpperCase(), operation: path, url, headers, ...(body === undefined ? {} : { body }) };
}

/** Every operation of the document, as [path, method, operation]. */
function operationsOf(document: OpenApiDocument): [string, string, OpenApiOperation][] {
  const operations: [string, string, OpenApiOperation][] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (['get', 'put', 'post', 'delete', 'patch'].includes(method)) operations.push([path, method, operation]);
    }
  }
  return operations;
}

/**
 * Sends `requests` generated requests (every operation at least once, round-robin, then at
 * random) and resolves with each result. A request that gets no answer is recorded with status 0.
 */
export async function fuzzApi(options: FuzzOptions): Promise<FuzzResult[]> {
  const random = seededRandom(options.seed);
  const generator = new Generator(random, options.known ?? {});
  const operations = operationsOf(options.document);
  if (operations.length === 0) throw new Error('the OpenAPI document has no operations');
  const planned: FuzzRequest[] = [];
  for (let i = 0; i < options.requests; i++) {
    const [path, method, operation] = i < operations.length * 3 ? operations[i % operations.length]! : generator.pick(operations);
    // Two requests in five stay close to the schema; deletes reach known objects only in the last tenth of the run.
    generator.gentle = generator.chance(0.4);
    generator.useKnown = method !== 'delete' || i >= options.requests * 0.9;
    planned.push(buildRequest(generator, options, path, method, operation));
  }
  const results: FuzzResult[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < planned.length) {
      const request = planned[next++]!;
      results.push(await send(options.baseUrl, request));
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return results;
}

async function send(baseUrl: string, request: FuzzRequest): Promise<FuzzResult> {
  try {
    const response = await fetch(`${baseUrl}${request.url}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(30_000),
    });
    return { request, status: response.status, responseText: await firstText(response, 500) };
  } catch (error) {
    return { request, status: 0, responseText: String(error) };
  }
}

/** The first `limit` characters of a body; an event stream (which never ends) is cancelled after its first chunk. */
async function firstText(response: Response, limit: number): Promise<string> {
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream') || !response.body) {
    return (await response.text()).slice(0, limit);
  }
  const reader = response.body.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(value).slice(0, limit);
}
