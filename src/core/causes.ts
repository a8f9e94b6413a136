// The cause of a finding: the program's own function or class that the reported call runs.
//
// A helper whose promise every caller drops (`redisCache.clear()` in sixteen route handlers), or a
// worker class every script news up and never closes, is one root cause found at many call sites.
// The CLI reports such a group once, at the helper (src/cli/group.ts); this module only answers
// "which declaration of the program does this finding's call invoke", so the rules need not know.
import type * as ts from 'typescript';
import type { ProgramIndex } from './program-index.js';
import { aliasTarget } from './type-questions.js';
import {
  functionNameNode,
  isInDeclarationFileOrNodeModules,
  skipOuterExpressions,
  type FunctionLikeWithBody,
} from './ts-utils.js';

type TS = typeof ts;

/** A declaration of the program's own code that a finding's call or `new` runs. */
export interface FindingCause {
  fileName: string;
  /** Offset of the declaration's name (or of the declaration, when it has none). */
  start: number;
  /** The name a reader knows it by: `clear`, `PipelineWorker`. */
  name: string;
  /** 1-based, of `start`. */
  line: number;
  column: number;
}

/** Promise methods that pass the chain on: `helper().catch(log)` is still `helper`'s work. */
const chainMethods = new Set(['then', 'catch', 'finally']);

/** The call or `new` a finding's node stands for, through statements, declarations and operators. */
function reportedCall(t: TS, node: ts.Node): ts.CallExpression | ts.NewExpression | undefined {
  let current: ts.Node | undefined = node;
  for (let step = 0; current && step < 8; step++) {
    if (t.isExpressionStatement(current)) current = current.expression;
    else if (t.isVariableDeclaration(current)) current = current.initializer;
    else if (t.isVoidExpression(current) || t.isAwaitExpression(current)) current = current.expression;
    else if (t.isParenthesizedExpression(current) || t.isAsExpression(current) || t.isNonNullExpression(current)) {
      current = skipOuterExpressions(t, current);
    } else if (t.isNewExpression(current)) {
      return current;
    } else if (t.isCallExpression(current)) {
      const callee = skipOuterExpressions(t, current.expression);
      if (
        t.isPropertyAccessExpression(callee) &&
        chainMethods.has(callee.name.text) &&
        t.isCallExpression(skipOuterExpressions(t, callee.expression))
      ) {
        current = callee.expression;
        continue;
      }
      return current;
    } else {
      return undefined;
    }
  }
  return undefined;
}

function nameOfFunction(t: TS, fn: FunctionLikeWithBody): ts.Node | undefined {
  if (t.isFunctionExpression(fn) && fn.name) return fn.name;
  if (t.isConstructorDeclaration(fn)) return fn.parent.name;
  if (t.isPropertyDeclaration(fn.parent) && fn.parent.initializer === fn) return fn.parent.name;
  return functionNameNode(t, fn);
}

function causeAt(t: TS, declaration: ts.Node, name: ts.Node | undefined): FindingCause | undefined {
  const sourceFile = declaration.getSourceFile();
  if (isInDeclarationFileOrNodeModules(sourceFile)) return undefined;
  const anchor = name ?? declaration;
  const text =
    name && (t.isIdentifier(name) || t.isPrivateIdentifier(name) || t.isStringLiteral(name)) ? name.text : undefined;
  if (!text) return undefined;
  const start = anchor.getStart(sourceFile);
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(start);
  return { fileName: sourceFile.fileName, start, name: text, line: line + 1, column: character + 1 };
}

/**
 * The program's own function (for a call) or class (for `new`) that the finding's node runs, when
 * exactly one can be named; undefined for library calls and calls the index cannot resolve.
 */
export function causeOf(t: TS, index: ProgramIndex, node: ts.Node): FindingCause | undefined {
  const call = reportedCall(t, node);
  if (!call) return undefined;
  const callee = skipOuterExpressions(t, call.expression);
  if (t.isNewExpression(call)) {
    const at = t.isPropertyAccessExpression(callee) ? callee.name : callee;
    const found = index.types.getSymbolAtLocation(at);
    const symbol = found && aliasTarget(index.types, found, t.SymbolFlags.Alias);
    const classes = (symbol?.declarations ?? []).filter((d): d is ts.ClassLikeDeclaration => t.isClassLike(d));
    return classes.length === 1 ? causeAt(t, classes[0]!, classes[0]!.name) : undefined;
  }
  const functions = [...new Set(index.resolveFunctions(callee, 0, false))];
  if (functions.length !== 1) return undefined;
  const fn = functions[0]!;
  return causeAt(t, fn, nameOfFunction(t, fn));
}
