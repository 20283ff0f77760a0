import { describe, expect, it } from 'vitest';
import { HelmCommandError, HelmFailureKind, MAX_HELM_MESSAGE_CHARS, helmOutputMessage, runHelm } from './run-helm.js';

describe('helmOutputMessage', () => {
  it.each<[string, string, string]>([
    [
      'drops the Error: prefix and the --debug advice',
      'Error: parse error at (c/t.yaml:1): x\nUse --debug flag to render out invalid YAML\n',
      'parse error at (c/t.yaml:1): x',
    ],
    [
      'drops warnings before the error',
      'WARNING: Kubernetes configuration file is group-readable. This is insecure. Location: /k\nError: INSTALLATION FAILED: boom\n',
      'INSTALLATION FAILED: boom',
    ],
    ['keeps warnings when they are all there is', 'WARNING: something odd\n\n', 'WARNING: something odd'],
    ['empty stays empty', '', ''],
  ])('%s', (_name, stderr, message) => {
    expect(helmOutputMessage(stderr)).toBe(message);
  });

  it(`cuts at ${MAX_HELM_MESSAGE_CHARS} characters and says how much is left out`, () => {
    const message = helmOutputMessage(`Error: ${'x'.repeat(MAX_HELM_MESSAGE_CHARS + 10)}`);
    expect(message).toBe(`${'x'.repeat(MAX_HELM_MESSAGE_CHARS)}… (10 more characters)`);
  });
});

describe('runHelm', () => {
  const options = { signal: new AbortController().signal, timeoutMs: 10_000, description: 'helm test' };

  it('passes arguments as they are, without a shell', async () => {
    const output = await runHelm(process.execPath, ['-e', 'process.stdout.write(process.argv[1])', 'a b;$(echo no) "c"'], options);
    expect(output.stdout).toBe('a b;$(echo no) "c"');
  });

  it('rejects with the kind of failure and the trimmed stderr', async () => {
    const run = runHelm(process.execPath, ['-e', 'console.error("Error: chart refused"); process.exit(3)'], options);
    await expect(run).rejects.toThrow(
      new HelmCommandError(HelmFailureKind.exited, 'helm test failed (exit code 3): chart refused', 'chart refused'),
    );
    await expect(runHelm(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { ...options, timeoutMs: 200 })).rejects.toMatchObject({
      kind: HelmFailureKind.timedOut,
      message: 'helm test did not finish within 200ms and was stopped',
    });
  });
});
