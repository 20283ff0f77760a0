/**
 * Runs the helm CLI: `execFile` (no shell, arguments passed as they are), a timeout, the task's
 * abort signal, and helm's stderr kept for the message of a failure, trimmed to what a
 * `.finished` message can carry.
 */
import { execFile } from 'node:child_process';

/** How much of helm's output a message quotes. */
export const MAX_HELM_MESSAGE_CHARS = 1500;

/** Why a helm command did not succeed. */
export const HelmFailureKind = {
  /** helm ran and exited non-zero: `stderr` says why. */
  exited: 'exited',
  /** The binary was not found or could not be started. */
  notStarted: 'notStarted',
  /** It ran past its timeout and was stopped. */
  timedOut: 'timedOut',
  /** The task's signal aborted it. */
  aborted: 'aborted',
} as const;
/** One of {@link HelmFailureKind}. */
export type HelmFailureKind = (typeof HelmFailureKind)[keyof typeof HelmFailureKind];

/** A helm command that did not succeed; `message` is ready for a `.finished` message. */
export class HelmCommandError extends Error {
  readonly kind: HelmFailureKind;
  /** helm's stderr, trimmed ({@link helmOutputMessage}). */
  readonly helmMessage: string;
  constructor(kind: HelmFailureKind, message: string, helmMessage: string) {
    super(message);
    this.name = 'HelmCommandError';
    this.kind = kind;
    this.helmMessage = helmMessage;
  }
}

/** What a helm command printed. */
export interface HelmOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runHelm}. */
export interface RunHelmOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** What the message calls the command, e.g. `helm upgrade --install shop-dev-carts` (the full arguments name temporary files). */
  readonly description: string;
}

/**
 * helm's error output as a message: warnings dropped when there is more (helm warns e.g. about a
 * group-readable kubeconfig before its actual error), as are its leading `Error: ` and its advice
 * to rerun with `--debug`; cut at {@link MAX_HELM_MESSAGE_CHARS}.
 */
export function helmOutputMessage(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trimEnd());
  const kept = lines.filter((line) => line !== '' && !line.startsWith('Use --debug flag'));
  const errors = kept.filter((line) => !line.startsWith('WARNING:'));
  const text = (errors.length > 0 ? errors : kept)
    .join('\n')
    .replace(/^Error: /, '')
    .trim();
  if (text.length <= MAX_HELM_MESSAGE_CHARS) return text;
  return `${text.slice(0, MAX_HELM_MESSAGE_CHARS)}… (${text.length - MAX_HELM_MESSAGE_CHARS} more characters)`;
}

interface ExecError extends Error {
  code?: string | number | null;
  killed?: boolean;
}

/** Runs `binary args`; rejects with a {@link HelmCommandError}. */
export function runHelm(binary: string, args: readonly string[], options: RunHelmOptions): Promise<HelmOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      { signal: options.signal, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', windowsHide: true },
      (error: ExecError | null, stdout: string, stderr: string) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const helmMessage = helmOutputMessage(stderr);
        if (options.signal.aborted || error.name === 'AbortError') {
          reject(new HelmCommandError(HelmFailureKind.aborted, `${options.description} was stopped: the task was aborted`, helmMessage));
        } else if (error.code === 'ENOENT' || error.code === 'EACCES') {
          reject(
            new HelmCommandError(
              HelmFailureKind.notStarted,
              `cannot run helm binary '${binary}' (${String(error.code)}): install helm 3 on this machine or set SHIPMATE_HELM_BINARY to its path`,
              helmMessage,
            ),
          );
        } else if (error.killed === true) {
          reject(
            new HelmCommandError(
              HelmFailureKind.timedOut,
              `${options.description} did not finish within ${options.timeoutMs >= 1000 ? `${Math.round(options.timeoutMs / 1000)}s` : `${options.timeoutMs}ms`} and was stopped${helmMessage ? `: ${helmMessage}` : ''}`,
              helmMessage,
            ),
          );
        } else {
          reject(
            new HelmCommandError(
              HelmFailureKind.exited,
              `${options.description} failed (exit code ${String(error.code)}): ${helmMessage || error.message}`,
              helmMessage,
            ),
          );
        }
      },
    );
  });
}
