import { errorResponses, evaluationBodySchema, keptnContextResponse, stageServiceParams } from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import { ErrorCode, InputError, NotFoundError, isPlainObject, keptnTime, parseGoDuration } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';

const EVALUATION_FIELDS = ['start', 'end', 'timeframe', 'labels', 'gitcommitid'];

/** `POST .../project/{p}/stage/{s}/service/{svc}/evaluation`: starts the stage's evaluation sequence. */
export function registerEvaluationRoutes(app: TypedApp, context: ServerContext): void {
  app.post(
    '/api/controlPlane/v1/project/:project/stage/:stage/service/:service/evaluation',
    {
      schema: {
        tags: ['evaluation'],
        summary: 'Triggers a quality-gate evaluation',
        params: stageServiceParams,
        body: evaluationBodySchema,
        response: { 200: keptnContextResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { project, stage, service } = request.params;
      const body = request.body ?? {};
      if (!isPlainObject(body)) throw new InputError(ErrorCode.invalidField, 'body must be a JSON object');
      for (const key of Object.keys(body)) {
        if (!EVALUATION_FIELDS.includes(key))
          throw new InputError(ErrorCode.unknownField, `unknown field '${key}'; allowed: ${EVALUATION_FIELDS.join(', ')}`);
      }
      const record = await context.projects.requireProject(project);
      if (!record.stages.includes(stage)) {
        throw new NotFoundError(
          ErrorCode.stageNotFound,
          `stage '${stage}' is not in the shipyard of project '${project}'; stages: ${record.stages.join(', ')}`,
        );
      }
      const services = await context.store.listServices(project, stage);
      if (!services.some((s) => s.name === service)) {
        throw new NotFoundError(
          ErrorCode.serviceNotFound,
          `service '${service}' does not exist in stage '${stage}' of project '${project}'; create it first`,
        );
      }
      const window = evaluationWindow(body, context.options.clock.nowMs());
      const ids = context.options.ids;
      const event = {
        id: ids.newId(),
        type: `sh.keptn.event.${stage}.evaluation.triggered`,
        source: 'https://github.com/keptn/keptn/api',
        specversion: '1.0',
        time: keptnTime(context.options.clock.nowMs()),
        contenttype: 'application/json',
        shkeptncontext: ids.newId(),
        ...(typeof body.gitcommitid === 'string' && body.gitcommitid ? { gitcommitid: body.gitcommitid } : {}),
        data: { project, stage, service, labels: body.labels ?? {}, evaluation: window },
      };
      await context.intake.acceptInternal(event);
      return { keptnContext: event.shkeptncontext };
    },
  );
}

/** Keptn's evaluation window rules (control-plane.md §3.5). */
export function evaluationWindow(body: Record<string, unknown>, nowMs: number): { start: string; end: string } {
  const start = optionalTime(body.start, 'start');
  const end = optionalTime(body.end, 'end');
  const timeframe = typeof body.timeframe === 'string' && body.timeframe !== '' ? parseGoDuration(body.timeframe, 'timeframe') : undefined;
  if (timeframe !== undefined && end !== undefined)
    throw new InputError(ErrorCode.invalidField, "'timeframe' and 'end' are mutually exclusive; give one of them");
  if (start !== undefined && timeframe === undefined && end === undefined)
    throw new InputError(ErrorCode.invalidField, "'start' needs either 'timeframe' or 'end'");
  if (end !== undefined && start === undefined) throw new InputError(ErrorCode.invalidField, "'end' needs 'start'");
  let startMs: number;
  let endMs: number;
  if (start === undefined) {
    endMs = nowMs;
    startMs = nowMs - (timeframe ?? 5 * 60 * 1000);
  } else {
    startMs = start;
    endMs = end ?? start + (timeframe ?? 0);
  }
  if (endMs - startMs < 60_000) throw new InputError(ErrorCode.invalidField, "'end' must be at least 1 minute after 'start'");
  return { start: keptnTime(startMs), end: keptnTime(endMs) };
}

function optionalTime(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new InputError(ErrorCode.invalidTime, `'${field}' must be a string such as 2024-01-02T15:04:05.000Z`);
  const text = value;
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(ms))
    throw new InputError(ErrorCode.invalidTime, `'${field}' value '${text}' is not a time; use ISO 8601 such as 2024-01-02T15:04:05.000Z`);
  return ms;
}
