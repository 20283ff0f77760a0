/**
 * Which SLI provider answers a project's evaluations (Keptn kept it in the ConfigMap
 * `lighthouse-config-<project>`, key `sli-provider`). Shipmate keeps it in the project's
 * configuration repository, so it is versioned and synced like every other setting: the file
 * `lighthouse/config.yaml` at project level (a stage-level file overrides it), written by
 * `sh.keptn.event.monitoring.configure` or through the resource API.
 */
import { parse } from 'yaml';

/** Where the setting lives. */
export const SLI_PROVIDER_CONFIG_URI = 'lighthouse/config.yaml';

/** The file content for `provider`. */
export function sliProviderConfigYaml(provider: string): string {
  return `# Written by sh.keptn.event.monitoring.configure: the SLI provider of this project's evaluations.\nsliProvider: ${JSON.stringify(provider)}\n`;
}

/** The provider named in the file; undefined when it names none. Throws with the reason when the YAML is broken. */
export function parseSliProviderConfig(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new Error(`${SLI_PROVIDER_CONFIG_URI} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (doc === null || doc === undefined) return undefined;
  const provider = typeof doc === 'object' ? (doc as { sliProvider?: unknown }).sliProvider : undefined;
  if (provider === undefined || provider === null || provider === '') return undefined;
  if (typeof provider !== 'string') throw new Error(`${SLI_PROVIDER_CONFIG_URI}: sliProvider must be a string such as "prometheus"`);
  return provider;
}
