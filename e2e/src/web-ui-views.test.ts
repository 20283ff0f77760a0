/**
 * The web UI's evaluations, integrations, secrets and settings views in a real browser (Debian's
 * Chromium through playwright-core) against a real server process with its built-in
 * lighthouse-service, and real `shipmate agent` processes:
 *
 * - two agents with one name at two locations are flagged on the integrations page, with the fix;
 * - a subscription edited in the UI reaches the running agent: its next task is of the new type;
 * - evaluations run by the lighthouse (the test plays the SLI provider) draw the score and SLI
 *   charts, and a new run arrives in the open page without a reload;
 * - secrets show names, scopes and keys, never a value; settings show the upstream's sync status,
 *   the services and the shipyard;
 * - every new view fits a 390 px wide phone, and no console or page error happens.
 *
 * Screenshots at 1280×800 go to a temp dir, or to SHIPMATE_UI_SCREENSHOT_DIR (`npm run screenshots`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { KeptnEvent } from '@shipmate/core';
import {
  GitUpstream,
  KeptnApiClient,
  LOCAL_TEST_UPSTREAM_ENV,
  startAgentProcess,
  startGitHttpServer,
  startRecipient,
  startServerProcess,
  waitFor,
} from '@shipmate/testing';
import type { AgentProcess, GitHttpServer, Recipient, ServerProcess } from '@shipmate/testing';
import { chromiumUnavailable, launchChromium, openWatchedPage, screenshots } from './browser.js';
import { waitForState, waitForTask } from './executor.js';

/** dev deploys and tests; every task but those of the agents is answered by the test. */
const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: web-views
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
            - name: test
`;

const SLO = `spec_version: "1.0"
comparison:
  compare_with: single_result
  include_result_with_score: pass
  aggregate_function: avg
objectives:
  - sli: response_time_p95
    displayName: Response time P95 (ms)
    key_sli: false
    pass:
      - criteria:
          - "<=600"
    warning:
      - criteria:
          - "<=800"
  - sli: error_rate
    displayName: Error rate (%)
    pass:
      - criteria:
          - "<1"
total_score:
  pass: "90%"
  warning: "75%"
