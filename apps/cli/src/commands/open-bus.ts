/**
 * Opens what `shipmate server` has on NATS, when configured: the bus that carries notices between
 * control-plane replicas (`--bus` / SHIPMATE_BUS_URL) and the JetStream publisher of tasks for
 * in-cluster planes (SHIPMATE_TASK_STREAM). The NATS adapter (and its client) is imported only when
 * asked for, so a single replica without them never loads `nats`.
 */
import { ErrorCode, ShipmateError } from '@shipmate/core';
import type { ReplicaNoticeBus } from '@shipmate/core';
import type { JetStreamTaskPublisher, OpenTaskSource } from '@shipmate/bus-nats';
import { ConfigError } from '../config/config-error.js';
import type { BusChoice } from '../config/server-config.js';

/**
 * Connects to the chosen bus, or returns undefined without one. A server that cannot be reached is
 * a configuration error (exit 2) naming the variable; later losses of the connection are retried
 * forever and logged on stderr.
 */
export async function openBus(choice: BusChoice | undefined): Promise<ReplicaNoticeBus | undefined> {
  if (choice === undefined) return undefined;
  const { createNatsNoticeBus } = await import('@shipmate/bus-nats');
  try {
    return await createNatsNoticeBus({
      url: choice.url,
      field: choice.source,
      onError: (message) => process.stderr.write(`notice bus: ${message}\n`),
    });
  } catch (error) {
    throw asConfigError(
      error,
      `or ${choice.source === '--bus' ? 'leave out --bus' : 'leave SHIPMATE_BUS_URL unset'} to run a single replica without a bus`,
    );
  }
}

/**
 * Connects the task publisher of SHIPMATE_TASK_STREAM (creating or updating the stream), or returns
 * undefined without one. Tasks that were committed but not published when a previous process
 * stopped are republished by the caller once the server runs ({@link JetStreamTaskPublisher.republishOpen}).
 */
export async function openTaskPublisher(
  choice: BusChoice | undefined,
  openTasks: OpenTaskSource,
): Promise<JetStreamTaskPublisher | undefined> {
  if (choice?.taskStream === undefined) return undefined;
  const { createJetStreamTaskPublisher } = await import('@shipmate/bus-nats');
  try {
    return await createJetStreamTaskPublisher({
      url: choice.url,
      field: choice.source,
      stream: choice.taskStream,
      openTasks,
      onError: (message) => process.stderr.write(`task stream: ${message}\n`),
    });
  } catch (error) {
    throw asConfigError(error, 'or leave SHIPMATE_TASK_STREAM unset to deliver tasks over HTTP only');
  }
}

/** A NATS server that cannot be used is a configuration error (exit 2) with the fix. */
function asConfigError(error: unknown, alternative: string): unknown {
  if (error instanceof ShipmateError && (error.code === ErrorCode.busUnavailable || error.code === ErrorCode.invalidField))
    return new ConfigError(`${error.message}; ${alternative}`);
  return error;
}
