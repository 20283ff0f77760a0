/**
 * The Helm runtime called directly with a hand-made task (chart and endpoints.yaml by level) and a
 * real helm 3 binary (from the npm package, see @shipmate/testing's helmBinary). No cluster runs
 * here: deployments are dry runs (`helm template`), and the cluster path is checked as far as a
 * kubeconfig pointing at a closed port gets it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceLevelName, TaskContext } from '@shipmate/agent-sdk';
import type { KeptnEvent } from '@shipmate/core';
import { freePort, helmBinary, helmUnavailable } from '@shipmate/testing';
import { DeploymentFailure } from '../deployment/deployment-runtime.js';
import type { DeploymentStrategy, DeploymentTarget, RuntimeOutcome } from '../deployment/deployment-runtime.js';
import { HelmChartError } from './chart-archive.js';
import { createHelmRuntime } from './helm-runtime.js';
import type { HelmRuntimeOptions } from './helm-runtime.js';

type Files = Partial<Record<ResourceLevelName, Record<string, string | Buffer>>>;

interface Task {
  readonly context: TaskContext;
  readonly progress: string[];
}

function makeTask(files: Files, data: Record<string, unknown> = {}, signal = new AbortController().signal): Task {
  const event: KeptnEvent = {
    id: 'triggered-1',
    type: 'sh.keptn.event.deployment.triggered',
    source: 'test',
    specversion: '1.0',
    shkeptncontext: 'ctx-1',
    time: '2024-01-01T10:05:01Z',
    data: { project: 'shop', stage: 'dev', service: 'carts', ...data },
  };
  const progress: string[] = [];
  const context: TaskContext = {
    event,
    task: 'deployment',
    data: event.data,
    signal,
    progress: async (message) => {
      progress.push(message);
    },
    resource: async (uri, options = {}) => {
      for (const level of options.levels ?? (['service', 'stage', 'project'] as const)) {
        const content = files[level]?.[uri];
        if (content !== undefined) return { content: Buffer.from(content), level };
      }
      return undefined;
    },
    secret: () => Promise.reject(new Error('the helm runtime reads no secret')),
    api: () => Promise.reject(new Error('the helm runtime reads no other API path')),
    subtask: () => Promise.reject(new Error('the helm runtime starts no sub-task')),
    started: async () => undefined,
  };
  return { context, progress };
}

function target(values: Record<string, unknown>, strategy: DeploymentStrategy = 'direct'): DeploymentTarget {
  const image = typeof values.image === 'string' ? values.image : undefined;
  return { project: 'shop', stage: 'dev', service: 'carts', image, values, strategy };
}

/** What a deploy ended with: its outcome, or the error it threw. */
async function outcomeOf(run: Promise<RuntimeOutcome>): Promise<RuntimeOutcome | Error> {
  try {
    return await run;
  } catch (error) {
    return error as Error;
  }
}

const unavailable = helmUnavailable();

