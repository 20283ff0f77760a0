/**
 * Shipyard parsing and lookups. The structural rules mirror Keptn's shipyard JSON schema
 * (required fields, no unknown fields except inside task `properties`); on top of that come the
 * checks Keptn's shipyard-controller makes on project create (apiVersion >= 0.2, at least one
 * stage, valid stage names) and checks that turn Keptn's silent runtime dead ends into parse
 * errors (empty sequences, dotted names, malformed `triggeredOn`, selector `failed`, bad durations).
 *
 * Deliberate differences from the schema, for compatibility with shipyards Keptn accepts:
 * - `sequences` may be missing or empty: Keptn's docs show stages without sequences, and such a
 *   stage still runs the implicit `evaluation` sequence (see {@link findSequence}).
 * - An optional field written as YAML null (`properties:`) counts as absent, as in Go's decoder.
 * - A plain number or boolean where a string is expected is read as its source text
 *   (`apiVersion: 0.2` is `"0.2"`), as Go's YAML decoder does for string fields.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { InputError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';
import { TaskResult } from '../events/keptn-event.js';
import { validateStageName } from '../naming/validate-names.js';
import { parseGoDuration } from '../time/go-duration.js';
import type { Shipyard, ShipyardSequence, ShipyardStage, ShipyardTask, ShipyardTrigger } from './shipyard.js';

const API_VERSION_PREFIX = 'spec.keptn.sh/';
const API_VERSION_EXAMPLE = "e.g. 'spec.keptn.sh/0.2.4'";
/** Keptn's constraint on the stripped apiVersion is the semver range `>= 0.2`. */
const MIN_API_VERSION = { major: 0, minor: 2 } as const;

const ROOT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'] as const;
const METADATA_FIELDS = ['name'] as const;
const SPEC_FIELDS = ['stages'] as const;
const STAGE_FIELDS = ['name', 'sequences'] as const;
const SEQUENCE_FIELDS = ['name', 'triggeredOn', 'tasks'] as const;
const TRIGGER_FIELDS = ['event', 'selector'] as const;
const SELECTOR_FIELDS = ['match'] as const;
const TASK_FIELDS = ['name', 'triggeredAfter', 'finishTimeout', 'properties'] as const;

const RESULTS: readonly string[] = Object.values(TaskResult);

/** Name of the sequence Keptn provides in every stage that does not define it. */
export const IMPLICIT_EVALUATION_SEQUENCE = 'evaluation';

/** A node together with where it sits in the document, for error messages. */
interface Located {
  /** The value node; null when the key has no value (`name:`) or in a flow map (`{name}`). */
  node: Node | null;
  /** Where to point when `node` is null or has no position: the key or the enclosing node. */
  anchor: Node | null;
  path: string;
}

/** Walks the YAML AST, building typed values and failing with line, column and path. */
class ShipyardReader {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  fail(at: Located, reason: string): never {
    throw new InputError(ErrorCode.invalidShipyard, `shipyard ${this.where(at)}: ${reason}`);
  }

  /** `line 12, column 9 (spec.stages[0])`, or as much of it as is known. */
  where(at: Located): string {
    // An empty value (`name:`) sits after the colon; pointing at its key reads better.
    const node = at.node !== null && !isEmptyValue(at.node) ? at.node : null;
    const offset = node?.range?.[0] ?? at.anchor?.range?.[0];
    const parts: string[] = [];
    if (offset !== undefined) {
      const { line, col } = this.lines.linePos(offset);
      parts.push(`line ${line}, column ${col}`);
    }
    if (at.path !== '') parts.push(`(${at.path})`);
    return parts.join(' ');
  }

  /** Follows an alias to its anchored node, so `*ref` is read like the original. */
  resolve(node: unknown): Node | null {
    if (isAlias(node)) return node.resolve(this.doc) ?? null;
    if (isScalar(node) || isMap(node) || isSeq(node)) return node;
    return null;
  }

