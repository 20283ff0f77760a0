/**
 * The address `shipmate up` serves, noted in its data dir beside its token, so that the CLI's verbs
 * and `shipmate demo` on the same machine find it whatever port or host it was given (`--port`,
 * SHIPMATE_PORT). A module of its own, like local-api-token.ts: the verbs read it without loading
 * the server.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDataDirNote } from './local-api-token.js';

/** Where `shipmate up` notes its address (one line, the URL it prints). */
export const LOCAL_ENDPOINT_FILE = 'local-endpoint';

/** The address `shipmate up` last noted in `dataDir`, if any (checked by the caller). */
export function readLocalEndpoint(dataDir: string): string | undefined {
  return readDataDirNote(dataDir, LOCAL_ENDPOINT_FILE);
}

/** Notes the address `shipmate up` serves in `dataDir`. */
export function writeLocalEndpoint(dataDir: string, url: string): void {
  writeFileSync(join(dataDir, LOCAL_ENDPOINT_FILE), `${url}\n`, { mode: 0o644 });
}
