/**
 * What the deployment integration (Keptn's helm-service and its successor for plain hosts) asks of
 * a runtime: deploy a version of a service in a stage, promote it (`release`), go back
 * (`rollback`). The integration (deployment-integration.ts) handles the tasks, reads the event and
 * the service's resources, and turns results and errors into `.finished` events; a runtime does the
 * work: the process runtime (processes on this host, process-runtime.ts) or the Helm runtime
 * (`helm` against the plane's cluster, deployment-helm/).
 */
import type { TaskContext } from '@shipmate/agent-sdk';

/** Keptn's strategies (`deployment.deploymentstrategy`; `duplicate` is Keptn's other name for blue/green). */
export const DeploymentStrategy = { direct: 'direct', blueGreen: 'blue_green_service', userManaged: 'user_managed' } as const;
/** One of {@link DeploymentStrategy}. */
export type DeploymentStrategy = (typeof DeploymentStrategy)[keyof typeof DeploymentStrategy];

/** The service and version a task is about. */
export interface DeploymentTarget {
  readonly project: string;
  readonly stage: string;
  readonly service: string;
  /** `configurationChange.values.image` of the sequence, e.g. `carts:0.13.2` or `./builds/v2`; undefined for a task that names none. */
  readonly image: string | undefined;
  /** Every `configurationChange.values` of the sequence (Helm values; the process runtime reads `image` only). */
  readonly values: Readonly<Record<string, unknown>>;
  readonly strategy: DeploymentStrategy;
}

/** Keptn's `deployment` data of `deployment.finished` (execution-plane.md §5.4). */
export interface DeploymentData {
  readonly deploymentstrategy: string;
  readonly deploymentNames: readonly string[];
  readonly deploymentURIsLocal: readonly string[];
  readonly deploymentURIsPublic: readonly string[];
}

/** What a runtime reports for a task; it throws a {@link DeploymentFailure} for a failed one. */
export interface RuntimeOutcome {
  readonly deployment: DeploymentData;
  /** The `.finished` message, e.g. `Successfully deployed carts:0.13.2 (blue/green: new version beside the old)`. */
  readonly message: string;
}

/**
 * A task that failed for a reason of the service (a health check, a chart helm refused, a command
 * that exited): the task ends `result: fail` (status `succeeded`) with this message, and what ran
 * before keeps running. Anything else a runtime throws ends the task `errored`.
 */
export class DeploymentFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeploymentFailure';
  }
}

/** A runtime. Each call gets the task (for `task.resource`, `task.secret`, `task.progress`, `task.signal`). */
export interface DeploymentRuntime {
  /** Keptn's name the integration registers under with this runtime (`helm-service` for Helm). */
  readonly integrationName: string;
  /** The strategy of a task whose `deployment.deploymentstrategy` is absent or empty. @default 'direct' */
  readonly defaultStrategy?: DeploymentStrategy;
  deploy(target: DeploymentTarget, task: TaskContext): Promise<RuntimeOutcome>;
  /** Promotes a blue/green deployment once its checks passed (no-op for other strategies). */
  release(target: DeploymentTarget, task: TaskContext): Promise<RuntimeOutcome>;
  /** Returns to the version that ran before the last deployment (blue/green: drops the new one). */
  rollback(target: DeploymentTarget, task: TaskContext): Promise<RuntimeOutcome>;
  /** Stops what the runtime runs itself (processes, proxies) when the integration stops. */
  close(): Promise<void>;
}