  isNull(node: Node | null): boolean {
    return node === null || (isScalar(node) && node.value === null);
  }

  map(at: Located, what: string): YAMLMap {
    if (isMap(at.node)) return at.node;
    return this.fail(at, `${what} must be a mapping (key: value pairs), got ${describe(at.node)}`);
  }

  seq(at: Located, what: string): YAMLSeq {
    if (isSeq(at.node)) return at.node;
    return this.fail(at, `${what} must be a list (items starting with '- '), got ${describe(at.node)}`);
  }

  items(seq: YAMLSeq, path: string): Located[] {
    return seq.items.map((item, index) => ({
      node: this.resolve(item),
      anchor: seq,
      path: `${path}[${index}]`,
    }));
  }

  /**
   * The map's entries by key, each located at its value (falling back to its key). Fails on an
   * unknown key, pointing at the key and listing the allowed ones.
   */
  fields<K extends string>(map: YAMLMap, path: string, allowed: readonly K[]): Map<K, Located> {
    const result = new Map<K, Located>();
    for (const pair of map.items) {
      const key = this.resolve(pair.key);
      const at: Located = { node: key, anchor: map, path };
      if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
        this.fail(at, `keys must be plain names, got ${describe(key)}; allowed fields: ${allowed.join(', ')}`);
      }
      const name = String(key.value);
      if (!isAllowed(name, allowed)) {
        this.fail(at, `unknown field '${name}'; allowed fields: ${allowed.join(', ')}`);
      }
      result.set(name, { node: this.resolve(pair.value), anchor: key, path: childPath(path, name) });
    }
    return result;
  }

  required<K extends string>(fields: Map<K, Located>, name: K, map: YAMLMap, path: string): Located {
    const field = fields.get(name);
    if (field === undefined) {
      return this.fail({ node: map, anchor: null, path }, `missing required field '${name}'`);
    }
    return field;
  }

  /** The field if present and not YAML null. */
  optional<K extends string>(fields: Map<K, Located>, name: K): Located | undefined {
    const field = fields.get(name);
    return field === undefined || this.isNull(field.node) ? undefined : field;
  }

  string(at: Located, what: string): string {
    const node = at.node;
    if (isScalar(node)) {
      if (typeof node.value === 'string') return node.value;
      if (typeof node.value === 'number' || typeof node.value === 'boolean') {
        return node.source ?? String(node.value);
      }
    }
    return this.fail(at, `${what} must be a string, got ${describe(node)}`);
  }

  /** A sequence or task name: becomes an event-type segment, so non-empty and without dots. */
  segmentName(at: Located, what: string, example: string): string {
    const name = this.string(at, what);
    if (name === '') this.fail(at, `${what} is empty; give it a name such as '${example}'`);
    if (name.includes('.')) {
      this.fail(
        at,
        `${what} '${name}' must not contain '.', because it becomes part of event types ` +
          `such as 'sh.keptn.event.${name}.triggered'; use '-' instead, e.g. '${name.replaceAll('.', '-')}'`,
      );
    }
    return name;
  }

  duration(at: Located, field: string): string {
    const text = this.string(at, field);
    const ms = this.rethrowAt(at, () => parseGoDuration(text, field));
    if (field === 'finishTimeout' && ms === 0) {
      this.fail(at, `finishTimeout '${text}' must be longer than 0, e.g. '30m'; omit it for no limit`);
    }
    return text;
  }

  /** Runs `check` and re-raises its InputError with this node's position and path. */
  rethrowAt<T>(at: Located, check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof InputError) this.fail(at, error.message);
      throw error;
    }
  }

  toJS(node: Node): unknown {
    return node.toJS(this.doc);
  }
}

function isAllowed<K extends string>(name: string, allowed: readonly K[]): name is K {
  return (allowed as readonly string[]).includes(name);
}

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A value left out in the source (`name:`), as opposed to a written `null` or `~`. */
function isEmptyValue(node: Node): boolean {
  return isScalar(node) && node.value === null && node.source === '';
}

