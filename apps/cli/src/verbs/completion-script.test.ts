/**
 * The completion scripts of the real CLI (built by `npm test` first), run in the real shells: the
 * candidate function each script defines, and the hook the shell calls (bash's COMP_WORDS, fish's
 * `complete -C`). zsh and fish are optional on a development machine: their cases are skipped,
 * saying so, where the shell is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionTree } from './completion-script.js';

const CLI = fileURLToPath(new URL('../../bin/shipmate.js', import.meta.url));
const has = (shell: string) => spawnSync(shell, ['-c', 'true']).status === 0;

let dir: string;
const scripts: Record<string, string> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipmate-completion-'));
  for (const shell of ['bash', 'zsh', 'fish']) {
    scripts[shell] = join(dir, `shipmate.${shell}`);
    writeFileSync(scripts[shell], execFileSync(process.execPath, [CLI, 'completion', shell], { encoding: 'utf8' }));
  }
  writeFileSync(join(dir, 'shipyard.yaml'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The candidates for the words after `shipmate` (the last being completed), from the script's own function in `shell`. */
function candidates(shell: string, words: readonly string[]): string[] {
  const fn = shell === 'fish' ? '__shipmate_candidates' : '_shipmate_candidates';
  const quoted = words.map((word) => `'${word}'`).join(' ');
  const output = execFileSync(shell, ['-c', `source ${scripts[shell]}; ${fn} ${quoted}`], { encoding: 'utf8', cwd: dir });
  return output.split('\n').filter(Boolean);
}

const cases: Array<[string, string[], (found: string[]) => void]> = [
  [
    'the verbs at the root',
    ['tr'],
    (found) => expect(found).toEqual(expect.arrayContaining(['trigger', 'get', 'create', 'auth', 'completion'])),
  ],
  [
    'the nouns of a verb group, aliases too',
    ['get', ''],
    (found) => expect(found).toEqual(expect.arrayContaining(['projects', 'project', 'sequences', 'integrations'])),
  ],
  [
    'the flags of a verb, after the value of a flag',
    ['trigger', 'delivery', '--project', 'shop', ''],
    (found) => expect(found).toEqual(expect.arrayContaining(['--service', '--image', '--watch', '--timeout', '--labels', '-o'])),
  ],
  ['a value that looks like a verb is a value', ['get', 'services', '--project', 'get', ''], (found) => expect(found).toContain('--stage')],
  ['the formats after -o', ['get', 'projects', '-o', ''], (found) => expect(found).toEqual(['table', 'json', 'yaml'])],
  ['the shells of completion', ['completion', ''], (found) => expect(found).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']))],
];

for (const shell of ['bash', 'zsh', 'fish']) {
  describe.skipIf(!has(shell))(`${shell} (skipped where ${shell} is not installed)`, () => {
    for (const [name, words, check] of cases) {
      it(name, () => check(candidates(shell, words)));
    }
  });
}

describe('the hooks the shells call', () => {
  it.skipIf(!has('bash'))('bash: _shipmate fills COMPREPLY from COMP_WORDS, filtered by the word typed; files after --shipyard', () => {
    const run = (words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source ${scripts.bash}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _shipmate; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8', cwd: dir },
      )
        .split('\n')
        .filter(Boolean);
    expect(run(['shipmate', 'get', 'proj'])).toEqual(['project', 'projects']);
    expect(run(['shipmate', 'create', 'project', 'shop', '--shipyard', 'shipy'])).toEqual(['shipyard.yaml']);
  });

  it.skipIf(!has('fish'))('fish: complete -C gives the candidates of the command line', () => {
    const output = execFileSync('fish', ['-c', `source ${scripts.fish}; complete -C 'shipmate get proj'`], { encoding: 'utf8', cwd: dir });
    expect(output.split('\n').filter(Boolean)).toEqual(['project', 'projects']);
  });

  it.skipIf(!has('zsh'))('zsh: the script parses', () => {
    expect(spawnSync('zsh', ['-n', scripts.zsh ?? '']).status).toBe(0);
  });
});

describe('completionTree', () => {
  it('knows value flags, and file flags only where every option with the spelling takes a file', () => {
    const program = new Command('shipmate');
    const create = program.command('create');
    create.command('project <name>').option('-s, --shipyard <file>', 'shipyard');
    program.command('add-resource').option('-r, --resource <file>', 'file').option('-s, --stage <stage>', 'stage').option('--all-stages');
    const tree = completionTree(program);
    expect(tree.fileFlags).toEqual(['--resource', '--shipyard', '-r']);
    expect(tree.valueFlags).toEqual(['--resource', '--shipyard', '--stage', '-r', '-s']);
    expect(tree.words.get('create')).toEqual(['project', '--help']);
    expect(tree.words.get('add-resource')).toEqual(['--resource', '-r', '--stage', '-s', '--all-stages', '--help']);
  });
});
