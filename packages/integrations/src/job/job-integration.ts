/**
 * The job integration (Keptn's `job-executor-service`, JES 0.3.0) on a plain host. Like JES it has
 * no subscriptions of its own: users subscribe it to the task events they want through the API,
 * and every task it gets is checked against `job/config.yaml` (service, then stage, then project
 * level, at the sequence's commit):
 *
 * - no file at any level, or no action whose `events` match: nothing is sent (JES ignored the
 *   event), so another integration may answer the task;
 * - a file that cannot be parsed: `.started`, then `.finished` errored naming the level, the line,
 *   the field and the fix;
 * - the first matching action: `.started`, then its tasks in order, each a child process in a
 *   fresh directory below `jobDir` with the task's `files` copied in (run-job-process.ts,
 *   job-command.ts); `.finished` carries JES's message (`Task '<name>' finished successfully!`
 *   and the logs of each task). A task that exits non-zero, outlives its `maxPollDuration` or
 *   cannot start ends the action: `.finished` errored/fail naming the task, the exit code or the
 *   reason, and the last lines of its output. Secret values are masked in everything sent.
 *
 * An action with `silent: true` runs its tasks and sends nothing. The working directory is removed
 * after each task (kept after a failure with `keepFailedWorkDirs`).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LEAVE_OPEN, silentLogger } from '@shipmate/agent-sdk';
import type { AgentLogger, Integration, TaskContext, TaskHandler, TaskOutcome } from '@shipmate/agent-sdk';
import { ErrorCode, InputError } from '@shipmate/core';
import { secretMasker } from '../webhook/mask-secrets.js';
import type { SecretMasker } from '../webhook/mask-secrets.js';
import { formatEnvValue, lookupEventPath } from './event-path.js';
import { commandLine, jobEnvironment, resolveWorkingDir } from './job-command.js';
import { eventDocument, matchJobAction } from './match-job-action.js';
import { JobConfigError, parseJobConfig } from './parse-job-config.js';
import type { JobAction, JobConfig, JobTask } from './parse-job-config.js';
import { JobProcessEnd, runJobProcess } from './run-job-process.js';
import type { JobProcessResult } from './run-job-process.js';

/** Keptn's name of the integration. */
export const JOB_EXECUTOR_SERVICE = 'job-executor-service';
/** Where the configuration lives in a project's repository. */
export const JOB_CONFIG_URI = 'job/config.yaml';
/** The scope the secrets of `valueFrom: secret` are read from (the scope `keptn create secret` gives). */
export const JOB_SECRET_SCOPE = 'keptn-default';
/** The plane's job directory when none is given (relative to the plane's working directory). */
export const DEFAULT_JOB_DIR = '.shipmate-plane/jobs';
/** The `.finished` message is cut to its last this many bytes (the control plane's default body limit is 64 KiB). */
export const MAX_JOB_MESSAGE_BYTES = 48 * 1024;
/** Lines of output a failure message shows. */
const FAILURE_LINES = 50;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Options of the job integration. */
export interface JobOptions {
  /** Where each task gets its working directory (created when missing). @default '.shipmate-plane/jobs' */
  jobDir?: string;
  /** Output kept per task (its last bytes). @default 16384 */
  maxLogBytes?: number;
  /** From SIGTERM to SIGKILL when a task is stopped. @default 5000 */
  killGraceMs?: number;
  /** Keep the working directory of a failed task (its path is in the message). @default false */
  keepFailedWorkDirs?: boolean;
  /** The variables every task inherits from the plane (e.g. PATH, HOME). @default { PATH: the usual system directories } */
  baseEnv?: Readonly<Record<string, string>>;
  /** @default silent */
  logger?: AgentLogger;
}

/** {@link JobOptions} resolved. */
export interface ResolvedJobOptions {
  readonly jobDir: string;
  readonly maxLogBytes: number;
  readonly killGraceMs: number;
  readonly keepFailedWorkDirs: boolean;
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly logger: AgentLogger;
}

