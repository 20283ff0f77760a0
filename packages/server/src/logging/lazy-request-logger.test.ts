import { afterEach, describe, expect, it, vi } from 'vitest';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { lazyRequestLogger } from './lazy-request-logger.js';

let app: FastifyInstance;
let lines: Array<Record<string, unknown>>;

/** A Fastify app with a real pino logger at `level` whose lines the test reads. */
async function appAt(level: string): Promise<FastifyInstance> {
  lines = [];
  const stream = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  app = Fastify({
    logger: { level, stream },
    childLoggerFactory: lazyRequestLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.get('/quiet', async (request) => {
    request.log.debug('not at info');
    return { ok: true };
  });
  app.get('/loud', async (request) => {
    request.log.warn({ detail: 1 }, 'something to see');
    return { level: request.log.level };
  });
  await app.ready();
  return app;
}

afterEach(async () => {
  await app.close();
});

describe('lazyRequestLogger', () => {
  it('makes no child logger for a request that logs nothing its level lets through', async () => {
    await appAt('info');
    const child = vi.spyOn(app.log, 'child');
    expect((await app.inject({ method: 'GET', url: '/quiet' })).statusCode).toBe(200);
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('writes a line with the request id through the real child once the request logs', async () => {
    await appAt('info');
    const child = vi.spyOn(app.log, 'child');
    const reply = await app.inject({ method: 'GET', url: '/loud' });
    expect(reply.json()).toEqual({ level: 'info' });
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'something to see', detail: 1, reqId: expect.any(String) })]);
  });

  it('writes debug lines when the level is debug', async () => {
    await appAt('debug');
    await app.inject({ method: 'GET', url: '/quiet' });
    expect(lines).toEqual([expect.objectContaining({ level: 20, msg: 'not at info', reqId: expect.any(String) })]);
  });
});