`;

/** How long the UI may take to show what the API already has. */
const UI_MS = 15_000;
const DEPLOYMENT = 'sh.keptn.event.deployment.triggered';
const TEST = 'sh.keptn.event.test.triggered';
const GIT_TOKEN = 'e2e-git-token-web';

const unavailable = chromiumUnavailable();

describe.skipIf(unavailable !== undefined)(`web UI views in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  const upstream = new GitUpstream();
  let gitServer: GitHttpServer | undefined;
  let remoteURL = '';
  let server: ServerProcess;
  let client: KeptnApiClient;
  let browser: Browser | undefined;
  let page: Page;
  const running: Array<{ stop(): Promise<unknown> }> = [];
  let runner: Recipient;
  let takeErrors: () => string[];
  const screenshotsOf = screenshots('shipmate-ui-views-screenshots');
  const shot = (name: string) => screenshotsOf.shot(page, name);

  async function heading(name: RegExp | string): Promise<void> {
    await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: UI_MS });
  }

  /** An agent process with a recipient behind it that records (and, with `answer`, answers) its tasks. */
  async function agent(
    name: string,
    topics: string[],
    env: Record<string, string>,
    answer: boolean,
  ): Promise<{ agent: AgentProcess; recipient: Recipient }> {
    const recipient = await startRecipient();
    running.push({ stop: () => recipient.close() });
    const started = await startAgentProcess({
      endpoint: `${server.url}/api`,
      token: server.token,
      name,
      topics,
      recipientPort: recipient.port,
      env,
    });
    running.push(started);
    if (answer) recipient.setAgentUrl(started.surfaceUrl);
    return { agent: started, recipient };
  }

  /** Runs one evaluation of carts in dev; the test is the SLI provider and reports `values`. */
  async function evaluate(values: { response_time_p95: number; error_rate: number }): Promise<KeptnEvent> {
    const started = await client.request<{ keptnContext: string }>(
      'POST',
      '/api/controlPlane/v1/project/gate/stage/dev/service/carts/evaluation',
      {
        timeframe: '5m',
      },
    );
    expect(started.status).toBe(200);
    const context = started.body.keptnContext;
    const getSli = await waitForTask(client, 'gate', 'get-sli', context, 'dev');
    await client.answerTask(getSli, {
      source: 'e2e-sli-provider',
      data: { 'get-sli': { indicatorValues: Object.entries(values).map(([metric, value]) => ({ metric, value, success: true })) } },
    });
    return waitFor('evaluation.finished', async () =>
      (await client.contextEvents('gate', context)).find((event) => event.type === 'sh.keptn.event.evaluation.finished'),
    );
  }

  beforeAll(async () => {
    gitServer = await startGitHttpServer({ root: upstream.root, user: 'bot', token: GIT_TOKEN });
    remoteURL = `${gitServer.baseUrl}/upstream.git`;
    server = await startServerProcess({
      env: { ...LOCAL_TEST_UPSTREAM_ENV, SHIPMATE_BUILT_IN_INTEGRATIONS: 'lighthouse-service' },
    });
    client = new KeptnApiClient(server.url, server.token);
    const created = await client.request('POST', '/api/controlPlane/v1/project', {
      name: 'gate',
      shipyard: Buffer.from(SHIPYARD).toString('base64'),
      gitCredentials: { remoteURL, user: 'bot', https: { token: GIT_TOKEN } },
    });
    expect(created.status).toBe(201);
    await client.createService('gate', 'carts');
    await client.createService('gate', 'orders');
    await client.putResource({ project: 'gate' }, 'lighthouse/config.yaml', 'sliProvider: "e2e"\n');
    await client.putResource({ project: 'gate', stage: 'dev', service: 'carts' }, 'slo.yaml', SLO);
    await client.request('POST', '/api/secrets/v1/secret', {
      name: 'registry-login',
      scope: 'keptn-default',
      data: { user: 'bot', password: 'VALUE-NEVER-SHOWN' },
    });
    // Two execution planes run an integration of one name: the registry flags the collision.
    for (const location of ['cluster-east', 'cluster-west']) {
      await agent('web-twin', ['sh.keptn.event.rollback.triggered'], { LOCATION: location, K8S_POD_NAME: `web-twin-${location}` }, false);
    }
    // The runner takes deployments; the UI later moves its subscription to tests.
    runner = (await agent('web-runner', [DEPLOYMENT], { LOCATION: 'cluster-east', K8S_POD_NAME: 'web-runner-a' }, true)).recipient;

    browser = await launchChromium();
    ({ page, takeErrors } = await openWatchedPage(browser, UI_MS));
    await page.goto(`${server.url}/bridge/`);
    await page.getByLabel('API token').fill(server.token);
    await page.getByLabel('API token').press('Enter');
    await heading('Projects');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const process of running.splice(0).reverse()) await process.stop();
    if (server) expect(await server.stop()).toBe(0);
    await gitServer?.close();
    upstream.cleanup();
    screenshotsOf.cleanup();
  });

  it('flags the two execution planes that share one name, with the fix', async () => {
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Integrations' }).click();
    await heading('Integrations');
    const twin = page.locator('[data-integration="web-twin"]');
    const collision = twin.getByRole('note', { name: 'name collision of web-twin' });
    await collision.waitFor();
    expect(await collision.textContent()).toMatch(/cluster-east, cluster-west.*K8S_DEPLOYMENT_NAME/);
    expect(await twin.locator('tr[data-instance]').count()).toBe(2);
    await twin.getByRole('cell', { name: 'cluster-west', exact: true }).waitFor();
    expect(await twin.getByText('online', { exact: true }).count()).toBe(2);
    expect(await page.locator('[data-integration="web-runner"]').getByRole('note').count()).toBe(0);
    await shot('integrations');
    expect(takeErrors()).toEqual([]);
  });

  it('edits a subscription in the UI and the running agent gets tasks of the new type', async () => {
    // Before: the runner gets the deployment of a delivery; the test answers the test task itself.
    const before = await client.triggerSequence('gate', 'dev', 'delivery', 'orders');
    await waitFor('the deployment at the runner', async () => runner.tasks().find((event) => event.shkeptncontext === before));
    await client.answerTask(await waitForTask(client, 'gate', 'test', before, 'dev'));
    await waitForState(client, 'gate', before, (state) => state === 'finished', 'finished');

    const card = page.locator('[data-integration="web-runner"]');
    await card.getByRole('button', { name: `Edit ${DEPLOYMENT} of web-runner` }).click();
    const form = card.getByRole('form', { name: `edit subscription ${DEPLOYMENT} of web-runner` });
    await form.getByLabel('Event').fill(TEST);
    await form.getByLabel('Stages').fill('dev');
    await form.getByRole('button', { name: 'Save subscription' }).click();
    // The saved subscription arrives through the change stream.
    await card.locator(`[data-subscription="${TEST}"]`).getByText('for stages dev').waitFor();

    // After: the deployment waits for someone else (the test), the runner gets the test task.
    const after = await client.triggerSequence('gate', 'dev', 'delivery', 'orders');
    await client.answerTask(await waitForTask(client, 'gate', 'deployment', after, 'dev'));
    await waitFor('the test task at the runner', async () => runner.tasks().find((event) => event.shkeptncontext === after));
    await waitForState(client, 'gate', after, (state) => state === 'finished', 'finished');
    const typesOf = (context: string) =>
      runner
        .tasks()
        .filter((event) => event.shkeptncontext === context)
        .map((event) => event.type);
    expect(typesOf(before)).toEqual([DEPLOYMENT]);
    expect(typesOf(after)).toEqual([TEST]);
    expect(takeErrors()).toEqual([]);
  });

  it('draws the score and SLI charts of the evaluations, and a new run arrives live', async () => {
    expect((await evaluate({ response_time_p95: 420, error_rate: 0.2 })).data.result).toBe('pass');
    expect((await evaluate({ response_time_p95: 710, error_rate: 0.4 })).data.result).toBe('warning');
    await page.goto(`${server.url}/bridge/project/gate`);
    await heading(/Environment/);
    await page.evaluate('window.shipmateNoReload = true');
    await page.getByRole('navigation', { name: 'project gate' }).getByRole('link', { name: 'Evaluations' }).click();
    await heading(/Evaluations/);
    const score = page.getByRole('img', { name: 'Score of carts in dev' });
    await score.waitFor();
    await waitFor('two points in the score chart', async () => ((await score.locator('circle.point').count()) === 2 ? true : undefined));
    expect(await page.getByRole('img', { name: 'Response time P95 (ms) of carts in dev' }).locator('rect.band-good').count()).toBe(2);
    expect(await page.getByRole('combobox', { name: 'Stage' }).inputValue()).toBe('dev');
    expect(await page.getByRole('combobox', { name: 'Service' }).inputValue()).toBe('carts');

    expect((await evaluate({ response_time_p95: 930, error_rate: 2 })).data.result).toBe('fail');
    await waitFor('the third run in the open page', async () => ((await score.locator('circle.point').count()) === 3 ? true : undefined));
    expect(await score.locator('circle.point').evaluateAll((points) => points.map((point) => point.getAttribute('class')))).toEqual([
      'point tone-good',
      'point tone-warning',
      'point tone-bad',
    ]);
    expect(await page.getByRole('row').count()).toBe(4);
    expect(await page.evaluate('window.shipmateNoReload')).toBe(true);
    await shot('evaluations');
    expect(takeErrors()).toEqual([]);
  });

  it('lists the secrets by name, scope and keys, never a value', async () => {
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Secrets' }).click();
    await heading('Secrets');
    await page.getByRole('cell', { name: 'registry-login' }).waitFor();
    await page.getByText('password', { exact: true }).waitFor();
    expect(await page.content()).not.toContain('VALUE-NEVER-SHOWN');
    // A secret created now arrives through the change stream.
    await client.request('POST', '/api/secrets/v1/secret', { name: 'webhook-token', data: { token: 'VALUE-NEVER-SHOWN' } });
    await page.getByRole('cell', { name: 'webhook-token' }).waitFor();
    expect(await page.content()).not.toContain('VALUE-NEVER-SHOWN');
    await shot('secrets');
    expect(takeErrors()).toEqual([]);
  });

  it("shows the project's upstream sync status, services and shipyard", async () => {
    await page.goto(`${server.url}/bridge/project/gate/settings`);
    await heading(/Settings/);
    await page.getByText(remoteURL).waitFor();
    await page.getByText('synced', { exact: true }).waitFor();
    await page.getByRole('region', { name: 'shipyard.yaml' }).or(page.getByLabel('shipyard.yaml')).getByText('name: web-views').waitFor();
    await page.getByText('carts, orders').waitFor();
    await shot('settings');
    expect(takeErrors()).toEqual([]);
  });

  it('fits every new view into a 390 px wide phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/bridge/integrations', '/bridge/secrets', '/bridge/project/gate/evaluation', '/bridge/project/gate/settings']) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByText('Loading').waitFor({ state: 'detached' });
      expect(await page.evaluate('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(390);
      if (path.endsWith('evaluation')) await shot('evaluations-phone');
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(takeErrors()).toEqual([]);
  });
});
