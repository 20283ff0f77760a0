/**
 * Offline validation of rendered Kubernetes manifests (helm template output) against the API's
 * OpenAPI schemas, with the models of `kubernetes-models` 4.x. Their validators let unknown fields
 * through (Kubernetes' schemas do not forbid them, the API server drops them with a warning), which
 * would hide a misspelt or misplaced field in a chart; so each manifest is validated through proxies
 * that record which properties the validator looked at: a validator reads every property its schema
 * knows, so a property it never read is unknown to Kubernetes and reported.
 */
import { ConfigMap, PersistentVolumeClaim, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';

type Validate = (this: unknown) => void;

/** The validators by `apiVersion/kind` of the kinds the charts render. */
const MODELS: ReadonlyMap<string, Validate> = new Map<string, Validate>([
  ['v1/ConfigMap', ConfigMap.prototype.validate],
  ['v1/PersistentVolumeClaim', PersistentVolumeClaim.prototype.validate],
  ['v1/Pod', Pod.prototype.validate],
  ['v1/Secret', Secret.prototype.validate],
  ['v1/Service', Service.prototype.validate],
  ['v1/ServiceAccount', ServiceAccount.prototype.validate],
  ['apps/v1/Deployment', Deployment.prototype.validate],
  ['apps/v1/StatefulSet', StatefulSet.prototype.validate],
  ['batch/v1/Job', Job.prototype.validate],
  ['networking.k8s.io/v1/Ingress', Ingress.prototype.validate],
]);

/** The `apiVersion/kind` pairs {@link validateKubernetesManifest} knows. */
export const VALIDATED_KINDS: readonly string[] = [...MODELS.keys()];

interface Tracked {
  readonly path: string;
  readonly target: Record<string, unknown>;
  readonly read: Set<string>;
}

/** `value` wrapped so that every property read on it, at any depth, is recorded in `tracked`. */
function track(value: unknown, path: string, tracked: Tracked[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  const target = value as Record<string, unknown>;
  const entry: Tracked = { path, target, read: new Set() };
  if (!Array.isArray(value)) tracked.push(entry);
  const children = new Map<string, unknown>();
  return new Proxy(target, {
    get(object, key, receiver) {
      const result: unknown = Reflect.get(object, key, receiver);
      if (typeof key !== 'string') return result;
      entry.read.add(key);
      if (!Object.prototype.hasOwnProperty.call(object, key)) return result;
      if (!children.has(key)) {
        children.set(key, track(result, Array.isArray(object) ? `${path}[${key}]` : `${path}.${key}`, tracked));
      }
      return children.get(key);
    },
  });
}

/**
 * Problems of one manifest: the Kubernetes schema's errors, and every property the schema does not
 * know (`spec.template.spec.containers[0].envv: unknown field`). Empty when it is valid.
 */
export function validateKubernetesManifest(manifest: Record<string, unknown>): string[] {
  const key = `${String(manifest.apiVersion)}/${String(manifest.kind)}`;
  const validate = MODELS.get(key);
  if (validate === undefined) return [`${key}: no model to validate it with (known: ${VALIDATED_KINDS.join(', ')})`];
  const name = `${String(manifest.kind)} ${String((manifest.metadata as { name?: unknown } | undefined)?.name)}`;
  const tracked: Tracked[] = [];
  const problems: string[] = [];
  try {
    validate.call(track(manifest, '', tracked));
  } catch (error) {
    problems.push(`${name}: ${(error as Error).message}`);
  }
  for (const { path, target, read } of tracked) {
    for (const property of Object.keys(target)) {
      if (!read.has(property)) problems.push(`${name}: ${path.slice(1) ? `${path.slice(1)}.` : ''}${property}: unknown field`);
    }
  }
  return problems;
}
