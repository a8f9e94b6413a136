// Which functions an expression denotes: a function expression, a named function through its
// declarations, re-exports and CommonJS assignments, a factory's returned function, and the
// functions a wrapper call was given (`catchAsync(fn)` is `fn`). Answers are cached per node.
import type * as ts from 'typescript';
import { isTestFile } from '../files.js';
import { aliasTarget, type CountedQuestions } from '../type-questions.js';
import {
  functionNameNode,
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
  ownReturnStatements,
} from '../ts-utils.js';
import type { NameFacts } from './name-facts.js';
import { Recorder, type Consulted } from './dependencies.js';

/** An object whose members `objectValues` can name: an object literal, or a module's namespace object (its file). */
type ObjectValue = ts.ObjectLiteralExpression | ts.SourceFile;

export class FunctionResolver {
  constructor(
    private readonly ts: TS,
    private readonly types: CountedQuestions,
    private readonly names: NameFacts,
    /** The program's classes, from each file's facts (file-facts.ts), known before any question is asked. */
    private readonly classes: readonly ts.ClassLikeDeclaration[] = [],
    /** The program's file a `require(path.resolve(__dirname, 'x.js'))` loads, which the checker cannot see. */
    private readonly requiredFile: (call: ts.CallExpression) => ts.SourceFile | undefined = () => undefined,
    /** The program's calls whose callee's last name is `name` (call-index.ts). */
    private readonly callsNamed: (name: string) => readonly (ts.CallExpression | ts.NewExpression)[] = () => [],
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
          if (symbol) symbol = aliasTarget(this.types, symbol, t.SymbolFlags.Alias);
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
    else if (t.isPropertyAccessExpression(e) && this.names.mayNameProgramFunction(e.name.text)) {
      symbol = this.types.getSymbolAtLocation(e.name);
      const found = symbol ? this.functionsOfSymbol(symbol, depth, throughWrappers) : [];
      return found.length > 0 ? found : this.memberOfObjectValues(e.expression, e.name.text, depth, throughWrappers);
    }
    if (!symbol) return [];
    return this.functionsOfSymbol(symbol, depth, throughWrappers);
  }

  /**
   * The functions `receiver.name` denotes when its declared type names none (a parameter typed by
   * an interface or a `.d.ts` type, an untyped one): the member `name` of each object the receiver
   * can hold, through the program's own values (`objectValues`). In
   * `installShutdownHandlers(server, options.sockets)` with `socketModule.shutdown?.()` in its body,
   * and `sockets: options.socketsModule || sockets` where `import * as sockets from './socket.mjs'`,
   * `socketModule.shutdown` is that module's `shutdown` export.
   */
  private memberOfObjectValues(
    receiver: ts.Expression,
    name: string,
    depth: number,
    throughWrappers: boolean,
  ): FunctionLikeWithBody[] {
    const result: FunctionLikeWithBody[] = [];
    for (const value of this.objectValues(receiver, depth + 1)) {
      for (const member of this.membersNamed(value, name)) {
        if (isFunctionLikeWithBody(this.ts, member)) result.push(member);
        else result.push(...this.resolveFunctions(member, depth + 1, throughWrappers));
      }
    }
    return result;
  }

  /** What `name` of an object value is: a method, or the expression a property is given. */
  private membersNamed(value: ObjectValue, name: string): (FunctionLikeWithBody | ts.Expression)[] {
    const t = this.ts;
    if (!t.isObjectLiteralExpression(value)) {
      // A module's namespace object: its export of that name, also `export { a as name }`.
      const module = this.types.getSymbolAtLocation(value);
      let exported = module && this.types.getExportsOfModule(module).find((s) => s.name === name);
      if (exported) {
        const target = aliasTarget(this.types, exported, t.SymbolFlags.Alias);
        if (!target) return [];
        exported = target;
      }
      const declared = (exported?.declarations ?? []).flatMap((d): (FunctionLikeWithBody | ts.Expression)[] => {
        if (d.getSourceFile().isDeclarationFile) return [];
        if (isFunctionLikeWithBody(t, d)) return [d];
        return t.isVariableDeclaration(d) && d.initializer ? [d.initializer] : [];
      });
      return declared.length > 0 || value.flags & t.NodeFlags.JavaScriptFile
        ? declared
        : this.commonJsExportsNamed(value, name);
    }
    const members: (FunctionLikeWithBody | ts.Expression)[] = [];
    for (const property of value.properties) {
      if (staticPropertyName(t, property.name) !== name) continue;
      if (t.isPropertyAssignment(property)) members.push(property.initializer);
      else if (t.isShorthandPropertyAssignment(property)) members.push(property.name);
      else if (t.isMethodDeclaration(property) && property.body) members.push(property);
    }
    return members;
  }

