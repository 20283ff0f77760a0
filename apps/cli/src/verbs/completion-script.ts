/**
 * Shell completion for bash, zsh and fish, generated from the command tree: the words each
 * command path offers (its subcommands with their aliases, and its flags), which flags take a
 * value (the word after one is its value, not a command), and which of those take a file. Each
 * script has one function that maps the words typed so far to candidates
 * (`_shipmate_candidates` in bash and zsh, `__shipmate_candidates` in fish), which the shell's
 * hook calls and the tests call directly.
 */
import type { Command } from 'commander';

/** The shells `shipmate completion` writes for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
/** One of {@link COMPLETION_SHELLS}. */
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** What completion knows of the command tree. */
export interface CompletionTree {
  /** Candidates after each command path (`''` is the root, `get project` a verb): subcommands, aliases, flags, choices. */
  readonly words: ReadonlyMap<string, readonly string[]>;
  /** Flags (long and short) that take a value. */
  readonly valueFlags: readonly string[];
  /** Flags whose value is a local file. */
  readonly fileFlags: readonly string[];
}

/** Long flags whose value is a file. */
const FILE_OPTIONS = new Set(['--shipyard', '--resource', '--file', '--git-private-key', '--git-pem-certificate', '--config']);
/** Choices of positional arguments, by command path. */
const ARGUMENT_CHOICES: Readonly<Record<string, readonly string[]>> = { completion: COMPLETION_SHELLS };

/** The completion tree of `program`. */
export function completionTree(program: Command): CompletionTree {
  const words = new Map<string, string[]>();
  const valueFlags = new Set<string>();
  const flagKinds = new Map<string, { file: boolean; other: boolean }>();
  const visit = (command: Command, paths: readonly string[]) => {
    const own: string[] = [];
    for (const sub of command.commands) own.push(sub.name(), ...sub.aliases());
    for (const option of command.options) {
      for (const flag of [option.long, option.short]) {
        if (flag === undefined) continue;
        own.push(flag);
        if (option.required || option.optional) valueFlags.add(flag);
        const kind = flagKinds.get(flag) ?? { file: false, other: false };
        if (option.long !== undefined && FILE_OPTIONS.has(option.long)) kind.file = true;
        else kind.other = true;
        flagKinds.set(flag, kind);
      }
    }
    own.push('--help');
    for (const path of paths) words.set(path, [...own, ...(ARGUMENT_CHOICES[path] ?? [])]);
    for (const sub of command.commands) {
      const names = [sub.name(), ...sub.aliases()];
      visit(
        sub,
        paths.flatMap((path) => names.map((name) => (path === '' ? name : `${path} ${name}`))),
      );
    }
  };
  visit(program, ['']);
  // A short flag is a file flag only where every option spelling it is one (`-s` is --shipyard, --stage and --scope).
  const fileFlags = [...flagKinds].filter(([, kind]) => kind.file && !kind.other).map(([flag]) => flag);
  return { words, valueFlags: [...valueFlags].sort(), fileFlags: fileFlags.sort() };
}

/** A word quoted for sh and fish (single quotes; the words here never hold one). */
function quote(word: string): string {
  return `'${word.replaceAll("'", '')}'`;
}

/** The `_shipmate_words`, `_shipmate_is_command` and `_shipmate_takes_value` helpers, in sh syntax bash and zsh share. */
function shHelpers(tree: CompletionTree): string {
  const cases = [...tree.words].map(([path, words]) => `    ${quote(path)}) printf '%s\\n' ${words.map(quote).join(' ')} ;;`);
  const commands = [...tree.words.keys()].filter((path) => path !== '').map(quote);
  return `_shipmate_words() {
  case "$1" in
${cases.join('\n')}
  esac
}

_shipmate_is_command() {
  case "$1" in
    ${commands.join('|')}) return 0 ;;
  esac
  return 1
}

_shipmate_takes_value() {
  case "$1" in
    ${tree.valueFlags.map(quote).join('|')}) return 0 ;;
  esac
  return 1
}

# The candidates for the words after \`shipmate\`, the last one being completed; __shipmate_files__ asks for files.
_shipmate_candidates() {
  local cmdpath='' word next skip=0 prev=''
  while [ $# -gt 1 ]; do
    word=$1
    shift
    if [ "$skip" = 1 ]; then
      skip=0
      prev=$word
      continue
    fi
    case "$word" in
      -*=*) ;;
      -*) if _shipmate_takes_value "$word"; then skip=1; fi ;;
      *)
        next="\${cmdpath:+$cmdpath }$word"
        if _shipmate_is_command "$next"; then cmdpath=$next; fi
        ;;
    esac
    prev=$word
  done
  if [ "$skip" = 1 ]; then
    case "$prev" in
      -o|--output) printf '%s\\n' table json yaml ;;
      ${tree.fileFlags.map(quote).join('|')}) printf '%s\\n' __shipmate_files__ ;;
    esac
    return 0
  fi
  _shipmate_words "$cmdpath"
}`;
}

