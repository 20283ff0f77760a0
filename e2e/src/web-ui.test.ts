/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against a real server
 * process: a wrong token is refused and the right one logs in, a delivery triggered through the API
 * shows up and its tasks arrive in the sequence view without a reload (with the server's note while
 * a task has no live integration), an approval is approved from the UI and the sequence goes on,
 * every view fits a 390 px wide phone, and a lost server is reported and followed by a reconnect.
 * No console error and no page error may happen. Screenshots of each view at 1280×800 go to a temp
 * dir, or to SHIPMATE_UI_SCREENSHOT_DIR (`npm run screenshots` writes docs/ui/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { KeptnApiClient, startServerProcess } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { chromiumUnavailable, launchChromium, openWatchedPage, screenshots } from './browser.js';
import { waitForState, waitForTask } from './executor.js';

/** dev deploys and tests; production waits for a person, then deploys and releases. */
const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: web-ui
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
            - name: test
    - name: production
      sequences:
        - name: delivery
          triggeredOn:
            - event: dev.delivery.finished
          tasks:
            - name: approval
              properties:
                pass: manual
                warning: manual
            - name: deployment
            - name: release
`;

const IMAGE = 'ghcr.io/example/carts:1.2.0';
/** How long the UI may take to show what the API already has (live updates take well under a second). */
const UI_MS = 15_000;

const unavailable = chromiumUnavailable();

describe.skipIf(unavailable !== undefined)(`web UI in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let server: ServerProcess;
  let client: KeptnApiClient;
  let browser: Browser | undefined;
  let page: Page;
  let keptnContext = '';
  let takeErrors: () => string[];
  const screenshotsOf = screenshots('shipmate-ui-screenshots');
  const shot = (name: string) => screenshotsOf.shot(page, name);

  /** The text of a task row of the timeline (stage section, task name). */
  function taskRow(stage: string, task: string) {
    return page.locator(`[aria-labelledby="timeline-${stage}"] li[data-task="${task}"]`);
  }

  /** Clicks a link of the project navigation. */
  async function openNav(name: string): Promise<void> {
    await page.getByRole('navigation', { name: 'project shop' }).getByRole('link', { name, exact: true }).click();
  }

  async function heading(name: RegExp | string): Promise<void> {
    await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: UI_MS });
  }

  beforeAll(async () => {
    // Only the approval-service runs in the control plane: the test plays every other executor.
    server = await startServerProcess({ env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'approval-service' } });
    client = new KeptnApiClient(server.url, server.token);
    await client.createProject('shop', SHIPYARD);
    await client.createService('shop', 'carts');
    await client.createService('shop', 'orders');
    // A second project, without sequences (the dashboard's empty case).
    await client.createProject('bank', SHIPYARD);
    await client.createService('bank', 'ledger');
    browser = await launchChromium();
    ({ page, takeErrors } = await openWatchedPage(browser, UI_MS));
  });

  afterAll(async () => {
    await browser?.close();
    if (server) expect(await server.stop()).toBe(0);
    screenshotsOf.cleanup();
  });

  it('redirects / to /bridge/, refuses a wrong token and logs in with the right one, from the keyboard', async () => {
    await page.goto(`${server.url}/`);
    expect(page.url()).toBe(`${server.url}/bridge/`);
    const input = page.getByLabel('API token');
    await input.waitFor();
    await shot('login');

    await input.fill('not-the-token');
    await input.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'The server refused this token (401' }).waitFor();
    // The browser logs the refused request itself; nothing else may have gone wrong.
    expect(takeErrors()).toEqual([expect.stringMatching(/^console: Failed to load resource: .*401/)]);

    await input.fill(server.token);
    await input.press('Enter');
    await heading('Projects');
    await page.getByRole('link', { name: 'shop', exact: true }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /^Live$/ })
      .waitFor();
    expect(page.url()).not.toContain(server.token);
    expect(await page.evaluate('sessionStorage.getItem("shipmate.apiToken")')).toBe(server.token);
    expect(takeErrors()).toEqual([]);
  });

  it('shows a delivery triggered through the API and its tasks as they arrive, without a reload', async () => {
    // A reload would drop this marker.
    await page.evaluate('window.shipmateNoReload = true');
    await page.getByRole('link', { name: 'shop', exact: true }).click();
    await heading(/Environment/);
    await openNav('Sequences');
    await page.getByText('No sequences in shop yet.').waitFor();

    keptnContext = await client.triggerSequence('shop', 'dev', 'delivery', 'carts', { configurationChange: { values: { image: IMAGE } } });
    const row = page.getByRole('link', { name: 'delivery', exact: true });
    await row.waitFor();
    await row.click();
    await heading(/delivery of carts/);
    // Nobody subscribes to deployment: the server's note says so on the task.
    await taskRow('dev', 'deployment')
      .getByText('no live integration subscribes to sh.keptn.event.deployment.triggered in stage dev')
      .waitFor();

    const deployment = await waitForTask(client, 'shop', 'deployment', keptnContext, 'dev');
    await client.answerTask(deployment, { source: 'deployment-service', data: { message: `${IMAGE} serves at http://carts.dev` } });
    await taskRow('dev', 'deployment').getByText('deployment-service').waitFor();
    await taskRow('dev', 'deployment').getByText(`${IMAGE} serves at http://carts.dev`).waitFor();
    expect(await taskRow('dev', 'deployment').getByText('pass', { exact: true }).count()).toBe(1);

    const test = await waitForTask(client, 'shop', 'test', keptnContext, 'dev');
    await taskRow('dev', 'test').waitFor();
    await client.answerTask(test, { source: 'http-test-service', data: { message: 'p95 24.3 ms, 0.0 % errors' } });
    await taskRow('dev', 'test').getByText('http-test-service').waitFor();

    // dev finished with pass: production starts and its approval waits for a person.
    await taskRow('production', 'approval').getByRole('button', { name: 'Approve' }).waitFor();
    await taskRow('production', 'release').getByText('pending').waitFor();
    expect(await page.evaluate('window.shipmateNoReload')).toBe(true);
    expect(takeErrors()).toEqual([]);
  });

  it('approves from the UI and the sequence goes on to its end', async () => {
    await openNav('Approvals');
    await heading(/Approvals/);
    const approval = page.getByRole('group', { name: 'approval of carts in production' });
    await approval.waitFor();
    await shot('approvals');
    const approve = approval.getByRole('button', { name: 'Approve' });
    await approve.focus();
    await page.keyboard.press('Enter');
    await page.getByText('No approvals waiting in shop.').waitFor();

    await page.goBack();
    await heading(/delivery of carts/);
    const deployment = await waitForTask(client, 'shop', 'deployment', keptnContext, 'production');
    await taskRow('production', 'deployment').getByText('waiting for an executor').waitFor();
    await client.answerTask(deployment, { source: 'deployment-service', data: { message: `${IMAGE} serves at http://carts.production` } });
    const release = await waitForTask(client, 'shop', 'release', keptnContext, 'production');
    await client.answerTask(release, { source: 'deployment-service' });
    await waitForState(client, 'shop', keptnContext, (state) => state === 'finished', 'finished');
    await page.locator('.page-head').getByText('finished', { exact: true }).waitFor();
    await taskRow('production', 'release').getByText('deployment-service').waitFor();
    expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    expect(await page.evaluate('window.shipmateNoReload')).toBe(true);
    expect(takeErrors()).toEqual([]);
  });

  it('pauses and resumes a running sequence from the UI', async () => {
    const running = await client.triggerSequence('shop', 'dev', 'delivery', 'orders');
    await openNav('Sequences');
    await page.getByRole('cell', { name: 'orders' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'orders' }).getByRole('link', { name: 'delivery' }).click();
    await heading(/delivery of orders/);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    expect((await client.sequenceState('shop', running))?.state).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await page.getByRole('button', { name: 'Abort…' }).click();
    await page.getByRole('button', { name: 'Confirm abort' }).click();
    await page.locator('.page-head').getByText('aborted', { exact: true }).waitFor();
    expect((await client.sequenceState('shop', running))?.state).toBe('aborted');
    expect(takeErrors()).toEqual([]);
  });

  it('takes a screenshot of each view at 1280×800', async () => {
    await page.getByRole('link', { name: 'Shipmate' }).click();
    await heading('Projects');
    await page.getByText('delivery of carts').waitFor();
    await shot('projects');
    await page.getByRole('link', { name: 'shop', exact: true }).click();
    await heading(/Environment/);
    await page.getByText(IMAGE).first().waitFor();
    await shot('environment');
    await openNav('Sequences');
    await page.getByRole('cell', { name: 'carts' }).waitFor();
    await shot('sequences');
    await page.goto(`${server.url}/bridge/project/shop/sequence/${keptnContext}`);
    await heading(/delivery of carts/);
    await taskRow('production', 'release').getByText('deployment-service').waitFor();
    await shot('sequence');
    expect(takeErrors()).toEqual([]);
  });

  it('fits every view into a 390 px wide phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of [
      '/bridge/',
      '/bridge/project/shop',
      '/bridge/project/shop/sequence',
      `/bridge/project/shop/sequence/${keptnContext}`,
      '/bridge/project/shop/approval',
    ]) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByText('Loading').waitFor({ state: 'detached' });
      expect(await page.evaluate('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(390);
      if (path.endsWith(keptnContext)) await shot('sequence-phone');
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(takeErrors()).toEqual([]);
  });

  it('says the API is unreachable while the server is down, then goes live again', async () => {
    await page.goto(`${server.url}/bridge/project/shop`);
    await heading(/Environment/);
    await page
      .getByRole('status')
      .filter({ hasText: /^Live$/ })
      .waitFor();
    const { port, dataDir } = server;
    expect(await server.stop()).toBe(0);
    await page.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'The API is unreachable' }).waitFor();
    // What was shown stays while the API is away.
    await page.getByText(IMAGE).first().waitFor();
    server = await startServerProcess({ port, dataDir, env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'approval-service' } });
    await page
      .getByRole('status')
      .filter({ hasText: /^Live$/ })
      .waitFor();
    await page.getByRole('alert').filter({ hasText: 'The API is unreachable' }).waitFor({ state: 'detached' });
    // While the server went down and was away the browser logged the failed requests (refused
    // connections, and 503 from a server that is closing), and only those.
    const outage =
      /^console: Failed to load resource: (net::ERR_(CONNECTION_REFUSED|EMPTY_RESPONSE|CONNECTION_RESET)|the server responded with a status of 503)/;
    expect(takeErrors().filter((error) => !outage.test(error))).toEqual([]);
    // The stream is live again: a change made now reaches the open page.
    await client.createService('shop', 'payments');
    await page.getByRole('heading', { level: 3, name: 'payments' }).first().waitFor();
    expect(takeErrors()).toEqual([]);
  });
});
