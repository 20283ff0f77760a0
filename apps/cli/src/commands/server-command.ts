import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, ShipmateError, createSecretCipher } from '@shipmate/core';
import { createControlPlaneServer } from '@shipmate/server';
import type { ServerOptions } from '@shipmate/server';
import { lockDataDir } from '@shipmate/store-sqlite';
import type { DataDirLock } from '@shipmate/store-sqlite';
import { createGitResourceStore, createUpstreamMirror, requireGit, withUpstream } from '@shipmate/config-git';
import type { UpstreamMirror } from '@shipmate/config-git';
import { resolveApiToken, resolveLocalApiToken } from '../config/api-token.js';
import { textLogStream } from '../logging/text-log-stream.js';
import { LOCAL_PLANE_BUILT_IN_NAMES, loopbackApi, startBuiltIns } from '../builtins/built-in-integrations.js';
import { builtInToken } from '../builtins/built-in-token.js';
import { ConfigError } from '../config/config-error.js';
import { DATA_DIR_MODE, prepareDataDir } from '../config/data-dir.js';
import { resolveSecretKey } from '../config/secret-key.js';
import { resolveServerConfig } from '../config/server-config.js';
import { resolveUpstreamConfig } from '../config/upstream-config.js';
import { writeLocalEndpoint } from '../config/local-endpoint.js';
import { describeStore, openNotices, openStore, shareDataDir } from './open-store.js';
import { openBus, openTaskPublisher } from './open-bus.js';
import { holdSignalsDuringStart } from './signals-during-start.js';
import type { ServerFlags } from '../config/server-config.js';
import { builtWebRoot, webUiLine } from './web-root.js';