describe.skipIf(unavailable !== undefined)(`Helm runtime with a real helm binary${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: string;
  let helm: string;
  /** `helm create carts` as it comes: image as a map (repository, tag), Service named after the release. */
  let createdChart: Buffer;
  /** Keptn's convention: `image: "{{ .Values.image }}"` and a Service named after the Keptn service. */
  let keptnChart: Buffer;
  let noServiceChart: Buffer;
  let brokenChart: Buffer;

  /** `helm create <name>`, `edit` the folder, `helm package` it: the .tgz's bytes. */
  function chart(name: string, edit: (folder: string) => void = () => undefined): Buffer {
    const work = mkdtempSync(join(dir, `${name}-`));
    execFileSync(helm, ['create', 'carts'], { cwd: work, stdio: 'pipe' });
    edit(join(work, 'carts'));
    const out = execFileSync(helm, ['package', 'carts'], { cwd: work, encoding: 'utf8' });
    const file = /saved it to: (.+\.tgz)/.exec(out)?.[1];
    if (file === undefined) throw new Error(`helm package printed no file: ${out}`);
    return readFileSync(file);
  }

  function rewrite(file: string, from: RegExp, to: string): void {
    const text = readFileSync(file, 'utf8');
    if (!from.test(text)) throw new Error(`${file} no longer contains ${String(from)}: helm create changed`);
    writeFileSync(file, text.replace(from, to));
  }

  beforeAll(() => {
    helm = helmBinary();
    dir = mkdtempSync(join(tmpdir(), 'helm-runtime-test-'));
    createdChart = chart('created');
    keptnChart = chart('keptn', (folder) => {
      rewrite(join(folder, 'values.yaml'), /^image:\n(?: {2}.*\n|\s*\n)*?(?=\S)/m, 'image: nginx:1.27\n\n');
      rewrite(join(folder, 'templates', 'deployment.yaml'), /"\{\{ \.Values\.image\.repository \}\}:[^"]*"/, '"{{ .Values.image }}"');
      rewrite(join(folder, 'templates', 'deployment.yaml'), /\{\{ \.Values\.image\.pullPolicy \}\}/, 'IfNotPresent');
      rewrite(
        join(folder, 'templates', 'service.yaml'),
        /name: \{\{ include "carts\.fullname" \. \}\}/,
        'name: {{ .Values.keptn.service }}',
      );
    });
    noServiceChart = chart('no-service', (folder) => unlinkSync(join(folder, 'templates', 'service.yaml')));
    brokenChart = chart('broken', (folder) =>
      writeFileSync(join(folder, 'templates', 'broken.yaml'), 'data: {{ .Values.x | nosuchfunction }}\n'),
    );
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const dryRun = (): HelmRuntimeOptions => ({ helmBinary: helm, dryRun: true });

  it("renders the chart with configurationChange.values: the image is in the manifest, the URI from the Service's port", async () => {
    const task = makeTask({ service: { 'helm/carts.tgz': keptnChart } });
    const outcome = await createHelmRuntime(dryRun()).deploy(
      target({ image: 'ghcr.io/shop/carts:0.13.2', service: { port: 8080 } }),
      task.context,
    );
    expect(outcome.deployment).toEqual({
      deploymentstrategy: 'direct',
      deploymentNames: ['direct'],
      deploymentURIsLocal: ['http://carts.shop-dev:8080'],
      deploymentURIsPublic: [],
    });
    expect(outcome.message).toBe(
      "Dry run: rendered chart 'carts' 0.1.0 (helm/carts.tgz) as release shop-dev-carts in namespace shop-dev with helm template " +
        '(images: ghcr.io/shop/carts:0.13.2); nothing was applied to a cluster',
    );
    expect(task.progress).toEqual([
      "Dry run: rendering chart 'carts' 0.1.0 (helm/carts.tgz) as release shop-dev-carts in namespace shop-dev with helm template",
    ]);
  });

  it('keeps the chart defaults that configurationChange.values does not set (helm create chart, image as a map)', async () => {
    const task = makeTask({ service: { 'helm/carts.tgz': createdChart } });
    const outcome = await createHelmRuntime(dryRun()).deploy(
      target({ image: { repository: 'ghcr.io/shop/carts', tag: '0.13.2' } }),
      task.context,
    );
    // pullPolicy and service.port (80) come from the chart's values.yaml
    expect(outcome.deployment.deploymentURIsLocal).toEqual(['http://carts.shop-dev:80']);
    expect(outcome.message).toContain('(images: ghcr.io/shop/carts:0.13.2)');
    // the helm create Service is named after the release, which Keptn's URI does not reach
    expect(outcome.message).toContain(
      "note: the chart's first Service is named 'shop-dev-carts', so http://carts.shop-dev:80 resolves only if",
    );
  });

  it('reads user_managed URIs from helm/endpoints.yaml, else from the triggered event', async () => {
    const endpoints = 'deploymentURIsLocal: [http://carts.internal:9000]\ndeploymentURIsPublic: [https://carts.example.com]\n';
    const withFile = makeTask({ service: { 'helm/carts.tgz': keptnChart, 'helm/endpoints.yaml': endpoints } });
    const outcome = await createHelmRuntime(dryRun()).deploy(target({ image: 'carts:2' }, 'user_managed'), withFile.context);
    expect(outcome.deployment).toEqual({
      deploymentstrategy: 'user_managed',
      deploymentNames: ['user_managed'],
      deploymentURIsLocal: ['http://carts.internal:9000'],
      deploymentURIsPublic: ['https://carts.example.com'],
    });

    const incoming = { deployment: { deploymentURIsLocal: ['http://from-trigger:1'] } };
    const withoutFile = makeTask({ service: { 'helm/carts.tgz': keptnChart } }, incoming);
    const fallback = await createHelmRuntime(dryRun()).deploy(target({ image: 'carts:2' }, 'user_managed'), withoutFile.context);
    expect(fallback.deployment.deploymentURIsLocal).toEqual(['http://from-trigger:1']);
  });

  it('refuses an endpoints.yaml that is not valid, naming the line', async () => {
    const task = makeTask({ service: { 'helm/carts.tgz': keptnChart, 'helm/endpoints.yaml': 'deploymentURIsLocal: http://a:1\n' } });
    const error = await outcomeOf(createHelmRuntime(dryRun()).deploy(target({}, 'user_managed'), task.context));
    expect(error).not.toBeInstanceOf(DeploymentFailure);
    expect((error as Error).message).toBe(
      "helm/endpoints.yaml line 1: 'deploymentURIsLocal' must be a list of URLs, e.g. deploymentURIsLocal: [http://carts.shop-dev:8080]",
    );
  });

  // [name, chart, message]: the task ends errored (not a DeploymentFailure)
  const badCharts: Array<[string, () => Buffer | undefined, RegExp]> = [
    [
      'no chart',
      () => undefined,
      /^no helm\/carts\.tgz for service 'carts' in stage 'dev' of project 'shop': package the chart with 'helm package <folder>' and upload the \.tgz as helm\/carts\.tgz at the service level \(PUT \/api\/resource-service\/v1\/project\/shop\/stage\/dev\/service\/carts\/resource/,
    ],
    [
      'a chart folder uploaded as text',
      () => Buffer.from('apiVersion: v2\nname: carts\n'),
      /^helm\/carts\.tgz is not a gzip'ed tar archive \(.*\): package the chart folder with 'helm package <folder>' and upload the \.tgz it writes as helm\/carts\.tgz$/,
    ],
    [
      'a gzip that is not a tar',
      () => gzipSync(Buffer.from('x'.repeat(2000))),
      /^helm\/carts\.tgz is gzip'ed but not a tar archive .*: package the chart folder with 'helm package <folder>'/,
    ],
    [
      'a tar without Chart.yaml',
      () => {
        const folder = mkdtempSync(join(dir, 'tar-'));
        writeFileSync(join(folder, 'values.yaml'), 'image: x\n');
        execFileSync('tar', ['czf', 'chart.tgz', 'values.yaml'], { cwd: folder });
        return readFileSync(join(folder, 'chart.tgz'));
      },
      /^helm\/carts\.tgz is not a Helm chart: the archive has 1 file but no <chart>\/Chart\.yaml; package the chart folder with 'helm package <folder>'/,
    ],
    [
      'a chart that renders no Service (direct)',
      () => noServiceChart,
      /^chart 'carts' 0\.1\.0 \(helm\/carts\.tgz\) was rendered, but its manifest has no Service, so the direct strategy cannot tell deploymentURIsLocal: add a Service with a port to the chart, or use deploymentstrategy user_managed with helm\/endpoints\.yaml$/,
    ],
  ];
  it.each(badCharts)('ends errored for %s, naming the file and the fix', async (_name, content, message) => {
    const bytes = content();
    const task = makeTask(bytes === undefined ? {} : { service: { 'helm/carts.tgz': bytes } });
    const error = await outcomeOf(createHelmRuntime(dryRun()).deploy(target({ image: { tag: '1' } }), task.context));
    expect(error).toBeInstanceOf(HelmChartError);
    expect((error as Error).message).toMatch(message);
  });

  it('reads the chart at the service level only', async () => {
    const task = makeTask({ stage: { 'helm/carts.tgz': keptnChart } });
    const error = await outcomeOf(createHelmRuntime(dryRun()).deploy(target({}), task.context));
    expect((error as Error).message).toMatch(/^no helm\/carts\.tgz for service 'carts'/);
  });

  // [name, chart, values, message]: helm refused the chart, the task ends fail (DeploymentFailure) with helm's message
  const unrenderable: Array<[string, () => Buffer, Record<string, unknown>, RegExp]> = [
    [
      'a template calling an undefined function',
      () => brokenChart,
      {},
      /^helm template shop-dev-carts \(helm\/carts\.tgz\) failed \(exit code 1\): parse error at \(carts\/templates\/broken\.yaml:1\): function "nosuchfunction" not defined/,
    ],
    [
      'a string image for a chart that reads image.repository',
      () => createdChart,
      { image: 'ghcr.io/shop/carts:0.13.2' },
      /failed \(exit code 1\): template: carts\/templates\/deployment\.yaml:\d+:\d+: executing .* at <\.Values\.image\.repository>: can't evaluate field repository in type interface \{\}; configurationChange\.values\.image is the string 'ghcr\.io\/shop\/carts:0\.13\.2' but the chart reads fields of \.Values\.image: write the chart's image as "\{\{ \.Values\.image \}\}"/s,
    ],
  ];
  it.each(unrenderable)('fails for %s with helm’s message', async (_name, content, values, message) => {
    const task = makeTask({ service: { 'helm/carts.tgz': content() } });
    const error = await outcomeOf(createHelmRuntime(dryRun()).deploy(target(values), task.context));
    expect(error).toBeInstanceOf(DeploymentFailure);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses blue_green_service for every task, errored and naming the strategies to use', async () => {
    const runtime = createHelmRuntime(dryRun());
    const task = makeTask({ service: { 'helm/carts.tgz': keptnChart } });
    for (const run of [runtime.deploy, runtime.release, runtime.rollback]) {
      const error = await outcomeOf(run(target({ image: 'carts:2' }, 'blue_green_service'), task.context));
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(DeploymentFailure);
      expect((error as Error).message).toMatch(
        /deployment strategy 'blue_green_service' needs Istio .* not supported by Shipmate's Helm runtime; set properties\.deploymentstrategy of the deployment task of stage 'dev' in the shipyard to direct or user_managed$/,
      );
    }
  });

  it('releases as a no-op and reports the rollback a dry run would do', async () => {
    const runtime = createHelmRuntime(dryRun());
    const task = makeTask({}, { deployment: { deploymentURIsLocal: ['http://carts.shop-dev:8080'] } });
    const released = await runtime.release(target({}), task.context);
    expect(released).toEqual({
      message: 'Finished release',
      deployment: {
        deploymentstrategy: 'direct',
        deploymentNames: ['direct'],
        deploymentURIsLocal: ['http://carts.shop-dev:8080'],
        deploymentURIsPublic: [],
      },
    });
    const rolledBack = await runtime.rollback(target({}, 'user_managed'), task.context);
    expect(rolledBack.message).toBe(
      'Dry run: would run helm rollback shop-dev-carts in namespace shop-dev (to its previous revision); nothing was applied to a cluster',
    );
    expect(rolledBack.deployment.deploymentNames).toEqual(['user_managed']);
  });

  it('without dry run, goes to the cluster of the given kubeconfig and ends errored when it is unreachable', async () => {
    const port = await freePort();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: c, cluster: {server: 'https://127.0.0.1:${port}', insecure-skip-tls-verify: true}}]`,
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
      { mode: 0o600 },
    );
    const runtime = createHelmRuntime({ helmBinary: helm, kubeconfig });
    const deploy = await outcomeOf(
      runtime.deploy(target({ image: 'carts:2' }), makeTask({ service: { 'helm/carts.tgz': keptnChart } }).context),
    );
    expect(deploy).not.toBeInstanceOf(DeploymentFailure);
    expect(deploy).toMatchObject({ code: 'ERR_HELM_UNAVAILABLE' });
    expect((deploy as Error).message).toMatch(
      new RegExp(
        `^helm upgrade --install shop-dev-carts \\(helm/carts\\.tgz\\) failed \\(exit code 1\\): .*Kubernetes cluster unreachable.*127\\.0\\.0\\.1:${port}.*: check the kubeconfig \\(${kubeconfig}\\)`,
        's',
      ),
    );
    const rollback = await outcomeOf(runtime.rollback(target({}), makeTask({}).context));
    expect((rollback as Error).message).toMatch(/^helm rollback shop-dev-carts failed \(exit code 1\): .*Kubernetes cluster unreachable/s);
  });

  it('ends errored when the helm binary is missing or the task is aborted', async () => {
    const task = makeTask({ service: { 'helm/carts.tgz': keptnChart } });
    const missing = await outcomeOf(
      createHelmRuntime({ helmBinary: join(dir, 'no-helm-here'), dryRun: true }).deploy(target({ image: 'carts:2' }), task.context),
    );
    expect(missing).toMatchObject({ code: 'ERR_HELM_UNAVAILABLE' });
    expect((missing as Error).message).toMatch(
      /^cannot run helm binary '.*no-helm-here' \(ENOENT\): install helm 3 on this machine or set SHIPMATE_HELM_BINARY/,
    );

    const controller = new AbortController();
    controller.abort('aborted');
    const aborted = await outcomeOf(
      createHelmRuntime(dryRun()).deploy(
        target({ image: 'carts:2' }),
        makeTask({ service: { 'helm/carts.tgz': keptnChart } }, {}, controller.signal).context,
      ),
    );
    expect(aborted).not.toBeInstanceOf(DeploymentFailure);
    expect((aborted as Error).message).toBe('helm template shop-dev-carts (helm/carts.tgz) was stopped: the task was aborted');
  });
});
