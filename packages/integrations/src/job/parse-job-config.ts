/**
 * Parses `job/config.yaml` of Keptn's job-executor-service (JES 0.3.0, `apiVersion: v2`) into
 * typed actions. Pure: no I/O.
 *
 * JES parsed the file strictly (unknown keys are errors) and so does this parser, naming the line,
 * the field and the fix. It checks what JES only found out when a Job failed: an empty `cmd`, a
 * `valueFrom` other than event, secret or string, an event path or `jsonpath.property` that is not
 * a single-value JSONPath, an `events[].name` that is not a regular expression, a file path leaving
 * the working directory. The Kubernetes-only keys (`image`, `imagePullPolicy`, `resources`,
 * `namespace`, `ttlSecondsAfterFinished`, `securityContext`, `serviceAccount`, `annotations`) are
 * accepted and kept in {@link JobTask.kubernetes}; a plain host does not use them.
 */
import { ErrorCode } from '@shipmate/core';
import { isMap, isScalar, isSeq } from 'yaml';
import { ConfigFileError } from '../config-file/config-file-error.js';
import { fieldNode, keyNodeOf, parseLocatedYaml } from '../config-file/parse-located-yaml.js';
import type { Node, YAMLMap } from 'yaml';
import { EnvFormat, EventPathError, parseEventPath } from './event-path.js';
import type { EventPathSegment } from './event-path.js';

/** The only API version JES 0.3.0 accepts. */
export const JOB_CONFIG_API_VERSION = 'v2';
/** JES's default `maxPollDuration` (seconds). */
export const DEFAULT_MAX_POLL_DURATION_SECONDS = 300;

/** `events[].jsonpath`: the event matches when the value at `property` is the string `match`. */
export interface JobEventCondition {
  readonly property: string;
  readonly path: readonly EventPathSegment[];
  readonly match: string;
}

/** One entry of `actions[].events`. */
export interface JobEventFilter {
  /** As written: an unanchored regular expression on the event type. */
  readonly name: string;
  readonly pattern: RegExp;
  readonly jsonpath?: JobEventCondition;
}

/** One entry of `tasks[].env`. */
export type JobEnv =
  | {
      readonly valueFrom: 'event';
      readonly name: string;
      readonly value: string;
      readonly path: readonly EventPathSegment[];
      readonly as: EnvFormat;
    }
  | { readonly valueFrom: 'secret'; /** The secret; each of its keys becomes an env var. */ readonly name: string }
  | { readonly valueFrom: 'string'; readonly name: string; readonly value: string };

/** One task of an action: a command run to its end. */
export interface JobTask {
  readonly name: string;
  /** The container image; recorded for a Kubernetes runtime, not used on a plain host. */
  readonly image: string | undefined;
  readonly cmd: readonly string[];
  readonly args: readonly string[];
  readonly env: readonly JobEnv[];
  /** Service resources (files or directories) copied into the working directory, without a leading `/`. */
  readonly files: readonly string[];
  readonly workingDir: string | undefined;
  /** @default 300 */
  readonly maxPollDurationSeconds: number;
  /** The Kubernetes-only keys as written (see the module comment). */
  readonly kubernetes: Readonly<Record<string, unknown>>;
}

/** One action: run its tasks in order when one of its events matches. */
export interface JobAction {
  readonly name: string;
  readonly events: readonly JobEventFilter[];
  readonly tasks: readonly JobTask[];
  /** JES: send no `.finished`. @default false */
  readonly silent: boolean;
}

/** A parsed `job/config.yaml`. */
export interface JobConfig {
  readonly actions: readonly JobAction[];
}

/** A `job/config.yaml` that cannot be used. */
export class JobConfigError extends ConfigFileError {
  constructor(line: number | undefined, reason: string) {
    super(ErrorCode.invalidJobConfig, undefined, line, reason);
  }
}

