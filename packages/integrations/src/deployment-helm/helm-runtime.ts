/**
 * The Helm runtime of the deployment integration, registered as Keptn's `helm-service`: deploys
 * the user chart `helm/<service>.tgz` (service level, at the sequence's commit) with the `helm` CLI
 * against the plane's cluster, as Keptn's helm-service does (execution-plane.md §5.3):
 *
 * - values: `configurationChange.values` with `keptn.project/stage/service/deployment` injected,
 *   in a values file merged by helm over the chart's values.yaml (the chart is not re-packaged
 *   and not written back: the values travel in the sequence's events and in the Helm release);
 * - `helm upgrade --install <project>-<stage>-<service> --namespace <project>-<stage>
 *   --create-namespace --reset-values --wait --atomic --timeout 3m`;
 * - `deploymentURIsLocal`: direct → `http://<service>.<project>-<stage>:<port>` from the lowest
 *   port of the first Service of the release's manifest; user_managed → `helm/endpoints.yaml`;
 *   either falls back to the URIs of the triggered event, as Keptn's does;
 * - release: nothing to do for direct and user_managed; rollback: `helm rollback <release>`.
 *
 * `blue_green_service` needs Istio (Keptn generates VirtualServices and DestinationRules for it)
 * and is refused. With `dryRun` nothing touches a cluster: the chart is rendered with
 * `helm template` (helm 3.17's `helm install --dry-run=client` still asks the cluster for its
 * version and fails without one; `helm template` is the same install path with a client only),
 * and the message says that nothing was applied.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, UnavailableError } from '@shipmate/core';
import type { TaskContext } from '@shipmate/agent-sdk';
import { DeploymentFailure, DeploymentStrategy } from '../deployment/deployment-runtime.js';
import type { DeploymentData, DeploymentRuntime, DeploymentTarget, RuntimeOutcome } from '../deployment/deployment-runtime.js';
import { HelmChartError, inspectChartArchive } from './chart-archive.js';
import type { ChartInfo } from './chart-archive.js';
import { deploymentValues } from './helm-values.js';
import { containerImages, firstService, localDeploymentUri } from './rendered-manifest.js';
import { helmNamespace, helmReleaseName } from './release-name.js';
import { HelmCommandError, HelmFailureKind, runHelm } from './run-helm.js';
import { HELM_ENDPOINTS_URI, parseUserEndpoints } from './user-endpoints.js';

/** Keptn's name of the integration with this runtime. */
export const HELM_SERVICE = 'helm-service';

/** Options of {@link createHelmRuntime}. */
export interface HelmRuntimeOptions {
  /** The helm 3 binary. @default 'helm' (found on PATH) */
  helmBinary?: string;
  /** Passed as `--kubeconfig`. @default undefined: helm's own rules (`KUBECONFIG`, then `~/.kube/config`) */
  kubeconfig?: string;
  /** Render and check only (`helm template`); never touch a cluster. @default false */
  dryRun?: boolean;
  /** helm's `--timeout` for upgrade and rollback (Keptn's is 3 minutes). @default 180000 */
  helmTimeoutMs?: number;
  /** Limit of commands that do not wait for a rollout (template, get manifest). @default 60000 */
  commandTimeoutMs?: number;
}

