/**
 * The git runner against the real git binary: stdout on success (large output byte for byte,
 * concurrent calls each with their own), a GitCommandError with exit code, stderr and stdout
 * otherwise, the environment built from scratch, the time limit enforced on the command's whole
 * process group, a binary that cannot be started reported with its cause.
 */
import { access, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitCommandError, createGitRunner } from './git-runner.js';

describe('git runner', () => {
  let dir: string;
  let gitDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'git-runner-'));
    gitDir = join(dir, 'repo.git');
    await createGitRunner({ home: dir }).run(['init', '--bare', '--quiet', gitDir]);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the input to stdin and returns stdout byte for byte, also when it is large', async () => {
    const git = createGitRunner({ home: dir });
    const content = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
    const id = (await git.run(['hash-object', '-w', '--stdin'], { gitDir, input: content })).toString('utf8').trim();
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    const back = await git.run(['cat-file', 'blob', id], { gitDir });
    expect(back.equals(content)).toBe(true);
  });

  it('answers concurrent calls each with its own output', async () => {
    const git = createGitRunner({ home: dir });
    const inputs = Array.from({ length: 20 }, (_, i) => `file ${i}\n`);
    const ids = await Promise.all(inputs.map((input) => git.run(['hash-object', '--stdin'], { gitDir, input })));
    const expected = await Promise.all(inputs.map((input) => git.run(['hash-object', '--stdin'], { input })));
    expect(ids.map((id) => id.toString('utf8'))).toEqual(expected.map((id) => id.toString('utf8')));
    expect(new Set(ids.map((id) => id.toString('utf8'))).size).toBe(20);
  });

  it('passes GIT_DIR and the extra environment, and nothing inherited but PATH', async () => {
    const git = createGitRunner({ home: dir });
    process.env.GIT_AUTHOR_NAME = 'someone-else';
    try {
      const ident = (await git.run(['var', 'GIT_AUTHOR_IDENT'], { gitDir })).toString('utf8');
      expect(ident).toMatch(/^keptn <keptn@keptn\.sh> /);
      const shown = (await git.run(['rev-parse', '--git-dir'], { gitDir })).toString('utf8').trim();
      expect(shown).toBe(gitDir);
      const indexFile = join(dir, 'some-index');
      await git.run(['read-tree', '--empty'], { gitDir, env: { GIT_INDEX_FILE: indexFile } });
      const tree = (await git.run(['write-tree'], { gitDir, env: { GIT_INDEX_FILE: indexFile } })).toString('utf8').trim();
      expect(tree).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904');
    } finally {
      delete process.env.GIT_AUTHOR_NAME;
    }
  });

  it('rejects a non-zero exit with a GitCommandError carrying the exit code, stderr and stdout', async () => {
    const git = createGitRunner({ home: dir });
    const failure = await git.run(['cat-file', '-t', 'no-such-object'], { gitDir }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitCommandError);
    const error = failure as GitCommandError;
    expect(error.exitCode).toBe(128);
    expect(error.stderr).toMatch(/no-such-object/);
    expect(error.message).toMatch(/^git cat-file -t no-such-object failed \(exit 128\): /);
    const script = join(dir, 'prints-then-fails.sh');
    await writeFile(script, '#!/bin/sh\necho "partial answer"\necho "it went wrong" >&2\nexit 3\n');
    await chmod(script, 0o755);
    const scripted = await createGitRunner({ home: dir, binary: script })
      .run(['anything'])
      .catch((e: unknown) => e);
    expect(scripted).toBeInstanceOf(GitCommandError);
    expect((scripted as GitCommandError).exitCode).toBe(3);
    expect((scripted as GitCommandError).stdout.toString('utf8')).toBe('partial answer\n');
    expect((scripted as GitCommandError).stderr).toBe('it went wrong\n');
  });

  it('stops a command that runs past its time limit, with the processes it started', async () => {
    const script = join(dir, 'hangs.sh');
    const marker = join(dir, 'child-still-running');
    // The script starts a helper that would write the marker later, then hangs: the whole group must go.
    await writeFile(script, `#!/bin/sh\n(sleep 2; touch '${marker}') &\nsleep 30\n`);
    await chmod(script, 0o755);
    const git = createGitRunner({ home: dir, binary: script });
    const failure = await git.run(['fetch'], { timeoutMs: 200 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitCommandError);
    expect((failure as GitCommandError).message).toMatch(/no answer within 200 ms; the command was stopped/);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await expect(access(marker)).rejects.toThrow(/ENOENT/);
  });

  it('reports a binary that cannot be started with its cause', async () => {
    const git = createGitRunner({ home: dir, binary: join(dir, 'no-such-git') });
    const failure = await git.run(['--version']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect((failure as Error).message).toMatch(/no-such-git ENOENT/);
  });
});