const ACTION_KEYS = ['name', 'events', 'tasks', 'silent'];
const EVENT_KEYS = ['name', 'jsonpath'];
const KUBERNETES_KEYS = [
  'image',
  'imagePullPolicy',
  'resources',
  'namespace',
  'ttlSecondsAfterFinished',
  'securityContext',
  'serviceAccount',
  'annotations',
];
const TASK_KEYS = ['name', 'cmd', 'args', 'env', 'files', 'workingDir', 'maxPollDuration', ...KUBERNETES_KEYS];
const ENV_KEYS = ['name', 'value', 'valueFrom', 'as'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VALUE_FROM = ['event', 'secret', 'string'];

/** A YAML scalar as the string Go's yaml read into a string field (`3` → "3"); undefined for null and non-scalars. */
function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** Parses `job/config.yaml` text; throws {@link JobConfigError} naming the line, the field and the fix. */
export function parseJobConfig(text: string): JobConfig {
  const { doc, lineOf } = parseLocatedYaml(text, (line, reason) => new JobConfigError(line, reason));
  const fail = (node: Node | null | undefined, reason: string): never => {
    throw new JobConfigError(lineOf(node), reason);
  };
  const root = doc.contents;
  if (!isMap(root)) return fail(root, `the document must be a mapping with apiVersion: ${JOB_CONFIG_API_VERSION} and actions`);

  const get = fieldNode;
  const keyNode = keyNodeOf;
  const string = (map: YAMLMap, key: string, field: string, fix: string): string => {
    const node = get(map, key);
    if (node === undefined) return fail(keyNode(map, key) ?? map, `${field} is missing: ${fix}`);
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '')
      return fail(node, `${field} must be a non-empty string: ${fix}`);
    return node.value;
  };
  const optionalString = (map: YAMLMap, key: string, field: string, fix: string): string | undefined =>
    get(map, key) === undefined ? undefined : string(map, key, field, fix);
  const list = (map: YAMLMap, key: string, field: string, fix: string, required: boolean): readonly Node[] => {
    const node = get(map, key);
    if (node === undefined) return required ? fail(keyNode(map, key) ?? map, `${field} is missing: ${fix}`) : [];
    if (!isSeq(node)) return fail(node, `${field} must be a list: ${fix}`);
    if (required && node.items.length === 0) return fail(node, `${field} is empty: ${fix}`);
    return node.items as Node[];
  };
  /** A list of scalars as strings (YAML `- 3` is the argument "3", as Go's yaml read it into []string). */
  const words = (map: YAMLMap, key: string, field: string, fix: string, required: boolean): readonly string[] => {
    const node = get(map, key);
    if (node !== undefined && isScalar(node)) return fail(node, `${field} must be a list of strings, not one string: ${fix}`);
    return list(map, key, field, fix, required).map((item, i) => {
      const word = isScalar(item) ? scalarText(item.value) : undefined;
      if (word === undefined) return fail(item, `${field}[${i}] must be a string: ${fix}`);
      if (required && word.trim() === '') return fail(item, `${field}[${i}] is empty: ${fix}`);
      return word;
    });
  };
  const onlyKeys = (map: YAMLMap, known: readonly string[], field: string): void => {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!known.includes(key)) fail(pair.key as Node, `unknown key '${key}' in ${field}: use ${known.join(', ')}`);
    }
  };
  const jsonPath = (node: Node | undefined, value: string, field: string): readonly EventPathSegment[] => {
    try {
      return parseEventPath(value);
    } catch (error) {
      if (error instanceof EventPathError) return fail(node, `${field} ${error.message}`);
      throw error;
    }
  };

  onlyKeys(root, ['apiVersion', 'actions'], 'the document');
  const versionNode = get(root, 'apiVersion');
  const apiVersion = versionNode && isScalar(versionNode) ? String(versionNode.value) : undefined;
  if (apiVersion !== JOB_CONFIG_API_VERSION) {
    fail(
      versionNode ?? root,
      apiVersion === undefined
        ? `apiVersion is missing: add apiVersion: ${JOB_CONFIG_API_VERSION} at the top`
        : `apiVersion '${apiVersion}' is not supported: use apiVersion: ${JOB_CONFIG_API_VERSION} (JES 0.3.0's format)`,
    );
  }

  const actions = list(root, 'actions', 'actions', 'add at least one action with name, events and tasks', true).map(
    (node, a): JobAction => {
      const at = `actions[${a}]`;
      if (!isMap(node)) return fail(node, `${at} must be a mapping with name, events and tasks`);
      onlyKeys(node, ACTION_KEYS, at);
      const name = string(node, 'name', `${at}.name`, 'give the action a name, e.g. name: run-tests');
      const events = list(node, 'events', `${at}.events`, 'add an event, e.g. - name: sh.keptn.event.test.triggered', true).map(
        (item, e): JobEventFilter => {
          const ev = `${at}.events[${e}]`;
          if (!isMap(item)) return fail(item, `${ev} must be a mapping with name (and optionally jsonpath)`);
          onlyKeys(item, EVENT_KEYS, ev);
          const type = string(item, 'name', `${ev}.name`, 'give the event type, e.g. name: sh.keptn.event.test.triggered');
          let pattern: RegExp;
          try {
            pattern = new RegExp(type);
          } catch (error) {
            return fail(
              get(item, 'name'),
              `${ev}.name '${type}' is not a regular expression (${(error as Error).message}): escape special characters, e.g. sh\\.keptn\\.event\\.test\\.triggered`,
            );
          }
          const conditionNode = get(item, 'jsonpath');
          if (conditionNode === undefined) return { name: type, pattern };
          if (!isMap(conditionNode)) return fail(conditionNode, `${ev}.jsonpath must be a mapping with property and match`);
          onlyKeys(conditionNode, ['property', 'match'], `${ev}.jsonpath`);
          const property = string(
            conditionNode,
            'property',
            `${ev}.jsonpath.property`,
            'give a JSONPath, e.g. property: $.data.test.teststrategy',
          );
          const matchNode = get(conditionNode, 'match');
          const match = matchNode !== undefined && isScalar(matchNode) ? scalarText(matchNode.value) : undefined;
          if (match === undefined)
            return fail(
              matchNode ?? keyNode(conditionNode, 'match') ?? conditionNode,
              `${ev}.jsonpath.match must be a string: give the value to compare with, e.g. match: locust`,
            );
          return {
            name: type,
            pattern,
            jsonpath: {
              property,
              path: jsonPath(get(conditionNode, 'property'), property, `${ev}.jsonpath.property`),
              match,
            },
          };
        },
      );
      const tasks = list(node, 'tasks', `${at}.tasks`, 'add a task with name and cmd', true).map((item, t): JobTask => {
        const tk = `${at}.tasks[${t}]`;
        if (!isMap(item)) return fail(item, `${tk} must be a mapping with name and cmd`);
        onlyKeys(item, TASK_KEYS, tk);
        const taskName = string(item, 'name', `${tk}.name`, 'give the task a name, e.g. name: run-locust');
        const cmd = words(
          item,
          'cmd',
          `${tk}.cmd`,
          "give the program and its first arguments as a list, e.g. cmd: ['sh', '-c', 'echo hello']",
          true,
        );
        const args = words(item, 'args', `${tk}.args`, "give the arguments as a list, e.g. args: ['--verbose']", false);
        const names = new Set<string>();
        const env = list(item, 'env', `${tk}.env`, 'give [{name, value, valueFrom}]', false).map((entry, e): JobEnv => {
          const en = `${tk}.env[${e}]`;
          if (!isMap(entry)) return fail(entry, `${en} must be a mapping with name, value and valueFrom`);
          onlyKeys(entry, ENV_KEYS, en);
          const valueFrom = string(entry, 'valueFrom', `${en}.valueFrom`, `give one of ${VALUE_FROM.join(', ')}`);
          if (!VALUE_FROM.includes(valueFrom))
            fail(get(entry, 'valueFrom'), `${en}.valueFrom '${valueFrom}' is not supported: use one of ${VALUE_FROM.join(', ')}`);
          if (valueFrom === 'secret') {
            const secret = string(entry, 'name', `${en}.name`, 'give the name of the secret; each of its keys becomes an env var');
            if (get(entry, 'value') !== undefined)
              fail(
                get(entry, 'value'),
                `${en}.value is not used with valueFrom: secret (every key of secret '${secret}' becomes an env var): remove value`,
              );
            if (get(entry, 'as') !== undefined) fail(get(entry, 'as'), `${en}.as is only used with valueFrom: event: remove it`);
            return { valueFrom: 'secret', name: secret };
          }
          const name = string(entry, 'name', `${en}.name`, 'give the env var name, e.g. name: HOST');
          if (!ENV_NAME.test(name))
            fail(get(entry, 'name'), `${en}.name '${name}' is not an env var name: use letters, digits and _, not starting with a digit`);
          if (names.has(name)) fail(get(entry, 'name'), `${en}.name '${name}' is given twice: give each variable once`);
          names.add(name);
          if (valueFrom === 'string') {
            const valueNode = get(entry, 'value');
            if (valueNode !== undefined && (!isScalar(valueNode) || typeof valueNode.value === 'object'))
              fail(valueNode, `${en}.value must be a string: quote it, e.g. value: "3"`);
            if (get(entry, 'as') !== undefined) fail(get(entry, 'as'), `${en}.as is only used with valueFrom: event: remove it`);
            return { valueFrom: 'string', name, value: valueNode === undefined ? '' : String((valueNode as { value: unknown }).value) };
          }
          const value = string(
            entry,
            'value',
            `${en}.value`,
            'give a JSONPath into the event, e.g. value: $.data.deployment.deploymentURIsPublic[0]',
          );
          const path = jsonPath(get(entry, 'value'), value, `${en}.value`);
          const asNode = get(entry, 'as');
          let as: EnvFormat = EnvFormat.plain;
          if (asNode !== undefined) {
            const written = isScalar(asNode) ? String(asNode.value).toLowerCase() : '';
            if (written !== EnvFormat.json && written !== EnvFormat.yaml)
              return fail(asNode, `${en}.as must be json or yaml (or left out)`);
            as = written;
          }
          return { valueFrom: 'event', name, value, path, as };
        });
        const files = words(item, 'files', `${tk}.files`, "give service resources, e.g. files: ['locust/locustfile.py']", false).map(
          (file, f) => {
            const relative = file.replace(/^\/+/, '');
            const segments = relative.split('/');
            if (relative === '' || segments.includes('..'))
              fail(
                (get(item, 'files') as { items: Node[] }).items[f],
                `${tk}.files[${f}] '${file}' must name a resource of the service, without '..'`,
              );
            return relative.replace(/\/+$/, '');
          },
        );
        const pollNode = get(item, 'maxPollDuration');
        if (
          pollNode !== undefined &&
          (!isScalar(pollNode) || typeof pollNode.value !== 'number' || !Number.isInteger(pollNode.value) || pollNode.value < 1)
        )
          fail(pollNode, `${tk}.maxPollDuration must be a whole number of seconds from 1, e.g. maxPollDuration: 600`);
        const kubernetes: Record<string, unknown> = {};
        for (const key of KUBERNETES_KEYS) {
          const value = get(item, key);
          if (value !== undefined) kubernetes[key] = value.toJSON() as unknown;
        }
        return {
          name: taskName,
          image: optionalString(item, 'image', `${tk}.image`, 'give the container image, e.g. image: alpine:3.20'),
          cmd,
          args,
          env,
          files,
          workingDir: optionalString(item, 'workingDir', `${tk}.workingDir`, 'give a directory, e.g. workingDir: /keptn'),
          maxPollDurationSeconds: pollNode === undefined ? DEFAULT_MAX_POLL_DURATION_SECONDS : (pollNode as { value: number }).value,
          kubernetes: Object.freeze(kubernetes),
        };
      });
      const silentNode = get(node, 'silent');
      if (silentNode !== undefined && (!isScalar(silentNode) || typeof silentNode.value !== 'boolean'))
        fail(silentNode, `${at}.silent must be true or false`);
      return { name, events, tasks, silent: silentNode === undefined ? false : (silentNode as { value: boolean }).value };
    },
  );
  return { actions };
}
