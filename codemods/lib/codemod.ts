// The shape every codemod is written in: a rule, and a rewrite of one of its findings on the
// file's jscodeshift tree. defineCodemod() turns it into a jscodeshift transform (run alone, it
// analyses the file's project itself); applyCodemods() runs several on one parse, which is how
// `shutdown-lint migrate` hands each codemod exactly its findings.
import type { API, ASTPath, Collection, FileInfo, JSCodeshift, Options } from 'jscodeshift';
import type { FindingFacts, FindingOf } from '../../src/core/analysis.js';
import type { AnyRule } from '../../src/core/rule.js';
import { findingsOf } from './analysis.js';
import { lifecycleBinding, quoteStyle } from './imports.js';

type Node = any; // see imports.ts

export interface LeftForPerson {
  ruleId: string;
  /** 1-based, in the file as it was analysed. */
  line: number;
  column: number;
  reason: string;
}

export interface RewriteContext {
  j: JSCodeshift;
  root: Collection;
  path: string;
  /** The text the tree was parsed from (line ends as LF): node `start`/`end` offsets index it. */
  source: string;
  /** The process-wide lifecycle as an expression (a fresh node each call); imports it once. */
  lifecycle(): Node;
  /** Writes `expression` as a statement of its own at the top level, below the imports. */
  addStatement(expression: Node): void;
  /** The node a finding reports, as it was parsed (before any rewrite), if it has one of these types. */
  nodeAt(finding: FindingFacts, types: readonly string[]): ASTPath<Node> | undefined;
  /** The node of one of these types that starts where the finding does (a loop reported at its keyword). */
  nodeStartingAt(finding: FindingFacts, types: readonly string[]): ASTPath<Node> | undefined;
  /**
   * The text of `node` as it is now: its source as written, with what the rewrites made inside it
   * so far (findings run innermost first). For a rewrite that sets a statement's text into a new one.
   */
  textOf(node: Node): string;
}

/** What a rewrite did with a finding: rewrote it, found it already in the target form, or a reason a person must do it. */
export type RewriteResult = 'rewritten' | 'unchanged' | { leftForPerson: string };

export interface Codemod<R extends AnyRule = AnyRule> {
  /** from-to, kebab-case: the file name in codemods/. */
  name: string;
  /** The rule whose findings it rewrites: its message ids and data type the findings. */
  rule: R;
  description: string;
  rewrite(context: RewriteContext, finding: FindingOf<R>): RewriteResult;
}

export interface CodemodTransform {
  (file: FileInfo, api: API, options: Options): string | null;
  codemod: Codemod;
}

/** A step run on the same parse after the codemods (the lifecycle's drain on a shutdown path): whether it changed the tree, and what it left. */
export type AfterCodemods = (
  context: RewriteContext,
  left: readonly LeftForPerson[],
) => { changed: boolean; left: LeftForPerson[] };

export interface AppliedCodemods {
  /** The rewritten source, or null when nothing changed. */
  output: string | null;
  rewritten: FindingFacts[];
  left: LeftForPerson[];
}

export function parserFor(path: string): 'ts' | 'tsx' {
  return /\.[cm]?ts$/.test(path) ? 'ts' : 'tsx';
}

/** Byte ranges of every node, to find a finding's node by the range the analysis reported. */
function indexRanges(j: JSCodeshift, root: Collection): Map<string, ASTPath<Node>[]> {
  const ranges = new Map<string, ASTPath<Node>[]>();
  root.find(j.Node).forEach((path: ASTPath<Node>) => {
    const { start, end } = path.node as { start?: number; end?: number };
    if (start === undefined || end === undefined) return;
    const key = `${start}:${end}`;
    const list = ranges.get(key);
    if (list) list.push(path);
    else ranges.set(key, [path]);
  });
  return ranges;
}

/**
 * Runs `codemods` over one file: each gets the findings of its rule, in source order, on one
 * parse of the file (so offsets stay those the analysis saw), and the file is printed once.
 */
