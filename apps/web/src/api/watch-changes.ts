/**
 * Reads the server's change stream (`GET /api/shipmate/v1/changes`) with `fetch`, because
 * `EventSource` cannot send the token header and the token never goes into a URL.
 */
import { ApiError, ApiUnreachableError, errorAnswerOf } from '@shipmate/api-client';
import { createServerSentEventParser } from './server-sent-events';

/** What the stream tells. */
export interface ChangeHandlers {
  /** The stream is connected (re-read what is shown: changes may have been missed meanwhile). */
  onReady(): void;
  /** These projects and topics (`integrations`, `secrets`) changed. */
  onChange(projects: readonly string[], topics: readonly string[]): void;
}

/** The path of the stream. */
export const CHANGES_PATH = '/api/shipmate/v1/changes';

/**
 * Follows the stream until it ends (resolves) or fails (rejects with the client's {@link ApiError}
 * or {@link ApiUnreachableError}); abort `signal` to stop it.
 */
export async function watchChanges(token: string, handlers: ChangeHandlers, signal: AbortSignal): Promise<void> {
  let response: Response;
  try {
    response = await fetch(CHANGES_PATH, { headers: { 'x-token': token, accept: 'text/event-stream' }, signal, cache: 'no-store' });
  } catch (error) {
    if (signal.aborted) return;
    throw new ApiUnreachableError('GET', CHANGES_PATH, CHANGES_PATH, error);
  }
  if (!response.ok) throw new ApiError('GET', CHANGES_PATH, errorAnswerOf(response.status, response.statusText, await response.text()));
  if (!response.body)
    throw new ApiUnreachableError('GET', CHANGES_PATH, CHANGES_PATH, new Error('the change stream answered without a body'));
  const parser = createServerSentEventParser((event) => {
    if (event.event === 'ready') handlers.onReady();
    if (event.event === 'change') {
      const body = JSON.parse(event.data) as { projects?: unknown; topics?: unknown };
      const strings = (list: unknown) => (Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : []);
      handlers.onChange(strings(body.projects), strings(body.topics));
    }
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.push(value);
    }
  } catch (error) {
    if (signal.aborted) return;
    throw new ApiUnreachableError('GET', CHANGES_PATH, CHANGES_PATH, new Error(`the change stream broke (${String(error)})`));
  }
}