function bashScript(tree: CompletionTree): string {
  return `# shipmate completion for bash: \`source <(shipmate completion bash)\`, or save it as
# ~/.local/share/bash-completion/completions/shipmate
${shHelpers(tree)}

_shipmate() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" IFS=$'\\n'
  local -a candidates
  candidates=($(_shipmate_candidates "\${COMP_WORDS[@]:1:COMP_CWORD}"))
  if [ "\${candidates[0]}" = __shipmate_files__ ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "\${candidates[*]}" -- "$cur"))
  fi
}
complete -o default -F _shipmate shipmate
`;
}

function zshScript(tree: CompletionTree): string {
  return `#compdef shipmate
# shipmate completion for zsh: \`source <(shipmate completion zsh)\`, or save it as _shipmate in a directory of $fpath
${shHelpers(tree)}

_shipmate() {
  local -a candidates
  candidates=("\${(@f)$(_shipmate_candidates "\${(@)words[2,CURRENT]}")}")
  if [[ "\${candidates[1]}" == __shipmate_files__ ]]; then
    _files
  else
    compadd -a candidates
  fi
}
if (( $+functions[compdef] )); then compdef _shipmate shipmate; fi
`;
}

function fishScript(tree: CompletionTree): string {
  const cases = [...tree.words].map(
    ([path, words]) => `        case ${quote(path)}\n            printf '%s\\n' ${words.map(quote).join(' ')}`,
  );
  const commands = [...tree.words.keys()].filter((path) => path !== '').map(quote);
  return `# shipmate completion for fish: \`shipmate completion fish | source\`, or save it as
# ~/.config/fish/completions/shipmate.fish
function __shipmate_words
    switch $argv[1]
${cases.join('\n')}
    end
end

function __shipmate_candidates --description 'candidates for the words after shipmate, the last one being completed'
    set -l cmdpath ''
    set -l skip 0
    set -l prev ''
    set -l count (count $argv)
    set -l cur $argv[$count]
    for i in (seq 1 (math $count - 1))
        set -l word $argv[$i]
        if test $skip = 1
            set skip 0
            set prev $word
            continue
        end
        switch $word
            case '-*=*'
            case '-*'
                if contains -- $word ${tree.valueFlags.map(quote).join(' ')}
                    set skip 1
                end
            case '*'
                set -l next (string trim -- "$cmdpath $word")
                if contains -- $next ${commands.join(' ')}
                    set cmdpath $next
                end
        end
        set prev $word
    end
    if test $skip = 1
        switch $prev
            case -o --output
                printf '%s\\n' table json yaml
            case ${tree.fileFlags.map(quote).join(' ')}
                __fish_complete_path $cur
        end
        return 0
    end
    __shipmate_words $cmdpath
end

function __shipmate_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    __shipmate_candidates $tokens[2..-1] "$cur"
end
complete -c shipmate -f -a '(__shipmate_complete)'
`;
}

/** The completion script of `shell` for `tree`. */
export function completionScript(shell: CompletionShell, tree: CompletionTree): string {
  switch (shell) {
    case 'bash':
      return bashScript(tree);
    case 'zsh':
      return zshScript(tree);
    case 'fish':
      return fishScript(tree);
    default: {
      const unknown: never = shell;
      throw new Error(`unknown shell ${String(unknown)}`);
    }
  }
}
