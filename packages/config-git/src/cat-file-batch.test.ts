import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnavailableError, descriptorsExhaustedError } from '@shipmate/core';
import { CatFileBatch } from './cat-file-batch.js';
import { createGitRunner } from './git-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'shipmate-cat-file-'));
const gitDir = join(dir, 'repo.git');
execFileSync('git', ['init', '--bare', '--quiet', gitDir]);
const git = createGitRunner({ home: dir });
const hash = (text: string) =>
  execFileSync('git', ['--git-dir', gitDir, 'hash-object', '-w', '--stdin'], { input: text, encoding: 'utf8' }).trim();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CatFileBatch', () => {
  it('answers reads in order, including objects written after it started, binary content and missing names', async () => {
    const batch = new CatFileBatch(() => git.start(['cat-file', '--batch'], { gitDir }));
    try {
      const first = hash('first\n');
      expect(await batch.read(first)).toEqual({ oid: first, type: 'blob', content: Buffer.from('first\n') });
      const blobs = Array.from({ length: 50 }, (_, i) => `blob ${i}\n${'x'.repeat(i * 997)}\0\n`);
      const ids = blobs.map(hash); // written while the process runs
      const reads = await Promise.all([...ids.map((id) => batch.read(id)), batch.read('0'.repeat(40)), batch.read('no-such-ref')]);
      expect(reads.slice(0, 50).map((object) => object?.content.toString('utf8'))).toEqual(blobs);
      expect(reads.slice(50)).toEqual([undefined, undefined]);
      expect(await batch.read('bad\nspec')).toBeUndefined();
    } finally {
      batch.close();
    }
  });

  it('reads objects of several MiB, an empty one and missing ones between them, byte for byte', async () => {
    const batch = new CatFileBatch(() => git.start(['cat-file', '--batch'], { gitDir }));
    try {
      const big = [randomBytes(5 * 1024 * 1024 + 3), randomBytes(3 * 1024 * 1024)];
      const ids = big.map((content) =>
        execFileSync('git', ['--git-dir', gitDir, 'hash-object', '-w', '--stdin'], { input: content, encoding: 'utf8' }).trim(),
      );
      const empty = hash('');
      const reads = await Promise.all([
        batch.read(ids[0]!),
        batch.read('nothing-here'),
        batch.read(empty),
        batch.read(ids[1]!),
        batch.read(ids[0]!),
      ]);
      expect(reads.map((object) => object?.content.length)).toEqual([big[0]!.length, undefined, 0, big[1]!.length, big[0]!.length]);
      expect(reads[0]!.content.equals(big[0]!) && reads[3]!.content.equals(big[1]!) && reads[4]!.content.equals(big[0]!)).toBe(true);
      expect(reads[2]).toEqual({ oid: empty, type: 'blob', content: Buffer.alloc(0) });
    } finally {
      batch.close();
    }
  });

  it('puts answers together from output cut anywhere: in a header, in the content, before the newline that ends it', async () => {
    // A stand-in for git that answers each request line with a fixed answer, a few bytes per write.
    const answers: Record<string, string> = {
      a: `${'a'.repeat(40)} blob 11\nhello world\n`,
      b: `${'b'.repeat(40)} blob 0\n\n`,
      c: 'c missing\n',
      d: `${'d'.repeat(40)} blob 26\n${'line one\nline two\n'.padEnd(26, '.')}\n`,
    };
    const script = `
      const answers = ${JSON.stringify(answers)};
      let out = Buffer.alloc(0);
      const pump = () => {
        if (out.length === 0) return;
        const n = 1 + (out.length % 5);
        process.stdout.write(out.subarray(0, n));
        out = out.subarray(n);
        setTimeout(pump, 1);
      };
      let pending = '';
      process.stdin.on('data', (chunk) => {
        pending += chunk;
        let newline;
        while ((newline = pending.indexOf('\\n')) >= 0) {
          const idle = out.length === 0;
          out = Buffer.concat([out, Buffer.from(answers[pending.slice(0, newline)])]);
          pending = pending.slice(newline + 1);
          if (idle) pump();
        }
      });`;
    const batch = new CatFileBatch(() => spawn(process.execPath, ['-e', script]));
    try {
      const reads = await Promise.all(['a', 'b', 'c', 'd', 'a'].map((spec) => batch.read(spec)));
      expect(reads.map((object) => object && { type: object.type, text: object.content.toString('utf8') })).toEqual([
        { type: 'blob', text: 'hello world' },
        { type: 'blob', text: '' },
        undefined,
        { type: 'blob', text: 'line one\nline two\n'.padEnd(26, '.') },
        { type: 'blob', text: 'hello world' },
      ]);
    } finally {
      batch.close();
    }
  });

  it('answers a missing name with one, two or three spaces as missing, and the reads after it with their own objects', async () => {
    const batch = new CatFileBatch(() => git.start(['cat-file', '--batch'], { gitDir }));
    try {
      const after = hash('after the missing one\n');
      const reads = await Promise.all([batch.read('HEAD:a b.txt'), batch.read('HEAD:a b c.txt'), batch.read('x y z w'), batch.read(after)]);
      expect(reads.slice(0, 3)).toEqual([undefined, undefined, undefined]);
      expect(reads[3]?.content.toString()).toBe('after the missing one\n');
    } finally {
      batch.close();
    }
  });

  it('writes the reads of one event-loop turn to git in one write', async () => {
    const writes: string[] = [];
    const batch = new CatFileBatch(() => {
      const child = git.start(['cat-file', '--batch'], { gitDir });
      const write = child.stdin.write.bind(child.stdin) as (chunk: string) => boolean;
      // Counts what reaches the real process's stdin.
      child.stdin.write = ((chunk: string) => (writes.push(chunk), write(chunk))) as typeof child.stdin.write;
      return child;
    });
    try {
      const ids = Array.from({ length: 16 }, (_, i) => hash(`turn ${i}\n`));
      const reads = await Promise.all(ids.map((id) => batch.read(id)));
      expect(reads.map((object) => object?.content.toString('utf8'))).toEqual(ids.map((_, i) => `turn ${i}\n`));
      expect(writes).toEqual([ids.map((id) => `${id}\n`).join('')]);
    } finally {
      batch.close();
    }
  });

  it('starts again after close, and after its process dies (the reads in flight fail)', async () => {
    const started: number[] = [];
    const batch = new CatFileBatch(() => {
      const child = git.start(['cat-file', '--batch'], { gitDir });
      started.push(child.pid ?? 0);
      return child;
    });
    const id = hash('again\n');
    expect((await batch.read(id))?.content.toString()).toBe('again\n');
    batch.close();
    expect((await batch.read(id))?.content.toString()).toBe('again\n');
    expect(started).toHaveLength(2);
    process.kill(started[1]!, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await batch.read(id))?.content.toString()).toBe('again\n');
    expect(started).toHaveLength(3);
    batch.close();
  });

  it('gives the late output of a closed process to nobody, not to the reads of the process that replaced it', async () => {
    const id = hash('the new process answers\n');
    const late = `printf '%s blob 4\\nlate\\n' ${'0'.repeat(40)}`;
    const starts = [
      // Ignores the close's SIGTERM and answers after it, as a process busy writing would.
      () => spawn('sh', ['-c', `trap '' TERM; sleep 0.2; ${late}`]),
      // Answers only after the old one's late output has come.
      () => spawn('sh', ['-c', 'sleep 0.5; exec git cat-file --batch'], { env: { ...process.env, GIT_DIR: gitDir } }),
    ];
    const batch = new CatFileBatch(() => starts.shift()!());
    try {
      const first = batch.read(id);
      await new Promise((resolve) => setTimeout(resolve, 50));
      batch.close();
      await expect(first).rejects.toThrow(/stopped/);
      expect((await batch.read(id))?.content.toString()).toBe('the new process answers\n');
    } finally {
      batch.close();
    }
  });

  it('rejects a read (never throws) when its process cannot be started, and starts it on a later read', async () => {
    let fail = true;
    const batch = new CatFileBatch(() => {
      if (fail) throw descriptorsExhaustedError('git cat-file could not be started');
      return git.start(['cat-file', '--batch'], { gitDir });
    });
    const id = hash('later\n');
    let read: Promise<unknown> | undefined;
    expect(() => (read = batch.read(id))).not.toThrow();
    await expect(read).rejects.toBeInstanceOf(UnavailableError);
    fail = false;
    expect((await batch.read(id))?.content.toString()).toBe('later\n');
    batch.close();
  });
});
