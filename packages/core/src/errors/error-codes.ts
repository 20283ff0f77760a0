/**
 * Every stable error code Shipmate emits. docs/errors.md lists the same codes; a test keeps the
 * two in sync.
 */
export const ErrorCode = {
  invalidJson: 'ERR_INVALID_JSON',
  invalidField: 'ERR_INVALID_FIELD',
  unknownField: 'ERR_UNKNOWN_FIELD',
  missingField: 'ERR_MISSING_FIELD',
  invalidName: 'ERR_INVALID_NAME',
  invalidShipyard: 'ERR_INVALID_SHIPYARD',
  invalidEventType: 'ERR_INVALID_EVENT_TYPE',
  invalidEvent: 'ERR_INVALID_EVENT',
  invalidDuration: 'ERR_INVALID_DURATION',
  invalidTime: 'ERR_INVALID_TIME',
  invalidPagination: 'ERR_INVALID_PAGINATION',
  bodyTooLarge: 'ERR_BODY_TOO_LARGE',
  unauthorized: 'ERR_UNAUTHORIZED',
  routeNotFound: 'ERR_ROUTE_NOT_FOUND',
  projectNotFound: 'ERR_PROJECT_NOT_FOUND',
  stageNotFound: 'ERR_STAGE_NOT_FOUND',
  serviceNotFound: 'ERR_SERVICE_NOT_FOUND',
  sequenceNotFound: 'ERR_SEQUENCE_NOT_FOUND',
  integrationNotFound: 'ERR_INTEGRATION_NOT_FOUND',
  subscriptionNotFound: 'ERR_SUBSCRIPTION_NOT_FOUND',
  invalidSubscription: 'ERR_INVALID_SUBSCRIPTION',
  projectExists: 'ERR_PROJECT_EXISTS',
  serviceExists: 'ERR_SERVICE_EXISTS',
  stagesChanged: 'ERR_STAGES_CHANGED',
  unknownScope: 'ERR_UNKNOWN_SCOPE',
  secretNotFound: 'ERR_SECRET_NOT_FOUND',
  secretExists: 'ERR_SECRET_EXISTS',
  taskNotOpen: 'ERR_TASK_NOT_OPEN',
  taskNotLeased: 'ERR_TASK_NOT_LEASED',
  scopeForbidden: 'ERR_SCOPE_FORBIDDEN',
  secretKey: 'ERR_SECRET_KEY',
  storeUnavailable: 'ERR_STORE_UNAVAILABLE',
  internal: 'ERR_INTERNAL',
} as const;
/** One of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
