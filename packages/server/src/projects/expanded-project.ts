/**
 * Maps stored projects and services to Keptn's read models (go-utils `models.ExpandedProject`,
 * `ExpandedStage`, `ExpandedService`; control-plane.md §3.2). Secrets never reach these: the
 * project record only holds the public part of the git credentials.
 */
import { parentStages, parseShipyardYaml } from '@shipmate/core';
import type { LastEventType, ProjectRecord, ServiceRecord, Shipyard, UpstreamStatus } from '@shipmate/core';
import type { EventContextInfo, ExpandedProject, ExpandedService, ExpandedStage } from '@shipmate/api';

/** One service of one stage as Keptn returns it. */
export function toExpandedService(service: ServiceRecord): ExpandedService {
  const lastEventTypes: Record<string, EventContextInfo> = {};
  for (const [type, ref] of Object.entries(service.lastEventTypes)) lastEventTypes[type] = eventContextInfo(ref);
  return {
    serviceName: service.name,
    creationDate: service.creationDate,
    ...(service.deployedImage ? { deployedImage: service.deployedImage } : {}),
    lastEventTypes,
    openRemediations: null,
  };
}

/**
 * The stages of a project in shipyard order, each with its parent stages and its services.
 * `services` may hold the services of every stage; each stage takes its own.
 */
export function toExpandedStages(project: ProjectRecord, services: readonly ServiceRecord[]): ExpandedStage[] {
  const shipyard = parseStoredShipyard(project);
  return project.stages.map((stageName) => {
    const parents = shipyard ? parentStages(shipyard, stageName) : [];
    return {
      stageName,
      ...(parents.length > 0 ? { parentStages: parents } : {}),
      services: services
        .filter((service) => service.stage === stageName)
        .sort((a, b) => compareNames(a.name, b.name))
        .map(toExpandedService),
      lastEventContext: null,
    };
  });
}

/** The whole project with its stages and services (`services`: every service of the project) and its upstream's status. */
export function toExpandedProject(project: ProjectRecord, services: readonly ServiceRecord[], upstream?: UpstreamStatus): ExpandedProject {
  const credentials = project.gitCredentials;
  return {
    projectName: project.name,
    creationDate: project.creationDate,
    shipyard: project.shipyard,
    shipyardVersion: project.shipyardVersion,
    ...(credentials ? { gitCredentials: credentials } : {}),
    isUpstreamAutoProvisioned: false,
    lastEventContext: lastEventContext(project, services),
    stages: toExpandedStages(project, services),
    ...(credentials ? legacyGitFields(credentials) : {}),
    ...(upstream ? { upstreamStatus: upstream } : {}),
  };
}

/** Byte-wise name order, as Keptn's `sort.Slice` on Go strings. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function eventContextInfo(ref: LastEventType): EventContextInfo {
  return { eventId: ref.eventId, keptnContext: ref.keptnContext, time: ref.time };
}

/**
 * The stored shipyard parsed once per call. It was validated when it was stored, so a failure
 * here means a damaged record; the project stays readable, without parent stages.
 */
function parseStoredShipyard(project: ProjectRecord): Shipyard | undefined {
  try {
    return parseShipyardYaml(project.shipyard);
  } catch {
    return undefined;
  }
}

/**
 * The project keeps only the context of its last sequence; the event id and time come from the
 * newest `lastEventTypes` entry of that context, when a service has one.
 */
function lastEventContext(project: ProjectRecord, services: readonly ServiceRecord[]): EventContextInfo | null {
  const keptnContext = project.lastEventContext;
  if (!keptnContext) return null;
  let newest: LastEventType | undefined;
  for (const service of services) {
    for (const ref of Object.values(service.lastEventTypes)) {
      if (ref.keptnContext === keptnContext && (!newest || ref.time > newest.time)) newest = ref;
    }
  }
  return newest ? eventContextInfo(newest) : { eventId: '', keptnContext, time: '' };
}

function legacyGitFields(credentials: Record<string, unknown>): Partial<ExpandedProject> {
  const fields: Partial<ExpandedProject> = {};
  if (typeof credentials.remoteURL === 'string') fields.gitRemoteURI = credentials.remoteURL;
  if (typeof credentials.user === 'string') fields.gitUser = credentials.user;
  const https = asRecord(credentials.https);
  if (https && typeof https.insecureSkipTLS === 'boolean') fields.insecureSkipTLS = https.insecureSkipTLS;
  const proxy = asRecord(https?.proxy);
  if (proxy) {
    if (typeof proxy.url === 'string') fields.gitProxyUrl = proxy.url;
    if (typeof proxy.scheme === 'string') fields.gitProxyScheme = proxy.scheme;
    if (typeof proxy.user === 'string') fields.gitProxyUser = proxy.user;
  }
  return fields;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
