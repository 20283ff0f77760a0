/**
 * The execution plane's commands load no control-plane code: `shipmate agent` and `shipmate agent
 * test-connection` run the real CLI (built by `npm test` first) with a module hook that records
 * every module URL Node resolves, and none may come from the server, its store, its configuration
 * repositories, Fastify or the native SQLite addon. This is what keeps the shipmate-agent image
 * small (docs/images.md): its app tree leaves those packages out. The client verbs (`shipmate get
 * projects` and the like) load none of them either. Likewise `shipmate server` on its
 * default SQLite store loads neither the PostgreSQL adapter nor its driver (`pg` is imported only
 * for `--store postgres://…`), nor the NATS bus and its client (`nats` only for `--bus nats://…`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../bin/shipmate.js', import.meta.url));

/** Module URLs of the PostgreSQL store, which the server loads only for a postgres:// store. */
const POSTGRES_ONLY = [/\/node_modules\/pg\//, /\/packages\/store-postgres\/dist\/postgres-store\.js/];

/** Module URLs of the NATS client and adapters, loaded only for `--bus` (server) or SHIPMATE_TASK_SOURCE (agent). */
const NATS_ONLY = [/\/node_modules\/nats\//, /\/packages\/bus-nats\/dist\/(nats-notice-bus|jetstream-task-source)\.js/];

/** Module URLs (or their package names) the execution plane must never load. */
const CONTROL_PLANE_ONLY = [
  /\/node_modules\/fastify\//,
  /\/node_modules\/better-sqlite3\//,
  /\/packages\/server\//,
  /\/packages\/store-sqlite\//,
  /\/packages\/config-git\//,
  /\/node_modules\/pg\//,
  /\/packages\/store-postgres\//,
  /\/node_modules\/@shipmate\/(server|store-sqlite|store-postgres|config-git)\//,
];

/** Runs the CLI with `args` under a resolve hook; returns its exit code and every resolved module URL. */
async function loadedModules(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; urls: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'shipmate-imports-'));
  const record = join(dir, 'resolved.txt');
  writeFileSync(record, '');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(file, resolved.url + '\\n');
  return resolved;
}
`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: { file: ${JSON.stringify(record)} } });
`,
  );
  const child = spawn(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, CLI, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Both runs end by themselves within seconds; a hang is ended so the test fails on the exit code instead.
  const stopper = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(stopper);
  const urls = readFileSync(record, 'utf8').split('\n').filter(Boolean);
  return { code, output, urls };
}

function controlPlaneModules(urls: string[]): string[] {
  return urls.filter((url) => CONTROL_PLANE_ONLY.some((pattern) => pattern.test(url)));
}

describe('the execution plane loads no control-plane module', () => {
  it('shipmate agent test-connection', async () => {
    // Port 1 on loopback refuses at once: the run ends at the TCP check with exit 1.
    const run = await loadedModules(
      ['agent', 'test-connection', '--endpoint', 'http://127.0.0.1:1/api', '--token', 'x', '--timeout', '2s'],
      {},
    );
    expect(run.code, run.output).toBe(1);
    expect(
      run.urls.some((url) => url.includes('/agent/test-connection.js')),
      'the hook saw the CLI load',
    ).toBe(true);
    expect(controlPlaneModules(run.urls)).toEqual([]);
  });

  it('shipmate agent --integration (every built-in is loaded by then)', async () => {
    // A bad HEARTBEAT_INTERVAL is a configuration error (exit 2), found after every module of the command is loaded.
    const run = await loadedModules(['agent', '--integration', 'http-test-service'], {
      KEPTN_API_ENDPOINT: 'http://127.0.0.1:1/api',
      KEPTN_API_TOKEN: 'x',
      HEARTBEAT_INTERVAL: 'often',
    });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain('HEARTBEAT_INTERVAL');
    expect(
      run.urls.some((url) => url.includes('/builtins/built-in-integrations.js')),
      run.output,
    ).toBe(true);
    expect(
      run.urls.some((url) => url.includes('/http-test/http-test-integration.js')),
      'the http-test integration is loaded',
    ).toBe(true);
    expect(controlPlaneModules(run.urls)).toEqual([]);
    // Without SHIPMATE_TASK_SOURCE the agent takes tasks from the long poll and never loads the NATS client.
    expect(run.urls.filter((url) => NATS_ONLY.some((pattern) => pattern.test(url)))).toEqual([]);
  });
});

describe('the client verbs load no control-plane module (they run from the shipmate-agent image too)', () => {
  it('shipmate get projects', async () => {
    // Port 1 is refused at once: the verb ends with exit 1 after its modules were loaded and the call was made.
    const run = await loadedModules(['get', 'projects', '--endpoint', 'http://127.0.0.1:1', '--api-token', 'x'], {});
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain('shipmate get project: cannot reach the control plane at http://127.0.0.1:1');
    expect(
      run.urls.some((url) => url.includes('/verbs/run-verb.js')),
      'the hook saw the verbs load',
    ).toBe(true);
    expect(controlPlaneModules(run.urls)).toEqual([]);
    expect(run.urls.filter((url) => NATS_ONLY.some((pattern) => pattern.test(url)))).toEqual([]);
  });
});

describe('the server on its default store and without a bus loads no PostgreSQL or NATS module', () => {
  it('shipmate server without --store and --bus', async () => {
    // The port is taken, so the server exits when it starts listening: after its store was opened.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const dataDir = mkdtempSync(join(tmpdir(), 'shipmate-imports-data-'));
    try {
      const run = await loadedModules(['server', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
        SHIPMATE_API_TOKEN: 'x',
        SHIPMATE_LOG_LEVEL: 'warn',
      });
      expect(run.output).toContain('EADDRINUSE');
      expect(
        run.urls.some((url) => /\/node_modules\/better-sqlite3\//.test(url)),
        'the SQLite store was opened',
      ).toBe(true);
      expect(run.urls.filter((url) => POSTGRES_ONLY.some((pattern) => pattern.test(url)))).toEqual([]);
      expect(run.urls.filter((url) => NATS_ONLY.some((pattern) => pattern.test(url)))).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