function describe(node: Node | null): string {
  if (node === null || isEmptyValue(node)) return 'an empty value';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'null';
    if (typeof node.value === 'string') return `the string '${node.value}'`;
    if (typeof node.value === 'number' || typeof node.value === 'boolean') return `${typeof node.value} ${node.value}`;
    return `a ${typeof node.value} value`;
  }
  return 'an alias';
}

/**
 * Parses and validates a shipyard YAML document. Every failure is an
 * `InputError(ERR_INVALID_SHIPYARD)` naming the line, column, path and the fix.
 */
export function parseShipyardYaml(yamlText: string): Shipyard {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntaxError = doc.errors[0];
  if (syntaxError !== undefined) {
    const { line, col } = lines.linePos(syntaxError.pos[0]);
    throw new InputError(
      ErrorCode.invalidShipyard,
      `shipyard line ${line}, column ${col}: invalid YAML: ${syntaxError.message}; fix the YAML syntax (indentation, quoting)`,
    );
  }
  const reader = new ShipyardReader(doc, lines);
  const root: Located = { node: reader.resolve(doc.contents), anchor: null, path: '' };
  if (reader.isNull(root.node)) {
    throw new InputError(
      ErrorCode.invalidShipyard,
      'shipyard line 1, column 1: the document is empty; expected a mapping with apiVersion, kind, metadata and spec',
    );
  }
  const rootMap = reader.map(root, 'the shipyard document');
  const fields = reader.fields(rootMap, '', ROOT_FIELDS);

  const apiVersion = readApiVersion(reader, reader.required(fields, 'apiVersion', rootMap, ''));
  const kind = reader.string(reader.required(fields, 'kind', rootMap, ''), 'kind');

  const metadataAt = reader.required(fields, 'metadata', rootMap, '');
  const metadataMap = reader.map(metadataAt, 'metadata');
  const metadataFields = reader.fields(metadataMap, metadataAt.path, METADATA_FIELDS);
  const name = reader.string(reader.required(metadataFields, 'name', metadataMap, metadataAt.path), 'metadata.name');

  const specAt = reader.required(fields, 'spec', rootMap, '');
  const specMap = reader.map(specAt, 'spec');
  const specFields = reader.fields(specMap, specAt.path, SPEC_FIELDS);
  const stagesAt = reader.required(specFields, 'stages', specMap, specAt.path);
  const stageItems = reader.items(reader.seq(stagesAt, 'spec.stages'), stagesAt.path);
  if (stageItems.length === 0) {
    reader.fail(stagesAt, "a shipyard needs at least one stage, e.g. '- name: dev'");
  }

  const stages: ShipyardStage[] = [];
  const stageNames = new Map<string, Located>();
  for (const stageAt of stageItems) {
    const { stage, nameAt } = readStage(reader, stageAt);
    const first = stageNames.get(stage.name);
    if (first !== undefined) {
      reader.fail(nameAt, `stage name '${stage.name}' is used twice (first at ${reader.where(first)}); stage names must be unique`);
    }
    stageNames.set(stage.name, nameAt);
    stages.push(stage);
  }
  return { apiVersion, kind, metadata: { name }, spec: { stages } };
}

function readApiVersion(reader: ShipyardReader, at: Located): string {
  const apiVersion = reader.string(at, 'apiVersion');
  const version = apiVersion.startsWith(API_VERSION_PREFIX) ? apiVersion.slice(API_VERSION_PREFIX.length) : apiVersion;
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(version);
  if (match === null) {
    return reader.fail(
      at,
      `apiVersion '${apiVersion}' is not a valid version: expected '${API_VERSION_PREFIX}<major>.<minor>.<patch>', ${API_VERSION_EXAMPLE}`,
    );
  }
  const major = Number(match[1]);
  const minor = Number(match[2] ?? '0');
  const tooOld = major < MIN_API_VERSION.major || (major === MIN_API_VERSION.major && minor < MIN_API_VERSION.minor);
  if (tooOld) {
    reader.fail(
      at,
      `apiVersion '${apiVersion}' is not supported: the version must be ${MIN_API_VERSION.major}.${MIN_API_VERSION.minor} or later, ${API_VERSION_EXAMPLE}`,
    );
  }
  return apiVersion;
}

