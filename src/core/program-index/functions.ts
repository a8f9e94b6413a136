// Which functions an expression denotes: a function expression, a named function through its
// declarations, re-exports and CommonJS assignments, a factory's returned function, and the
// functions a wrapper call was given (`catchAsync(fn)` is `fn`). Answers are cached per node.
import type * as ts from 'typescript';
import type { CountedQuestions } from '../type-questions.js';
import {
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  type FunctionLikeWithBody,
  type TS,
  ownReturnStatements,
} from '../ts-utils.js';
import type { NameFacts } from './name-facts.js';
import { Recorder, type Consulted } from './dependencies.js';

export class FunctionResolver {
  constructor(
    private readonly ts: TS,
    private readonly types: CountedQuestions,
    private readonly names: NameFacts,
    /** The program's classes, from each file's facts (file-facts.ts), known before any question is asked. */
    private readonly classes: readonly ts.ClassLikeDeclaration[] = [],
    /** The program's file a `require(path.resolve(__dirname, 'x.js'))` loads, which the checker cannot see. */
    private readonly requiredFile: (call: ts.CallExpression) => ts.SourceFile | undefined = () => undefined,
    private readonly recorder: Recorder = new Recorder(),
  ) {}

  /** class or interface symbol -> the classes that extend or implement it directly. */
  private derived: Map<ts.Symbol, ts.ClassLikeDeclaration[]> | undefined;

  private derivedOf(base: ts.Symbol): readonly ts.ClassLikeDeclaration[] {
    // Built once from every class of the program: an answer depends on the classes that name
    // `base` in their heritage clauses (kept-classification.ts invalidates by that name).
    this.recorder.key('heritage', base.name);
    if (!this.derived) this.recorder.isolated(() => this.collectDerived());
    return this.derived!.get(base) ?? [];
  }

  private collectDerived(): void {
    const t = this.ts;
    const derived = new Map<ts.Symbol, ts.ClassLikeDeclaration[]>();
    for (const cls of this.classes) {
      for (const clause of cls.heritageClauses ?? []) {
        for (const type of clause.types) {
          let symbol = this.types.getSymbolAtLocation(type.expression);
          if (symbol && symbol.flags & t.SymbolFlags.Alias) {
            try {
              symbol = this.types.getAliasedSymbol(symbol);
            } catch {
              symbol = undefined;
            }
          }
          if (!symbol) continue;
          const list = derived.get(symbol);
          if (list) list.push(cls);
          else derived.set(symbol, [cls]);
        }
      }
    }
    this.derived = derived;
  }

  /**
   * The overrides of a method in the program's classes that extend or implement its class or
   * interface, at any depth: `extension.stop()` on an `Extension` runs the `stop()` of whichever
   * subclass the value is (a loop over `this.extensions` stops every one).
   */
  private overridesOf(declaration: ts.Declaration, depth: number, throughWrappers: boolean): FunctionLikeWithBody[] {
    const t = this.ts;
    const container = declaration.parent;
    const name = (declaration as { name?: ts.PropertyName }).name;
    if (!name || !(t.isIdentifier(name) || t.isStringLiteral(name) || t.isPrivateIdentifier(name))) return [];
    if (!((t.isClassLike(container) || t.isInterfaceDeclaration(container)) && container.name)) return [];
    const base = this.types.getSymbolAtLocation(container.name);
    if (!base) return [];
    const result: FunctionLikeWithBody[] = [];
    const seen = new Set<ts.Symbol>([base]);
    const queue = [base];
    while (queue.length && result.length < 50) {
      for (const cls of this.derivedOf(queue.pop()!)) {
        for (const member of cls.members) {
          const memberName = member.name;
          if (!memberName || !(t.isIdentifier(memberName) || t.isStringLiteral(memberName))) continue;
          if (memberName.text !== name.text) continue;
          if (isFunctionLikeWithBody(t, member)) result.push(member);
          else if (t.isPropertyDeclaration(member) && member.initializer)
            result.push(...this.resolveFunctions(member.initializer, depth + 1, throughWrappers));
        }
        const symbol = cls.name && this.types.getSymbolAtLocation(cls.name);
        if (symbol && !seen.has(symbol)) {
          seen.add(symbol);
          queue.push(symbol);
        }
      }
    }
    return result;
  }

  /**
   * The functions an expression denotes: a function expression, a named function, and (unless
   * `throughWrappers` is false) the functions a wrapper call was given: `catchAsync(fn)` is `fn`.
   */
  resolveFunctions(expression: ts.Expression, depth = 0, throughWrappers = true): FunctionLikeWithBody[] {
    if (depth > 0) return this.resolveFunctionsUncached(expression, depth, throughWrappers);
    // Every walk over the program (handlers' reach, shutdown paths, the entry path) asks about the
    // same callees: answer each once. Callers get their own copy of the list.
    const cache = throughWrappers ? this.functionsThroughWrappers : this.functionsDirect;
    const consultedCache = throughWrappers ? this.consultedThroughWrappers : this.consultedDirect;
    let found = cache.get(expression);
    if (!found) {
      const consulted = this.recorder.begin();
      found = this.resolveFunctionsUncached(expression, 0, throughWrappers);
      this.recorder.end(consulted);
      if (consulted) consultedCache.set(expression, consulted);
      cache.set(expression, found);
    } else if (this.recorder.enabled) this.recorder.replay(consultedCache.get(expression));
    return [...found];
  }

