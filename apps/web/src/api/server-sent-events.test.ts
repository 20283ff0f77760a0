import { describe, expect, it } from 'vitest';
import { createServerSentEventParser } from './server-sent-events';
import type { ServerSentEvent } from './server-sent-events';

function parse(chunks: string[]): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = createServerSentEventParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

describe('createServerSentEventParser', () => {
  it('parses named events, skips comments and the retry field', () => {
    expect(parse(['retry: 3000\nevent: ready\ndata: {}\n\n: ping\n\nevent: change\ndata: {"projects":["shop"]}\n\n'])).toEqual([
      { event: 'ready', data: '{}' },
      { event: 'change', data: '{"projects":["shop"]}' },
    ]);
  });

  it('joins events split across chunks anywhere, also inside a \\r\\n', () => {
    const text = 'event: change\r\ndata: {"projects":\r\n\r\ndata: a\r\ndata: b\r\n\r\n';
    const whole = parse([text]);
    expect(whole).toEqual([
      { event: 'change', data: '{"projects":' },
      { event: 'message', data: 'a\nb' },
    ]);
    for (let cut = 1; cut < text.length; cut++) expect(parse([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toEqual(whole);
  });

  it('dispatches nothing until the empty line ends the event', () => {
    expect(parse(['event: change\ndata: x\n'])).toEqual([]);
  });
});
