/**
 * The first ten minutes of a new user, end to end: `shipmate up` (what `npm start` runs) and
 * `shipmate demo` as separate processes. The fast version goes through dev, staging (quality gate
 * from its own test figures, automatic approval) and production and answers at the address the
 * demo prints; the slow one fails the gate in staging, staging rolls back, and production keeps
 * serving the fast version.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnShipmate, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

let server: ServerProcess;
let planeDir: string;

beforeAll(async () => {
  planeDir = mkdtempSync(join(tmpdir(), 'shipmate-demo-plane-'));
  server = await startServerProcess({
    command: 'up',
    env: { SHIPMATE_DEPLOY_DIR: join(planeDir, 'deployments'), SHIPMATE_JOB_DIR: join(planeDir, 'jobs') },
  });
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
  rmSync(planeDir, { recursive: true, force: true });
});

/** Runs `shipmate demo` with `args` to its end; resolves with its exit code and output. */
async function demo(args: string[]): Promise<{ code: number | null; output: string }> {
  const run = spawnShipmate(['demo', '--endpoint', server.url, '--api-token', server.token, ...args], {});
  const code = await new Promise<number | null>((resolve) => run.child.once('exit', resolve));
  return { code, output: run.output() };
}

async function versionAt(url: string): Promise<string> {
  return ((await (await fetch(url)).json()) as { version: string }).version;
}

describe('shipmate up + shipmate demo', () => {
  let production = '';

  it('delivers the fast version through dev, staging and production and says where it runs', async () => {
    const { code, output } = await demo([]);
    expect(code, output).toBe(0);
    for (const step of [
      /▸ dev: delivery started/,
      /dev +deployment +pass +serving at http:\/\/127\.0\.0\.1:\d+/,
      /dev +test +pass +p95 [\d.]+ ms/,
      /staging +evaluation +pass +quality gate score 100/,
      /staging +approval +pass/,
      /▸ production: delivery pass/,
    ]) {
      expect(output).toMatch(step);
    }
    production = /runs in production at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    expect(production).not.toBe('');
    expect(await versionAt(production)).toBe('fast');
  });

  it('fails the slow version at the gate in staging, rolls staging back, and production keeps the fast one', async () => {
    const { code, output } = await demo(['--version', 'slow']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/staging +evaluation +fail +Evaluation failed due to key_sli objective/);
    expect(output).toMatch(/staging +rollback +pass +Finished rollback/);
    expect(output).not.toMatch(/▸ production: delivery started/);
    expect(output).toContain("carts 'slow' failed the quality gate in staging");
    expect(output).toContain(`Production still serves the version before it at ${production}.`);
    expect(await versionAt(production)).toBe('fast');
  });

  it('with --manual-approval waits for a person before production, and goes on once approved', async () => {
    const run = spawnShipmate(
      ['demo', '--endpoint', server.url, '--api-token', server.token, '--manual-approval', '--project', 'demo-manual'],
      {},
    );
    const exited = new Promise<number | null>((resolve) => run.child.once('exit', resolve));
    const hint = await waitFor('the approval hint', async () => /--id ([0-9a-f-]{36})/.exec(run.output()) ?? undefined, 60_000);
    expect(run.output()).toContain('waiting for a person: approve with  shipmate approve --project demo-manual --id');
    expect(run.output()).not.toMatch(/▸ production: delivery started/);
    const approve = spawnShipmate(
      ['approve', '--project', 'demo-manual', '--id', hint[1] ?? '', '--endpoint', server.url, '--api-token', server.token],
      {},
    );
    expect(await new Promise<number | null>((resolve) => approve.child.once('exit', resolve)), approve.output()).toBe(0);
    expect(await exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/▸ production: delivery pass/);
  });

  it('refuses bad input with the fix and exit code 2', async () => {
    const { code, output } = await demo(['--version', 'medium']);
    expect(code).toBe(2);
    expect(output).toContain("--version 'medium' is not valid: give fast or slow");
  });
});
