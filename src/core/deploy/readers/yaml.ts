// YAML through `yaml`: every document of a file (Kubernetes lists several), with a LineCounter,
// and small helpers to walk maps by key and turn a node into a Span.
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { DeployFile, Span } from '../source.js';

export interface YamlDocument {
  document: Document.Parsed;
  lineCounter: LineCounter;
}

export function readYaml(file: DeployFile): YamlDocument[] {
  const lineCounter = new LineCounter();
  return parseAllDocuments(file.text, { lineCounter, prettyErrors: false })
    .filter((d): d is Document.Parsed => 'contents' in d && d.errors.length === 0)
    .map((document) => ({ document, lineCounter }));
}

/** The pair `key: value` of a map. */
export function pairOf(node: unknown, key: string): Pair<unknown, unknown> | undefined {
  if (!isMap(node)) return undefined;
  return (node as YAMLMap).items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key) as
    Pair<unknown, unknown> | undefined;
}

/** The value node at a path of keys (numbers index sequences). */
export function nodeAt(node: unknown, ...path: (string | number)[]): Node | undefined {
  let current: unknown = node;
  for (const step of path) {
    if (typeof step === 'number') current = isSeq(current) ? current.items[step] : undefined;
    else current = pairOf(current, step)?.value;
    if (current === undefined || current === null) return undefined;
  }
  return current as Node;
}

/** A scalar's value, or undefined. */
export function scalarAt(node: unknown, ...path: (string | number)[]): unknown {
  const found = nodeAt(node, ...path);
  return isScalar(found) ? found.value : undefined;
}

export function itemsOf(node: unknown): unknown[] {
  return isSeq(node) ? node.items : [];
}

export function entriesOf(node: unknown): [string, unknown][] {
  return isMap(node)
    ? node.items.filter((p) => isScalar(p.key)).map((p) => [String((p.key as { value: unknown }).value), p.value])
    : [];
}

/** Strings of a sequence node, or of a string scalar split into words (compose `command: npm start`). */
export function stringsAt(node: unknown): string[] | undefined {
  if (isSeq(node)) return node.items.map((i) => (isScalar(i) ? String(i.value) : ''));
  if (isScalar(node) && typeof node.value === 'string') return splitWords(node.value);
  return undefined;
}

/** Compose splits a string command into words like a shell would, without running a shell. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g))
    words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

/** The span of a node. */
export function spanOfNode(file: DeployFile, node: unknown): Span | undefined {
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  return range ? { file, start: range[0], end: range[1] } : undefined;
}

/** The span of `key: value` in a map: from the key to the end of its value. */
export function spanOfKey(file: DeployFile, map: unknown, key: string): Span | undefined {
  const pair = pairOf(map, key);
  if (!pair) return undefined;
  const start = (pair.key as { range?: [number, number, number] }).range?.[0];
  const end =
    (pair.value as { range?: [number, number, number] } | null)?.range?.[1] ??
    (pair.key as { range?: [number, number, number] }).range?.[1];
  return start !== undefined && end !== undefined ? { file, start, end } : undefined;
}
