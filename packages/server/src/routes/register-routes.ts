import type { TypedApp } from '../http/typed-app.js';
import type { ServerContext } from '../server-context.js';
import { registerApiV1Routes } from './api-v1-routes.js';
import { registerDatastoreRoutes } from './datastore-routes.js';
import { registerEvaluationRoutes } from './evaluation-routes.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerOpenApiRoutes } from './openapi-routes.js';
import { registerProjectReadRoutes } from './project-read-routes.js';
import { registerProjectWriteRoutes } from './project-write-routes.js';
import { registerSequenceControlRoutes } from './sequence-control-routes.js';
import { registerSequenceRoutes } from './sequence-routes.js';
import { registerTriggeredEventRoutes } from './triggered-event-routes.js';
import { registerAnswerRoutes } from './answer-routes.js';
import { registerUniformRoutes } from './uniform-routes.js';
import { registerLogRoutes } from './log-routes.js';
import { registerDeliveryRoutes } from './delivery-routes.js';
import { registerResourceRoutes } from './resource-routes.js';
import { registerSecretRoutes } from './secret-routes.js';
import { registerTaskSecretRoutes } from './task-secret-routes.js';
import { registerApprovalRoutes } from './approval-routes.js';
import { registerMetricsRoutes } from './metrics-routes.js';
import { registerTokenRoutes } from './token-routes.js';

/** Registers every route of the control plane. */
export function registerRoutes(app: TypedApp, context: ServerContext): void {
  registerHealthRoutes(app);
  registerMetricsRoutes(app, context);
  registerOpenApiRoutes(app);
  registerApiV1Routes(app, context);
  registerProjectWriteRoutes(app, context);
  registerProjectReadRoutes(app, context);
  registerSequenceRoutes(app, context);
  registerSequenceControlRoutes(app, context);
  registerTriggeredEventRoutes(app, context);
  registerAnswerRoutes(app, context);
  registerEvaluationRoutes(app, context);
  registerDatastoreRoutes(app, context);
  registerUniformRoutes(app, context);
  registerLogRoutes(app, context);
  registerDeliveryRoutes(app, context);
  if (context.resources) registerResourceRoutes(app, context, context.resources);
  registerSecretRoutes(app, context);
  registerTaskSecretRoutes(app, context);
  registerApprovalRoutes(app, context);
  registerTokenRoutes(app, context);
}