  private readonly functionsThroughWrappers = new Map<ts.Node, FunctionLikeWithBody[]>();
  private readonly functionsDirect = new Map<ts.Node, FunctionLikeWithBody[]>();
  private readonly consultedThroughWrappers = new Map<ts.Node, Consulted>();
  private readonly consultedDirect = new Map<ts.Node, Consulted>();

  private resolveFunctionsUncached(
    expression: ts.Expression,
    depth: number,
    throughWrappers: boolean,
  ): FunctionLikeWithBody[] {
    const t = this.ts;
    if (depth > 6) return [];
    const e = skipOuterExpressions(t, expression);
    if (isFunctionLikeWithBody(t, e)) return [e];
    if (t.isCallExpression(e)) {
      const required = this.requiredFile(e);
      if (required) return this.exportedFunctions(required, depth);
      if (!throughWrappers) return [];
      // `catchAsync(async (req, res) => …)`, `fn.bind(this)`: the functions it wraps.
      const parts = methodCallParts(t, e);
      if (parts && parts.name === 'bind') return this.resolveFunctions(parts.receiver, depth + 1);
      // A factory's result: `process.on('SIGTERM', closer('SIGTERM'))` where closer returns the listener.
      const returned = this.resolveFunctions(e.expression, depth + 1, false).flatMap((fn) =>
        this.returnedFunctions(fn, depth + 1),
      );
      return returned.concat(
        e.arguments.flatMap((a) => {
          const arg = skipOuterExpressions(t, a);
          return isFunctionLikeWithBody(t, arg) || t.isIdentifier(arg) || t.isPropertyAccessExpression(arg)
            ? this.resolveFunctions(arg, depth + 1)
            : [];
        }),
      );
    }
    let symbol: ts.Symbol | undefined;
    if (t.isIdentifier(e))
      symbol = this.names.mayNameProgramFunction(e.text) ? this.types.getSymbolAtLocation(e) : undefined;
    else if (t.isPropertyAccessExpression(e))
      symbol = this.names.mayNameProgramFunction(e.name.text) ? this.types.getSymbolAtLocation(e.name) : undefined;
    if (!symbol) return [];
    return this.functionsOfSymbol(symbol, depth, throughWrappers);
  }

  /** What a CommonJS file exports as a whole: `module.exports = function (…) { … }`. */
  private exportedFunctions(file: ts.SourceFile, depth: number): FunctionLikeWithBody[] {
    const t = this.ts;
    const result: FunctionLikeWithBody[] = [];
    for (const statement of file.statements) {
      if (!t.isExpressionStatement(statement) || !t.isBinaryExpression(statement.expression)) continue;
      const { left, operatorToken, right } = statement.expression;
      if (operatorToken.kind !== t.SyntaxKind.EqualsToken || !t.isPropertyAccessExpression(left)) continue;
      if (!t.isIdentifier(left.expression) || left.expression.text !== 'module' || left.name.text !== 'exports')
        continue;
      result.push(...this.resolveFunctions(right, depth + 1, false));
    }
    return result;
  }

  /** Functions a function returns: `(signal) => async () => { … }`. */
  private returnedFunctions(fn: FunctionLikeWithBody, depth: number): FunctionLikeWithBody[] {
    const t = this.ts;
    if (!fn.body) return [];
    if (!t.isBlock(fn.body)) return this.resolveFunctions(fn.body, depth + 1, false);
    return ownReturnStatements(t, fn.body).flatMap((statement) =>
      statement.expression ? this.resolveFunctions(statement.expression, depth + 1, false) : [],
    );
  }

  functionsOfSymbol(symbol: ts.Symbol, depth = 0, throughWrappers = true): FunctionLikeWithBody[] {
    const t = this.ts;
    if (symbol.flags & t.SymbolFlags.Alias) {
      try {
        symbol = this.types.getAliasedSymbol(symbol);
      } catch {
        return [];
      }
    }
    const result: FunctionLikeWithBody[] = [];
    for (const declaration of symbol.declarations ?? []) {
      if (declaration.getSourceFile().isDeclarationFile) continue;
      if (t.isMethodDeclaration(declaration) || t.isMethodSignature(declaration)) {
        result.push(...this.overridesOf(declaration, depth, throughWrappers));
      }
      if (isFunctionLikeWithBody(t, declaration)) result.push(declaration);
      else if (t.isVariableDeclaration(declaration) && declaration.initializer) {
        result.push(...this.resolveFunctions(declaration.initializer, depth + 1, throughWrappers));
      } else if (t.isPropertyAssignment(declaration) || t.isPropertyDeclaration(declaration)) {
        if (declaration.initializer)
          result.push(...this.resolveFunctions(declaration.initializer, depth + 1, throughWrappers));
      } else if (t.isShorthandPropertyAssignment(declaration)) {
        const value = this.types.getShorthandAssignmentValueSymbol(declaration);
        if (value) result.push(...this.functionsOfSymbol(value, depth + 1, throughWrappers));
      } else if (
        (t.isPropertyAccessExpression(declaration) || t.isIdentifier(declaration)) &&
        t.isBinaryExpression(declaration.parent) &&
        declaration.parent.left === declaration
      ) {
        // `exports.createUser = catchAsync(…)` in CommonJS
        result.push(...this.resolveFunctions(declaration.parent.right, depth + 1, throughWrappers));
      }
    }
    return result;
  }
}
