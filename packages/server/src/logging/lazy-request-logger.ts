/**
 * A request's logger that makes the real child logger (with the request id) only when the request
 * logs a line its level lets through. Fastify makes a child logger for every request; most requests
 * (a long poll that ends empty, an event taken in) never log at info, and the child, its bindings
 * and its serialised prefix are work and garbage per request (issue 13: 5,000 parked agents
 * re-poll every 55 s).
 */
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];
type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** pino's check, when the parent logger has it. */
interface LevelCheck {
  isLevelEnabled?: (this: void, level: string) => boolean;
}

class LazyRequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}

  /** The real child logger, made on first use. */
  private real(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.options);
    return this.#child;
  }

  /** The real child when a line at `level` would be written; undefined when it would not. */
  private at(level: LevelName): FastifyBaseLogger | undefined {
    if (this.#child) return this.#child;
    const parent = this.parent as LevelCheck;
    if (typeof parent.isLevelEnabled === 'function' && !parent.isLevelEnabled(level)) return undefined;
    return this.real();
  }

  get level(): string {
    return (this.#child ?? this.parent).level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  debug(...args: unknown[]): void {
    this.write('debug', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  silent(): void {
    // writes nothing, as pino's
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }

  private write(level: LevelName, args: unknown[]): void {
    const logger = this.at(level);
    if (logger) logger[level](...(args as [string]));
  }
}

/** Fastify's `childLoggerFactory`: the request's logger, made real on its first line. */
export function lazyRequestLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  return new LazyRequestLogger(parent, bindings, options);
}
