/**
 * Figure (d): `.triggered` stored → a remote agent's handler starting, p50/p99/max, on two paths:
 * - `sdk`: an integration built on `@shipmate/agent-sdk` in the bench process (a separate process
 *   from the server); the handler starts as soon as the task arrives, while the SDK sends `.started`.
 * - `agent`: the real `shipmate agent` process forwarding each task to a recipient (what a
 *   Keptn-style integration behind the distributor sees); timed when the forward arrives.
 * Each path runs the sequences of `bench-agents` first one at a time, then `inFlight` at a time;
 * the answer to each task triggers the next, so every task is one sample.
 */
import { performance } from 'node:perf_hooks';
import { agentServiceNames } from './agent-project.js';
import { startRecipient, startShipmateAgent } from './agent-recipient.js';
import { LATENCY_EDGES, createHandlerSamples, driveSequences } from './handler-samples.js';
import type { KeptnApi } from './keptn-api.js';
import { createProblemLog, startTimedIntegration } from './sdk-agents.js';
import type { ControlPlaneTarget } from './sdk-agents.js';
import type { ServerProcess, StartOptions } from './server-process.js';
import { readProcessWriteBytes } from './server-process.js';
import { histogram, round, summarize } from './stats.js';

export interface HandlerLatencyOptions {
  api: KeptnApi;
  target: ControlPlaneTarget;
  /** The server's pid, for its disk writes. */
  serverPid: number;
  /** Sequences per mode (one at a time, then in flight); 5 samples each. */
  sequences: number;
  /** Sequences in flight in the second mode. */
  inFlight: number;
  log(line: string): void;
}

/** Latencies of one path, in ms. */
export interface PathLatency {
  /** Both modes together: the reported figures. */
  all: ReturnType<typeof summarize>;
  /** One sequence at a time. */
  sequential: ReturnType<typeof summarize>;
  /** `inFlight` sequences at a time. */
  inFlight: ReturnType<typeof summarize>;
  /** Both modes, count per bucket. */
  histogramMs: Record<string, number>;
  /** What the server wrote to storage (database + WAL) per task, both modes, KiB. */
  serverDiskWriteKiBPerTask: number;
}

async function measure(
  options: HandlerLatencyOptions,
  samples: ReturnType<typeof createHandlerSamples>,
  path: string,
): Promise<PathLatency> {
  const services = agentServiceNames(options.inFlight);
  const writtenBefore = readProcessWriteBytes(options.serverPid);
  const sequential = await driveSequences({ api: options.api, samples, services, sequences: options.sequences, inFlight: 1 });
  options.log(`  (d) ${path}: one at a time p50 ${fmt(sequential, 50)} ms, p99 ${fmt(sequential, 99)} ms`);
  const inFlight = await driveSequences({ api: options.api, samples, services, sequences: options.sequences, inFlight: options.inFlight });
  options.log(`  (d) ${path}: ${options.inFlight} in flight p50 ${fmt(inFlight, 50)} ms, p99 ${fmt(inFlight, 99)} ms`);
  const all = [...sequential, ...inFlight];
  return {
    all: summarize(all),
    sequential: summarize(sequential),
    inFlight: summarize(inFlight),
    histogramMs: histogram(all, LATENCY_EDGES),
    serverDiskWriteKiBPerTask: round((readProcessWriteBytes(options.serverPid) - writtenBefore) / 1024 / all.length, 1),
  };
}

function fmt(values: number[], p: 50 | 99): string {
  const s = summarize(values);
  return String(round(p === 50 ? s.p50 : s.p99, 1));
}

/** The SDK path: one instance of integration `bench-sdk`. */
export async function runSdkHandlerLatency(options: HandlerLatencyOptions): Promise<PathLatency & { agentProblems: string[] }> {
  const samples = createHandlerSamples();
  const problems = createProblemLog();
  const integration = await startTimedIntegration(options.target, { name: 'bench-sdk', podname: 'bench-sdk-1' }, samples, problems);
  try {
    const result = await measure(options, samples, 'SDK handler');
    return { ...result, agentProblems: problems.recent() };
  } catch (error) {
    const recent = problems.recent();
    throw new Error(`${error instanceof Error ? error.message : String(error)}${recent.length ? `; SDK said: ${recent.join(' | ')}` : ''}`);
  } finally {
    await integration.stop();
  }
}

export interface AgentPathOptions extends HandlerLatencyOptions {
  /** Starts a child process, tracked by the bench for shutdown. */
  startProcess: (options: StartOptions) => Promise<ServerProcess>;
  /** Stops a child process started by {@link startProcess}. */
  stopProcess: (process: ServerProcess) => Promise<string>;
  shipmateBin: string;
  surfacePort: number;
}

/** The distributor path: `shipmate agent` (integration `bench-agent`) → recipient. */
export async function runAgentHandlerLatency(
  options: AgentPathOptions,
): Promise<PathLatency & { agentCpuPercent: number; agentExit: string; recipient: { received: number; answerFailures: number } }> {
  const samples = createHandlerSamples();
  const recipient = await startRecipient(samples);
  try {
    const { agent, surface } = await startShipmateAgent({
      start: options.startProcess,
      shipmateBin: options.shipmateBin,
      serverUrl: options.target.serverUrl,
      token: options.target.token,
      surfacePort: options.surfacePort,
      recipientPort: recipient.port,
      name: 'bench-agent',
    });
    recipient.setAgent(surface);
    const cpuBefore = agent.cpuSeconds();
    const startedAt = performance.now();
    let result: PathLatency;
    let agentCpuPercent = Number.NaN;
    let agentExit = '';
    try {
      result = await measure(options, samples, 'shipmate agent → recipient');
      agentCpuPercent = round(((agent.cpuSeconds() - cpuBefore) * 100_000) / (performance.now() - startedAt), 1);
    } catch (error) {
      const failure = recipient.stats.lastFailure ? `; recipient: ${recipient.stats.lastFailure}` : '';
      throw new Error(`${error instanceof Error ? error.message : String(error)}${failure}; agent output:\n${agent.output().slice(-2000)}`);
    } finally {
      surface.close();
      agentExit = await options.stopProcess(agent);
    }
    const { received, answerFailures } = recipient.stats;
    return { ...result, agentCpuPercent, agentExit, recipient: { received, answerFailures } };
  } finally {
    await recipient.close();
  }
}
