/**
 * The registration body an agent sends: Keptn's `Integration` with the instance's own filters in
 * `metadata.shipmate.filters`. The subscriptions go without filters: they are shared by every
 * instance of the integration (and kept server-side once created), while each instance's filters
 * say which part of them it serves, so two planes with one name still get only their own tasks.
 */
import type { RegistrationBody } from './control-plane-client.js';

/** Who the agent is (Keptn's distributor variables in brackets). */
export interface AgentIdentity {
  /** The integration's name (K8S_DEPLOYMENT_NAME). */
  readonly name: string;
  /** (K8S_NAMESPACE) */
  readonly namespace: string;
  /** The node or host (K8S_NODE_NAME). */
  readonly hostname: string;
  /** This process (K8S_POD_NAME); instances are told apart by it. */
  readonly podname: string;
  /** The execution plane (LOCATION). */
  readonly location: string;
  /** The integration's version (VERSION). */
  readonly version: string;
  /** Event types of the initial subscriptions (PUBSUB_TOPIC). */
  readonly topics: readonly string[];
  /** This instance's own filters (PROJECT_FILTER, STAGE_FILTER, SERVICE_FILTER); empty = all. */
  readonly filters: { readonly projects: readonly string[]; readonly stages: readonly string[]; readonly services: readonly string[] };
}

/** Version reported as `distributorversion`. */
export const AGENT_VERSION = '0.1.0';

/** The body of `POST /controlPlane/v1/uniform/registration`. */
export function registrationBody(identity: AgentIdentity): RegistrationBody {
  return {
    name: identity.name,
    metadata: {
      hostname: identity.hostname,
      integrationversion: identity.version,
      distributorversion: AGENT_VERSION,
      location: identity.location,
      kubernetesmetadata: { namespace: identity.namespace, podname: identity.podname, deploymentname: identity.name },
      shipmate: {
        filters: {
          projects: [...identity.filters.projects],
          stages: [...identity.filters.stages],
          services: [...identity.filters.services],
        },
      },
    },
    subscriptions: identity.topics.map((event) => ({ event, filter: { projects: [], stages: [], services: [] } })),
  };
}
