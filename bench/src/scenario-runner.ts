/**
 * Runs the scenarios of a bench run one after the other: records each failure (the next scenario
 * still runs while the server lives) and the CPU picture of each scenario.
 */
import { performance } from 'node:perf_hooks';
import type { ServerProcess } from './server-process.js';
import { round } from './stats.js';

/** CPU picture of one scenario, each as % of its wall time (100 = one core). */
export interface ScenarioCpu {
  /** CPU the server used, all threads. */
  serverCpuPercent: number;
  /** Time the server's threads were runnable but waited for a CPU, summed over threads: high means a contended machine. */
  serverRunQueueWaitPercent: number;
  /** CPU the bench process itself used. */
  benchCpuPercent: number;
}

export interface ScenarioRunner {
  /** Runs `body` as scenario `name` unless the server is gone. */
  run(name: string, body: () => Promise<void>): Promise<void>;
  /** Failure message by scenario name. */
  readonly errors: Record<string, string>;
  /** CPU picture by scenario name (completed scenarios only). */
  readonly cpu: Record<string, ScenarioCpu>;
}

/** `interrupted` tells when the run was interrupted: later scenarios are then skipped. */
export function createScenarioRunner(server: ServerProcess, log: (line: string) => void, interrupted: () => boolean): ScenarioRunner {
  const errors: Record<string, string> = {};
  const cpu: Record<string, ScenarioCpu> = {};
  return {
    errors,
    cpu,
    async run(name, body) {
      const skip = interrupted() ? 'interrupted' : server.running() ? undefined : 'the server is not running';
      if (skip) {
        errors[name] = `skipped: ${skip}`;
        log(`(${name}) skipped: ${skip}`);
        return;
      }
      const serverCpuBefore = server.cpuSeconds();
      const waitBefore = server.runQueueWaitSeconds();
      const benchBefore = process.cpuUsage();
      const startedAt = performance.now();
      try {
        await body();
        const percent = (seconds: number) => round((seconds * 100_000) / (performance.now() - startedAt), 1);
        const bench = process.cpuUsage(benchBefore);
        const usage: ScenarioCpu = {
          serverCpuPercent: percent(server.cpuSeconds() - serverCpuBefore),
          serverRunQueueWaitPercent: percent(server.runQueueWaitSeconds() - waitBefore),
          benchCpuPercent: percent((bench.user + bench.system) / 1e6),
        };
        cpu[name] = usage;
        log(
          `(${name}) CPU: server ${usage.serverCpuPercent} %, bench ${usage.benchCpuPercent} % (100 = one core); ` +
            `server threads waited for a CPU ${usage.serverRunQueueWaitPercent} % of the time`,
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        errors[name] = server.running() ? message : `${message}\nserver exited; its output:\n${server.output().slice(-4000)}`;
        log(`(${name}) FAILED: ${errors[name]}`);
      }
    },
  };
}