function readStage(reader: ShipyardReader, at: Located): { stage: ShipyardStage; nameAt: Located } {
  const map = reader.map(at, 'a stage');
  const fields = reader.fields(map, at.path, STAGE_FIELDS);
  const nameAt = reader.required(fields, 'name', map, at.path);
  const rawName = reader.string(nameAt, 'stage name');
  const name = reader.rethrowAt(nameAt, () => validateStageName(rawName));

  const sequences: ShipyardSequence[] = [];
  const sequencesAt = reader.optional(fields, 'sequences');
  if (sequencesAt !== undefined) {
    const sequenceNames = new Map<string, Located>();
    for (const sequenceAt of reader.items(reader.seq(sequencesAt, 'sequences'), sequencesAt.path)) {
      const { sequence, nameAt: sequenceNameAt } = readSequence(reader, sequenceAt);
      const first = sequenceNames.get(sequence.name);
      if (first !== undefined) {
        reader.fail(
          sequenceNameAt,
          `sequence name '${sequence.name}' is used twice in stage '${name}' (first at ${reader.where(first)}); ` +
            'sequence names must be unique within a stage',
        );
      }
      sequenceNames.set(sequence.name, sequenceNameAt);
      sequences.push(sequence);
    }
  }
  return { stage: { name, sequences }, nameAt };
}

function readSequence(reader: ShipyardReader, at: Located): { sequence: ShipyardSequence; nameAt: Located } {
  const map = reader.map(at, 'a sequence');
  const fields = reader.fields(map, at.path, SEQUENCE_FIELDS);
  const nameAt = reader.required(fields, 'name', map, at.path);
  const name = reader.segmentName(nameAt, 'sequence name', 'delivery');

  let triggeredOn: ShipyardTrigger[] | undefined;
  const triggeredOnAt = reader.optional(fields, 'triggeredOn');
  if (triggeredOnAt !== undefined) {
    const items = reader.items(reader.seq(triggeredOnAt, 'triggeredOn'), triggeredOnAt.path);
    triggeredOn = items.map((item) => readTrigger(reader, item));
  }

  const tasksAt = reader.required(fields, 'tasks', map, at.path);
  const taskItems = reader.isNull(tasksAt.node) ? [] : reader.items(reader.seq(tasksAt, 'tasks'), tasksAt.path);
  if (taskItems.length === 0) {
    reader.fail(
      tasksAt,
      `sequence '${name}' has no tasks, and a sequence with zero tasks cannot be started; add at least one task, e.g. '- name: deployment'`,
    );
  }
  const tasks = taskItems.map((item) => readTask(reader, item));
  const sequence: ShipyardSequence = triggeredOn === undefined ? { name, tasks } : { name, triggeredOn, tasks };
  return { sequence, nameAt };
}

