/**
 * YAML configuration files (slo.yaml, webhook.yaml, remediation.yaml, sli.yaml, …) parsed with line
 * positions, so every refusal can name the line of the offending node.
 */
import { LineCounter, isScalar, parseDocument } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';

/** A parsed document and the line of any of its nodes. */
export interface LocatedYaml {
  readonly doc: Document.Parsed;
  /** 1-based line where `node` starts, undefined when it has no position (absent or generated). */
  readonly lineOf: (node: Node | null | undefined) => number | undefined;
}

/**
 * Parses `text` (duplicate keys are errors); the first syntax error is thrown as
 * `syntaxError(line, 'not valid YAML: <first line of the parser message>')`.
 */
export function parseLocatedYaml(text: string, syntaxError: (line: number, reason: string) => Error): LocatedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) throw syntaxError(lines.linePos(first.pos[0]).line, `not valid YAML: ${first.message.split('\n')[0] ?? ''}`);
  return { doc, lineOf: (node) => (node?.range ? lines.linePos(node.range[0]).line : undefined) };
}

/** The value node of `key` in `map`; undefined when the key is absent or its value is empty (`key:` or `key: ~`). */
export function fieldNode(map: YAMLMap, key: string): Node | undefined {
  const value = map.get(key, true) as unknown;
  if (value === undefined || value === null) return undefined;
  return isScalar(value) && value.value === null ? undefined : (value as Node);
}

/** The key node of `key` in `map` (to name the line of a key whose value is missing). */
export function keyNodeOf(map: YAMLMap, key: string): Node | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key as Node | undefined;
}
