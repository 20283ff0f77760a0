import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The web UI's build the server serves at `/bridge`: `apps/web/dist`, found from this module's own
 * place (`apps/cli/dist/commands/`), so it works from a clone and from the `shipmate` image, which
 * keeps the same layout under `/opt/shipmate` (images/prepare-context.mjs).
 */
export function builtWebRoot(): string {
  return fileURLToPath(new URL('../../../web/dist', import.meta.url));
}

/** One line for the start banner: where the UI is, or how to build it. */
export function webUiLine(baseUrl: string, webRoot: string): string {
  return existsSync(join(webRoot, 'index.html'))
    ? `web UI: ${baseUrl}/bridge/ (log in with the API token)\n`
    : 'web UI: not built, /bridge says how (npm run build)\n';
}