export function applyCodemods(
  codemods: readonly Codemod[],
  file: FileInfo,
  findings: readonly FindingFacts[],
  jscodeshift: JSCodeshift,
  after?: AfterCodemods,
): AppliedCodemods {
  const wanted = findings.filter((f) => codemods.some((c) => c.rule.meta.id === f.ruleId));
  if (wanted.length === 0 && !after) return { output: null, rewritten: [], left: [] };
  const j = jscodeshift.withParser(parserFor(file.path));
  const root = j(file.source);
  // recast parses CRLF text as LF: node offsets count one character per line end, the analysis two.
  const crlfs: number[] = [];
  for (let at = file.source.indexOf('\r\n'); at !== -1; at = file.source.indexOf('\r\n', at + 2)) crlfs.push(at);
  const parsedOffset = (offset: number): number => offset - crlfs.filter((at) => at < offset).length;
  const parsedSource = crlfs.length ? file.source.replace(/\r\n/g, '\n') : file.source;
  const binding = lifecycleBinding(j, root, file.path, parsedSource);
  const ranges = indexRanges(j, root);
  const context: RewriteContext = {
    j,
    root,
    path: file.path,
    source: parsedSource,
    lifecycle() {
      binding.ensure();
      const [first, ...rest] = binding.text.split('.');
      return rest.reduce<Node>((object, name) => j.memberExpression(object, j.identifier(name)), j.identifier(first!));
    },
    addStatement(expression) {
      binding.addStatement(j(expression).toSource({ quote: quoteStyle(j, root) }));
    },
    nodeAt(finding, types) {
      return ranges
        .get(`${parsedOffset(finding.start)}:${parsedOffset(finding.end)}`)
        ?.find((p) => types.includes((p.node as Node).type));
    },
    nodeStartingAt(finding, types) {
      const start = parsedOffset(finding.start);
      for (const [key, paths] of ranges) {
        if (!key.startsWith(`${start}:`)) continue;
        const found = paths.find((p) => types.includes((p.node as Node).type));
        if (found) return found;
      }
      return undefined;
    },
    textOf(node) {
      // recast reprints only what changed, and gives an untouched node its text as written. Its
      // comments are left out, as a slice of the source leaves them: the caller keeps them.
      const comments = node.comments;
      node.comments = undefined;
      let printed: string;
      try {
        printed = j(node).toSource({ quote: quoteStyle(j, root) });
      } finally {
        node.comments = comments;
      }
      if (typeof node.start !== 'number') return printed;
      // recast prints the lines after the first relative to the node's own line; the source has
      // them where they are in the file (as a slice of it would).
      const lineStart = parsedSource.lastIndexOf('\n', node.start - 1) + 1;
      const indent = /^[ \t]*/.exec(parsedSource.slice(lineStart, node.start))![0];
      const slice = parsedSource.slice(node.start, node.end);
      const reindented = printed
        .split('\n')
        .map((line, i) => (i > 0 && line !== '' ? indent + line : line))
        .join('\n');
      return reindented === slice.replace(/\r\n/g, '\n') ? slice : reindented;
    },
  };
  const rewritten: FindingFacts[] = [];
  const left: LeftForPerson[] = [];
  // In the file's order, but a finding inside another before it (by where they end): a rewrite
  // that reprints an enclosing statement from its text (an interval given a name, a rescheduling
  // guarded) then prints what the inner rewrites made of it, where the outer one first would
  // snapshot the statement and leave the inner rewrites on a detached copy (claimed as rewritten,
  // and made only by a second run). What they did is reported in the file's order.
  const inOrder = [...wanted].sort((a, b) => a.start - b.start || b.end - a.end);
  const results = new Map<FindingFacts, RewriteResult[]>();
  for (const finding of [...wanted].sort((a, b) => a.end - b.end || b.start - a.start)) {
    for (const codemod of codemods) {
      if (codemod.rule.meta.id !== finding.ruleId) continue;
      const result = codemod.rewrite(context, finding as FindingOf<AnyRule>);
      results.set(finding, [...(results.get(finding) ?? []), result]);
    }
  }
  for (const finding of inOrder) {
    for (const result of results.get(finding) ?? []) {
      if (result === 'rewritten') rewritten.push(finding);
      else if (result !== 'unchanged')
        left.push({ ruleId: finding.ruleId, line: finding.line, column: finding.column, reason: result.leftForPerson });
    }
  }
  const step = after?.(context, [...left]);
  if (step) left.push(...step.left);
  if (rewritten.length === 0 && !step?.changed) return { output: null, rewritten, left };
  const lineTerminator = file.source.includes('\r\n') ? '\r\n' : '\n';
  // Reprinted statements wrap at the file's own width (recast's default is 74 columns).
  const wrapColumn = Math.max(80, ...parsedSource.split('\n').map((line) => line.length));
  const printed = inSemicolonStyle(
    parsedSource,
    withoutDoubledDirectiveSemicolons(
      j,
      root,
      root.toSource({ quote: quoteStyle(j, root), lineTerminator, arrowParensAlways: true, wrapColumn }),
    ),
  );
  const output = binding.addImport(printed);
  return { output: output === file.source ? null : output, rewritten, left };
}

/**
 * recast prints the statements a codemod adds with a semicolon. In a file written without them
 * (no line of it ends in one), a new line that ends in `;` loses it, unless the next line starts
 * with what would continue the statement (`(`, `[`, a template, an operator).
 */
function inSemicolonStyle(source: string, output: string): string {
  if (/;[ \t]*\r?$/m.test(source)) return output;
  const before = new Set(source.split('\n').map((line) => line.trimEnd()));
  const lines = output.split('\n');
  return lines
    .map((line, i) => {
      const trimmed = line.replace(/\r$/, '').trimEnd();
      if (!trimmed.endsWith(';') || before.has(trimmed) || /^\s*for\s*\(/.test(trimmed)) return line;
      const next = lines.slice(i + 1).find((l) => l.trim() !== '');
      if (next && /^\s*[([`+\-*/]/.test(next)) return line;
      return line.replace(/;(\s*\r?)$/, '$1');
    })
    .join('\n');
}

/** recast reprints a directive (`'use strict';`) with a second semicolon when a statement is added to the program body. */
function withoutDoubledDirectiveSemicolons(j: JSCodeshift, root: Collection, output: string): string {
  const directives = ((root.find(j.Program).get().node as Node).directives ?? []) as Node[];
  let text = output;
  for (const directive of directives) {
    const raw = (directive.value?.extra?.raw ?? directive.value?.raw) as string | undefined;
    if (raw) text = text.replace(`${raw};;`, `${raw};`);
  }
  return text;
}

/**
 * A jscodeshift transform. Through `shutdown-lint migrate` it gets the findings in
 * `options.findings`; run alone (`npx jscodeshift -t …`) it lints the file's project itself.
 */
export function defineCodemod<R extends AnyRule>(codemod: Codemod<R>): CodemodTransform {
  const transform = (file: FileInfo, api: API, options: Options): string | null => {
    const findings = (options.findings as FindingFacts[] | undefined) ?? findingsOf(file.path, file.source);
    const result = applyCodemods([codemod as Codemod], file, findings, api.jscodeshift);
    for (const left of result.left) api.report(`${left.line}:${left.column}: left for a person: ${left.reason}`);
    return result.output;
  };
  return Object.assign(transform, { codemod: codemod as Codemod });
}
