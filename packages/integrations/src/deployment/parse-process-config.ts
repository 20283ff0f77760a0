/**
 * Parses `deployment/process.yaml`, how the process runtime starts a version of a service on this
 * host. Pure: no I/O.
 *
 *   command: [node, server.js, --version, $IMAGE]   # or a string, split like a shell would but run without one
 *   workingDir: .                                   # relative to the plane's deploy dir
 *   env: {GREETING: hello}
 *   portEnv: PORT                                   # the runtime puts each version's free port here
 *   healthCheck: {path: /health, timeoutSeconds: 30}
 *
 * It fails closed: unknown keys, an empty command, shell syntax in a command string and values of
 * the wrong type throw a {@link ProcessConfigError} naming the file, the line, the field and the fix.
 */
import { ErrorCode } from '@shipmate/core';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import { ConfigFileError } from '../config-file/config-file-error.js';
import { fieldNode, parseLocatedYaml } from '../config-file/parse-located-yaml.js';

/** Where the process runtime reads the file (service, then stage, then project level). */
export const PROCESS_CONFIG_URI = 'deployment/process.yaml';

/** Health check defaults: without `path` the runtime waits until the port accepts connections. */
export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 30;
/** The variable the port goes into unless `portEnv` says otherwise. */
export const DEFAULT_PORT_ENV = 'PORT';

/** How to know a started version is ready. */
export interface HealthCheck {
  /** `GET <path>` must answer 2xx or 3xx; undefined: the port must accept a TCP connection. */
  readonly path: string | undefined;
  readonly timeoutSeconds: number;
}

/** A parsed `deployment/process.yaml`. `$IMAGE` / `${IMAGE}` are still in place. */
export interface ProcessConfig {
  /** Program and arguments (never run through a shell). */
  readonly command: readonly string[];
  /** Relative to the plane's deploy dir, or absolute. */
  readonly workingDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly portEnv: string;
  readonly healthCheck: HealthCheck;
}

/** A `deployment/process.yaml` that cannot be used. */
export class ProcessConfigError extends ConfigFileError {
  constructor(where: string, line: number | undefined, reason: string) {
    super(ErrorCode.invalidProcessConfig, where, line, reason);
  }
}

const KEYS = ['command', 'workingDir', 'env', 'portEnv', 'healthCheck'] as const;
const HEALTH_KEYS = ['path', 'timeoutSeconds'] as const;
const EXAMPLE = "e.g. 'command: [node, server.js, --version, $IMAGE]'";
const SHELL_OPERATORS = new Set(['|', '||', '&', '&&', ';', '>', '>>', '<', '<<', '2>', '2>&1', '$(', '`']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Splits a command string into words as a shell would for plain words and quotes (`'…'` literal,
 * `"…"` with `\"` and `\\`), without running one; throws with the reason when it cannot.
 */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`the quote ' at character ${i + 1} is not closed`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j += 1) {
        if (text[j] === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) j += 1;
        word += text[j];
      }
      if (j >= text.length) throw new Error(`the quote " at character ${i + 1} is not closed`);
      inWord = true;
      i = j;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Parses the file's text; `where` starts every message (e.g. `deployment/process.yaml at service level`). */
