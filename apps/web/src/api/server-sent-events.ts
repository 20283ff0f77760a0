/**
 * An incremental parser of `text/event-stream` (the HTML standard's rules, the parts servers use:
 * `event`, `data`, comments, any line ending), fed with the text chunks a streamed `fetch` gives.
 */

/** One dispatched event. */
export interface ServerSentEvent {
  /** `message` when the event named none. */
  event: string;
  data: string;
}

/** Feeds text; calls `onEvent` for every complete event. */
export interface ServerSentEventParser {
  push(chunk: string): void;
}

/** A parser that calls `onEvent` for each complete event (an event ends at an empty line). */
export function createServerSentEventParser(onEvent: (event: ServerSentEvent) => void): ServerSentEventParser {
  let buffer = '';
  let name = '';
  let data: string[] = [];

  function line(text: string): void {
    if (text === '') {
      if (data.length > 0) onEvent({ event: name === '' ? 'message' : name, data: data.join('\n') });
      name = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }

  return {
    push(chunk) {
      buffer += chunk;
      // A trailing '\r' may be the first half of '\r\n': keep it until the next chunk.
      for (;;) {
        const match = /\r\n|\r(?!$)|\n/.exec(buffer);
        if (!match) return;
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
  };
}
