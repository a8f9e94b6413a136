// Inline disable comments, as ESLint reads them, so the CLI and the ESLint face suppress alike:
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

function parseComment(text: string, pos: number, endLine: number, startLine: number, namespace: string): Directive | undefined {
  const body = text.startsWith('//') ? text.slice(2) : text.slice(2, -2);
  const match = directivePattern.exec(body);
  if (!match) return undefined;
  const [, tool, kind, rest = ''] = match;
  const [list = '', justification = ''] = rest.split(/\s--\s|^--\s/);
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const ruleIds: string[] = [];
  for (const name of names) {
    if (name.startsWith(`${namespace}/`)) ruleIds.push(name.slice(namespace.length + 1));
    else if (tool === 'shutdown-lint') ruleIds.push(name);
    else ruleIds.push(`\0${name}`); // an eslint comment naming another plugin's rule: never ours
  }
  if (tool === 'eslint' && names.length > 0 && ruleIds.every((id) => id.startsWith('\0'))) return undefined;
  const line = kind === 'disable-next-line' ? endLine + 1 : kind === 'disable-line' ? startLine : startLine;
  return { kind: kind as Directive['kind'], line, ruleIds, justification: justification.trim(), pos };
}

/** Every comment of the file, found through the AST so text inside strings is never read as one. */
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
    t.forEachChild(node, visit);
  };
  visit(sourceFile);
  add(t.getLeadingCommentRanges(text, sourceFile.endOfFileToken.pos));
  return comments.sort((a, b) => a.pos - b.pos);
}

export interface Suppression {
  justification: string;
}

/** A function telling, for a finding at a line, whether a directive suppresses the rule there. */
export function readDirectives(t: TS, sourceFile: ts.SourceFile, namespace: string): (ruleId: string, line: number) => Suppression | undefined {
  const directives: Directive[] = [];
  for (const comment of collectComments(t, sourceFile)) {
    const text = sourceFile.text.slice(comment.pos, comment.end);
    if (!/(shutdown-lint|eslint)-(disable|enable)/.test(text)) continue;
    const startLine = sourceFile.getLineAndCharacterOfPosition(comment.pos).line;
    const endLine = sourceFile.getLineAndCharacterOfPosition(comment.end).line;
    const directive = parseComment(text, comment.pos, endLine, startLine, namespace);
    // Line directives must be line comments or single-line blocks, as in ESLint.
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
