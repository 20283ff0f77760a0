/**
 * The token `shipmate up` keeps in clear in its data dir, so that the CLI's verbs and `shipmate
 * demo` on the same machine find it. A module of its own: the verbs read it without loading the
 * server (api-token.ts, which writes it, hashes with the server's hashToken).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where `shipmate up` keeps its token in clear (mode 0600), so `shipmate demo` on the same machine finds it. */
export const LOCAL_TOKEN_FILE = 'local-api-token';

/** The first line `shipmate up` left in file `name` of `dataDir`, trimmed; undefined when absent or empty. */
export function readDataDirNote(dataDir: string, name: string): string | undefined {
  const path = join(dataDir, name);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() || undefined : undefined;
}

/** The token `shipmate up` left in `dataDir`, if any. */
export function readLocalApiToken(dataDir: string): string | undefined {
  return readDataDirNote(dataDir, LOCAL_TOKEN_FILE);
}
