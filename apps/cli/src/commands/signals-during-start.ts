/**
 * SIGTERM and SIGINT of a long-running command, from before it has started. A process that already
 * answers its health endpoint can be told to stop before it has its shutdown handler (a supervisor,
 * or a test, that stops it as soon as it is up); Node's default then ends it by the signal, with no
 * clean shutdown and no exit code 0. Held here instead: the first signal is kept and handed to the
 * command's handler once it has started; a second one before that exits at once with code 1.
 *
 * One listener per signal from the start to the end: removing a listener and adding the next one
 * loses a signal that arrived just before (Node closes the signal's handle with the last listener,
 * and a signal it had received but not yet dispatched goes with it, while the process lives on;
 * seen with `shipmate agent` stopped within 10 ms of its local surface listening).
 */

/** The signals of a command that is starting. */
export interface SignalsHeldDuringStart {
  /**
   * From now on each SIGTERM and SIGINT goes to `handler`; one held while the command started goes
   * to it at once.
   */
  handOver(handler: (signal: NodeJS.Signals) => void): void;
  /** Stops listening (the command failed to start and exits on its own). */
  release(): void;
}

/**
 * Holds SIGTERM and SIGINT from now until {@link SignalsHeldDuringStart.handOver}. `write` gets one
 * line when a signal is held, saying it is acted on once `what` (e.g. `the control plane`) has started.
 */
export function holdSignalsDuringStart(write: (line: string) => void, what: string): SignalsHeldDuringStart {
  let held: NodeJS.Signals | undefined;
  let handler: ((signal: NodeJS.Signals) => void) | undefined;
  const dispatch = (signal: NodeJS.Signals) => {
    if (handler) {
      handler(signal);
      return;
    }
    if (held) {
      process.exit(1);
      return;
    }
    held = signal;
    write(`${signal} received while starting ${what}: shutting down once it has started\n`);
  };
  process.on('SIGTERM', dispatch);
  process.on('SIGINT', dispatch);
  return {
    handOver(next) {
      handler = next;
      if (held) next(held);
    },
    release() {
      process.off('SIGTERM', dispatch);
      process.off('SIGINT', dispatch);
    },
  };
}
