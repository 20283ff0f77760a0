/**
 * In-process agents built on `@shipmate/agent-sdk`, for (d) and (e): a timed integration whose
 * handlers record their start (the SDK sends `.started` as the handler starts and `.finished` after
 * it), and idle sessions that only hold the long poll. Warnings and errors are kept, not printed.
 */
import { createAgentSession, createControlPlaneClient, createIntegration } from '@shipmate/agent-sdk';
import type { AgentLogger, AgentSession, Integration } from '@shipmate/agent-sdk';
import { AGENT_PROJECT, AGENT_TASKS } from './agent-project.js';
import type { HandlerSamples } from './handler-samples.js';

/** The control plane the agents connect to. */
export interface ControlPlaneTarget {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080` (the agents use `<url>/api`). */
  serverUrl: string;
  token: string;
}

/** A logger that keeps the last warnings and errors of many agents. */
export interface ProblemLog extends AgentLogger {
  /** Warnings and errors so far. */
  readonly count: number;
  /** The last few, newest last. */
  recent(): string[];
}

export function createProblemLog(keep = 5): ProblemLog {
  const lines: string[] = [];
  let count = 0;
  const note = (level: string) => (message: string) => {
    count++;
    lines.push(`${level}: ${message}`);
    if (lines.length > keep) lines.shift();
  };
  return {
    info() {},
    warn: note('warn'),
    error: note('error'),
    get count() {
      return count;
    },
    recent: () => [...lines],
  };
}

/** Identity of one agent instance. */
export interface InstanceName {
  /** The integration's name (shared by its replicas). */
  name: string;
  /** Tells the replicas apart. */
  podname: string;
}

/**
 * Starts an integration that answers every task of `bench-agents` (filtered to that project),
 * recording each handler's start in `samples`; resolves once registered.
 */
export async function startTimedIntegration(
  target: ControlPlaneTarget,
  instance: InstanceName,
  samples: HandlerSamples,
  logger: AgentLogger,
): Promise<Integration> {
  const integration = createIntegration({
    ...instance,
    hostname: 'bench',
    controlPlane: { endpoint: `${target.serverUrl}/api`, token: target.token },
    filters: { projects: [AGENT_PROJECT] },
    handleSignals: false,
    logger,
  });
  for (const task of AGENT_TASKS) {
    integration.onTask(task, (context) => {
      samples.record(context.event);
    });
  }
  await integration.start();
  return integration;
}

/** An idle instance: registered, subscribed to `sh.keptn.event.<topic>.triggered`, holding the long poll. */
export interface IdleAgent {
  readonly session: AgentSession;
  /** Long polls this instance sent so far (the first one included). */
  readonly polls: number;
}

/** Registers an idle instance whose tasks are ignored; resolves once registered (the poll then starts). */
export async function startIdleAgent(
  target: ControlPlaneTarget,
  instance: InstanceName,
  topic: string,
  logger: AgentLogger,
): Promise<IdleAgent> {
  const client = createControlPlaneClient({ endpoint: `${target.serverUrl}/api`, token: target.token });
  let polls = 0;
  const counted = {
    ...client,
    pollTasks: (...args: Parameters<typeof client.pollTasks>) => {
      polls++;
      return client.pollTasks(...args);
    },
  };
  const session = createAgentSession({
    client: counted,
    identity: {
      ...instance,
      namespace: 'bench',
      hostname: 'bench',
      location: 'remote-execution-plane',
      version: '',
      topics: [`sh.keptn.event.${topic}.triggered`],
      filters: { projects: [AGENT_PROJECT], stages: [], services: [] },
    },
    onTask: () => {},
    onAborted: () => {},
    logger,
  });
  await session.start();
  return {
    session,
    get polls() {
      return polls;
    },
  };
}