/** Resolves the options once; throws a RangeError on a limit out of range. */
export function resolveJobOptions(options: JobOptions = {}): ResolvedJobOptions {
  const maxLogBytes = options.maxLogBytes ?? 16 * 1024;
  if (!Number.isInteger(maxLogBytes) || maxLogBytes < 1024 || maxLogBytes > MAX_JOB_MESSAGE_BYTES)
    throw new RangeError(`job log limit ${maxLogBytes} bytes is out of range: give 1024 to ${MAX_JOB_MESSAGE_BYTES} bytes`);
  const killGraceMs = options.killGraceMs ?? 5_000;
  if (!(killGraceMs >= 0)) throw new RangeError(`job kill grace ${killGraceMs} ms is out of range: give 0 or more`);
  return Object.freeze({
    jobDir: resolve(options.jobDir ?? DEFAULT_JOB_DIR),
    maxLogBytes,
    killGraceMs,
    keepFailedWorkDirs: options.keepFailedWorkDirs ?? false,
    baseEnv: Object.freeze({ PATH: DEFAULT_PATH, ...options.baseEnv }),
    logger: options.logger ?? silentLogger,
  });
}

/** An error of a task's own input (its env, its files). */
function jobInputError(message: string): InputError {
  return new InputError(ErrorCode.invalidJobConfig, message);
}

/** The task's job/config.yaml at the most specific level, parsed; undefined when no level has one. */
async function loadJobConfig(task: TaskContext): Promise<JobConfig | undefined> {
  const resource = await task.resource(JOB_CONFIG_URI);
  if (!resource) return undefined;
  try {
    return parseJobConfig(resource.content.toString('utf8'));
  } catch (error) {
    if (error instanceof JobConfigError)
      throw new JobConfigError(undefined, `${JOB_CONFIG_URI} at ${resource.level} level: ${error.message}`);
    throw error;
  }
}

/** The task's `env` as (name, value) pairs; `secrets` gets each secret value read. */
async function taskEnv(task: TaskContext, job: JobTask, secrets: string[]): Promise<Array<readonly [string, string]>> {
  const document = eventDocument(task.event);
  const pairs: Array<readonly [string, string]> = [];
  for (const [index, entry] of job.env.entries()) {
    const where = `task '${job.name}' env[${index}]`;
    switch (entry.valueFrom) {
      case 'string':
        pairs.push([entry.name, entry.value]);
        break;
      case 'event': {
        const found = lookupEventPath(document, entry.path);
        if (!found.found)
          throw jobInputError(
            `${where} (${entry.name}): the event has no ${found.missing} (value: ${entry.value}): send it in the event's data or change the path`,
          );
        pairs.push([entry.name, formatEnvValue(found.value, entry.as)]);
        break;
      }
      case 'secret': {
        let values: Readonly<Record<string, string>>;
        try {
          values = await task.secret(entry.name, JOB_SECRET_SCOPE);
        } catch (error) {
          throw jobInputError(
            `${where}: cannot read secret '${entry.name}' of scope ${JOB_SECRET_SCOPE}: ${error instanceof Error ? error.message : String(error)}; create it, e.g. keptn create secret ${entry.name} --from-literal=KEY=value`,
          );
        }
        for (const [key, value] of Object.entries(values)) {
          pairs.push([key, value]);
          secrets.push(value);
        }
        break;
      }
      default: {
        const never: never = entry;
        return never;
      }
    }
  }
  return pairs;
}

