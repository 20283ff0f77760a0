/**
 * What the runtime reads from a release's manifest (`helm template` or `helm get manifest`: YAML
 * documents separated by `---`): the first Service's port for `deploymentURIsLocal` (Keptn's
 * getDeploymentURIs) and the container images, which the `.finished` message names. Documents
 * that are not valid YAML are skipped, as Keptn's decoder skips them.
 */
import { parseAllDocuments } from 'yaml';

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The manifest's documents that parse to a mapping, in order. */
function manifestObjects(manifest: string): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    if (doc.errors.length > 0) continue;
    const value: unknown = doc.toJS();
    if (isMap(value)) objects.push(value);
  }
  return objects;
}

/** The first Service of a manifest and the port Keptn takes from it. */
export interface ManifestService {
  /** `metadata.name` of the Service. */
  readonly name: string;
  /** The lowest TCP port (a port without `protocol` is TCP, as in Kubernetes); else the lowest port; undefined without ports. */
  readonly port: number | undefined;
}

/** The first `kind: Service` (core v1) of `manifest`, or undefined when it has none. */
export function firstService(manifest: string): ManifestService | undefined {
  const service = manifestObjects(manifest).find((o) => o.kind === 'Service' && o.apiVersion === 'v1');
  if (service === undefined) return undefined;
  const name = isMap(service.metadata) && typeof service.metadata.name === 'string' ? service.metadata.name : '';
  const ports = isMap(service.spec) && Array.isArray(service.spec.ports) ? service.spec.ports.filter(isMap) : [];
  const numbered = ports.filter(
    (p): p is Record<string, unknown> & { port: number } => typeof p.port === 'number' && Number.isInteger(p.port),
  );
  const tcp = numbered.filter((p) => p.protocol === undefined || p.protocol === 'TCP');
  const candidates = tcp.length > 0 ? tcp : numbered;
  const port = candidates.length > 0 ? Math.min(...candidates.map((p) => p.port)) : undefined;
  return { name, port };
}

/** Keptn's local URI of a deployed service: `http://<service>.<project>-<stage>:<port>`. */
export function localDeploymentUri(project: string, stage: string, service: string, port: number): string {
  return `http://${service}.${project}-${stage}:${port}`;
}

function collectImages(node: unknown, images: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectImages(item, images);
    return;
  }
  if (!isMap(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const container of value) if (isMap(container) && typeof container.image === 'string') images.add(container.image);
    }
    collectImages(value, images);
  }
}

/** Every container image of `manifest` (containers and init containers of any workload), in order of appearance, once each. */
export function containerImages(manifest: string): string[] {
  const images = new Set<string>();
  for (const object of manifestObjects(manifest)) collectImages(object, images);
  return [...images];
}
