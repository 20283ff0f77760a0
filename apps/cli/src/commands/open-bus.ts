/**
 * Opens the bus that carries notices between control-plane replicas (`--bus` / SHIPMATE_BUS_URL),
 * when one is configured. The NATS adapter (and its client) is imported only when asked for, so a
 * single replica never loads `nats`.
 */
import { ErrorCode, ShipmateError } from '@shipmate/core';
import type { ReplicaNoticeBus } from '@shipmate/core';
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
    if (error instanceof ShipmateError && (error.code === ErrorCode.busUnavailable || error.code === ErrorCode.invalidField)) {
      const none = choice.source === '--bus' ? 'leave out --bus' : 'leave SHIPMATE_BUS_URL unset';
      throw new ConfigError(`${error.message}; or ${none} to run a single replica without a bus`);
    }
    throw error;
  }
}
