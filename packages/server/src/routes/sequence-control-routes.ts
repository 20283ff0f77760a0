import {
  SEQUENCE_CONTROL_STATES,
  emptyObjectSchema,
  errorResponses,
  sequenceControlBodySchema,
  sequenceControlParams,
} from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import { ErrorCode, InputError, NotFoundError, isPlainObject } from '@shipmate/core';
import type { SequenceControlState } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';

const STATES: readonly SequenceControlState[] = SEQUENCE_CONTROL_STATES;

/** `POST /api/controlPlane/v1/sequence/{project}/{keptnContext}/control`: pause, resume, abort. */
export function registerSequenceControlRoutes(app: TypedApp, context: ServerContext): void {
  app.post(
    '/api/controlPlane/v1/sequence/:project/:keptnContext/control',
    {
      schema: {
        tags: ['sequence'],
        summary: 'Pauses, resumes or aborts a sequence (optionally one stage); abort works in every state',
        params: sequenceControlParams,
        body: sequenceControlBodySchema,
        response: { 200: emptyObjectSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { project, keptnContext } = request.params;
      const body = request.body;
      if (!isPlainObject(body) || typeof body.state !== 'string') {
        throw new InputError(ErrorCode.missingField, `field 'state' is required: one of ${STATES.join(', ')}`);
      }
      const state = body.state;
      const stage = typeof body.stage === 'string' && body.stage !== '' ? body.stage : undefined;
      const record = await context.projects.requireProject(project);
      if (stage && !record.stages.includes(stage)) {
        throw new NotFoundError(
          ErrorCode.stageNotFound,
          `stage '${stage}' is not in the shipyard of project '${project}'; stages: ${record.stages.join(', ')}`,
        );
      }
      await context.processor.control(project, keptnContext, state, stage);
      // A pause or resume emits no event; the UI hears of it here.
      context.changes.changed(project);
      return {};
    },
  );
}
