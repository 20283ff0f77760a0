/**
 * Schemas of the integration registry (`/uniform/registration`) and log (`/log`) paths, after
 * Keptn's shipyard-controller swagger (`models.Integration`, `models.LogEntry`). Bodies are typed
 * loosely and validated by the registry with Keptn's rules, so its messages reach the client.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ReadonlyArrayOf, StringEnum } from './schema-helpers.js';

const S = (description?: string) => Type.Optional(Type.String(description === undefined ? {} : { description }));
const stringList = () => Type.Optional(Type.Array(Type.String()));

/** Keptn's `EventSubscriptionFilter`; an empty list means all. */
export const subscriptionFilterSchema = Type.Object({ projects: stringList(), stages: stringList(), services: stringList() });
/** Keptn's `EventSubscriptionFilter`; an empty list means all. */
export type SubscriptionFilter = Static<typeof subscriptionFilterSchema>;

/** Keptn's `EventSubscription`. */
export const subscriptionSchema = Type.Object({ id: S(), event: S(), filter: Type.Optional(subscriptionFilterSchema) });
/** Keptn's `EventSubscription`. */
export type Subscription = Static<typeof subscriptionSchema>;

const instanceSchema = Type.Object(
  {
    instanceId: S(),
    hostname: S(),
    podname: S(),
    location: S(),
    integrationversion: S(),
    distributorversion: S(),
    filters: Type.Optional(subscriptionFilterSchema),
    lastseen: S(),
    state: Type.Optional(StringEnum(['online', 'offline'])),
  },
  { description: 'Shipmate: one agent process of the integration' },
);
/** Shipmate: one agent process of an integration. */
export type IntegrationInstance = Static<typeof instanceSchema>;

/** Keptn's `Integration` plus Shipmate's `instances` and `collision`. */
export const integrationSchema = Type.Object({
  id: S(),
  name: S(),
  metadata: Type.Optional(
    Type.Object({
      hostname: S(),
      integrationversion: S(),
      distributorversion: S(),
      location: S(),
      lastseen: S(),
      kubernetesmetadata: Type.Optional(Type.Object({ namespace: S(), podname: S(), deploymentname: S() })),
      shipmate: Type.Optional(
        Type.Object(
          { filters: Type.Optional(subscriptionFilterSchema) },
          { description: "Shipmate extension (register body only): the instance's own filters" },
        ),
      ),
    }),
  ),
  subscriptions: Type.Optional(Type.Array(subscriptionSchema)),
  instances: Type.Optional(Type.Array(instanceSchema)),
  collision: Type.Optional(
    Type.Object(
      { message: S(), planes: stringList(), filtersOverlap: Type.Optional(Type.Boolean()) },
      { description: 'Shipmate: present when several execution planes share this identity' },
    ),
  ),
});
/** Keptn's `Integration` plus Shipmate's `instances` and `collision`. */
export type Integration = Static<typeof integrationSchema>;

/** Answer of `GET /uniform/registration`: a plain array, not paginated. */
export const integrationListSchema = Type.Array(integrationSchema);

/** Answer of `GET /uniform/registration/{integrationID}/subscription`. */
export const subscriptionListSchema = Type.Array(subscriptionSchema);

/** Filters with every list present (what the agent SDK sends). */
const fullFilter = Type.Object({
  projects: Type.Array(Type.String()),
  stages: Type.Array(Type.String()),
  services: Type.Array(Type.String()),
});

/**
 * The registration body the agent SDK sends: Keptn's `models.Integration` with every field filled
 * in and Shipmate's instance filters. The route accepts the looser {@link integrationSchema}.
 */
export const registrationBodySchema = Type.Object({
  name: Type.String(),
  metadata: Type.Object({
    hostname: Type.String(),
    integrationversion: Type.String(),
    distributorversion: Type.String(),
    location: Type.String(),
    kubernetesmetadata: Type.Object({ namespace: Type.String(), podname: Type.String(), deploymentname: Type.String() }),
    shipmate: Type.Object({ filters: fullFilter }),
  }),
  subscriptions: Type.Array(Type.Object({ event: Type.String(), filter: fullFilter })),
});
/** The registration body the agent SDK sends. */
export type RegistrationBody = Static<typeof registrationBodySchema>;

/** `{id}` (Keptn's `RegisterResponse`), plus Shipmate's `instanceId` on register. */
export const idResponseSchema = Type.Object({
  id: S(),
  instanceId: S('Shipmate: pass to the ping as ?instanceId='),
});
/** `{id}` (Keptn's `RegisterResponse`), plus Shipmate's `instanceId` on register. */
export type IdResponse = Static<typeof idResponseSchema>;

/** A registration a Shipmate control plane confirmed: the integration's id and this instance's. */
export type Registration = Readonly<Required<IdResponse>>;

/** `{integrationID}` path parameter. */
export const integrationParams = Type.Object({ integrationID: Type.String() });
/** `{integrationID}/{subscriptionID}` path parameters. */
export const subscriptionParams = Type.Object({ integrationID: Type.String(), subscriptionID: Type.String() });

/** Query of `GET /uniform/registration`. */
export const registrationListQuery = Type.Object({
  id: S(),
  name: S(),
  namespace: S(),
  hostname: S(),
  project: S('Some subscription filter lists this project'),
  stage: S(),
  service: S(),
});
/** Query of `GET /uniform/registration`. */
export type RegistrationListQuery = Static<typeof registrationListQuery>;

/** Query of the ping (Shipmate extension; Keptn's SDK sends nothing). */
export const pingQuery = Type.Object({ instanceId: S('Shipmate: the instance that pings') });

/** Keptn's `LogEntry`. */
export const logEntrySchema = Type.Object({
  integrationid: S(),
  message: S(),
  time: S(),
  shkeptncontext: S(),
  task: S(),
  triggeredid: S(),
  gitcommitid: S(),
});
/** Keptn's `LogEntry`. */
export type LogEntry = Static<typeof logEntrySchema>;

/** Body of `POST /log`: entries are checked by the registry (its messages name the field). */
export const createLogsBodySchema = Type.Object({
  logs: Type.Optional(ReadonlyArrayOf(Type.Unsafe<LogEntry>({ type: 'object' }))),
});
/** Body of `POST /log`. */
export type CreateLogsBody = Static<typeof createLogsBodySchema>;

const logTime = () => S('Keptn timestamp, exactly 2006-01-02T15:04:05.000Z; inclusive');

/** Query of `GET /log`. */
export const logQuery = Type.Object({
  integrationId: S(),
  fromTime: logTime(),
  beforeTime: logTime(),
  pageSize: S('Number of entries; missing or 0 returns all'),
  nextPageKey: S('The nextPageKey of the previous page (an offset)'),
});
/** Query of `GET /log`. */
export type LogQuery = Static<typeof logQuery>;

/** Query of `DELETE /log`. */
export const deleteLogQuery = Type.Object({ integrationId: S(), fromTime: logTime(), beforeTime: logTime() });
/** Query of `DELETE /log`. */
export type DeleteLogQuery = Static<typeof deleteLogQuery>;

/** Keptn's `GetLogsResponse`. */
export const logsResponseSchema = Type.Object({
  logs: Type.Optional(Type.Array(logEntrySchema)),
  nextPageKey: Type.Optional(Type.Integer({ description: 'Offset of the next page; absent on the last page' })),
  pageSize: Type.Optional(Type.Integer({ description: 'Number of entries returned' })),
  totalCount: Type.Optional(Type.Integer()),
});
/** Keptn's `GetLogsResponse`. */
export type LogsResponse = Static<typeof logsResponseSchema>;
