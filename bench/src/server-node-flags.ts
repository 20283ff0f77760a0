/**
 * The Node flags the `shipmate` image starts the server with, read from its Containerfile's
 * `ENTRYPOINT`, so that the bench measures the server as it is shipped (and `npm start` runs it).
 */

/** Flags between `node` and the launcher in the exec form `ENTRYPOINT ["node", …flags, "…/shipmate.js"]`. */
export function entrypointNodeFlags(containerfile: string): string[] {
  const line = containerfile.split('\n').find((l) => l.startsWith('ENTRYPOINT '));
  if (!line) throw new Error('the Containerfile has no ENTRYPOINT line');
  let entrypoint: unknown;
  try {
    entrypoint = JSON.parse(line.slice('ENTRYPOINT '.length));
  } catch {
    throw new Error(`ENTRYPOINT is not in exec form (a JSON array): ${line}`);
  }
  if (!Array.isArray(entrypoint) || !entrypoint.every((part) => typeof part === 'string')) {
    throw new Error(`ENTRYPOINT must be a JSON array of strings: ${line}`);
  }
  const launcher = entrypoint.findIndex((part: string) => part.endsWith('/shipmate.js'));
  if (entrypoint[0] !== 'node' || launcher < 1) {
    throw new Error(`ENTRYPOINT must be ["node", …flags, "…/shipmate.js"]: ${line}`);
  }
  return entrypoint.slice(1, launcher);
}
