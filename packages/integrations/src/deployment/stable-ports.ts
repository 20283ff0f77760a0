/**
 * The stable port of each (project, stage, service), kept in a state file in the runtime's
 * directory so that a restarted plane serves every service at the address it had. The file is
 * rewritten whole (write to a temporary file, then rename) on every new assignment.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The state file's content. */
interface StableState {
  version: 1;
  /** `project/stage/service` → port. */
  ports: Record<string, number>;
}

/** Reads and records stable ports. */
export interface StablePorts {
  /** The port kept for `key`, if any. */
  get(key: string): Promise<number | undefined>;
  /** Keeps `port` for `key`. */
  set(key: string, port: number): Promise<void>;
}

/** The stable ports stored in `file`; a missing file is an empty state, an unreadable one an error naming it. */
export function stablePortsIn(file: string): StablePorts {
  let state: StableState | undefined;
  const load = async (): Promise<StableState> => {
    if (state) return state;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return (state = { version: 1, ports: {} });
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const ports = (parsed as Partial<StableState> | undefined)?.ports;
    if (typeof ports !== 'object' || ports === null || Object.values(ports).some((p) => !Number.isInteger(p)))
      throw new Error(
        `the deployment state file ${file} is not valid ({"version":1,"ports":{"project/stage/service":port}}); fix it, or delete it to give every service a new address`,
      );
    return (state = { version: 1, ports: { ...ports } });
  };
  return {
    async get(key) {
      return (await load()).ports[key];
    },
    async set(key, port) {
      const current = await load();
      current.ports[key] = port;
      await mkdir(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(current, null, 2)}\n`);
      await rename(temporary, file);
    },
  };
}
