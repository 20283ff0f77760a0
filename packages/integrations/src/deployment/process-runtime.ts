/**
 * The process runtime: deploys a service as processes on this host. A version is started as
 * `deployment/process.yaml` says (service, then stage, then project level) on a fresh port, health
 * checked, and put behind the service's stable address: a reverse proxy on a port kept for
 * (project, stage, service) across versions and restarts (stable-proxy.ts, stable-ports.ts).
 *
 * - direct (and user_managed): start the new version, check it, switch, stop the old one once its
 *   requests finished; a rollback starts the version that ran before again.
 * - blue_green_service: start the new version beside the old, check it, switch, keep the old
 *   running; `release` stops the old (promotes), `rollback` switches back to it and stops the new.
 * - A version that fails its health check or exits is stopped and the task fails
 *   ({@link DeploymentFailure}) with its last lines of output; what served before keeps serving.
 *
 * Tasks of one service run one at a time. `close()` stops every version (SIGTERM to its process
 * group, SIGKILL after the grace) and every proxy; if the process exits without it, the process
 * groups are killed on exit.
 */
import { mkdirSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { silentLogger } from '@shipmate/agent-sdk';
import type { AgentLogger, TaskContext } from '@shipmate/agent-sdk';
import { DeploymentFailure, DeploymentStrategy } from './deployment-runtime.js';
import type { DeploymentData, DeploymentRuntime, DeploymentTarget, RuntimeOutcome } from './deployment-runtime.js';
import { deploymentNameOf, strategyOnWire } from './deployment-strategy.js';
import { HealthCheckFailed, waitHealthy } from './health-check.js';
import { launchSpec } from './launch-spec.js';
import type { LaunchSpec } from './launch-spec.js';
import { startManagedProcess } from './managed-process.js';
import type { ManagedProcess } from './managed-process.js';
import { PROCESS_CONFIG_URI, ProcessConfigError, parseProcessConfig } from './parse-process-config.js';
import { stablePortsIn } from './stable-ports.js';
import { startStableProxy } from './stable-proxy.js';
import type { StableProxy } from './stable-proxy.js';

/** The name the deployment integration registers under with this runtime. */
export const DEPLOYMENT_SERVICE = 'deployment-service';

/** Options of {@link createProcessRuntime}. */
export interface ProcessRuntimeOptions {
  /** The plane's deploy dir: `workingDir` is relative to it; state and logs go below `.shipmate/` in it. */
  deployDir: string;
  /** Host of `deploymentURIsPublic`. @default the machine's hostname */
  publicHost?: string;
  /** Where the stable addresses listen. @default '0.0.0.0' (every IPv4 address) */
  listenHost?: string;
  /** How long a stopped version gets between SIGTERM and SIGKILL, and its requests to finish. @default 10000 */
  stopGraceMs?: number;
  /** What every version's environment starts from. @default PATH, HOME, USER, LANG, LC_ALL, TZ and TMPDIR of this process */
  childEnv?: Readonly<Record<string, string>>;
  /** @default silent */
  logger?: AgentLogger;
}

/** {@link ProcessRuntimeOptions} resolved. */
export interface ResolvedProcessRuntimeOptions {
  readonly deployDir: string;
  readonly publicHost: string;
  readonly listenHost: string;
  readonly stopGraceMs: number;
  readonly childEnv: Readonly<Record<string, string>>;
  readonly logger: AgentLogger;
}

const INHERITED_ENV = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

/** Resolves the options once. */
export function resolveProcessRuntimeOptions(options: ProcessRuntimeOptions): ResolvedProcessRuntimeOptions {
  if (options.deployDir === '') throw new Error('the deploy dir is empty: give the directory the process runtime works in');
  const childEnv: Record<string, string> = {};
  if (options.childEnv) Object.assign(childEnv, options.childEnv);
  else for (const name of INHERITED_ENV) if (process.env[name] !== undefined) childEnv[name] = process.env[name];
  return Object.freeze({
    deployDir: resolve(options.deployDir),
    publicHost: options.publicHost || hostname(),
    listenHost: options.listenHost || '0.0.0.0',
    stopGraceMs: options.stopGraceMs ?? 10_000,
    childEnv: Object.freeze(childEnv),
    logger: options.logger ?? silentLogger,
  });
}

/** What runs for one service in one stage. */
interface ServiceSlot {
  readonly key: string;
  readonly label: string;
  readonly proxy: StableProxy;
  /** The version the stable address serves. */
  current?: ManagedProcess;
  /** Blue/green: the version that served before `current`, still running until release or rollback. */
  standby?: ManagedProcess;
  /** The launch of the version that served before `current`, stopped (a rollback starts it again). */
  previous?: LaunchSpec;
  /** The tail of the task chain: tasks of one service run one after another. */
  queue: Promise<unknown>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

const versionOf = (spec: LaunchSpec | undefined): string => (spec?.image === undefined ? 'the version without image' : `'${spec.image}'`);
const safeName = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '_');

/** Creates the process runtime (see the module comment). */
export function createProcessRuntime(options: ProcessRuntimeOptions): DeploymentRuntime {
  const resolved = resolveProcessRuntimeOptions(options);
  const { deployDir, logger, stopGraceMs } = resolved;
  const stateDir = join(deployDir, '.shipmate');
  const stablePorts = stablePortsIn(join(stateDir, 'stable-ports.json'));
  const slots = new Map<string, Promise<ServiceSlot>>();
  const running = new Set<ManagedProcess>();
  let closed = false;

  const killAll = (): void => {
    for (const child of running) child.killNow();
  };
  process.once('exit', killAll);

  async function openSlot(target: DeploymentTarget): Promise<ServiceSlot> {
    const key = `${target.project}/${target.stage}/${target.service}`;
    const label = `service '${target.service}' in stage '${target.stage}' of project '${target.project}'`;
    const kept = await stablePorts.get(key);
    let proxy: StableProxy;
    try {
      proxy = await startStableProxy(kept ?? 0, resolved.listenHost, label);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        kept !== undefined && code === 'EADDRINUSE'
          ? `the stable address of ${label} is port ${kept}, and something else listens there now; stop it, or delete '${key}' from ${join(stateDir, 'stable-ports.json')} to give the service a new address`
          : `cannot open the stable address of ${label} on ${resolved.listenHost}:${kept ?? 0}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (kept === undefined) await stablePorts.set(key, proxy.port);
    logger.info(`${label}: stable address on port ${proxy.port}`);
    return { key, label, proxy, queue: Promise.resolve() };
  }

  /** Runs `work` on the slot of `target` after the slot's earlier tasks. */
  async function withSlot<T>(target: DeploymentTarget, work: (slot: ServiceSlot) => Promise<T>): Promise<T> {
    if (closed) throw new Error('the process runtime is closed');
    const key = `${target.project}/${target.stage}/${target.service}`;
    let opening = slots.get(key);
    if (!opening) {
      opening = openSlot(target);
      slots.set(key, opening);
      opening.catch(() => slots.delete(key));
    }
    const slot = await opening;
    const run = slot.queue.then(() => work(slot));
    slot.queue = run.catch(() => undefined);
    return run;
  }

  async function readLaunch(target: DeploymentTarget, task: TaskContext): Promise<{ spec: LaunchSpec; where: string }> {
    const resource = await task.resource(PROCESS_CONFIG_URI);
    if (!resource)
      throw new ProcessConfigError(
        PROCESS_CONFIG_URI,
        undefined,
        `not found at service, stage or project level for service '${target.service}' in stage '${target.stage}' of project '${target.project}'; ` +
          `add it (at service level, e.g. 'command: [node, server.js, --version, $IMAGE]') so the deployment-service knows how to start the service`,
      );
    const where = `${PROCESS_CONFIG_URI} at ${resource.level} level`;
    const spec = launchSpec(parseProcessConfig(resource.content.toString('utf8'), where), target, deployDir, resolved.childEnv, where);
    // The deploy dir itself is the runtime's: made on first use (a workingDir below it is the user's).
    await mkdir(deployDir, { recursive: true });
    const info = await stat(spec.cwd).catch(() => undefined);
    if (!info?.isDirectory())
      throw new ProcessConfigError(
        where,
        undefined,
        `workingDir resolves to ${spec.cwd}, which is not a directory on this plane; create it, or fix workingDir (it is relative to the deploy dir ${deployDir})`,
      );
    return { spec, where };
  }

  /** Starts `spec` on a fresh port and waits until it is healthy; stops it and throws when it is not. */
  async function startVersion(slot: ServiceSlot, spec: LaunchSpec, task: TaskContext, where: string): Promise<ManagedProcess> {
    const port = await freePort();
    const logs = join(stateDir, 'logs');
    mkdirSync(logs, { recursive: true });
    const child = startManagedProcess(spec, port, join(logs, `${safeName(slot.key.replaceAll('/', '.'))}.log`));
    running.add(child);
    void child.exited.then(() => running.delete(child));
    await task.progress(`starting ${versionOf(spec)} of ${slot.label} on port ${port}`).catch(() => undefined);
    try {
      await waitHealthy(child, spec.healthCheck, task.signal);
    } catch (error) {
      await child.stop(stopGraceMs);
      if (!(error instanceof HealthCheckFailed)) throw error;
      const serving = slot.current ? `${versionOf(slot.current.spec)} keeps serving` : 'nothing was serving before';
      const hint = error.exited ? `; check command in ${where}` : '';
      const output = child.lastLines(20);
      throw new DeploymentFailure(
        `${versionOf(spec)} of ${slot.label} ${error.message}${hint}; it was stopped and ${serving}. ` +
          (output.length > 0 ? `Last output:\n${output.join('\n')}` : 'It wrote no output.'),
      );
    }
    return child;
  }

  /** Switches the stable address to `next`, then stops `old` versions once their requests finished. */
  async function switchTo(slot: ServiceSlot, next: ManagedProcess, old: Array<ManagedProcess | undefined>): Promise<void> {
    slot.proxy.target = next.port;
    await Promise.all(
      old.map(async (version) => {
        if (!version) return;
        await slot.proxy.drained(version.port, stopGraceMs);
        await version.stop(stopGraceMs);
      }),
    );
  }

  function outcome(slot: ServiceSlot, strategy: DeploymentStrategy, message: string): RuntimeOutcome {
    const deployment: DeploymentData = {
      deploymentstrategy: strategyOnWire(strategy),
      deploymentNames: [deploymentNameOf(strategy)],
      deploymentURIsLocal: [`http://127.0.0.1:${slot.proxy.port}`],
      deploymentURIsPublic: [`http://${resolved.publicHost}:${slot.proxy.port}`],
    };
    return { deployment, message };
  }

  const runtime: DeploymentRuntime = {
    integrationName: DEPLOYMENT_SERVICE,
    defaultStrategy: DeploymentStrategy.direct,

    async deploy(target, task) {
      const { spec, where } = await readLaunch(target, task);
      return withSlot(target, async (slot) => {
        const next = await startVersion(slot, spec, task, where);
        const before = slot.current;
        if (target.strategy === DeploymentStrategy.blueGreen) {
          // The version that served before this deployment stays beside it; an unreleased earlier
          // candidate (deployed, never released) is replaced.
          if (slot.standby) await switchTo(slot, next, [before]);
          else {
            slot.proxy.target = next.port;
            slot.standby = before;
          }
          slot.current = next;
          const beside = slot.standby ? `; ${versionOf(slot.standby.spec)} keeps running beside it until release or rollback` : '';
          return outcome(slot, target.strategy, `Successfully deployed ${versionOf(spec)} of ${slot.label} (blue/green${beside})`);
        }
        await switchTo(slot, next, [before, slot.standby]);
        slot.previous = slot.standby?.spec ?? before?.spec;
        slot.standby = undefined;
        slot.current = next;
        const stopped = before ? `; ${versionOf(before.spec)} was stopped` : '';
        return outcome(slot, target.strategy, `Successfully deployed ${versionOf(spec)} of ${slot.label} (${target.strategy}${stopped})`);
      });
    },

    async release(target) {
      return withSlot(target, async (slot) => {
        const { standby, current } = slot;
        if (!standby || !current)
          return outcome(
            slot,
            target.strategy,
            `Finished release: nothing to promote for ${slot.label} (no earlier version runs beside ${versionOf(current?.spec)})`,
          );
        await slot.proxy.drained(standby.port, stopGraceMs);
        await standby.stop(stopGraceMs);
        slot.standby = undefined;
        slot.previous = standby.spec;
        return outcome(
          slot,
          target.strategy,
          `Finished release: promoted ${versionOf(current.spec)} of ${slot.label}; ${versionOf(standby.spec)} was stopped`,
        );
      });
    },

    async rollback(target, task) {
      return withSlot(target, async (slot) => {
        const { standby, current, previous } = slot;
        if (standby) {
          await switchTo(slot, standby, [current]);
          slot.current = standby;
          slot.standby = undefined;
          slot.previous = current?.spec;
          return outcome(
            slot,
            target.strategy,
            `Finished rollback: ${slot.label} serves ${versionOf(standby.spec)} again; ${versionOf(current?.spec)} was stopped`,
          );
        }
        if (!previous)
          throw new DeploymentFailure(
            `cannot roll back ${slot.label}: no earlier version ran on this plane since it started; ${current ? `${versionOf(current.spec)} keeps serving` : 'nothing is deployed'}`,
          );
        const again = await startVersion(slot, previous, task, 'the earlier deployment');
        await switchTo(slot, again, [current]);
        slot.current = again;
        slot.previous = current?.spec;
        return outcome(
          slot,
          target.strategy,
          `Finished rollback: ${slot.label} serves ${versionOf(previous)} again; ${versionOf(current?.spec)} was stopped`,
        );
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      const opened = await Promise.allSettled([...slots.values()]);
      await Promise.all(
        opened.map(async (result) => {
          if (result.status !== 'fulfilled') return;
          const slot = result.value;
          await slot.queue;
          slot.proxy.target = undefined;
          await Promise.all([slot.current?.stop(stopGraceMs), slot.standby?.stop(stopGraceMs)]);
          await slot.proxy.close();
        }),
      );
      // Versions still starting when the runtime closed.
      await Promise.all([...running].map((child) => child.stop(stopGraceMs)));
      process.off('exit', killAll);
    },
  };
  return runtime;
}