function readTrigger(reader: ShipyardReader, at: Located): ShipyardTrigger {
  const map = reader.map(at, 'a triggeredOn entry');
  const fields = reader.fields(map, at.path, TRIGGER_FIELDS);
  const eventAt = reader.required(fields, 'event', map, at.path);
  const event = reader.string(eventAt, 'triggeredOn event');
  const segments = event.split('.');
  if (segments.length !== 3 || segments.some((segment) => segment === '') || segments[2] !== 'finished') {
    const hint = segments.length === 2 && segments.every((segment) => segment !== '') ? `'${event}.finished'` : "'dev.delivery.finished'";
    reader.fail(eventAt, `triggeredOn event '${event}' is invalid: it must have the form '<stage>.<sequence>.finished', e.g. ${hint}`);
  }

  const selectorAt = reader.optional(fields, 'selector');
  if (selectorAt === undefined) return { event };
  const selectorMap = reader.map(selectorAt, 'selector');
  const selectorFields = reader.fields(selectorMap, selectorAt.path, SELECTOR_FIELDS);
  const matchAt = reader.required(selectorFields, 'match', selectorMap, selectorAt.path);
  const matchMap = reader.map(matchAt, 'selector.match');
  const match: Record<string, string> = {};
  for (const pair of matchMap.items) {
    const keyNode = reader.resolve(pair.key);
    const keyAt: Located = { node: keyNode, anchor: matchMap, path: matchAt.path };
    const key = reader.string(keyAt, 'a selector.match key');
    if (key !== 'result' && !/^[^.]+\.result$/.test(key)) {
      reader.fail(
        keyAt,
        `selector.match key '${key}' is invalid: keys are 'result' (the sequence result) or '<task>.result' (the last task's result), e.g. 'result' or 'evaluation.result'`,
      );
    }
    const valueAt: Located = { node: reader.resolve(pair.value), anchor: keyNode, path: childPath(matchAt.path, key) };
    const value = reader.string(valueAt, `selector.match value of '${key}'`);
    if (!RESULTS.includes(value)) {
      const why =
        value === 'failed'
          ? "Keptn's 'failed' never matches because results are pass, warning or fail; use 'fail'"
          : `it must be one of ${RESULTS.join(', ')}`;
      reader.fail(valueAt, `selector.match value '${value}' for '${key}' is invalid: ${why}`);
    }
    match[key] = value;
  }
  if (Object.keys(match).length === 0) {
    reader.fail(
      matchAt,
      "selector.match is empty, so the sequence would never be triggered; add e.g. 'result: fail', or remove the selector to trigger on pass or warning",
    );
  }
  return { event, selector: { match } };
}

function readTask(reader: ShipyardReader, at: Located): ShipyardTask {
  const map = reader.map(at, 'a task');
  const fields = reader.fields(map, at.path, TASK_FIELDS);
  const name = reader.segmentName(reader.required(fields, 'name', map, at.path), 'task name', 'deployment');
  const task: ShipyardTask = { name };

  const triggeredAfterAt = reader.optional(fields, 'triggeredAfter');
  if (triggeredAfterAt !== undefined) task.triggeredAfter = reader.duration(triggeredAfterAt, 'triggeredAfter');
  const finishTimeoutAt = reader.optional(fields, 'finishTimeout');
  if (finishTimeoutAt !== undefined) task.finishTimeout = reader.duration(finishTimeoutAt, 'finishTimeout');

  const propertiesAt = reader.optional(fields, 'properties');
  if (propertiesAt !== undefined) {
    const propertiesMap = reader.map(propertiesAt, 'properties');
    task.properties = reader.toJS(propertiesMap) as Record<string, unknown>;
  }
  return task;
}

/** Whether `text` is standard base64 with correct padding (line breaks ignored, as in Go). */
function base64Problem(text: string): string | undefined {
  const outside = /[^A-Za-z0-9+/=\r\n]/.exec(text);
  if (outside !== null) {
    const character = outside[0];
    let hint = '';
    if (/apiVersion\s*:/.test(text)) hint = ' (this looks like plain YAML)';
    else if (character === '-' || character === '_') hint = ' (this looks like URL-safe base64; use standard base64)';
    return `character '${character}' at position ${outside.index} is outside the base64 alphabet${hint}`;
  }
  const compact = text.replace(/[\r\n]/g, '');
  if (compact === '') return 'it is empty';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return "'=' padding may only appear at the end, at most twice";
  if (compact.length % 4 !== 0) {
    return `its length ${compact.length} is not a multiple of 4 (missing or extra '=' padding)`;
  }
  return undefined;
}

/**
 * Decodes the base64 shipyard of a project create/update request (standard alphabet, padded;
 * line breaks are ignored as Go's decoder does) and parses it with {@link parseShipyardYaml}.
 */