/** {@link HelmRuntimeOptions} with the defaults applied. */
export interface ResolvedHelmRuntimeOptions {
  readonly helmBinary: string;
  readonly kubeconfig: string | undefined;
  readonly dryRun: boolean;
  readonly helmTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

/** Applies the defaults of {@link HelmRuntimeOptions}. */
export function resolveHelmRuntimeOptions(options: HelmRuntimeOptions = {}): ResolvedHelmRuntimeOptions {
  return Object.freeze({
    helmBinary: options.helmBinary ?? 'helm',
    kubeconfig: options.kubeconfig,
    dryRun: options.dryRun ?? false,
    helmTimeoutMs: options.helmTimeoutMs ?? 180_000,
    commandTimeoutMs: options.commandTimeoutMs ?? 60_000,
  });
}

/** Where the user chart of a service is read. */
export function chartUri(service: string): string {
  return `helm/${service}.tgz`;
}

/** The deployment name Keptn reports for a strategy the runtime supports. */
type SupportedStrategy = typeof DeploymentStrategy.direct | typeof DeploymentStrategy.userManaged;

/** The strategy of `target` when this runtime supports it; otherwise throws the errored message. */
function supportedStrategy(target: DeploymentTarget, action: string): SupportedStrategy {
  const strategy = target.strategy;
  switch (strategy) {
    case DeploymentStrategy.direct:
    case DeploymentStrategy.userManaged:
      return strategy;
    case DeploymentStrategy.blueGreen:
      throw new Error(
        `cannot ${action} service '${target.service}' in stage '${target.stage}': deployment strategy 'blue_green_service' needs Istio ` +
          `(Keptn's helm-service generates VirtualServices and DestinationRules for it) and is not supported by Shipmate's Helm runtime; ` +
          `set properties.deploymentstrategy of the deployment task of stage '${target.stage}' in the shipyard to direct or user_managed`,
      );
    default: {
      const unknown: never = strategy;
      throw new Error(`unknown deployment strategy '${String(unknown)}'`);
    }
  }
}

/** `deployment.deploymentURIsLocal/Public` of the triggered event (Keptn's fallback when nothing was determined). */
function incomingUris(task: TaskContext): { local: string[]; public: string[] } {
  const deployment = task.data.deployment;
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  if (typeof deployment !== 'object' || deployment === null) return { local: [], public: [] };
  const record = deployment as Record<string, unknown>;
  return { local: list(record.deploymentURIsLocal), public: list(record.deploymentURIsPublic) };
}

function describeChart(chart: ChartInfo, uri: string): string {
  return `chart '${chart.name}'${chart.version === undefined ? '' : ` ${chart.version}`} (${uri})`;
}

/**
 * A hint for the most common render failure with Keptn's values: `configurationChange.values.image`
 * is a string (`carts:0.13.2`) while the chart reads `.Values.image.repository` (as `helm create`
 * writes it).
 */
function imageHint(values: Readonly<Record<string, unknown>>, helmMessage: string): string {
  if (typeof values.image !== 'string' || !/\.Values\.image\.\w+/.test(helmMessage)) return '';
  return (
    `; configurationChange.values.image is the string '${values.image}' but the chart reads fields of .Values.image: ` +
    `write the chart's image as "{{ .Values.image }}" (Keptn's convention) or send image as a map (repository, tag)`
  );
}

/** Creates the Helm runtime. */
export function createHelmRuntime(options: HelmRuntimeOptions = {}): DeploymentRuntime {
  const resolved = resolveHelmRuntimeOptions(options);
  const kubeconfigArgs = resolved.kubeconfig === undefined ? [] : ['--kubeconfig', resolved.kubeconfig];
  const kubeconfigName = resolved.kubeconfig ?? 'KUBECONFIG or ~/.kube/config';

  /** Runs helm; turns what went wrong into the error the task ends with. */
  async function helm(args: readonly string[], task: TaskContext, description: string, timeoutMs: number): Promise<string> {
    try {
      return (await runHelm(resolved.helmBinary, args, { signal: task.signal, timeoutMs, description })).stdout;
    } catch (error) {
      if (!(error instanceof HelmCommandError)) throw error;
      switch (error.kind) {
        case HelmFailureKind.notStarted:
          throw new UnavailableError(ErrorCode.helmUnavailable, error.message);
        case HelmFailureKind.exited:
          if (/Kubernetes cluster unreachable/i.test(error.helmMessage)) {
            throw new UnavailableError(
              ErrorCode.helmUnavailable,
              `${error.message}: check the kubeconfig (${kubeconfigName}) of this execution plane`,
            );
          }
          // helm refused the chart or the rollout failed: the service's failure, not the plane's.
          throw new DeploymentFailure(error.message);
        case HelmFailureKind.timedOut:
        case HelmFailureKind.aborted:
          throw error;
        default: {
          const unknown: never = error.kind;
          throw new Error(`unknown helm failure ${String(unknown)}`);
        }
      }
    }
  }

  async function readChart(target: DeploymentTarget, task: TaskContext): Promise<{ content: Buffer; chart: ChartInfo; uri: string }> {
    const uri = chartUri(target.service);
    const resource = await task.resource(uri, { levels: ['service'] });
    if (resource === undefined) {
      throw new HelmChartError(
        `no ${uri} for service '${target.service}' in stage '${target.stage}' of project '${target.project}': package the chart with 'helm package <folder>' ` +
          `and upload the .tgz as ${uri} at the service level (PUT /api/resource-service/v1/project/${target.project}/stage/${target.stage}/service/${target.service}/resource, ` +
          `as Keptn's 'keptn add-resource --resourceUri=${uri}' does)`,
      );
    }
    return { content: resource.content, chart: inspectChartArchive(resource.content, uri), uri };
  }

  async function uris(
    target: DeploymentTarget,
    strategy: SupportedStrategy,
    manifest: string,
    task: TaskContext,
    chartName: string,
    release: string,
  ): Promise<{ local: string[]; public: string[]; note: string }> {
    const incoming = incomingUris(task);
    if (strategy === DeploymentStrategy.userManaged) {
      const endpoints = await task.resource(HELM_ENDPOINTS_URI, { levels: ['service'] });
      if (endpoints === undefined) return { ...incoming, note: '' };
      const parsed = parseUserEndpoints(endpoints.content.toString('utf8'));
      return { local: [...parsed.deploymentURIsLocal], public: [...parsed.deploymentURIsPublic], note: '' };
    }
    const service = firstService(manifest);
    if (service?.port === undefined) {
      if (incoming.local.length > 0) return { ...incoming, note: '' };
      const what = service === undefined ? 'no Service' : `Service '${service.name}' without a port`;
      const done = resolved.dryRun ? 'rendered' : `deployed as release ${release}`;
      throw new HelmChartError(
        `${chartName} was ${done}, but its manifest has ${what}, so the direct strategy cannot tell deploymentURIsLocal: ` +
          `add a Service with a port to the chart, or use deploymentstrategy user_managed with ${HELM_ENDPOINTS_URI}`,
      );
    }
    const uri = localDeploymentUri(target.project, target.stage, target.service, service.port);
    const note =
      service.name === target.service
        ? ''
        : `; note: the chart's first Service is named '${service.name}', so ${uri} resolves only if the chart names a Service '${target.service}' (Keptn's convention)`;
    return { local: [uri], public: incoming.public, note };
  }

  function data(strategy: SupportedStrategy, local: readonly string[], publicUris: readonly string[]): DeploymentData {
    return { deploymentstrategy: strategy, deploymentNames: [strategy], deploymentURIsLocal: local, deploymentURIsPublic: publicUris };
  }

  return {
    integrationName: HELM_SERVICE,

    async deploy(target, task): Promise<RuntimeOutcome> {
      const strategy = supportedStrategy(target, 'deploy');
      const { content, chart, uri } = await readChart(target, task);
      const release = helmReleaseName(target.project, target.stage, target.service);
      const namespace = helmNamespace(target.project, target.stage);
      const chartName = describeChart(chart, uri);
      const values = deploymentValues(target.values, {
        project: target.project,
        stage: target.stage,
        service: target.service,
        deployment: strategy,
      });
      const withImageHint = (error: unknown): never => {
        throw error instanceof DeploymentFailure ? new DeploymentFailure(error.message + imageHint(target.values, error.message)) : error;
      };
      const dir = await mkdtemp(join(tmpdir(), 'shipmate-helm-'));
      try {
        const chartFile = join(dir, `${target.service}.tgz`);
        const valuesFile = join(dir, 'values.yaml');
        await writeFile(chartFile, content);
        // JSON is YAML: the values reach helm exactly, with no quoting rules to get wrong.
        await writeFile(valuesFile, JSON.stringify(values, null, 2));
        let manifest: string;
        if (resolved.dryRun) {
          await task.progress(`Dry run: rendering ${chartName} as release ${release} in namespace ${namespace} with helm template`);
          const render = `helm template ${release} (${uri})`;
          manifest = await helm(
            ['template', release, chartFile, '--namespace', namespace, '--values', valuesFile, '--skip-tests'],
            task,
            render,
            resolved.commandTimeoutMs,
          ).catch(withImageHint);
        } else {
          await task.progress(
            `Deploying ${chartName} as release ${release} in namespace ${namespace} (helm upgrade --install --wait --atomic)`,
          );
          await helm(
            [
              'upgrade',
              '--install',
              release,
              chartFile,
              '--namespace',
              namespace,
              '--create-namespace',
              '--values',
              valuesFile,
              '--reset-values',
              '--wait',
              '--atomic',
              '--timeout',
              `${Math.ceil(resolved.helmTimeoutMs / 1000)}s`,
              ...kubeconfigArgs,
            ],
            task,
            `helm upgrade --install ${release} (${uri})`,
            // helm stops itself at --timeout and rolls back (--atomic); the process gets a minute more for that.
            resolved.helmTimeoutMs + 60_000,
          ).catch(withImageHint);
          manifest = await helm(
            ['get', 'manifest', release, '--namespace', namespace, ...kubeconfigArgs],
            task,
            `helm get manifest ${release}`,
            resolved.commandTimeoutMs,
          );
        }
        const found = await uris(target, strategy, manifest, task, chartName, release);
        const images = containerImages(manifest);
        const imageText = images.length > 0 ? ` (images: ${images.join(', ')})` : '';
        const message = resolved.dryRun
          ? `Dry run: rendered ${chartName} as release ${release} in namespace ${namespace} with helm template${imageText}; nothing was applied to a cluster${found.note}`
          : `Successfully deployed ${chartName} as release ${release} in namespace ${namespace}${imageText}${found.note}`;
        return { deployment: data(strategy, found.local, found.public), message };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    async release(target, task): Promise<RuntimeOutcome> {
      const strategy = supportedStrategy(target, 'release');
      const incoming = incomingUris(task);
      // direct and user_managed have nothing to promote (Keptn's helm-service: "Finished release").
      return { deployment: data(strategy, incoming.local, incoming.public), message: 'Finished release' };
    },

    async rollback(target, task): Promise<RuntimeOutcome> {
      const strategy = supportedStrategy(target, 'roll back');
      const release = helmReleaseName(target.project, target.stage, target.service);
      const namespace = helmNamespace(target.project, target.stage);
      const incoming = incomingUris(task);
      if (resolved.dryRun) {
        return {
          deployment: data(strategy, incoming.local, incoming.public),
          message: `Dry run: would run helm rollback ${release} in namespace ${namespace} (to its previous revision); nothing was applied to a cluster`,
        };
      }
      await task.progress(`Rolling back release ${release} in namespace ${namespace} to its previous revision`);
      await helm(
        [
          'rollback',
          release,
          '--namespace',
          namespace,
          '--wait',
          '--timeout',
          `${Math.ceil(resolved.helmTimeoutMs / 1000)}s`,
          ...kubeconfigArgs,
        ],
        task,
        `helm rollback ${release}`,
        resolved.helmTimeoutMs + 60_000,
      );
      return {
        deployment: data(strategy, incoming.local, incoming.public),
        message: `Rolled back release ${release} in namespace ${namespace} to its previous revision`,
      };
    },

    async close(): Promise<void> {
      // Nothing runs here between tasks: helm exits after each command.
    },
  };
}
