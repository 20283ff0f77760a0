/**
 * The Helm charts (issue 12 points 2 and 3), rendered with a real helm 3 and validated offline:
 * `helm lint`, `helm template` with Keptn's install line, the values schemas' messages, and every
 * rendered manifest against Kubernetes' schemas (kubernetes-models, unknown fields refused). No
 * cluster is used: the charts are rendered and validated here, not installed. The uninstall hook's
 * script runs against a real control plane process.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { helmBinary, helmUnavailable, startServerProcess, validateKubernetesManifest } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

const CHARTS = fileURLToPath(new URL('../../charts/', import.meta.url));
const AGENT = `${CHARTS}shipmate-agent`;
const CONTROL_PLANE = `${CHARTS}shipmate`;

/** The seed's install line of a remote execution plane (Keptn's helm-service chart values). */
const SEED_LINE =
  'remoteControlPlane.enabled=true,remoteControlPlane.api.protocol=http,remoteControlPlane.api.hostname=cp.example.com,remoteControlPlane.api.token=abc,distributor.stageFilter=hardening,nameOverride=helm-service-hardening';

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}

function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(helmBinary(), args, { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `helm template` of a chart with `--set` arguments; throws with helm's message when it fails. */
function render(chart: string, ...sets: string[]): Manifest[] {
  const result = helm(['template', 'r', chart, '--namespace', 'planes', ...sets.flatMap((set) => ['--set', set])]);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/** helm's error for values that must be refused. */
function refused(chart: string, ...sets: string[]): string {
  const result = helm(['template', 'r', chart, ...sets.flatMap((set) => ['--set', set])]);
  expect(result.status, `helm template ${sets.join(' ')} should fail`).not.toBe(0);
  return result.stderr;
}

function find(manifests: Manifest[], kind: string, nameSuffix = ''): Manifest {
  const found = manifests.find((m) => m.kind === kind && String(m.metadata.name).endsWith(nameSuffix));
  if (found === undefined)
    throw new Error(`no ${kind} *${nameSuffix} in ${manifests.map((m) => `${m.kind} ${m.metadata.name}`).join(', ')}`);
  return found;
}

function envOf(container: { env?: EnvVar[] }): Map<string, EnvVar> {
  return new Map((container.env ?? []).map((variable) => [variable.name, variable]));
}

function values(env: Map<string, EnvVar>): Record<string, string | undefined> {
  return Object.fromEntries([...env].map(([name, variable]) => [name, variable.value]));
}

function expectValidManifests(manifests: Manifest[]): void {
  expect(manifests.length).toBeGreaterThan(0);
  expect(manifests.flatMap((manifest) => validateKubernetesManifest(manifest))).toEqual([]);
}

const unavailable = helmUnavailable();

describe.skipIf(unavailable !== undefined)(`Helm charts${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  describe('both charts', () => {
    it.each([
      ['shipmate', CONTROL_PLANE],
      ['shipmate-agent', AGENT],
    ])('%s passes helm lint --strict', (_, chart) => {
      const result = helm(['lint', '--strict', chart]);
      expect(result.stdout + result.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(result.status).toBe(0);
    });

    it.each([
      ['control plane, defaults', CONTROL_PLANE, []],
      [
        'control plane, everything on',
        CONTROL_PLANE,
        [
          'ingress.enabled=true,ingress.className=nginx,ingress.tls.enabled=true,ingress.tls.secretName=cp-tls',
          'metrics.scrapeAnnotations=true,apiToken.existingSecret=cp-token,secretKey.existingSecret=cp-key,secretKey.previousKeySecretKey=previous',
          'persistence.storageClass=fast,config.eventRetention=168h,config.integrationTtl=48h',
          'extraEnv[0].name=SHIPMATE_WEBHOOK_TIMEOUT,extraEnv[0].value=10s',
        ],
      ],
      ['control plane, no persistence', CONTROL_PLANE, ['persistence.enabled=false']],
      ['agent, defaults (in-cluster control plane)', AGENT, []],
      ['agent, the seed install line', AGENT, [SEED_LINE]],
      [
        'agent, sidecar image with a CA and an existing token Secret',
        AGENT,
        [
          'integration.builtIn=,integration.image.repository=ghcr.io/keptn-contrib/jmeter-service,integration.image.tag=0.18.1',
          'subscription.pubsubTopic=sh.keptn.event.test.triggered,remoteControlPlane.enabled=true,remoteControlPlane.api.hostname=cp.example.com',
          'remoteControlPlane.api.tokenSecretName=cp-token,remoteControlPlane.api.caSecretName=cp-ca,remoteControlPlane.api.apiValidateTls=false',
        ],
      ],
    ])('%s: every manifest is valid Kubernetes without unknown fields', (_, chart, sets) => {
      expectValidManifests(render(chart, ...sets));
    });
  });

  describe('shipmate-agent', () => {
    it("renders the env the agent reads from the seed's install line", () => {
      const manifests = render(AGENT, SEED_LINE);
      const deployment = find(manifests, 'Deployment');
      expect(deployment.metadata.labels['app.kubernetes.io/name']).toBe('helm-service-hardening');
      const [agent, ...others] = deployment.spec.template.spec.containers as Array<{ args: string[]; env: EnvVar[] }>;
      expect(others).toEqual([]);
      expect(agent!.args).toEqual(['agent', '--integration', 'helm-service']);
      const env = envOf(agent!);
      expect(values(env)).toMatchObject({
        KEPTN_API_ENDPOINT: 'http://cp.example.com/api',
        HTTP_SSL_VERIFY: 'true',
        STAGE_FILTER: 'hardening',
        PROJECT_FILTER: '',
        SERVICE_FILTER: '',
        K8S_DEPLOYMENT_NAME: 'helm-service-hardening',
        SHIPMATE_DRAIN_TIMEOUT: '60s',
      });
      expect(env.get('K8S_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
      expect(env.get('K8S_POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
      expect(env.get('K8S_NODE_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('spec.nodeName');
      // The token is kept in a Secret under Keptn's key, not in the pod spec.
      const tokenRef = env.get('KEPTN_API_TOKEN')?.valueFrom?.secretKeyRef;
      expect(tokenRef?.key).toBe('keptn-api-token');
      const secret = find(manifests, 'Secret');
      expect(secret.metadata.name).toBe(tokenRef?.name);
      expect(Buffer.from(String(secret.data['keptn-api-token']), 'base64').toString()).toBe('abc');
      // Drain: the pod is not killed before the agent's drain timeout is over.
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(60);
    });

    it('takes tasks from JetStream with taskSource.natsUrl or a Secret, and from the long poll by default', () => {
      const agent = (...sets: string[]) => find(render(AGENT, ...sets), 'Deployment').spec.template.spec.containers[0];
      const fromValue = envOf(
        agent('taskSource.natsUrl=nats://nats.shipmate:4222', 'taskSource.stream=tasks-prod', 'taskSource.ackWait=45s'),
      );
      expect(values(fromValue)).toMatchObject({
        SHIPMATE_TASK_SOURCE: 'nats://nats.shipmate:4222',
        SHIPMATE_TASK_STREAM: 'tasks-prod',
        SHIPMATE_TASK_ACK_WAIT: '45s',
      });
      expect(envOf(agent('taskSource.existingSecret=plane-nats')).get('SHIPMATE_TASK_SOURCE')).toEqual({
        name: 'SHIPMATE_TASK_SOURCE',
        valueFrom: { secretKeyRef: { name: 'plane-nats', key: 'url' } },
      });
      const none = envOf(agent('taskSource.stream=tasks-prod'));
      expect(['SHIPMATE_TASK_SOURCE', 'SHIPMATE_TASK_STREAM', 'SHIPMATE_TASK_ACK_WAIT'].filter((name) => none.has(name))).toEqual([]);
      expectValidManifests(render(AGENT, 'taskSource.natsUrl=nats://nats:4222'));
      expect(refused(AGENT, 'taskSource.natsUrl=http://nats:4222')).toMatch(/taskSource\.natsUrl: Does not match pattern/);
      expect(refused(AGENT, 'taskSource.natsUrl=nats://nats:4222', 'taskSource.ackWait=soon')).toMatch(
        /taskSource\.ackWait: Does not match pattern/,
      );
    });

    it('renders the helm test pod: shipmate agent test-connection with the same connection env', () => {
      const manifests = render(AGENT, SEED_LINE);
      const pod = find(manifests, 'Pod', '-test-connection');
      expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
      expect(pod.spec.restartPolicy).toBe('Never');
      const [container] = pod.spec.containers as Array<{ args: string[]; env: EnvVar[] }>;
      expect(container!.args).toEqual(['agent', 'test-connection']);
      const agentEnv = envOf(find(manifests, 'Deployment').spec.template.spec.containers[0]);
      for (const [name, variable] of envOf(container!)) expect(variable, name).toEqual(agentEnv.get(name));
      expect(values(envOf(container!))).toMatchObject({ KEPTN_API_ENDPOINT: 'http://cp.example.com/api', HTTP_SSL_VERIFY: 'true' });
    });

    it('has no test pod without remoteControlPlane.enabled, and reaches the in-cluster control plane', () => {
      const manifests = render(AGENT);
      expect(manifests.filter((m) => m.kind === 'Pod')).toEqual([]);
      const env = envOf(find(manifests, 'Deployment').spec.template.spec.containers[0]);
      expect(env.get('KEPTN_API_ENDPOINT')?.value).toBe('http://shipmate:8080/api');
      expect(env.get('KEPTN_API_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'shipmate-api-token', key: 'keptn-api-token' });
    });

    it('takes the token from tokenSecretName (key keptn-api-token) and turns TLS verification off with apiValidateTls=false', () => {
      const manifests = render(
        AGENT,
        'remoteControlPlane.enabled=true,remoteControlPlane.api.hostname=cp.example.com,remoteControlPlane.api.tokenSecretName=my-token,remoteControlPlane.api.apiValidateTls=false',
      );
      expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
      for (const container of [find(manifests, 'Deployment').spec.template.spec.containers[0], find(manifests, 'Pod').spec.containers[0]]) {
        const env = envOf(container);
        expect(env.get('KEPTN_API_ENDPOINT')?.value).toBe('https://cp.example.com/api');
        expect(env.get('KEPTN_API_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'my-token', key: 'keptn-api-token' });
        expect(env.get('HTTP_SSL_VERIFY')?.value).toBe('false');
      }
    });

    it('runs a sidecar integration image: the agent forwards to it on PUBSUB_RECIPIENT with PUBSUB_TOPIC', () => {
      const deployment = find(
        render(
          AGENT,
          'integration.builtIn=,integration.image.repository=ghcr.io/keptn-contrib/jmeter-service,integration.image.tag=0.18.1,integration.port=9090',
          'subscription.pubsubTopic=sh.keptn.event.test.triggered,location=cluster-eu',
        ),
        'Deployment',
      );
      const [agent, integration] = deployment.spec.template.spec.containers as Array<{
        name: string;
        args?: string[];
        image: string;
        env?: EnvVar[];
      }>;
      expect(agent!.args).toEqual(['agent']);
      expect(integration!.image).toBe('ghcr.io/keptn-contrib/jmeter-service:0.18.1');
      expect(values(envOf(agent!))).toMatchObject({
        PUBSUB_TOPIC: 'sh.keptn.event.test.triggered',
        PUBSUB_RECIPIENT: '127.0.0.1',
        PUBSUB_RECIPIENT_PORT: '9090',
        LOCATION: 'cluster-eu',
      });
    });

    it.each(['deployment-service', 'helm-service', 'http-test-service', 'webhook-service', 'job-executor-service', 'prometheus-service'])(
      'runs the built-in %s as shipmate agent --integration',
      (builtIn) => {
        const deployment = find(render(AGENT, `integration.builtIn=${builtIn}`), 'Deployment');
        expect(deployment.spec.template.spec.containers.map((c: { args: string[] }) => c.args)).toEqual([
          ['agent', '--integration', builtIn],
        ]);
        expect(envOf(deployment.spec.template.spec.containers[0]).has('PUBSUB_TOPIC')).toBe(false);
      },
    );

    it('serves the metrics port for the liveness probe, and adds scrape annotations, a Service and a ServiceMonitor only when asked', () => {
      const off = render(AGENT);
      const deployment = find(off, 'Deployment');
      const [agent] = deployment.spec.template.spec.containers;
      expect(envOf(agent).get('SHIPMATE_METRICS_PORT')?.value).toBe('9464');
      expect(agent.ports).toEqual([{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
      expect(agent.livenessProbe.httpGet).toEqual({ path: '/health', port: 'metrics' });
      expect(deployment.spec.template.metadata.annotations).toBeUndefined();
      expect(off.map((m) => m.kind)).not.toContain('Service');
      const on = render(AGENT, 'metrics.port=9100,metrics.scrapeAnnotations=true,metrics.serviceMonitor.enabled=true');
      expect(find(on, 'Deployment').spec.template.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9100',
        'prometheus.io/path': '/metrics',
      });
      expect(find(on, 'Service', '-metrics').spec.ports).toEqual([{ name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' }]);
      expect(find(on, 'ServiceMonitor').spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
      expectValidManifests(on.filter((m) => m.kind !== 'ServiceMonitor'));
    });

    it.each([
      [
        'the local surface port',
        ['metrics.port=8081'],
        /metrics\.port=8081 is the agent's local surface \(API_PROXY_PORT\): give another port/,
      ],
      [
        "the sidecar's port",
        [
          'integration.builtIn=,integration.image.repository=ghcr.io/keptn-contrib/jmeter-service,integration.image.tag=0.18.1',
          'subscription.pubsubTopic=sh.keptn.event.test.triggered,integration.port=9464',
        ],
        /metrics\.port=9464 is also integration\.port, where the sidecar listens/,
      ],
      ['a port out of range', ['metrics.port=70000'], /metrics\.port: Must be less than or equal to 65535/],
      ['a misspelt metrics value', ['metrics.scrape=true'], /metrics: Additional property scrape is not allowed/],
    ])('refuses a metrics port that is %s', (_what, sets, message) => {
      expect(refused(AGENT, ...sets)).toMatch(message);
    });

    it('gives the pod more time than the drain timeout', () => {
      const deployment = find(render(AGENT, 'agent.drainTimeoutSeconds=300'), 'Deployment');
      expect(envOf(deployment.spec.template.spec.containers[0]).get('SHIPMATE_DRAIN_TIMEOUT')?.value).toBe('300s');
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(315);
    });

    it.each([
      [
        'a hostname with /api',
        ['remoteControlPlane.api.hostname=cp.example.com/api'],
        /remoteControlPlane\.api\.hostname does not match: "a host without \/api, e\.g\. cp\.example\.com \(the chart appends \/api\)"/,
      ],
      ['a hostname with a path after /api', ['remoteControlPlane.api.hostname=cp.example.com/api/v1'], /a host without \/api/],
      [
        'a hostname with a scheme',
        ['remoteControlPlane.api.hostname=https://cp.example.com'],
        /remoteControlPlane\.api\.hostname does not match: "a host without the scheme/,
      ],
      [
        'a bad protocol',
        ['remoteControlPlane.api.protocol=ftp'],
        /remoteControlPlane\.api\.protocol must be one of the following: "http", "https"/,
      ],
      [
        'a filter that is not a string',
        ['distributor.stageFilter=1'],
        /distributor\.stageFilter: Invalid type\. Expected: string, given: integer/,
      ],
      [
        'apiValidateTls that is not a boolean',
        ['remoteControlPlane.api.apiValidateTls=maybe'],
        /remoteControlPlane\.api\.apiValidateTls: Invalid type\. Expected: boolean/,
      ],
      [
        'an unknown built-in',
        ['integration.builtIn=jmeter-service'],
        /integration\.builtIn must be one of the following: "", "deployment-service"/,
      ],
      ['a nameOverride that is no Kubernetes name', ['nameOverride=Helm_Service'], /nameOverride: Does not match pattern/],
      [
        'remote mode without a hostname',
        ['remoteControlPlane.enabled=true,remoteControlPlane.api.token=abc'],
        /remoteControlPlane\.api\.hostname is required with remoteControlPlane\.enabled=true: give the control plane's host/,
      ],
      [
        'remote mode without a token',
        ['remoteControlPlane.enabled=true,remoteControlPlane.api.hostname=cp.example.com'],
        /remoteControlPlane\.api\.token or remoteControlPlane\.api\.tokenSecretName is required/,
      ],
      [
        'both a built-in and an image',
        ['integration.image.repository=x,integration.image.tag=v1,subscription.pubsubTopic=a'],
        /integration\.builtIn=helm-service and integration\.image\.repository=x are both set: give one/,
      ],
      [
        'an image tag that --set made a number',
        ['integration.builtIn=,integration.image.repository=x,integration.image.tag=1'],
        /integration\.image\.tag: Invalid type\. Expected: string, given: integer/,
      ],
      [
        'an env value that --set made a number',
        ['agent.extraEnv[0].name=A,agent.extraEnv[0].value=50'],
        /agent\.extraEnv\.0\.value: Invalid type\. Expected: string, given: integer/,
      ],
      [
        'neither a built-in nor an image',
        ['integration.builtIn='],
        /neither integration\.builtIn nor integration\.image\.repository is set/,
      ],
      [
        'an image without pubsubTopic',
        ['integration.builtIn=,integration.image.repository=x,integration.image.tag=v1'],
        /subscription\.pubsubTopic is required with a sidecar integration image/,
      ],
    ])('refuses %s with a message naming the value and the fix', (_, sets, message) => {
      expect(refused(AGENT, ...sets)).toMatch(message);
    });
  });

  describe('shipmate (control plane)', () => {
    it('generates the API token into a Secret that survives uninstall, and the server reads it', () => {
      const manifests = render(CONTROL_PLANE);
      const secret = find(manifests, 'Secret', '-api-token');
      expect(secret.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
      expect(Buffer.from(String(secret.data['keptn-api-token']), 'base64').toString()).toMatch(/^[A-Za-z0-9]{43}$/);
      const server = find(manifests, 'StatefulSet').spec.template.spec.containers[0];
      expect(server.args).toEqual(['server']);
      expect(envOf(server).get('SHIPMATE_API_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
        name: secret.metadata.name,
        key: 'keptn-api-token',
      });
      expect(envOf(server).has('SHIPMATE_SECRET_KEY')).toBe(false);
    });

    it('uses an existing token Secret and secret key Secret instead', () => {
      const manifests = render(
        CONTROL_PLANE,
        'apiToken.existingSecret=cp-token,apiToken.existingSecretKey=token,secretKey.existingSecret=cp-key,secretKey.previousKeySecretKey=old',
      );
      expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
      const env = envOf(find(manifests, 'StatefulSet').spec.template.spec.containers[0]);
      expect(env.get('SHIPMATE_API_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'cp-token', key: 'token' });
      expect(env.get('SHIPMATE_SECRET_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'cp-key', key: 'secret-key' });
      expect(env.get('SHIPMATE_SECRET_KEY_PREVIOUS')?.valueFrom?.secretKeyRef).toEqual({ name: 'cp-key', key: 'old' });
    });

    it('runs one non-root replica with the data dir on a volume, probes on /health and the settings as env', () => {
      const manifests = render(CONTROL_PLANE, 'config.integrationTtl=48h,config.builtInIntegrations=none,config.trustProxy=10.0.0.0/8');
      const statefulSet = find(manifests, 'StatefulSet');
      expect(statefulSet.spec.replicas).toBe(1);
      expect(statefulSet.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('8Gi');
      const pod = statefulSet.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      const [server] = pod.containers;
      expect(server.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(server.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(server.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/shipmate' });
      expect(values(envOf(server))).toMatchObject({
        SHIPMATE_DATA_DIR: '/var/lib/shipmate',
        UNIFORM_INTEGRATION_TTL: '48h',
        SHIPMATE_BUILT_IN_INTEGRATIONS: 'none',
        SHIPMATE_TRUST_PROXY: '10.0.0.0/8',
        SHIPMATE_LOG_FORMAT: 'json',
      });
      expect(envOf(server).has('TASK_STARTED_WAIT_DURATION')).toBe(false);
    });

    it('takes the PostgreSQL URL of the store from a Secret, and keeps the embedded store by default', () => {
      const onPostgres = find(render(CONTROL_PLANE, 'store.existingSecret=cp-store'), 'StatefulSet').spec.template.spec.containers[0];
      expect(envOf(onPostgres).get('SHIPMATE_STORE_URL')).toEqual({
        name: 'SHIPMATE_STORE_URL',
        valueFrom: { secretKeyRef: { name: 'cp-store', key: 'url' } },
      });
      expect(find(render(CONTROL_PLANE, 'store.existingSecret=cp-store'), 'StatefulSet').spec.replicas).toBe(1);
      const embedded = find(render(CONTROL_PLANE), 'StatefulSet').spec.template.spec.containers[0];
      expect(envOf(embedded).has('SHIPMATE_STORE_URL')).toBe(false);
      expect(refused(CONTROL_PLANE, 'store.existingSecretKey=')).toMatch(
        /store\.existingSecretKey: String length must be greater than or equal to 1/,
      );
    });

    it('runs several replicas on PostgreSQL with one shared ReadWriteMany data dir, and refuses them otherwise', () => {
      const manifests = render(CONTROL_PLANE, 'replicaCount=3', 'store.existingSecret=cp-store', 'persistence.accessModes={ReadWriteMany}');
      const statefulSet = find(manifests, 'StatefulSet');
      expect(statefulSet.spec.replicas).toBe(3);
      expect(statefulSet.spec.podManagementPolicy).toBe('Parallel');
      expect(statefulSet.spec.volumeClaimTemplates).toBeUndefined();
      expect(statefulSet.spec.template.spec.volumes).toContainEqual({
        name: 'data',
        persistentVolumeClaim: { claimName: 'r-shipmate-data' },
      });
      const claim = find(manifests, 'PersistentVolumeClaim');
      expect(claim.metadata.name).toBe('r-shipmate-data');
      expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
      expect(claim.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
      expectValidManifests(manifests);

      const onClaim = render(CONTROL_PLANE, 'replicaCount=2', 'store.existingSecret=cp-store', 'persistence.existingClaim=nfs-data');
      expect(onClaim.some((m) => m.kind === 'PersistentVolumeClaim')).toBe(false);
      expect(find(onClaim, 'StatefulSet').spec.template.spec.volumes).toContainEqual({
        name: 'data',
        persistentVolumeClaim: { claimName: 'nfs-data' },
      });

      expect(refused(CONTROL_PLANE, 'replicaCount=3', 'persistence.accessModes={ReadWriteMany}')).toMatch(
        /replicaCount=3 needs store\.existingSecret .*one server per data dir/,
      );
      expect(refused(CONTROL_PLANE, 'replicaCount=3', 'store.existingSecret=cp-store')).toMatch(
        /replicaCount=3 needs a data dir every replica mounts: set persistence\.accessModes=\{ReadWriteMany\}/,
      );
      expect(refused(CONTROL_PLANE, 'replicaCount=2', 'store.existingSecret=cp-store', 'persistence.enabled=false')).toMatch(
        /replicaCount=2 needs persistence\.enabled=true/,
      );
      expect(refused(CONTROL_PLANE, 'replicaCount=0')).toMatch(/replicaCount: Must be greater than or equal to 1/);
      // One replica keeps its claim template.
      expect(find(render(CONTROL_PLANE), 'StatefulSet').spec.volumeClaimTemplates).toHaveLength(1);
    });

    it('connects to NATS from bus.url or a Secret, publishes tasks with bus.taskStream, and has no bus by default', () => {
      const container = (...sets: string[]) => find(render(CONTROL_PLANE, ...sets), 'StatefulSet').spec.template.spec.containers[0];
      const fromValue = envOf(container('bus.url=nats://nats.messaging:4222', 'bus.taskStream=shipmate-tasks'));
      expect(values(fromValue)).toMatchObject({ SHIPMATE_BUS_URL: 'nats://nats.messaging:4222', SHIPMATE_TASK_STREAM: 'shipmate-tasks' });
      expect(envOf(container('bus.url=nats://ignored:4222', 'bus.existingSecret=cp-nats')).get('SHIPMATE_BUS_URL')).toEqual({
        name: 'SHIPMATE_BUS_URL',
        valueFrom: { secretKeyRef: { name: 'cp-nats', key: 'url' } },
      });
      const none = envOf(container());
      expect(none.has('SHIPMATE_BUS_URL') || none.has('SHIPMATE_TASK_STREAM')).toBe(false);
      expectValidManifests(render(CONTROL_PLANE, 'bus.url=nats://nats:4222', 'bus.taskStream=shipmate-tasks'));
      expect(refused(CONTROL_PLANE, 'bus.url=redis://cache:6379')).toMatch(/bus\.url: Does not match pattern/);
      expect(refused(CONTROL_PLANE, 'bus.url=nats://nats:4222', 'bus.taskStream=shipmate.tasks')).toMatch(
        /bus\.taskStream: Does not match pattern/,
      );
      expect(refused(CONTROL_PLANE, 'bus.taskStream=shipmate-tasks')).toMatch(
        /bus\.taskStream=shipmate-tasks needs the NATS server it is on: set bus\.url/,
      );
    });

    it('serves HTTPS itself from a TLS Secret: the files mounted, SHIPMATE_TLS_* set, probes and scraping over HTTPS', () => {
      const manifests = render(
        CONTROL_PLANE,
        'serverTls.existingSecret=cp-tls,metrics.scrapeAnnotations=true,metrics.serviceMonitor.enabled=true',
      );
      const statefulSet = find(manifests, 'StatefulSet');
      const [server] = statefulSet.spec.template.spec.containers;
      expect(values(envOf(server))).toMatchObject({
        SHIPMATE_TLS_CERT_FILE: '/etc/shipmate/tls/tls.crt',
        SHIPMATE_TLS_KEY_FILE: '/etc/shipmate/tls/tls.key',
      });
      expect(server.volumeMounts).toContainEqual({ name: 'server-tls', mountPath: '/etc/shipmate/tls', readOnly: true });
      expect(statefulSet.spec.template.spec.volumes).toContainEqual({ name: 'server-tls', secret: { secretName: 'cp-tls' } });
      expect(server.livenessProbe.httpGet.scheme).toBe('HTTPS');
      expect(server.readinessProbe.httpGet.scheme).toBe('HTTPS');
      expect(statefulSet.spec.template.metadata.annotations['prometheus.io/scheme']).toBe('https');
      expect(find(manifests, 'ServiceMonitor').spec.endpoints[0].scheme).toBe('https');
      expectValidManifests(manifests.filter((m) => m.kind !== 'ServiceMonitor'));
      const plain = find(render(CONTROL_PLANE), 'StatefulSet').spec.template.spec.containers[0];
      expect(envOf(plain).has('SHIPMATE_TLS_CERT_FILE')).toBe(false);
      expect(plain.livenessProbe.httpGet.scheme).toBeUndefined();
    });

    it('renders the Ingress with TLS, the scrape annotations and the ServiceMonitor for /metrics only when asked', () => {
      const off = render(CONTROL_PLANE);
      expect(off.map((m) => m.kind).sort()).toEqual(['Secret', 'Service', 'ServiceAccount', 'StatefulSet']);
      expect(find(off, 'StatefulSet').spec.template.metadata.annotations).toBeUndefined();
      const on = render(
        CONTROL_PLANE,
        'ingress.enabled=true,ingress.host=cp.example.com,ingress.tls.enabled=true,ingress.tls.secretName=cp-tls',
        'metrics.scrapeAnnotations=true,metrics.serviceMonitor.enabled=true',
      );
      expect(find(on, 'Ingress').spec.tls).toEqual([{ hosts: ['cp.example.com'], secretName: 'cp-tls' }]);
      expect(find(on, 'StatefulSet').spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/path': '/metrics',
      });
      // kubernetes-models has no Prometheus Operator CRDs: the ServiceMonitor is checked by shape only.
      expect(find(on, 'ServiceMonitor').spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
      expectValidManifests(on.filter((m) => m.kind !== 'ServiceMonitor'));
    });

    it.each([
      [
        'a duration that is not Go syntax',
        ['config.eventRetention=30d'],
        /config\.eventRetention does not match: "a Go duration such as 90s, 10m, 1h30m or 0/,
      ],
      ['an unknown log level', ['config.logLevel=verbose'], /config\.logLevel must be one of the following: "", "fatal"/],
      ['a misspelt setting', ['config.logLevle=debug'], /Additional property logLevle is not allowed/],
      [
        'an env value that --set made a number',
        ['extraEnv[0].name=SHIPMATE_AUTH_FAILURE_LIMIT,extraEnv[0].value=50'],
        /extraEnv\.0\.value: Invalid type\. Expected: string, given: integer/,
      ],
      [
        'TLS without its Secret',
        ['ingress.enabled=true,ingress.tls.enabled=true'],
        /ingress\.tls\.secretName is required with ingress\.tls\.enabled/,
      ],
    ])('refuses %s', (_, sets, message) => {
      expect(refused(CONTROL_PLANE, ...sets)).toMatch(message);
    });
  });

  describe('uninstall hook (post-delete Job) against a real control plane', () => {
    let server: ServerProcess;
    const REGISTRATION = '/api/controlPlane/v1/uniform/registration';

    beforeAll(async () => {
      server = await startServerProcess();
    });
    afterAll(async () => {
      expect(await server.stop()).toBe(0);
    });

    async function register(name: string, namespace: string, podname: string): Promise<void> {
      const response = await fetch(`${server.url}${REGISTRATION}`, {
        method: 'POST',
        headers: { 'x-token': server.token, 'content-type': 'application/json' },
        body: JSON.stringify({
          name,
          metadata: { hostname: 'node-1', kubernetesmetadata: { namespace, podname, deploymentname: name } },
          subscriptions: [],
        }),
      });
      expect(response.status).toBeLessThan(300);
    }

    async function podsOf(name: string): Promise<string[]> {
      const response = await fetch(`${server.url}${REGISTRATION}?name=${name}`, { headers: { 'x-token': server.token } });
      const integrations = (await response.json()) as Array<{ instances: Array<{ podname: string }> }>;
      return integrations.flatMap((integration) => integration.instances.map((instance) => instance.podname)).sort();
    }

    it("removes the instances of this release's pods and leaves other planes' instances", async () => {
      const job = find(render(AGENT, SEED_LINE), 'Job', '-unregister');
      expect(job.metadata.annotations['helm.sh/hook']).toBe('post-delete');
      const [container] = job.spec.template.spec.containers as Array<{ command: string[]; args: string[]; env: EnvVar[] }>;
      const env = values(envOf(container!));
      expect(env).toMatchObject({
        REGISTRATION_NAME: 'helm-service',
        POD_NAME_PREFIX: 'r-helm-service-hardening-',
        KEPTN_API_ENDPOINT: 'http://cp.example.com/api',
      });

      await register('helm-service', 'planes', 'r-helm-service-hardening-5d8f9c7b6-abcde');
      await register('helm-service', 'planes', 'r-helm-service-hardening-5d8f9c7b6-fghij');
      await register('helm-service', 'planes', 'r-helm-service-production-7c9d8b6f5-klmno');
      await register('helm-service', 'elsewhere', 'r-helm-service-hardening-5d8f9c7b6-pqrst');

      const [command, ...commandArgs] = container!.command;
      const run = spawnSync(command!, [...commandArgs, ...container!.args], {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: process.env.PATH,
          REGISTRATION_NAME: env.REGISTRATION_NAME,
          POD_NAME_PREFIX: env.POD_NAME_PREFIX,
          KEPTN_API_ENDPOINT: `${server.url}/api`,
          KEPTN_API_TOKEN: server.token,
          K8S_NAMESPACE: 'planes',
          // The pods are gone: remove what is left at once rather than wait for it to go offline.
          DEADLINE_SECONDS: '0',
        },
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('removed instance');
      expect(await podsOf('helm-service')).toEqual([
        'r-helm-service-hardening-5d8f9c7b6-pqrst',
        'r-helm-service-production-7c9d8b6f5-klmno',
      ]);
    });
  });
});
