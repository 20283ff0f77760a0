import type { FastifyInstance } from 'fastify';
import { ErrorCode, InputError, NotFoundError, isPlainObject } from '@shipmate/core';
import type { SequenceControlState } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';
import { emptyObjectSchema, errorResponses } from '../contract/common-schemas.js';

const STATES: readonly SequenceControlState[] = ['pause', 'resume', 'abort'];

/** `POST /api/controlPlane/v1/sequence/{project}/{keptnContext}/control`: pause, resume, abort. */
export function registerSequenceControlRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post(
    '/api/controlPlane/v1/sequence/:project/:keptnContext/control',
    {
      schema: {
        tags: ['sequence'],
        summary: 'Pauses, resumes or aborts a sequence (optionally one stage); abort works in every state',
        params: { type: 'object', properties: { project: { type: 'string' }, keptnContext: { type: 'string' } } },
        body: { type: 'object', properties: { state: { type: 'string', enum: [...STATES] }, stage: { type: 'string' } } },
        response: { 200: emptyObjectSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { project, keptnContext } = request.params as { project: string; keptnContext: string };
      const body = request.body;
      if (!isPlainObject(body) || typeof body.state !== 'string') {
        throw new InputError(ErrorCode.missingField, `field 'state' is required: one of ${STATES.join(', ')}`);
      }
      const state = body.state as SequenceControlState;
      const stage = typeof body.stage === 'string' && body.stage !== '' ? body.stage : undefined;
      const record = await context.projects.requireProject(project);
      if (stage && !record.stages.includes(stage)) {
        throw new NotFoundError(ErrorCode.stageNotFound, `stage '${stage}' is not in the shipyard of project '${project}'; stages: ${record.stages.join(', ')}`);
      }
      await context.processor.control(project, keptnContext, state, stage);
      // A pause or resume emits no event; the UI hears of it here.
      context.changes.changed(project);
      return {};
    },
  );
}