/** The service's resources below `dir/` at the task's commit. */
async function listServiceDir(task: TaskContext, dir: string): Promise<string[]> {
  const { project, stage, service } = task.data;
  const base =
    `/resource-service/v1/project/${encodeURIComponent(String(project))}/stage/${encodeURIComponent(String(stage))}` +
    `/service/${encodeURIComponent(String(service))}/resource`;
  const found: string[] = [];
  let nextPageKey = '';
  do {
    const query = new URLSearchParams({ pageSize: '100' });
    if (task.event.gitcommitid) query.set('gitCommitID', task.event.gitcommitid);
    if (nextPageKey !== '') query.set('nextPageKey', nextPageKey);
    const page = (await task.api(`${base}?${query.toString()}`)) as { resources?: Array<{ resourceURI?: string }>; nextPageKey?: string };
    for (const item of page.resources ?? []) {
      const uri = (item.resourceURI ?? '').replace(/^\/+/, '');
      if (uri.startsWith(`${dir}/`)) found.push(uri);
    }
    nextPageKey = page.nextPageKey ?? '';
  } while (nextPageKey !== '' && nextPageKey !== '0');
  return found;
}

/** Copies the task's `files` (service resources or directories) into `workDir`. */
async function copyFiles(task: TaskContext, job: JobTask, workDir: string): Promise<void> {
  for (const file of job.files) {
    const single = await task.resource(file, { levels: ['service'] });
    const uris = single ? [file] : await listServiceDir(task, file);
    if (uris.length === 0)
      throw jobInputError(
        `task '${job.name}' files: '${file}' is neither a file nor a directory of service '${String(task.data.service)}' in stage '${String(task.data.stage)}': add it to the service's resources or remove it from files`,
      );
    for (const uri of uris) {
      const content = uri === file && single ? single.content : (await task.resource(uri, { levels: ['service'] }))?.content;
      if (content === undefined) continue;
      const target = join(workDir, uri);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
  }
}

/** A directory-safe fragment of a name. */
const safe = (name: string): string => name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 40) || 'task';

/** The last `count` lines of `text`. */
function lastLines(text: string, count: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.slice(-count).join('\n');
}

function droppedNote(result: JobProcessResult): string {
  return result.droppedBytes > 0 ? `[${result.droppedBytes} earlier bytes of output were dropped; the rest follows]\n` : '';
}

/** Why a run failed, or undefined when it succeeded. */
function failureOf(job: JobTask, result: JobProcessResult, options: ResolvedJobOptions): string | undefined {
  switch (result.end) {
    case JobProcessEnd.exited:
      if (result.exitCode === 0) return undefined;
      return result.exitCode === null ? `was ended by signal ${String(result.exitSignal)}` : `exited with code ${result.exitCode}`;
    case JobProcessEnd.timedOut:
      return `did not finish within maxPollDuration ${job.maxPollDurationSeconds}s: its process group was stopped (SIGTERM, SIGKILL after ${options.killGraceMs} ms); raise maxPollDuration if it needs longer`;
    case JobProcessEnd.aborted:
      return 'was stopped because the sequence was aborted';
    case JobProcessEnd.notStarted:
      return `could not start '${job.cmd[0] ?? ''}': ${result.startError ?? 'unknown error'}; install it on this host or name a program on the plane's PATH${job.image ? ` (image '${job.image}' is not used on a plain host)` : ''}`;
    default: {
      const never: never = result.end;
      return never;
    }
  }
}

/** The last {@link MAX_JOB_MESSAGE_BYTES} of `message`. */
function capMessage(message: string): string {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= MAX_JOB_MESSAGE_BYTES) return message;
  return `[${bytes.length - MAX_JOB_MESSAGE_BYTES} earlier bytes of the message were dropped]\n${bytes.subarray(bytes.length - MAX_JOB_MESSAGE_BYTES).toString('utf8')}`;
}

