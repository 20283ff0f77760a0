/**
 * Keptn's resource service paths: `/api/resource-service/v1/project/{p}[/stage/{s}[/service/{svc}]]/resource[/{resourceURI}]`.
 * Writes have their own body limit, derived from SHIPMATE_MAX_RESOURCE_BYTES (base64 grows a file by 4/3).
 */
import {
  errorResponses,
  resourceBodySchema,
  resourceListSchema,
  resourceParams,
  resourceQuerySchema,
  resourceSchema,
  resourcesBodySchema,
  writeResultSchema,
} from '@shipmate/api';
import type { ResourceLevelParams } from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import { ErrorCode, MAX_RESOURCE_BYTES_SETTING } from '@shipmate/core';
import type { ResourceLevel } from '@shipmate/core';
import { keptnErrorHandler } from '../http/keptn-error.js';
import { sendResourceJson } from '../resources/resource-json.js';
import type { ResourceService } from '../resources/resource-service.js';
import type { ServerContext } from '../server-context.js';

const BASE = '/api/resource-service/v1';

/** The three levels: path prefix and parameter names. */
const LEVELS = [
  { path: '/project/:project', names: ['project'], tag: 'project level' },
  { path: '/project/:project/stage/:stage', names: ['project', 'stage'], tag: 'stage level' },
  { path: '/project/:project/stage/:stage/service/:service', names: ['project', 'stage', 'service'], tag: 'service level' },
] as const;

function levelOf(params: ResourceLevelParams): ResourceLevel {
  return {
    project: params.project,
    ...(params.stage === undefined ? {} : { stage: params.stage }),
    ...(params.service === undefined ? {} : { service: params.service }),
  };
}

/** Body limit of resource writes: the base64 of the largest file plus room for the JSON around it. */
export function resourceBodyLimit(maxResourceBytes: number, maxBodyBytes: number): number {
  return Math.max(maxBodyBytes, Math.ceil(maxResourceBytes / 3) * 4 + 64 * 1024);
}

/** Registers the resource routes on every level (only when the server has a resource store). */
export function registerResourceRoutes(app: TypedApp, context: ServerContext, service: ResourceService): void {
  const bodyLimit = resourceBodyLimit(context.options.maxResourceBytes, context.options.maxBodyBytes);
  const errorHandler = keptnErrorHandler({
    bytes: bodyLimit,
    setting: MAX_RESOURCE_BYTES_SETTING,
    errorCode: ErrorCode.resourceTooLarge,
    // A 12 MB file against "a limit of 14046552 bytes" reads as a contradiction without it.
    derivation: `the base64 of a file of at most ${context.options.maxResourceBytes} bytes, and the JSON around it`,
  });
  const writeOptions = { bodyLimit, errorHandler };

  for (const level of LEVELS) {
    const collection = `${BASE}${level.path}/resource`;
    const single = `${collection}/:resourceURI`;
    const params = resourceParams(level.names, false);
    const uriParams = resourceParams(level.names, true);
    const tags = ['resource'];

    app.get(
      collection,
      {
        schema: {
          tags,
          summary: `Lists the files of the ${level.tag} (paginated, without content)`,
          params,
          querystring: resourceQuerySchema,
          response: { 200: resourceListSchema, ...errorResponses },
        },
      },
      async (request) => service.list(levelOf(request.params), request.query),
    );

    app.post(
      collection,
      {
        ...writeOptions,
        schema: {
          tags,
          summary: `Creates or overwrites files of the ${level.tag} in one commit (201)`,
          params,
          body: resourcesBodySchema,
          response: { 201: writeResultSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const result = await service.writeMany(levelOf(request.params), request.body);
        return reply.status(201).send(result);
      },
    );

    app.put(
      collection,
      {
        ...writeOptions,
        schema: {
          tags,
          summary: `Creates or overwrites files of the ${level.tag} in one commit`,
          params,
          body: resourcesBodySchema,
          response: { 200: writeResultSchema, ...errorResponses },
        },
      },
      async (request) => service.writeMany(levelOf(request.params), request.body),
    );

    app.get(
      single,
      {
        schema: {
          tags,
          summary: `Reads one file of the ${level.tag} (base64), at the tip or at gitCommitID`,
          params: uriParams,
          querystring: resourceQuerySchema,
          response: { 200: resourceSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const params = request.params;
        return sendResourceJson(reply, await service.get(levelOf(params), params.resourceURI ?? '', request.query));
      },
    );

    app.put(
      single,
      {
        ...writeOptions,
        schema: {
          tags,
          summary: `Creates or overwrites one file of the ${level.tag}`,
          params: uriParams,
          body: resourceBodySchema,
          response: { 200: writeResultSchema, ...errorResponses },
        },
      },
      async (request) => {
        const params = request.params;
        return service.writeOne(levelOf(params), params.resourceURI ?? '', request.body);
      },
    );

    app.delete(
      single,
      {
        schema: {
          tags,
          summary: `Deletes one file of the ${level.tag} in a new commit`,
          params: uriParams,
          response: { 200: writeResultSchema, ...errorResponses },
        },
      },
      async (request) => {
        const params = request.params;
        return service.delete(levelOf(params), params.resourceURI ?? '');
      },
    );
  }
}
