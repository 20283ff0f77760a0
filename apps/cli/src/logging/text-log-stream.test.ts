import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { formatLogLine, textLogStream } from './text-log-stream.js';

describe('formatLogLine', () => {
  it('writes time, level, message and the other fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.parse('2026-01-01T12:00:01.123Z'),
      pid: 1,
      hostname: 'h',
      project: 'shop',
      keptnContext: 'c1',
      msg: 'task deployment finished: pass shop/dev/carts',
    });
    expect(formatLogLine(line)).toBe('12:00:01.123 INFO  task deployment finished: pass shop/dev/carts  project=shop keptnContext=c1');
  });

  it('quotes values with spaces and shows errors by their stack or message', () => {
    const line = JSON.stringify({ level: 50, time: 0, msg: 'failed', reason: 'a b', err: { type: 'Error', message: 'boom' } });
    expect(formatLogLine(line)).toBe('00:00:00.000 ERROR failed  reason="a b" err="boom"');
  });

  it('leaves lines that are not pino JSON alone', () => {
    expect(formatLogLine('plain text')).toBeUndefined();
    expect(formatLogLine('{"no":"level"}')).toBeUndefined();
  });
});

describe('textLogStream', () => {
  it('rewrites whole lines, also when a line arrives in pieces', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const stream = textLogStream(out);
    const line = JSON.stringify({ level: 40, time: 0, msg: 'careful' });
    stream.write(line.slice(0, 10));
    stream.write(`${line.slice(10)}\nnot json\n`);
    await new Promise((resolve) => stream.end(resolve));
    expect(chunks.join('')).toBe('00:00:00.000 WARN  careful\nnot json\n');
  });
});
