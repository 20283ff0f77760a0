// Public entry point of @shipmate/agent-sdk: connect an execution plane to a Shipmate control plane.
export { createIntegration, LEAVE_OPEN } from './integration.js';
export type {
  Integration,
  IntegrationObserver,
  IntegrationOptions,
  TaskEnd,
  TaskContext,
  TaskHandler,
  TaskHandlerOptions,
  TaskOutcome,
} from './integration.js';
export { DEFAULT_POLL_WAIT_MS, createAgentSession } from './agent-session.js';
export type { AgentSession, AgentSessionOptions } from './agent-session.js';
export { createControlPlaneClient, ControlPlaneError } from './control-plane-client.js';
export type {
  ControlPlaneClient,
  ControlPlaneConnection,
  Registration,
  RegistrationBody,
  TaskBatch,
  RawResponse,
} from './control-plane-client.js';
export { createTaskReads } from './task-reads.js';
export { createSubtaskRunner, SubtaskTimeoutError } from './subtask.js';
export type { RunSubtask, SubtaskOptions } from './subtask.js';
export type { ResourceLevelName, SecretValues, TaskReads, TaskResource } from './task-reads.js';
export { createEventSender } from './event-sender.js';
export { senderSettling } from './task-source.js';
export type { TaskSource } from './task-source.js';
export type { EventSender, EventSenderOptions } from './event-sender.js';
export { registrationBody, AGENT_VERSION } from './registration-body.js';
export type { AgentIdentity } from './registration-body.js';
export { taskNameOf, startedEvent, progressEvent, finishedEvent, erroredEvent } from './task-events.js';
export { stderrLogger, silentLogger } from './logger.js';
export type { AgentLogger } from './logger.js';
export { DEFAULT_BACKOFF, backoffDelay, sleep } from './backoff.js';
export type { Backoff } from './backoff.js';
export { tlsConnectionOptions } from './tls-options.js';
export type { TlsSettings } from './tls-options.js';
