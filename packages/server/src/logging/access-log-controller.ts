/**
 * Fastify's per-request lines at debug instead of info: at info the log follows deliveries
 * (delivery-log.ts). Errors of requests keep their level (5xx at error, 4xx at info by Fastify).
 */
import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Logs `incoming request` and `request completed` at debug. */
export class DebugAccessLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug(`Route ${request.method}:${request.url} not found`);
  }
}
