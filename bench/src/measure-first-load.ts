/**
 * Measures the web UI (issue 14 point 3): the size of the built bundle (raw and gzip, what a
 * browser downloads on the first visit) and the first load of the projects page against a real
 * server holding 50 projects and 5,000 finished sequences. Run from the repo root after
 * `npm run build`:
 *
 *     node bench/dist/measure-first-load.js [--projects 50] [--sequences 5000] [--runs 5]
 *
 * Each project gets one real delivery through the server (approved through the API); the
 * server stops and each project's sequence is cloned in the SQLite store up to its share of the
 * sequences (history-preload.ts); the server starts again. Chromium (Debian's, never a downloaded
 * one) then opens `/bridge/` in a fresh context per run (cold cache, token already in the tab's
 * session as after a login) and the time is taken from the navigation's start to the moment every
 * project card shows its recent sequences. Prints one JSON object.
 */
import { readFileSync, readdirSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createSqliteStore } from '@shipmate/store-sqlite';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { preloadSequences, readTemplate } from './history-preload.js';

const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../apps/web/dist');

/** One approval: the script approves it through the API, as a person would in the UI. */
const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: first-load
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: approval
    - name: production
`;

/** Raw and gzip bytes of the built bundle's files (the index page, scripts and styles). */
function bundleSize(): { files: Array<{ file: string; bytes: number; gzipBytes: number }>; bytes: number; gzipBytes: number } {
  const paths = ['index.html', ...readdirSync(join(WEB_DIST, 'assets')).map((file) => join('assets', file))].filter((file) =>
    /\.(html|js|css)$/.test(file),
  );
  const files = paths.map((file) => {
    const content = readFileSync(join(WEB_DIST, file));
    return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
  return {
    files,
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0),
  };
}

/** What the page function below reads (the bench has no DOM types). */
type PageGlobals = { document: { querySelectorAll(selector: string): { length: number } } };

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      projects: { type: 'string', default: '50' },
      sequences: { type: 'string', default: '5000' },
      runs: { type: 'string', default: '5' },
    },
  });
  const projects = Number(values.projects);
  const sequences = Number(values.sequences);
  const runs = Number(values.runs);
  const perProject = Math.ceil(sequences / projects);
  const bundle = bundleSize();
  const dataDir = mkdtempSync(join(tmpdir(), 'shipmate-first-load-'));
  const env = { SHIPMATE_BUILT_IN_INTEGRATIONS: 'approval-service' };
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({ dataDir, env });
    const client = new KeptnApiClient(server.url, server.token);
    const names = Array.from({ length: projects }, (_, i) => `project-${String(i).padStart(2, '0')}`);
    const templates: Array<{ project: string; context: string }> = [];
    for (const project of names) {
      await client.createProject(project, SHIPYARD);
      await client.createService(project, 'carts');
      await client.createService(project, 'orders');
      const context = await client.triggerSequence(project, 'dev', 'delivery', 'carts');
      templates.push({ project, context });
    }
    for (const { project, context } of templates) {
      const [approval] = await waitFor(`the approval of ${project}`, async () => {
        const open = (
          await client.request<{ approvals?: Array<{ triggeredId: string }> }>('GET', `/api/controlPlane/v1/project/${project}/approval`)
        ).body.approvals;
        return open?.length ? open : undefined;
      });
      await client.request('POST', `/api/controlPlane/v1/project/${project}/approval/${approval?.triggeredId ?? ''}`, {
        decision: 'approve',
      });
      await waitFor(
        `the delivery of ${project}`,
        async () => ((await client.sequenceState(project, context))?.state === 'finished' ? true : undefined),
        60_000,
      );
    }
    const { port, token } = server;
    await server.stop();
    server = undefined;

    const store = createSqliteStore({ path: join(dataDir, 'shipmate.db') });
    try {
      const startMs = Date.now() - sequences * 1000 - 60_000;
      for (const [index, { project, context }] of templates.entries()) {
        const template = await readTemplate(store, project, context);
        // Disjoint clone indexes per project: every clone's ids and context are unique.
        await preloadSequences({
          store,
          template,
          services: ['carts', 'orders'],
          from: index * perProject + 1,
          to: (index + 1) * perProject,
          startMs,
        });
      }
    } finally {
      await store.close();
    }
    server = await startServerProcess({ dataDir, port, token, env });
    const total = (
      await Promise.all(
        names.map(
          async (project) =>
            (await client.request<{ totalCount: number }>('GET', `/api/controlPlane/v1/sequence/${project}?pageSize=1`)).body.totalCount,
        ),
      )
    ).reduce((sum, count) => sum + count, 0);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
    const loads: number[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        await context.addInitScript(`window.sessionStorage.setItem('shipmate.apiToken', ${JSON.stringify(server.token)})`);
        const page = await context.newPage();
        await page.goto(`${server.url}/bridge/`);
        // Every card lists its recent sequences once the dashboard has its data.
        await page.waitForFunction(
          (count) => (globalThis as unknown as PageGlobals).document.querySelectorAll('.project-card .recent li').length >= count,
          projects * 5,
          { timeout: 60_000 },
        );
        loads.push(Math.round(await page.evaluate(() => globalThis.performance.now())));
        await context.close();
      }
    } finally {
      await browser.close();
    }
    console.log(
      JSON.stringify(
        {
          projects,
          sequences: total,
          bundle: { bytes: bundle.bytes, gzipBytes: bundle.gzipBytes, files: bundle.files },
          firstLoadMs: { median: median(loads), runs: loads },
        },
        null,
        2,
      ),
    );
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