export function parseProcessConfig(text: string, where: string = PROCESS_CONFIG_URI): ProcessConfig {
  const { doc, lineOf } = parseLocatedYaml(text, (line, reason) => new ProcessConfigError(where, line, reason));
  const fail = (node: Node | null | undefined, reason: string): never => {
    throw new ProcessConfigError(where, lineOf(node), reason);
  };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null))
    return fail(root, `the file is empty; write at least the command that starts the service, ${EXAMPLE}`);
  if (!isMap(root))
    return fail(root, `the document must be a mapping with command (and optionally ${KEYS.slice(1).join(', ')}), ${EXAMPLE}`);

  const checkKeys = (map: YAMLMap, allowed: readonly string[], prefix: string): void => {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!allowed.includes(key)) {
        const near = allowed.find((name) => name.toLowerCase() === key.toLowerCase());
        fail(
          pair.key as Node,
          `unknown field '${prefix}${key}'${near ? `: did you mean '${prefix}${near}'?` : ''}; the fields are ${allowed.map((k) => prefix + k).join(', ')}`,
        );
      }
    }
  };
  const get = fieldNode;
  const scalarText = (node: Node, what: string, fix: string): string => {
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number' || typeof node.value === 'boolean'))
      return String(node.value);
    return fail(node, `${what} must be a string; ${fix}`);
  };

  checkKeys(root, KEYS, '');

  const commandNode = get(root, 'command');
  if (commandNode === undefined) return fail(root, `command is missing; add the program that starts the service, ${EXAMPLE}`);
  let command: string[];
  if (isSeq(commandNode)) {
    command = commandNode.items.map((item, i) => scalarText(item as Node, `command[${i}]`, `quote it, e.g. '"--port"'`));
  } else {
    const text = scalarText(commandNode, 'command', `give a list of words or one string, ${EXAMPLE}`);
    try {
      command = splitCommand(text);
    } catch (error) {
      return fail(
        commandNode,
        `command cannot be split into words: ${(error as Error).message}; close the quote or give a list, ${EXAMPLE}`,
      );
    }
    const operator = command.find((w) => SHELL_OPERATORS.has(w) || w.startsWith('$('));
    if (operator !== undefined)
      return fail(
        commandNode,
        `command contains '${operator}', but it runs without a shell; put the pipeline in a script and run that, e.g. 'command: [sh, start.sh, $IMAGE]'`,
      );
  }
  if (command.length === 0 || command[0] === '')
    return fail(commandNode, `command is empty; give the program and its arguments, ${EXAMPLE}`);

  const workingDirNode = get(root, 'workingDir');
  const workingDir = workingDirNode === undefined ? '.' : scalarText(workingDirNode, 'workingDir', "e.g. 'workingDir: services/carts'");
  if (workingDir === '')
    return fail(workingDirNode, "workingDir is empty; leave it out for the deploy dir or give a path, e.g. 'workingDir: .'");

  const env: Record<string, string> = {};
  const envNode = get(root, 'env');
  if (envNode !== undefined) {
    if (!isMap(envNode)) return fail(envNode, "env must be a mapping of names to values, e.g. 'env: {GREETING: hello}'");
    for (const pair of envNode.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!ENV_NAME.test(name))
        fail(pair.key as Node, `env name '${name}' is not a variable name; use letters, digits and _, e.g. GREETING`);
      const value = pair.value as Node | null;
      if (value === null || (isScalar(value) && value.value === null))
        return fail(pair.key as Node, `env.${name} has no value; give one, e.g. '${name}: "1"', or remove it`);
      env[name] = scalarText(value, `env.${name}`, `quote it, e.g. '${name}: "value"'`);
    }
  }

  const portEnvNode = get(root, 'portEnv');
  const portEnv = portEnvNode === undefined ? DEFAULT_PORT_ENV : scalarText(portEnvNode, 'portEnv', "e.g. 'portEnv: PORT'");
  if (!ENV_NAME.test(portEnv))
    return fail(
      portEnvNode,
      `portEnv '${portEnv}' is not a variable name; give the variable your service reads its port from, e.g. 'portEnv: PORT'`,
    );
  if (portEnv in env)
    return fail(portEnvNode ?? envNode, `env.${portEnv} is set, but the runtime puts the port in ${portEnv}; remove env.${portEnv}`);

  let healthCheck: HealthCheck = { path: undefined, timeoutSeconds: DEFAULT_HEALTH_TIMEOUT_SECONDS };
  const healthNode = get(root, 'healthCheck');
  if (healthNode !== undefined) {
    if (!isMap(healthNode))
      return fail(healthNode, "healthCheck must be a mapping, e.g. 'healthCheck: {path: /health, timeoutSeconds: 30}'");
    checkKeys(healthNode, HEALTH_KEYS, 'healthCheck.');
    const pathNode = get(healthNode, 'path');
    const path = pathNode === undefined ? undefined : scalarText(pathNode, 'healthCheck.path', "e.g. 'path: /health'");
    if (path !== undefined && !path.startsWith('/'))
      return fail(pathNode, `healthCheck.path '${path}' must start with '/', e.g. 'path: /health'`);
    const timeoutNode = get(healthNode, 'timeoutSeconds');
    let timeoutSeconds = DEFAULT_HEALTH_TIMEOUT_SECONDS;
    if (timeoutNode !== undefined) {
      const value = isScalar(timeoutNode) ? timeoutNode.value : undefined;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 3600)
        return fail(timeoutNode, 'healthCheck.timeoutSeconds must be a number of seconds from 1 to 3600, e.g. 30');
      timeoutSeconds = value;
    }
    healthCheck = { path, timeoutSeconds };
  }

  return Object.freeze({
    command: Object.freeze(command),
    workingDir,
    env: Object.freeze(env),
    portEnv,
    healthCheck: Object.freeze(healthCheck),
  });
}
