// Per-file facts: what the index's single pass collects from one file by its syntax alone (names,
// calls, classes, the nodes that may load another module), kept per SourceFile object across
// program versions. An editor gives typescript-eslint a new ts.Program on every edit, and
// TypeScript reuses the SourceFile objects of the files the edit did not touch: their facts are
// taken from here instead of walking the file again, and only the edited files are walked. A
// SourceFile is immutable once parsed (an edit makes a new one), so a fact kept for it is never
// stale; nothing here asks the checker or looks at another file, which is what makes it safe to
// keep. What needs types or the whole program (module resolution, classification, shutdown paths)
// is computed per program from these facts.
import type * as ts from 'typescript';
import { isRequireCall, skipOuterExpressions, type TS } from '../ts-utils.js';
import type { AnyCall } from './call-index.js';
import { FileNameFacts } from './name-facts.js';

/** An import or export declaration that loads a module, `import('m')`, or `require('m')` with a literal. */
export type ImportCandidate = ts.ImportDeclaration | ts.ExportDeclaration | ts.CallExpression;

export interface FileFacts {
  readonly names: FileNameFacts;
  /** Every call and `new` of the file, in source order. */
  readonly calls: readonly AnyCall[];
  readonly classes: readonly ts.ClassLikeDeclaration[];
  /** The nodes that may make an import edge, in source order (which edges they make is resolved per program). */
  readonly importCandidates: readonly ImportCandidate[];
}

/** How often facts were taken from the cache and how often a file was walked (for tests and `--stats`). */
export const fileFactCounts = { reused: 0, collected: 0 };

const ownFileFacts = new WeakMap<ts.SourceFile, FileFacts>();
const declaredNameFacts = new WeakMap<ts.SourceFile, FileNameFacts>();
const declarationFileFacts = new WeakMap<ts.SourceFile, FileNameFacts>();

/** The facts of a program's own file (not a declaration file, not node_modules): the single pass. */
export function factsOfFile(t: TS, file: ts.SourceFile): FileFacts {
  const kept = ownFileFacts.get(file);
  if (kept) {
    fileFactCounts.reused++;
    return kept;
  }
  fileFactCounts.collected++;
  const names = new FileNameFacts(t);
  const calls: AnyCall[] = [];
  const classes: ts.ClassLikeDeclaration[] = [];
  const importCandidates: ImportCandidate[] = [];
  const visit = (node: ts.Node): void => {
    names.visit(node);
    if (t.isCallExpression(node)) {
      calls.push(node);
      if (mayLoadModule(t, node)) importCandidates.push(node);
    } else if (t.isNewExpression(node)) calls.push(node);
    else if (t.isImportDeclaration(node) || t.isExportDeclaration(node)) {
      if (node.moduleSpecifier) importCandidates.push(node);
    } else if (t.isClassDeclaration(node) || t.isClassExpression(node)) classes.push(node);
    t.forEachChild(node, visit);
  };
  visit(file);
  const facts: FileFacts = { names, calls, classes, importCandidates };
  ownFileFacts.set(file, facts);
  return facts;
}

/** The declared names and process holders of JavaScript the program loads from node_modules. */
export function declaredNamesOfFile(t: TS, file: ts.SourceFile): FileNameFacts {
  return kept(declaredNameFacts, file, () => {
    const names = new FileNameFacts(t);
    names.visitDeclaredNames(file);
    return names;
  });
}

/** The process holders a declaration file declares. */
export function factsOfDeclarationFile(t: TS, file: ts.SourceFile): FileNameFacts {
  return kept(declarationFileFacts, file, () => {
    const names = new FileNameFacts(t);
    names.visitDeclarationFile(file);
    return names;
  });
}

function kept<T>(cache: WeakMap<ts.SourceFile, T>, file: ts.SourceFile, collect: () => T): T {
  let facts = cache.get(file);
  if (facts) {
    fileFactCounts.reused++;
  } else {
    fileFactCounts.collected++;
    facts = collect();
    cache.set(file, facts);
  }
  return facts;
}

/**
 * `import('m')`, or a call of a function named `require` with a literal: whether the global
 * `require` is meant is the checker's question, asked per program (ImportGraph).
 */
function mayLoadModule(t: TS, call: ts.CallExpression): boolean {
  const arg = call.arguments[0];
  if (!arg || !t.isStringLiteralLike(arg)) return false;
  return call.expression.kind === t.SyntaxKind.ImportKeyword || isRequireCall(t, call);
}
