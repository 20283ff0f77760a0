/**
 * Shipmate's container images (issue 12, points 1 and 3b), built here without a Docker engine by
 * images/build.sh (buildah, vfs storage, chroot isolation) and run with Debian's podman (runc,
 * cgroupfs, vfs, explicit ulimits: images/containers/*.conf). Host networking throughout: the
 * containers reach each other over the host's loopback (docs/images.md says why).
 *
 * - the control-plane container runs as uid 10001, answers /health and its image's healthcheck passes;
 * - the agent container connects to it, runs a job task inside the container, and unregisters on
 *   `podman stop` (exit 0: the agent is PID 1 and handles SIGTERM);
 * - the agent image has no control plane in it;
 * - the charts' rendered pods (helm template) run with `podman kube play` and the agent registers.
 *
 * The images are rebuilt only when their build context changed (build.sh tags them by its hash).
 * Without the container tools the tests fail with the apt packages to install.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { KeptnApiClient, freePort, helmBinary, helmUnavailable, shipyardYaml, waitFor } from '@shipmate/testing';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const IMAGES = join(REPO, 'images');
/** podman and buildah read the repository's settings (what images/podman-env.sh exports). */
const CONTAINERS_ENV = {
  ...process.env,
  CONTAINERS_CONF: join(IMAGES, 'containers', 'containers.conf'),
  CONTAINERS_STORAGE_CONF: join(IMAGES, 'containers', 'storage.conf'),
};
const APT_PACKAGES = 'buildah podman runc catatonit debootstrap';
const TOOLS = ['buildah', 'podman', 'runc', 'catatonit', 'debootstrap'];

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Registration {
  id: string;
  name: string;
  instances?: Array<{ podname?: string; location?: string; kubernetesmetadata?: { podname?: string } }>;
  metadata?: { kubernetesmetadata?: { podname?: string } };
}

/** The tools this file needs that are not on PATH. */
function missingTools(): string[] {
  return TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
}

