/**
 * Error categories of Shipmate. Each carries a stable code (listed in docs/errors.md) and a
 * message that names the offending value and the fix. HTTP status mapping happens only in the
 * server's error handler.
 */
import { ErrorCode } from './error-codes.js';

/** Closed set of error categories. */
export const ErrorCategory = {
  input: 'input',
  auth: 'auth',
  forbidden: 'forbidden',
  notFound: 'notFound',
  conflict: 'conflict',
  tooLarge: 'tooLarge',
  unprocessable: 'unprocessable',
  unavailable: 'unavailable',
} as const;
/** One of {@link ErrorCategory}. */
export type ErrorCategory = (typeof ErrorCategory)[keyof typeof ErrorCategory];

/** Base class of every error Shipmate raises on purpose. */
export class ShipmateError extends Error {
  /** Stable machine-readable code such as `ERR_PROJECT_NOT_FOUND`. */
  readonly code: string;
  /** Category used to pick the transport status. */
  readonly category: ErrorCategory;
  constructor(category: ErrorCategory, code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.category = category;
  }
}

/** The caller sent something invalid; retrying the same input fails again. */
export class InputError extends ShipmateError {
  constructor(code: string, message: string) {
    super('input', code, message);
  }
}

/** The caller is not authenticated. */
export class AuthError extends ShipmateError {
  constructor(code: string, message: string) {
    super('auth', code, message);
  }
}

/** The caller is authenticated but may not do this (e.g. read a secret for a task it does not hold). */
export class ForbiddenError extends ShipmateError {
  constructor(code: string, message: string) {
    super('forbidden', code, message);
  }
}

/** A named entity does not exist. */
export class NotFoundError extends ShipmateError {
  constructor(code: string, message: string) {
    super('notFound', code, message);
  }
}

/** The entity exists already or the state forbids the change. */
export class ConflictError extends ShipmateError {
  constructor(code: string, message: string) {
    super('conflict', code, message);
  }
}

/**
 * A step's pending event was processed, or its timer fired, by another control-plane replica
 * meanwhile: the store applied nothing of the step (see ports/step-claims.ts); the caller reads
 * again instead of doing the work twice.
 */
export class AlreadyHandledError extends ConflictError {
  /** `what`: the event or timer, e.g. `event 42`. */
  constructor(what: string) {
    super(ErrorCode.alreadyHandled, `${what} was handled by another replica meanwhile; nothing of this step was applied`);
  }
}

/** True for an {@link AlreadyHandledError} (by its code, so also for one raised by another copy of this module). */
export function isAlreadyHandled(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === ErrorCode.alreadyHandled;
}

/** The request body or a value is larger than the configured limit. */
export class TooLargeError extends ShipmateError {
  constructor(code: string, message: string) {
    super('tooLarge', code, message);
  }
}

/** The input is well-formed but refused by a policy (e.g. a remote URL on the deny list). */
export class UnprocessableError extends ShipmateError {
  constructor(code: string, message: string) {
    super('unprocessable', code, message);
  }
}

/** A dependency is down; retrying later may succeed. */
export class UnavailableError extends ShipmateError {
  constructor(code: string, message: string) {
    super('unavailable', code, message);
  }
}

/**
 * True when retrying later may succeed: an {@link UnavailableError} (store busy, full or failing
 * I/O). Everything else fails again on retry and is permanent.
 */
export function isTransient(error: unknown): boolean {
  return error instanceof ShipmateError && error.category === ErrorCategory.unavailable;
}