/** Runs one task of `action`; returns its success block, or throws its failure message. */
async function runTask(
  task: TaskContext,
  action: JobAction,
  job: JobTask,
  options: ResolvedJobOptions,
  secrets: string[],
  mask: () => SecretMasker,
): Promise<string> {
  const pairs = await taskEnv(task, job, secrets);
  await mkdir(options.jobDir, { recursive: true });
  const workDir = await mkdtemp(join(options.jobDir, `${task.event.id.slice(0, 8)}-${safe(action.name)}-${safe(job.name)}-`));
  let keep = false;
  try {
    await copyFiles(task, job, workDir);
    const env = jobEnvironment(options.baseEnv, pairs, task.data);
    const cwd = resolveWorkingDir(job.workingDir, workDir);
    await mkdir(cwd, { recursive: true });
    const { command, args } = commandLine(job.cmd, job.args, env, workDir);
    options.logger.info(`task ${task.event.id}: action '${action.name}' task '${job.name}': running ${command} in ${cwd}`);
    const result = await runJobProcess({
      command,
      args,
      cwd,
      logFile: `${workDir}.log`,
      env,
      timeoutMs: job.maxPollDurationSeconds * 1000,
      killGraceMs: options.killGraceMs,
      maxLogBytes: options.maxLogBytes,
      signal: task.signal,
    });
    const failure = failureOf(job, result, options);
    if (failure === undefined) return `Task '${job.name}' finished successfully!\n\nLogs:\n${droppedNote(result)}${result.logs}`;
    keep = options.keepFailedWorkDirs;
    const kept = keep ? `\n(working directory kept: ${workDir})` : '';
    const lines = result.logs === '' ? '(no output)' : lastLines(result.logs, FAILURE_LINES);
    throw new Error(`Task '${job.name}' of action '${action.name}' ${failure}.${kept}\n\nLast lines:\n${mask().text(lines)}`);
  } finally {
    await rm(`${workDir}.log`, { force: true });
    if (!keep) await rm(workDir, { recursive: true, force: true });
  }
}

/** Runs the job of the task (see the module comment). */
export async function runJob(task: TaskContext, options: ResolvedJobOptions): Promise<TaskOutcome> {
  const { logger } = options;
  let config: JobConfig | undefined;
  try {
    config = await loadJobConfig(task);
  } catch (error) {
    await task.started();
    throw error;
  }
  if (!config) {
    logger.warn(
      `task ${task.task} ${task.event.id}: no ${JOB_CONFIG_URI} for project '${String(task.data.project)}', stage '${String(task.data.stage)}', service '${String(task.data.service)}'; sending nothing (as Keptn's job-executor-service)`,
    );
    return LEAVE_OPEN;
  }
  const action = matchJobAction(config, task.event);
  if (!action) {
    logger.info(`task ${task.task} ${task.event.id}: no action of ${JOB_CONFIG_URI} matches ${task.event.type}; sending nothing`);
    return LEAVE_OPEN;
  }
  if (!action.silent) await task.started();
  const secrets: string[] = [];
  const mask = (): SecretMasker => secretMasker(secrets);
  const blocks: string[] = [];
  const start = new Date().toISOString();
  try {
    for (const job of action.tasks) blocks.push(await runTask(task, action, job, options, secrets, mask));
  } catch (error) {
    const reason = mask().text(error instanceof Error ? error.message : String(error));
    logger.warn(`task ${task.event.id}: ${reason.split('\n')[0] ?? ''}`);
    if (action.silent) return LEAVE_OPEN;
    const message = capMessage([...blocks.map((block) => mask().text(block)), reason].join('\n\n'));
    return { status: 'errored', result: 'fail', message };
  }
  if (action.silent) return LEAVE_OPEN;
  const finished: Record<string, unknown> = { message: capMessage(mask().text(blocks.join('\n\n'))) };
  // JES: lighthouse evaluates the test's time frame.
  if (task.task === 'test') finished.test = { start, end: new Date().toISOString() };
  return finished;
}

/** The handler of job tasks with `options`. */
export function jobHandler(options: JobOptions = {}): TaskHandler {
  const resolved = resolveJobOptions(options);
  return (task) => runJob(task, resolved);
}

/** Subscribes the job handler on `integration` (named {@link JOB_EXECUTOR_SERVICE}) for every task of its API-added subscriptions. */
export function withJob(integration: Integration, options: JobOptions = {}): Integration {
  return integration.onAnyTask(jobHandler(options), { deferStarted: true });
}