  /**
   * A TypeScript file's CommonJS exports named `name`, read from its statements: `exports.name = …`,
   * `module.exports.name = …`, a property of `module.exports = { … }`. The checker binds these as
   * exports only in JavaScript; in a `.ts` file `exports` is Node's untyped global.
   */
  private commonJsExportsNamed(file: ts.SourceFile, name: string): (FunctionLikeWithBody | ts.Expression)[] {
    const t = this.ts;
    const isModuleExports = (e: ts.Expression): boolean =>
      t.isPropertyAccessExpression(e) &&
      t.isIdentifier(e.expression) &&
      e.expression.text === 'module' &&
      e.name.text === 'exports';
    const isExportsObject = (e: ts.Expression): boolean =>
      (t.isIdentifier(e) && e.text === 'exports') || isModuleExports(e);
    const found: (FunctionLikeWithBody | ts.Expression)[] = [];
    for (const statement of file.statements) {
      if (!t.isExpressionStatement(statement)) continue;
      const assignment = skipOuterExpressions(t, statement.expression);
      if (!t.isBinaryExpression(assignment) || assignment.operatorToken.kind !== t.SyntaxKind.EqualsToken) continue;
      const left = assignment.left;
      if (t.isPropertyAccessExpression(left) && left.name.text === name && isExportsObject(left.expression))
        found.push(assignment.right);
      else if (isModuleExports(left)) {
        const right = skipOuterExpressions(t, assignment.right);
        if (t.isObjectLiteralExpression(right)) found.push(...this.membersNamed(right, name));
      }
    }
    return found;
  }

  /**
   * The objects an expression can hold, followed through the program's own values: an object
   * literal, a module's namespace object (`import * as m`), a variable's initialiser, both sides
   * of `a || b`, `a ?? b` and `c ? a : b`, a property of such an object (`options.sockets`), and a
   * parameter through the arguments its function's callers pass (calls the index resolves to
   * that function), or its default. A superset of nothing: what it cannot follow it leaves out.
   */
  private objectValues(expression: ts.Expression, depth: number): ObjectValue[] {
    const t = this.ts;
    if (depth > 8) return [];
    const e = skipOuterExpressions(t, expression);
    if (t.isObjectLiteralExpression(e)) return [e];
    if (t.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === t.SyntaxKind.BarBarToken || op === t.SyntaxKind.QuestionQuestionToken)
        return [...this.objectValues(e.left, depth + 1), ...this.objectValues(e.right, depth + 1)];
      if (op === t.SyntaxKind.AmpersandAmpersandToken) return this.objectValues(e.right, depth + 1);
      return [];
    }
    if (t.isConditionalExpression(e))
      return [...this.objectValues(e.whenTrue, depth + 1), ...this.objectValues(e.whenFalse, depth + 1)];
    if (t.isCallExpression(e)) {
      // `const padManager = require('./PadManager')` in a `.ts` file: the module the checker does not follow.
      const required = this.requiredFile(e);
      if (required) this.recorder.file(required);
      return required ? [required] : [];
    }
    if (t.isPropertyAccessExpression(e)) {
      return this.objectValues(e.expression, depth + 1).flatMap((owner) =>
        this.membersNamed(owner, e.name.text).flatMap((member) =>
          isFunctionLikeWithBody(t, member) ? [] : this.objectValues(member, depth + 1),
        ),
      );
    }
    if (!t.isIdentifier(e)) return [];
    let symbol = this.types.getSymbolAtLocation(e);
    if (symbol) {
      const target = aliasTarget(this.types, symbol, t.SymbolFlags.Alias);
      if (!target) return [];
      symbol = target;
    }
    if (!symbol) return [];
    if (symbol.flags & t.SymbolFlags.ValueModule) {
      const file = symbol.valueDeclaration;
      return file && t.isSourceFile(file) && !file.isDeclarationFile ? [file] : [];
    }
    const values: ObjectValue[] = [];
    for (const declaration of symbol.declarations ?? []) {
      if (declaration.getSourceFile().isDeclarationFile) continue;
      if (t.isVariableDeclaration(declaration) && declaration.initializer)
        values.push(...this.objectValues(declaration.initializer, depth + 1));
      else if (t.isParameter(declaration) && t.isIdentifier(declaration.name)) {
        if (declaration.initializer) values.push(...this.objectValues(declaration.initializer, depth + 1));
        for (const argument of this.argumentsOf(declaration, depth))
          values.push(...this.objectValues(argument, depth + 1));
      }
    }
    return values;
  }

  /** The arguments the program's calls of a named function (outside test files) pass for one of its parameters. */
  private argumentsOf(parameter: ts.ParameterDeclaration, depth: number): ts.Expression[] {
    const t = this.ts;
    const fn = parameter.parent;
    if (!isFunctionLikeWithBody(t, fn) || parameter.dotDotDotToken) return [];
    const position = fn.parameters.indexOf(parameter);
    const name = functionNameNode(t, fn)?.text;
    if (name === undefined) return [];
    const found: ts.Expression[] = [];
    for (const call of this.callsNamed(name)) {
      const argument = call.arguments?.[position];
      // A test's stand-in (`start(app, { shutdown: vi.fn() })`) is not what the service runs.
      if (!argument || !t.isCallExpression(call) || isTestFile(call.getSourceFile().fileName)) continue;
      if (this.resolveFunctions(call.expression, depth + 1, false).includes(fn)) found.push(argument);
    }
    return found;
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
    const target = aliasTarget(this.types, symbol, t.SymbolFlags.Alias);
    if (!target) return [];
    symbol = target;
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