export function decodeShipyard(base64: unknown): Shipyard {
  const fix = 'encode the YAML file, e.g. base64 -w0 shipyard.yaml';
  let problem: string | undefined;
  if (typeof base64 !== 'string') problem = `expected a string, got ${base64 === null ? 'null' : typeof base64}`;
  else if (base64 === '') problem = 'it is empty';
  else problem = base64Problem(base64);
  if (problem !== undefined || typeof base64 !== 'string') {
    throw new InputError(ErrorCode.invalidShipyard, `shipyard is not valid base64: ${problem}; ${fix}`);
  }
  const binary = atob(base64.replace(/[\r\n]/g, ''));
  const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
  let yamlText: string;
  try {
    yamlText = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(
      ErrorCode.invalidShipyard,
      `shipyard is not valid UTF-8 text after base64 decoding; save shipyard.yaml as UTF-8 and ${fix}`,
    );
  }
  return parseShipyardYaml(yamlText);
}

/** The stage named `stageName`, or undefined. */
export function findStage(shipyard: Shipyard, stageName: string): ShipyardStage | undefined {
  return shipyard.spec.stages.find((stage) => stage.name === stageName);
}

/**
 * The sequence `sequenceName` of stage `stageName`, or undefined. A stage that defines no
 * `evaluation` sequence gets Keptn's implicit one: a single `evaluation` task.
 */
export function findSequence(shipyard: Shipyard, stageName: string, sequenceName: string): ShipyardSequence | undefined {
  const stage = findStage(shipyard, stageName);
  if (stage === undefined) return undefined;
  const sequence = stage.sequences.find((candidate) => candidate.name === sequenceName);
  if (sequence !== undefined) return sequence;
  if (sequenceName === IMPLICIT_EVALUATION_SEQUENCE) {
    return { name: IMPLICIT_EVALUATION_SEQUENCE, tasks: [{ name: 'evaluation' }] };
  }
  return undefined;
}

/** Whether `trigger` fires for a finished sequence with `result` whose last task was `lastTaskName`. */
function triggerFires(trigger: ShipyardTrigger, result: TaskResult, lastTaskName: string): boolean {
  const match = trigger.selector?.match;
  // Keptn's code (not its spec, which says pass only) fires selector-less triggers on warning too.
  if (match === undefined) return result === TaskResult.pass || result === TaskResult.warning;
  return match['result'] === result || match[`${lastTaskName}.result`] === result;
}

/**
 * Keptn's chaining rule: the sequences, in any stage, whose `triggeredOn` names
 * `<stage>.<sequence>.finished` and fires for `result` (no selector: pass or warning; with
 * `selector.match`: `result` or `<lastTaskName>.result` equals it). Shipyard order; each once.
 */
export function sequencesTriggeredBy(
  shipyard: Shipyard,
  stage: string,
  sequence: string,
  result: TaskResult,
  lastTaskName: string,
): Array<{ stage: string; sequence: ShipyardSequence }> {
  const event = `${stage}.${sequence}.finished`;
  const selected: Array<{ stage: string; sequence: ShipyardSequence }> = [];
  for (const candidateStage of shipyard.spec.stages) {
    for (const candidate of candidateStage.sequences) {
      const fires = (candidate.triggeredOn ?? []).some((trigger) => trigger.event === event && triggerFires(trigger, result, lastTaskName));
      if (fires) selected.push({ stage: candidateStage.name, sequence: candidate });
    }
  }
  return selected;
}

/** Stages named in the `triggeredOn` events of stage `stageName`, without itself, unique, in order. */
export function parentStages(shipyard: Shipyard, stageName: string): string[] {
  const parents = new Set<string>();
  for (const sequence of findStage(shipyard, stageName)?.sequences ?? []) {
    for (const trigger of sequence.triggeredOn ?? []) {
      const parent = trigger.event.split('.')[0];
      if (parent !== undefined && parent !== '' && parent !== stageName) parents.add(parent);
    }
  }
  return [...parents];
}
