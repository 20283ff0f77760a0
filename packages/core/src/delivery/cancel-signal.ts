/**
 * What a parked request needs to hear that its client went away: the part of an `AbortSignal` the
 * waits use. An `AbortSignal` is one; the server's routes pass a lighter one per request
 * (server/src/http/client-gone.ts), since a parked long poll holds it for up to a minute.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