/** Runs podman with the repository's settings; resolves stdout, rejects with its stderr. */
async function podman(...args: string[]): Promise<string> {
  const { stdout } = await run('podman', args, { env: CONTAINERS_ENV, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** Runs podman and resolves its exit code and output, also when it fails. */
async function podmanStatus(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('podman', args, { env: CONTAINERS_ENV, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** Built images: name -> `localhost/<name>:<content tag>` and size in bytes. */
const images = new Map<string, { ref: string; tag: string; size: number }>();
/** What this file started, removed in afterAll. */
const containers: string[] = [];
const pods: string[] = [];
const secrets: string[] = [];
const suffix = `${process.pid}`;
const token = `images-e2e-${suffix}-token`;
let port: number;
let api: KeptnApiClient;
let dataDir: string;

beforeAll(async () => {
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: apt-get install ${APT_PACKAGES} (the CI script installs them)`);
  // Cold: debootstrap of the control plane's base (about a minute from the mirror) and both builds.
  const { stdout } = await run(join(IMAGES, 'build.sh'), [], { env: CONTAINERS_ENV, maxBuffer: 64 * 1024 * 1024 });
  for (const match of stdout.matchAll(/^image (\S+) (\S+) (\d+)/gm)) {
    images.set(match[1]!, { ref: `localhost/${match[1]}:${match[2]}`, tag: match[2]!, size: Number(match[3]) });
  }
  expect([...images.keys()].sort(), stdout).toEqual(['shipmate', 'shipmate-agent']);
}, 900_000);

afterAll(async () => {
  for (const pod of pods) await podmanStatus('pod', 'rm', '--force', pod);
  for (const name of containers) await podmanStatus('rm', '--force', '--time', '5', name);
  for (const secret of secrets) await podmanStatus('secret', 'rm', secret);
}, 120_000);

/** Starts a detached container with host networking; remembers it for cleanup. */
async function startContainer(name: string, args: string[]): Promise<void> {
  containers.push(name);
  await podman('run', '--detach', '--name', name, '--network', 'host', ...args);
}

/** The registration of integration `name` in the control plane of `client`, once `ready` holds for it. */
async function registration(
  client: KeptnApiClient,
  name: string,
  ready: (found: Registration) => boolean,
  what: string,
): Promise<Registration> {
  return waitFor(
    what,
    async () => {
      const list = await client.request<Registration[]>('GET', `/api/controlPlane/v1/uniform/registration?name=${name}`);
      const found = list.body.find((entry) => entry.name === name);
      return found && ready(found) ? found : undefined;
    },
    60_000,
    200,
  );
}

describe('the shipmate image (control plane)', () => {
  it('runs as a non-root user, answers /health and passes its healthcheck', async () => {
    port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), 'shipmate-image-data-'));
    // :U gives the data dir to the container's user (uid 10001).
    await startContainer(`shipmate-cp-${suffix}`, [
      '--env',
      `SHIPMATE_PORT=${port}`,
      '--env',
      `SHIPMATE_API_TOKEN=${token}`,
      '--env',
      'SHIPMATE_LOG_LEVEL=warn',
      '--volume',
      `${dataDir}:/var/lib/shipmate:U`,
      images.get('shipmate')!.ref,
    ]);
    api = new KeptnApiClient(`http://127.0.0.1:${port}`, token);
    await waitFor(
      'the control plane container answers /health',
      async () => ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok ? true : undefined),
      60_000,
      200,
    );
    expect(await podman('exec', `shipmate-cp-${suffix}`, 'id', '-u')).toBe('10001');
    expect(await podman('image', 'inspect', '--format', '{{.Config.User}}', images.get('shipmate')!.ref)).toBe('10001:10001');
    const health = await podmanStatus('healthcheck', 'run', `shipmate-cp-${suffix}`);
    expect(health.code, health.output).toBe(0);
    expect((await api.request('GET', '/api/v1/metadata')).status).toBe(200);
  });
});

describe('the shipmate-agent image (execution plane)', () => {
  it('connects to the control-plane container, runs a job task in the container, and unregisters on podman stop', async () => {
    const project = `images-${suffix}`;
    await api.createProject(project, shipyardYaml({ dev: ['greet'] }));
    await api.createService(project, 'carts');
    // The task runs in the agent's container: Node is the only program there (no shell), and the
    // job prints who and where it runs.
    await api.putResource(
      { project, stage: 'dev', service: 'carts' },
      'job/config.yaml',
      [
        'apiVersion: v2',
        'actions:',
        '  - name: greet',
        '    events:',
        '      - name: sh.keptn.event.greet.triggered',
        '    tasks:',
        '      - name: greet',
        `        cmd: [node, -e, "console.log('greeted by uid ' + process.getuid() + ' in ' + process.cwd())"]`,
        '',
      ].join('\n'),
    );
    const agent = `shipmate-agent-${suffix}`;
    await startContainer(agent, [
      '--env',
      `KEPTN_API_ENDPOINT=http://127.0.0.1:${port}/api`,
      '--env',
      `KEPTN_API_TOKEN=${token}`,
      '--env',
      `K8S_POD_NAME=${agent}`,
      images.get('shipmate-agent')!.ref,
      'agent',
      '--integration',
      'job-executor-service',
    ]);
    const job = await registration(
      api,
      'job-executor-service',
      (found) => (found.instances ?? []).length > 0,
      'the job-executor-service in the agent container registered',
    );
    const subscribed = await api.request('POST', `/api/controlPlane/v1/uniform/registration/${job.id}/subscription`, {
      event: 'sh.keptn.event.greet.triggered',
      filter: { projects: [project] },
    });
    expect(subscribed.status).toBe(201);

    const context = await api.triggerSequence(project, 'dev', 'delivery', 'carts');
    const events = await waitFor(
      'the delivery finished',
      async () => {
        const all = await api.contextEvents(project, context);
        return all.some((event) => event.type === 'sh.keptn.event.dev.delivery.finished') ? all : undefined;
      },
      60_000,
      200,
    );
    const greet = events.find((event) => event.type === 'sh.keptn.event.greet.finished');
    expect(greet).toMatchObject({ source: 'job-executor-service', data: { result: 'pass' } });
    expect(String(greet?.data.message)).toMatch(/greeted by uid 10001 in \/var\/lib\/shipmate-agent\//);
    expect(events.find((event) => event.type === 'sh.keptn.event.greet.started')?.source).toBe('job-executor-service');

    // SIGTERM to PID 1: the agent drains, removes its instance and exits 0.
    await podman('stop', '--time', '30', agent);
    expect(await podman('inspect', '--format', '{{.State.ExitCode}}', agent)).toBe('0');
    await registration(api, 'job-executor-service', (found) => (found.instances ?? []).length === 0, 'the agent unregistered');
  });

  it('has no control plane in it: shipmate server says where to run it, with exit 2', async () => {
    const result = await podmanStatus('run', '--rm', '--network', 'host', images.get('shipmate-agent')!.ref, 'server');
    expect(result.code, result.output).toBe(2);
    expect(result.output).toContain('shipmate server is not in this installation');
    expect(images.get('shipmate-agent')!.size).toBeLessThan(images.get('shipmate')!.size);
  });
});

const helmMissing = helmUnavailable();

describe('the charts run with podman kube play', () => {
  it('starts the control plane and an execution plane from the rendered charts; the agent registers', async () => {
    if (helmMissing !== undefined) throw new Error(`helm is needed to render the charts: ${helmMissing}`);
    const cpPort = await freePort();
    const release = `kp${suffix}`;
    const controlPlane = render(release, 'charts/shipmate', [
      'persistence.enabled=false',
      'image.repository=localhost/shipmate',
      `image.tag=${images.get('shipmate')!.tag}`,
      'image.pullPolicy=Never',
    ]);
    const cpToken = await createSecret(find(controlPlane, 'Secret'));
    await play(podForPodman(statefulSetAsDeployment(find(controlPlane, 'StatefulSet')), { SHIPMATE_PORT: String(cpPort) }));
    const cpApi = new KeptnApiClient(`http://127.0.0.1:${cpPort}`, cpToken);
    await waitFor(
      "the chart's control plane answers",
      async () => ((await cpApi.request('GET', '/api/v1/metadata').catch(() => undefined))?.status === 200 ? true : undefined),
      60_000,
      200,
    );

    // The seed's install line of a remote execution plane, pointed at that control plane.
    const plane = render(release, 'charts/shipmate-agent', [
      'remoteControlPlane.enabled=true',
      'remoteControlPlane.api.protocol=http',
      `remoteControlPlane.api.hostname=127.0.0.1:${cpPort}`,
      `remoteControlPlane.api.token=${cpToken}`,
      'distributor.stageFilter=hardening',
      'nameOverride=helm-service-hardening',
      'image.repository=localhost/shipmate-agent',
      `image.tag=${images.get('shipmate-agent')!.tag}`,
      'image.pullPolicy=Never',
    ]);
    await createSecret(find(plane, 'Secret'));
    const deployment = find(plane, 'Deployment');
    expect(deployment.metadata.name).toBe(`${release}-helm-service-hardening`);
    await play(podForPodman(deployment, {}));
    const instancePod = (entry: Registration) =>
      (entry.instances ?? []).map((instance) => instance.kubernetesmetadata?.podname ?? instance.podname ?? '');
    const helm = await registration(
      cpApi,
      'helm-service',
      (found) => instancePod(found).some((pod) => pod.startsWith(`${release}-helm-service-hardening`)),
      "the chart's agent registered its helm-service",
    );
    expect(helm.metadata?.kubernetesmetadata?.podname ?? instancePod(helm)[0]).toContain(`${release}-helm-service-hardening`);

    // The chart's `helm test` pod runs `shipmate agent test-connection` in the agent image.
    const testPod = find(plane, 'Pod', '-test-connection');
    await play(podForPodman(testPod, {}));
    const testContainer = `${testPod.metadata.name}-${testPod.spec.containers[0].name}`;
    const exit = await waitFor(
      'the test-connection pod ended',
      async () => {
        const state = await podman('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', testContainer);
        return state.startsWith('exited') ? state.split(' ')[1] : undefined;
      },
      60_000,
      200,
    );
    expect(exit, await podman('logs', testContainer)).toBe('0');
    expect(await podman('logs', testContainer)).toContain('all 6 checks passed');
  });
});

/** `helm template` of a chart of this repository. */
function render(release: string, chart: string, sets: string[]): Manifest[] {
  const result = spawnSync(
    helmBinary(),
    ['template', release, join(REPO, chart), '--namespace', 'planes', ...sets.flatMap((set) => ['--set', set])],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (result.status !== 0) throw new Error(`helm template ${chart} failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

function find(manifests: Manifest[], kind: string, nameSuffix = ''): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && String(manifest.metadata.name).endsWith(nameSuffix));
  if (!found)
    throw new Error(`no ${kind} *${nameSuffix} in ${manifests.map((manifest) => `${manifest.kind} ${manifest.metadata.name}`).join(', ')}`);
  return found;
}

/**
 * A rendered Secret as podman 4.3's `kube play` reads a secretKeyRef: a podman secret of that name
 * holding the Secret's `data` as JSON (a Secret document in the played file is not read that way).
 * Returns the first value, decoded.
 */
async function createSecret(secret: Manifest): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'shipmate-image-secret-')), 'data.json');
  writeFileSync(file, JSON.stringify(secret.data), { mode: 0o600 });
  secrets.push(secret.metadata.name);
  await podmanStatus('secret', 'rm', secret.metadata.name);
  await podman('secret', 'create', secret.metadata.name, file);
  return Buffer.from(String(Object.values(secret.data as Record<string, string>)[0]), 'base64').toString('utf8');
}

/** The chart's StatefulSet as a Deployment of the same pod (podman 4.3 plays Pods and Deployments, not StatefulSets). */
function statefulSetAsDeployment(statefulSet: Manifest): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: statefulSet.metadata,
    spec: { replicas: 1, selector: statefulSet.spec.selector, template: statefulSet.spec.template },
  };
}

/**
 * What podman 4.3 needs changed in a rendered pod, and nothing else: host networking (so no
 * container ports), the Downward API fields it does not resolve (metadata.namespace, spec.nodeName)
 * as plain values, `env` overrides (the port on the shared host network), and no httpGet probes
 * (podman turns them into `curl` health checks, and the images have no curl; the kubelet probes
 * over HTTP itself).
 */
function podForPodman(workload: Manifest, env: Record<string, string>): Manifest {
  const copy = structuredClone(workload);
  const pod = copy.kind === 'Pod' ? copy.spec : copy.spec.template.spec;
  pod.hostNetwork = true;
  for (const container of pod.containers as Manifest[]) {
    delete container.ports;
    delete container.livenessProbe;
    delete container.readinessProbe;
    for (const variable of (container.env ?? []) as Manifest[]) {
      const field = variable.valueFrom?.fieldRef?.fieldPath as string | undefined;
      if (field === 'metadata.namespace') variable.value = copy.metadata.namespace ?? 'default';
      if (field === 'spec.nodeName') variable.value = 'podman-host';
      if (field === 'metadata.namespace' || field === 'spec.nodeName') delete variable.valueFrom;
      if (variable.name in env) variable.value = env[variable.name];
    }
  }
  return copy;
}

/** `podman kube play` of one workload; remembers its pod for cleanup. */
async function play(workload: Manifest): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'shipmate-image-play-')), 'workload.yaml');
  writeFileSync(file, stringify(workload));
  const name = String(workload.metadata.name);
  pods.push(workload.kind === 'Pod' ? name : `${name}-pod-0`);
  const result = await podmanStatus('kube', 'play', file);
  if (result.code !== 0) throw new Error(`podman kube play ${name}: ${result.output}`);
}
