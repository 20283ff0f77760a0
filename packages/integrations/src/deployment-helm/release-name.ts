/**
 * Where Keptn's helm-service puts a service of a stage: release `<project>-<stage>-<service>` in
 * namespace `<project>-<stage>`. Helm refuses release names of 53 characters or more, so a long
 * name falls back to `<stage>-<service>`, then `<service>`, then the first 52 characters of the
 * service (which can make two services share a release; Keptn limits service names to 43
 * characters so that this does not happen).
 */

/** Helm's limit: a release name must be shorter than this. */
export const RELEASE_NAME_MAX_LENGTH = 53;

/** The Helm release of `service` in `stage` of `project`, with Keptn's fallbacks for long names. */
export function helmReleaseName(project: string, stage: string, service: string): string {
  for (const name of [`${project}-${stage}-${service}`, `${stage}-${service}`, service]) {
    if (name.length < RELEASE_NAME_MAX_LENGTH) return name;
  }
  return service.slice(0, RELEASE_NAME_MAX_LENGTH - 1);
}

/** The namespace of `stage` of `project`. */
export function helmNamespace(project: string, stage: string): string {
  return `${project}-${stage}`;
}