/** The git binary, or a ConfigError that says how to install it (the server does not start without it). */
async function checkGit(): Promise<void> {
  try {
    await requireGit();
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `shipmate server`: runs the control plane on its store (the embedded SQLite file in the data dir,
 * or PostgreSQL with `--store`), with the configuration repositories in `<data dir>/git`, until
 * SIGTERM/SIGINT.
 */
export async function runServer(flags: ServerFlags, plane: { local: boolean } = { local: false }): Promise<void> {
  const config = resolveServerConfig(process.env, flags, process.stdout.isTTY === true);
  const upstreamConfig = resolveUpstreamConfig(process.env);
  await checkGit();
  const dataDir = prepareDataDir(config.dataDir, (line) => process.stderr.write(`shipmate: ${line}\n`));
  // Before anything in the data dir is read or written; held until the process ends. The embedded
  // store allows one server per data dir; replicas on PostgreSQL may share one (a shared volume).
  const lock = config.store.kind === 'sqlite' ? lockTheDataDir(dataDir) : undefined;
  const gitDir = join(dataDir, 'git');
  mkdirSync(gitDir, { recursive: true, mode: DATA_DIR_MODE });
  const token: { sha256: string; token?: string; generated?: string } = plane.local
    ? localToken(dataDir, config.apiToken)
    : resolveApiToken(dataDir, config.apiToken);
  const secretKey = resolveSecretKey(dataDir, config.secretKey);
  // Replicas on PostgreSQL share the data dir (a ReadWriteMany volume): the repositories take
  // cross-process lock files and read branch tips from git's ref files (docs/architecture.md).
  const repositories = createGitResourceStore({ rootDir: gitDir, author: config.gitAuthor, shared: config.store.kind !== 'sqlite' });
  const upstream = createUpstreamMirror({
    store: repositories,
    rootDir: gitDir,
    author: config.gitAuthor,
    cipher: createSecretCipher(secretKey.key, config.previousSecretKey),
    pullTimeoutMs: upstreamConfig.pullTimeoutMs,
    retryMaxMs: upstreamConfig.retryMaxMs,
    pollIntervalMs: upstreamConfig.pollIntervalMs,
    hosts: upstreamConfig.hosts,
    onError: (project, message) => process.stderr.write(`project ${project}: ${message}\n`),
  });
  await loadUpstreams(upstream);
  const internal = builtInToken();
  const webRoot = builtWebRoot();
  const store = await openStore(config.store, { dataDir, walMaxBytes: config.walMaxBytes });
  await shareDataDir(store, config.store, dataDir);
  // Notices between replicas: over NATS when --bus names one, else LISTEN/NOTIFY on a PostgreSQL store.
  const notices =
    (await openOrCloseStore(store, () => openBus(config.bus))) ??
    (await openOrCloseStore(store, () =>
      openNotices(config.store, (error, what) => process.stderr.write(`replica notices: ${what}: ${String(error)}\n`)),
    ));
  const tasks = await openOrCloseStore(store, () => openTaskPublisher(config.bus, store), notices);
  const server = await startServer({
    store,
    ...(notices ? { notices } : {}),
    ...(tasks ? { onEmitted: (events) => tasks.publishEmitted(events) } : {}),
    resources: withUpstream(repositories, upstream),
    upstream,
    remoteUrlDenylist: upstreamConfig.remoteUrlDenylist,
    upstreamHosts: upstreamConfig.hosts,
    maxResourceBytes: config.maxResourceBytes,
    apiTokenSha256: token.sha256,
    builtInTokenSha256: internal.sha256,
    taskStartedWaitMs: config.taskStartedWaitMs,
    maxBodyBytes: config.maxBodyBytes,
    maxEventDepth: config.maxEventDepth,
    validateEvents: config.validateEvents,
    eventRetentionMs: config.eventRetentionMs,
    projectNameMaxLength: config.projectNameMaxLength,
    serviceNameMaxLength: config.serviceNameMaxLength,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    leaseMs: config.leaseMs,
    integrationTtlMs: config.integrationTtlMs,
    logTtlMs: config.logTtlMs,
    logger: config.logFormat === 'text' ? { level: config.logLevel, stream: textLogStream() } : { level: config.logLevel },
    secretKey: secretKey.key,
    previousSecretKey: config.previousSecretKey,
    secretScopes: config.secretScopes,
    authFailureLimit: config.authFailureLimit,
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    maxConnections: config.maxConnections,
    trustProxy: config.trustProxy,
    metricsPublic: config.metricsPublic,
    ...(config.tls ? { tls: config.tls } : {}),
    webRoot,
  });
  const url = await server.listen(config.host, config.port);
  // From here on a SIGTERM or SIGINT shuts down cleanly: one that comes while the integrations are
  // still starting is kept until they run, so a supervisor that stops the process as soon as it
  // answers /health still gets exit code 0.
  const signals = holdSignalsDuringStart((line) => process.stdout.write(line), 'the control plane');
  // Tasks committed by a previous process that died before publishing them (docs/nats.md).
  if (tasks) await tasks.republishOpen(store);
  const shown = url.replace('0.0.0.0', '127.0.0.1');
  process.stdout.write(
    `shipmate control plane listening on ${url} (data dir ${dataDir}, store ${describeStore(config.store, dataDir)}${config.bus ? `, bus NATS ${config.bus.redactedUrl}` : ''}${tasks ? `, tasks to JetStream stream ${tasks.stream}` : ''})\n`,
  );
  process.stdout.write(webUiLine(shown, webRoot));
  // Over TLS the built-ins call this process's own listener on loopback (see startBuiltIns).
  const loopbackTls = { sslVerify: config.tls === undefined };
  const builtIns = await startBuiltIns({
    names: config.builtInIntegrations,
    endpoint: loopbackApi(url),
    token: internal.token,
    ...loopbackTls,
    namespace: server.options.namespace,
    version: server.options.version,
  });
  if (config.builtInIntegrations.length > 0)
    process.stdout.write(`built-in integrations running: ${config.builtInIntegrations.join(', ')} (SHIPMATE_BUILT_IN_INTEGRATIONS)\n`);
  // `shipmate up`: the execution plane of this machine runs in the same process.
  const localPlane = plane.local
    ? await startBuiltIns({
        names: LOCAL_PLANE_BUILT_IN_NAMES,
        endpoint: loopbackApi(url),
        token: internal.token,
        ...loopbackTls,
        namespace: server.options.namespace,
        version: server.options.version,
        location: LOCAL_PLANE,
      })
    : undefined;
  if (plane.local)
    process.stdout.write(`local execution plane (${LOCAL_PLANE}) running: ${LOCAL_PLANE_BUILT_IN_NAMES.join(', ') || 'none'}\n`);
  if (secretKey.generatedFile) {
    process.stdout.write(
      `secret key generated in ${secretKey.generatedFile} (mode 0600): back it up, stored secrets cannot be read without it (docs/secrets.md)\n`,
    );
  }
  if (plane.local) {
    writeLocalEndpoint(dataDir, shown);
    process.stdout.write(upBanner(shown, token.token));
  } else if (token.generated) {
    process.stdout.write(
      [
        '',
        `API token (shown once, stored hashed in ${join(dataDir, 'api-token.sha256')}):`,
        `  ${token.generated}`,
        'Use it in the x-token header, e.g.',
        `  curl -H 'x-token: ${token.generated}' ${shown}/api/v1/metadata`,
        'Set SHIPMATE_API_TOKEN to choose your own token instead.',
        '',
      ].join('\n'),
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received: finishing the running step and shutting down\n`);
    Promise.all([builtIns.stop(), localPlane?.stop()])
      .then(() => server.close())
      .then(() => Promise.all([notices?.close(), tasks?.close()]))
      .then(() => store.close())
      .then(() => lock?.release())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`shutdown failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
  };
  signals.handOver(stop);
}

/** Takes the data dir's lock; another server holding it is a configuration error (exit 2) that names it. */
function lockTheDataDir(dataDir: string): DataDirLock {
  try {
    return lockDataDir(dataDir);
  } catch (error) {
    if (error instanceof ShipmateError && error.code === ErrorCode.dataDirLocked) throw new ConfigError(error.message);
    throw error;
  }
}

/** Loads the stored upstream credentials; a secret key that does not open them is a configuration error (exit 2). */
async function loadUpstreams(upstream: UpstreamMirror): Promise<void> {
  try {
    await upstream.load();
  } catch (error) {
    if (error instanceof ShipmateError && error.code === ErrorCode.secretKey) {
      throw new ConfigError(`the upstream credentials of the projects cannot be opened: ${error.message}`);
    }
    throw error;
  }
}

/** Opens something on NATS; when that fails, what was opened before is closed before the error goes on. */
async function openOrCloseStore<T>(
  store: { close(): Promise<void> },
  open: () => Promise<T>,
  opened?: { close(): Promise<void> },
): Promise<T> {
  try {
    return await open();
  } catch (error) {
    await opened?.close();
    await store.close();
    throw error;
  }
}

/** Builds the server; a secret key that does not open the stored secrets is a configuration error (exit 2). */
async function startServer(options: ServerOptions) {
  try {
    return await createControlPlaneServer(options);
  } catch (error) {
    await options.notices?.close();
    await options.store.close();
    if (error instanceof ShipmateError && error.code === ErrorCode.secretKey) throw new ConfigError(error.message);
    throw error;
  }
}

/** The location of the execution plane `shipmate up` runs in the server process. */
const LOCAL_PLANE = 'local-execution-plane';

/** `shipmate up`'s token (kept in clear for `shipmate demo`, see api-token.ts). */
function localToken(dataDir: string, fromEnv: string | undefined): { sha256: string; token: string | undefined; generated?: string } {
  const local = resolveLocalApiToken(dataDir, fromEnv);
  return { sha256: local.sha256, token: local.token, ...(local.generated && local.token ? { generated: local.token } : {}) };
}

/** What `shipmate up` prints once it runs: where, the token, and what to do next. */
function upBanner(url: string, token: string | undefined): string {
  const tokenLine =
    token === undefined
      ? 'API token: the one printed when this data dir was first used by `shipmate server` (set SHIPMATE_API_TOKEN to choose one)'
      : `API token: ${token}`;
  const next = token === undefined ? 'SHIPMATE_API_TOKEN=<token> npx shipmate demo' : 'npx shipmate demo';
  return ['', `Shipmate is up: ${url}`, tokenLine, `Next, in another terminal: ${next}`, ''].join('\n');
}
