// Inline disable comments, read as ESLint reads its own, so the CLI and the ESLint face suppress
// alike (the ESLint face reads only the shutdown-lint ones; ESLint reads its own):
//   // shutdown-lint-disable-next-line no-untracked-promise -- reason
//   // eslint-disable-line shutdown/no-untracked-promise
//   /* shutdown-lint-disable require-close-timeout */ … /* shutdown-lint-enable */
// A shutdown-lint comment names rules as `id` or `shutdown/id`; an eslint comment must name
// `shutdown/id` (or no rule, which disables every rule, as in ESLint).
import type * as ts from 'typescript';

type TS = typeof ts;

interface Directive {
  kind: 'disable-next-line' | 'disable-line' | 'disable' | 'enable';
  /** 0-based line the directive applies to (next-line/line), or where a block starts. */
  line: number;
  /** Rule ids it names; empty means all. */
  ruleIds: string[];
  justification: string;
  /** Order in the file, for disable/enable ranges. */
  pos: number;
}

const directivePattern = /^\s*(shutdown-lint|eslint)-(disable-next-line|disable-line|disable|enable)(?:\s+([\s\S]*))?$/;

function parseComment(
  text: string,
  pos: number,
  startLine: number,
  endLine: number,
  namespace: string,
  tools: readonly DirectiveTool[],
): Directive | undefined {
  const isLineComment = text.startsWith('//');
  const body = isLineComment ? text.slice(2) : text.slice(2, -2);
  const match = directivePattern.exec(body);
  if (!match) return undefined;
  const [, tool, kind, rest = ''] = match;
  if (!tools.includes(tool as DirectiveTool)) return undefined;
  // As in ESLint: block directives only in block comments; line directives on one line.
  if (isLineComment && (kind === 'disable' || kind === 'enable')) return undefined;
  if (kind === 'disable-line' && startLine !== endLine) return undefined;
  // The justification follows the first run of two or more dashes between spaces.
  const separator = /\s-{2,}\s|^-{2,}\s/.exec(rest);
  const list = separator ? rest.slice(0, separator.index) : rest;
  const justification = separator ? rest.slice(separator.index + separator[0].length) : '';
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const ruleIds: string[] = [];
  for (const name of names) {
    if (name.startsWith(`${namespace}/`)) ruleIds.push(name.slice(namespace.length + 1));
    else if (tool === 'shutdown-lint') ruleIds.push(name);
  }
  // An eslint comment that names only other plugins' rules says nothing about ours.
  if (names.length > 0 && ruleIds.length === 0) return undefined;
  const line = kind === 'disable-next-line' ? endLine + 1 : startLine;
  return { kind: kind as Directive['kind'], line, ruleIds, justification: justification.trim(), pos };
}

/**
 * Every comment of the file, found through the syntax tree's tokens (so text inside strings is
 * never read as one, and a comment before a closing brace is still found).
 */
function collectComments(t: TS, sourceFile: ts.SourceFile): ts.CommentRange[] {
  const text = sourceFile.text;
  const seen = new Set<number>();
  const comments: ts.CommentRange[] = [];
  const add = (ranges: ts.CommentRange[] | undefined): void => {
    for (const range of ranges ?? []) {
      if (!seen.has(range.pos)) {
        seen.add(range.pos);
        comments.push(range);
      }
    }
  };
  const visit = (node: ts.Node): void => {
    add(t.getLeadingCommentRanges(text, node.pos));
    add(t.getTrailingCommentRanges(text, node.end));
    for (const child of node.getChildren(sourceFile)) visit(child);
  };
  visit(sourceFile);
  return comments.sort((a, b) => a.pos - b.pos);
}

export type DirectiveTool = 'shutdown-lint' | 'eslint';

export interface Suppression {
  justification: string;
}

/** A function telling, for a finding at a line, whether a directive suppresses the rule there. */
export function readDirectives(
  t: TS,
  sourceFile: ts.SourceFile,
  namespace: string,
  tools: readonly DirectiveTool[] = ['shutdown-lint', 'eslint'],
): (ruleId: string, line: number) => Suppression | undefined {
  const directives: Directive[] = [];
  for (const comment of collectComments(t, sourceFile)) {
    const text = sourceFile.text.slice(comment.pos, comment.end);
    if (!/(shutdown-lint|eslint)-(disable|enable)/.test(text)) continue;
    const startLine = sourceFile.getLineAndCharacterOfPosition(comment.pos).line;
    const endLine = sourceFile.getLineAndCharacterOfPosition(comment.end).line;
    const directive = parseComment(text, comment.pos, startLine, endLine, namespace, tools);
    if (directive) directives.push(directive);
  }
  const names = (d: Directive, ruleId: string): boolean => d.ruleIds.length === 0 || d.ruleIds.includes(ruleId);
  return (ruleId, line) => {
    let blockSuppression: Suppression | undefined;
    for (const d of directives) {
      if ((d.kind === 'disable-next-line' || d.kind === 'disable-line') && d.line === line && names(d, ruleId)) {
        return { justification: d.justification };
      }
      if (d.line > line) continue;
      if (d.kind === 'disable' && names(d, ruleId)) blockSuppression = { justification: d.justification };
      if (d.kind === 'enable' && names(d, ruleId)) blockSuppression = undefined;
    }
    return blockSuppression;
  };
}
