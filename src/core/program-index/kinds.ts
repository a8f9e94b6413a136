// Kind inference: what catalogue kind of thing a value is (`http.Server`, `pg.Pool`, …), from
// bindings, initializers, assignments and annotations, and from the checker's type only when asked
// and syntax cannot tell; and which server record a value comes from.
import type * as ts from 'typescript';
import type { ModuleBinding } from '../binding.js';
import { factories, kindForType, kindSpec, sameRef, storeViewCalls, type ApiRef } from '../catalogue.js';
import {
  isAsyncFunction,
  isInDeclarationFileOrNodeModules,
  methodCallParts,
  ownReturnStatements,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
} from '../ts-utils.js';
import { aliasTarget, type CountedQuestions } from '../type-questions.js';
import type { NameFacts } from './name-facts.js';
import type { ServerRecord } from './records.js';
import { Recorder, type Consulted } from './dependencies.js';

export class KindInference {
  private readonly kindCache = new Map<ts.Symbol, string | null>();
  /** The same, for the questions that follow the program's own functions (`throughCalls`). */
  private readonly kindCacheThroughCalls = new Map<ts.Symbol, string | null>();
  /** What each function of the program returns, once awaited (`true`) or as called. */
  private readonly returnedKindCache = new Map<boolean, Map<FunctionLikeWithBody, string | null>>([
    [true, new Map()],
    [false, new Map()],
  ]);
  /** What each cached answer consulted (see dependencies.ts), while the recorder is enabled. */
  private readonly consulted = {
    symbol: new Map<unknown, Consulted>(),
    symbolThroughCalls: new Map<unknown, Consulted>(),
    returned: new Map<unknown, Consulted>(),
    returnedAwaited: new Map<unknown, Consulted>(),
  };

  constructor(
    private readonly ts: TS,
    private readonly types: CountedQuestions,
    private readonly binding: ModuleBinding,
    private readonly names: NameFacts,
    /** The servers and resources classification found, by the call that creates them. */
    private readonly serverByCreation: ReadonlyMap<ts.Node, ServerRecord>,
    /** Fastify-style plugin functions -> the receiver they were registered on. */
    private readonly pluginReceivers: ReadonlyMap<ts.Node, ts.Expression>,
    /** The program's calls by the callee's last name, for the arguments a parameter receives. */
    private readonly callsNamed: (name: string) => readonly (ts.CallExpression | ts.NewExpression)[] = () => [],
    /**
     * The program's functions a callee denotes, no wrappers (`buildApp` in `await buildApp()`): for
     * the servers and apps a factory returns, and for `throughCalls`.
     */
    private readonly functionsCalled: (callee: ts.Expression) => readonly FunctionLikeWithBody[] = () => [],
    private readonly recorder: Recorder = new Recorder(),
  ) {}

  /** `compute` for a cache entry, recording what it consulted under `key` in `into`. */
  private recorded<T>(into: Map<unknown, Consulted>, key: unknown, compute: () => T): T {
    const consulted = this.recorder.begin();
    const value = compute();
    this.recorder.end(consulted);
    if (consulted) into.set(key, consulted);
    return value;
  }

  private replayed(from: Map<unknown, Consulted>, key: unknown): void {
    if (this.recorder.enabled) this.recorder.replay(from.get(key));
  }

  /** The server record a value comes from, following variables, fields and assignments. */
  serverOf(expression: ts.Expression, depth = 0): ServerRecord | undefined {
    const t = this.ts;
    if (depth > 8) return undefined;
    const e = skipOuterExpressions(t, expression);
    if (t.isAwaitExpression(e)) return this.serverOf(e.expression, depth + 1);
    const record = this.serverByCreation.get(e);
    if (record) return record;
    let symbol: ts.Symbol | undefined;
    if (t.isIdentifier(e)) symbol = this.types.getSymbolAtLocation(e);
    else if (t.isPropertyAccessExpression(e)) symbol = this.types.getSymbolAtLocation(e.name);
    if (!symbol) return undefined;
    const target = aliasTarget(this.types, symbol, t.SymbolFlags.Alias);
    if (!target) return undefined;
    symbol = target;
    for (const declaration of symbol.declarations ?? []) {
      if ((t.isVariableDeclaration(declaration) || t.isPropertyDeclaration(declaration)) && declaration.initializer) {
        const found = this.serverOf(declaration.initializer, depth + 1);
        if (found) return found;
      }
    }
    for (const assignment of this.names.assignmentsTo(symbol.name)) {
      const target = t.isPropertyAccessExpression(assignment.left) ? assignment.left.name : assignment.left;
      if (this.types.getSymbolAtLocation(target) !== symbol) continue;
      const found = this.serverOf(assignment.right, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * The catalogue kind of the value `expression` evaluates to (`http.Server`, `express.App`, …).
   * Bindings, initializers, assignments and annotations first; the checker's type only when
   * `useTypes` is set and syntax cannot tell, so type information refines but never gates.
   *
   * `throughCalls` also follows a call of the program's own function to what it returns: its
   * declared return type (`getRepository(…): Repository<E>`) or its returned values
   * (`return this.cache.producer`, a field typed `{ producer?: Producer }`), an async one only
   * where the call is awaited. Asked where a wrong answer costs little (is this call a promise?).
   */
  kindOf(expression: ts.Expression, useTypes = false, depth = 0, throughCalls = false): string | undefined {
    const t = this.ts;
    if (depth > 10) return undefined;
    const e = skipOuterExpressions(t, expression);
    let kind: string | undefined;
    if (t.isAwaitExpression(e)) {
      const awaited = skipOuterExpressions(t, e.expression);
      kind =
        throughCalls && t.isCallExpression(awaited)
          ? this.kindOfCall(awaited, depth + 1, true, true)
          : this.kindOf(e.expression, useTypes, depth + 1, throughCalls);
    } else if (t.isCallExpression(e) || t.isNewExpression(e)) {
      kind = this.kindOfCall(e, depth, throughCalls, false);
    } else if (t.isIdentifier(e)) {
      const symbol = this.types.getSymbolAtLocation(e);
      kind = symbol ? this.kindOfSymbol(symbol, depth, throughCalls) : undefined;
    } else if (t.isPropertyAccessExpression(e) || t.isElementAccessExpression(e)) {
      const name = t.isPropertyAccessExpression(e) ? e.name.text : staticPropertyName(t, e.argumentExpression);
      const receiverKind = this.kindOf(e.expression, useTypes, depth + 1, throughCalls);
      kind = receiverKind && name ? kindSpec(receiverKind)?.properties?.[name] : undefined;
      if (!kind && t.isPropertyAccessExpression(e)) {
        const symbol = this.types.getSymbolAtLocation(e.name);
        kind = symbol ? this.kindOfSymbol(symbol, depth, throughCalls) : undefined;
      }
    }
    if (!kind && useTypes) kind = this.kindFromType(this.types.getTypeAtLocation(e));
    return kind;
  }

  private kindOfCall(
    call: ts.CallExpression | ts.NewExpression,
    depth: number,
    throughCalls = false,
    awaited = false,
  ): string | undefined {
    const t = this.ts;
    if (depth > 10) return undefined;
    const ref = this.binding.resolve(call.expression);
    if (ref) {
      const factory = factories.find((f) => sameRef(f, ref));
      if (factory) return factory.async && throughCalls && !awaited ? undefined : factory.kind;
      const view = storeViewCalls.find((v) => sameRef(v, ref));
      if (view) return view.kind;
    }
    if (t.isCallExpression(call)) {
      const parts = methodCallParts(t, call);
      if (parts) {
        const receiverKind = this.kindOf(parts.receiver, false, depth + 1, throughCalls);
        const result = receiverKind ? kindSpec(receiverKind)?.methods?.[parts.name] : undefined;
        if (result) return result;
      }
      if (throughCalls) return this.kindReturnedByCall(call, depth, awaited);
    }
    return this.serverKindReturnedBy(call, depth);
  }

  /**
   * A server or app the program's own factory returns (`const app = await buildApp()`, whose every
   * `return` gives a Fastify instance): the kind all its returns agree on. Only servers and apps:
   * what listens and takes routes, where one more kind known is one more finding a user expects.
   */
  private serverKindReturnedBy(call: ts.CallExpression | ts.NewExpression, depth: number): string | undefined {
    const t = this.ts;
    if (!t.isCallExpression(call) || depth > 6) return undefined;
    const callee = skipOuterExpressions(t, call.expression);
    if (!t.isIdentifier(callee) && !t.isPropertyAccessExpression(callee)) return undefined;
    const fns = this.functionsCalled(callee);
    if (fns.length !== 1) return undefined;
    const fn = fns[0]!;
    if (!fn.body) return undefined;
    const returned = t.isBlock(fn.body)
      ? ownReturnStatements(t, fn.body).map((statement) => statement.expression)
      : [fn.body];
    return agreedKind(returned, (expression) => {
      const kind = expression && this.kindOf(expression, false, depth + 2);
      const category = kind ? kindSpec(kind)?.category : undefined;
      return category === 'server' || category === 'app' ? kind : undefined;
    });
  }

  /** What the program's own function called returns, when every function the callee denotes agrees. */
  private kindReturnedByCall(call: ts.CallExpression, depth: number, awaited: boolean): string | undefined {
    const functions = this.functionsCalled(call.expression).filter(
      (fn) => !isInDeclarationFileOrNodeModules(fn.getSourceFile()),
    );
    return agreedKind(functions, (fn) => this.kindReturnedBy(fn, depth + 1, awaited));
  }

  /**
   * What a function of the program gives when called, once awaited when `awaited`: its declared
   * return type, or the kind all its returned values agree on (`createClient`, whose `return
   * client` keeps a `new MongoClient()`). For a factory handed to a holder that calls it.
   */
  kindFunctionReturns(fn: FunctionLikeWithBody, awaited: boolean): string | undefined {
    if (isInDeclarationFileOrNodeModules(fn.getSourceFile())) return undefined;
    return this.kindReturnedBy(fn, 0, awaited);
  }

  /** The kind a type annotation names (`MongoClient`, `pg.Pool`, a union with one): no checker. */
  kindOfType(node: ts.TypeNode): string | undefined {
    return this.kindOfTypeNode(node);
  }

  private kindReturnedBy(fn: FunctionLikeWithBody, depth: number, awaited: boolean): string | undefined {
    const cache = this.returnedKindCache.get(awaited)!;
    const cached = cache.get(fn);
    const consulted = awaited ? this.consulted.returnedAwaited : this.consulted.returned;
    if (cached !== undefined) {
      this.replayed(consulted, fn);
      return cached ?? undefined;
    }
    cache.set(fn, null); // cycle guard
    const kind = this.recorded(consulted, fn, () => this.kindReturnedByUncached(fn, depth, awaited));
    cache.set(fn, kind ?? null);
    return kind;
  }

  private kindReturnedByUncached(fn: FunctionLikeWithBody, depth: number, awaited: boolean): string | undefined {
    const t = this.ts;
    const isAsync = isAsyncFunction(t, fn);
    let declared = fn.type;
    if (declared && t.isTypeReferenceNode(declared) && t.isIdentifier(declared.typeName)) {
      // `Promise<Producer>`: the kind once awaited.
      if (declared.typeName.text === 'Promise') {
        if (!awaited) return undefined;
        declared = declared.typeArguments?.[0];
      }
    }
    if (declared) return this.kindOfTypeNode(declared);
    if (isAsync && !awaited) return undefined;
    const body = fn.body;
    if (!body) return undefined;
    const returned = t.isBlock(body)
      ? ownReturnStatements(t, body).flatMap((r) => (r.expression ? [r.expression] : []))
      : [body];
    return agreedKind(returned, (value) => this.kindOf(value, false, depth + 1, true));
  }

  private kindOfSymbol(symbol: ts.Symbol, depth: number, throughCalls = false): string | undefined {
    const cache = throughCalls ? this.kindCacheThroughCalls : this.kindCache;
    const cached = cache.get(symbol);
    const consulted = throughCalls ? this.consulted.symbolThroughCalls : this.consulted.symbol;
    if (cached !== undefined) {
      this.replayed(consulted, symbol);
      return cached ?? undefined;
    }
    cache.set(symbol, null); // cycle guard
    const kind = this.recorded(consulted, symbol, () => {
      this.recorder.symbol(symbol);
      return this.kindOfSymbolUncached(symbol, depth, throughCalls);
    });
    cache.set(symbol, kind ?? null);
    return kind;
  }

  private kindOfSymbolUncached(symbol: ts.Symbol, depth: number, throughCalls: boolean): string | undefined {
    const t = this.ts;
    if (symbol.flags & t.SymbolFlags.Alias) {
      // An import of a value created in another module of this program (`import { server } from './app'`).
      const ref = this.binding.resolveSymbol(symbol, symbol.name);
      if (ref) {
        const factory = factories.find((f) => sameRef(f, ref));
        if (factory) return undefined; // the factory itself, not an instance
      }
      try {
        symbol = this.types.getAliasedSymbol(symbol);
      } catch {
        return undefined;
      }
    }
    for (const declaration of symbol.declarations ?? []) {
      if (declaration.getSourceFile().isDeclarationFile) continue;
      let kind: string | undefined;
      if (
        (t.isVariableDeclaration(declaration) || t.isPropertyDeclaration(declaration) || t.isParameter(declaration)) &&
        declaration.initializer
      ) {
        kind = this.kindOf(declaration.initializer, false, depth + 1, throughCalls);
      }
      if (
        !kind &&
        (t.isVariableDeclaration(declaration) ||
          t.isPropertyDeclaration(declaration) ||
          t.isParameter(declaration) ||
          // A member of a type literal or interface: `private cache: { producer?: Producer }`.
          (throughCalls && t.isPropertySignature(declaration))) &&
        declaration.type
      ) {
        kind = this.kindOfTypeNode(declaration.type);
      }
      if (!kind && t.isParameter(declaration)) {
        const fn = declaration.parent;
        this.recorder.plugin(fn);
        const receiver = this.pluginReceivers.get(fn);
        if (receiver && fn.parameters[0] === declaration) kind = this.kindOf(receiver, false, depth + 1);
        kind ??= this.kindOfArguments(declaration, depth);
      }
      if (kind) return kind;
    }
    // Assigned later: `server = app.listen()`, `this.server = http.createServer()`.
    for (const assignment of this.names.assignmentsTo(symbol.name)) {
      const left = assignment.left;
      const target = t.isPropertyAccessExpression(left) ? left.name : left;
      if (this.types.getSymbolAtLocation(target) !== symbol) continue;
      const kind = this.kindOf(assignment.right, false, depth + 1, throughCalls);
      if (kind) return kind;
    }
    return undefined;
  }

  /**
   * An unannotated parameter of a named function of the program (`function shutdown(server) {
   * server.close() }`), from what its calls pass: the kind every call by that name gives it, when
   * there is at least one call and all agree.
   */
  private kindOfArguments(parameter: ts.ParameterDeclaration, depth: number): string | undefined {
    const t = this.ts;
    const fn = parameter.parent;
    if (parameter.dotDotDotToken || parameter.type || depth > 6) return undefined;
    let name: ts.Identifier | undefined;
    if (t.isFunctionDeclaration(fn) && fn.name) name = fn.name;
    else if ((t.isArrowFunction(fn) || t.isFunctionExpression(fn)) && t.isVariableDeclaration(fn.parent))
      name = t.isIdentifier(fn.parent.name) ? fn.parent.name : undefined;
    if (!name) return undefined;
    const position = fn.parameters.indexOf(parameter);
    const fnSymbol = this.types.getSymbolAtLocation(name);
    if (!fnSymbol) return undefined;
    let found: string | undefined;
    this.recorder.key('call', name.text);
    for (const call of this.callsNamed(name.text)) {
      if (!t.isCallExpression(call)) continue;
      const callee = skipOuterExpressions(t, call.expression);
      if (!t.isIdentifier(callee) || this.types.getSymbolAtLocation(callee) !== fnSymbol) continue;
      const argument = call.arguments[position];
      const kind = argument ? this.kindOf(argument, false, depth + 1) : undefined;
      if (!kind || (found && found !== kind)) return undefined;
      found = kind;
    }
    return found;
  }

  /**
   * The kind a name's declaration gives it, for a value handed around by the program rather than
   * kept where it is made (`db` in `function routes({ app, db }: Context)`): its initializer or its
   * annotation, following the program's own type aliases (`type Database = LibSQLDatabase<…>`); a
   * destructured name by the property it takes, from the annotated type (`{ db: Database }`) or
   * from the object the program made (`const { db } = setupDatabase()`, whose `return { db }` names
   * `const db = drizzle(client)`). The checker is asked only for the property of a destructured
   * declaration; what that property says is read from its declaration, so it works without the
   * libraries' types.
   */
  declaredKindOf(symbol: ts.Symbol, depth = 0): string | undefined {
    const t = this.ts;
    if (depth > 6) return undefined;
    const target = aliasTarget(this.types, symbol, t.SymbolFlags.Alias);
    if (!target) return undefined;
    symbol = target;
    for (const declaration of symbol.declarations ?? []) {
      if (declaration.getSourceFile().isDeclarationFile) continue;
      let kind: string | undefined;
      if (
        t.isVariableDeclaration(declaration) ||
        t.isParameter(declaration) ||
        t.isPropertyDeclaration(declaration) ||
        t.isPropertySignature(declaration)
      ) {
        if (declaration.type) kind = this.kindOfTypeNode(declaration.type, true);
        if (!kind && !t.isPropertySignature(declaration) && declaration.initializer)
          kind = this.kindOf(declaration.initializer, false, depth + 1);
      } else if (t.isPropertyAssignment(declaration)) {
        kind = this.kindOf(declaration.initializer, false, depth + 1);
      } else if (t.isShorthandPropertyAssignment(declaration)) {
        const value = this.types.getShorthandAssignmentValueSymbol(declaration);
        kind = value ? this.declaredKindOf(value, depth + 1) : undefined;
      } else if (t.isBindingElement(declaration) && t.isObjectBindingPattern(declaration.parent)) {
        const name = declaration.propertyName ?? declaration.name;
        const key = t.isIdentifier(name) || t.isStringLiteral(name) ? name.text : undefined;
        const property = key
          ? this.types.getPropertyOfType(this.types.getTypeAtLocation(declaration.parent), key)
          : undefined;
        kind = property ? this.declaredKindOf(property, depth + 1) : undefined;
      }
      if (kind) return kind;
    }
    return undefined;
  }

  /**
   * `server: http.Server`, `app: Express`, `fastify: FastifyInstance` resolved through bindings;
   * with `throughAliases`, also through the program's own type aliases (`type Db = Pool`).
   */
  private kindOfTypeNode(node: ts.TypeNode, throughAliases = false, depth = 0): string | undefined {
    const t = this.ts;
    // A union's members may each be the value; an intersection's are all of it (`IO.Socket & { … }`).
    if (t.isUnionTypeNode(node) || t.isIntersectionTypeNode(node)) {
      for (const member of node.types) {
        const kind = this.kindOfTypeNode(member, throughAliases, depth + 1);
        if (kind) return kind;
      }
      return undefined;
    }
    if (!t.isTypeReferenceNode(node)) return undefined;
    const ref = this.resolveEntityName(node.typeName);
    const kind = ref ? kindForType(ref) : undefined;
    if (kind || !throughAliases || depth > 4) return kind;
    let symbol = this.types.getSymbolAtLocation(t.isIdentifier(node.typeName) ? node.typeName : node.typeName.right);
    if (symbol) {
      const target = aliasTarget(this.types, symbol, t.SymbolFlags.Alias);
      if (!target) return undefined;
      symbol = target;
    }
    const alias = symbol?.declarations?.find((d): d is ts.TypeAliasDeclaration => t.isTypeAliasDeclaration(d));
    return alias && !alias.getSourceFile().isDeclarationFile
      ? this.kindOfTypeNode(alias.type, true, depth + 1)
      : undefined;
  }

  private resolveEntityName(name: ts.EntityName): ApiRef | undefined {
    const t = this.ts;
    if (t.isIdentifier(name)) {
      const symbol = this.types.getSymbolAtLocation(name);
      return symbol ? this.binding.resolveSymbol(symbol, name.text) : undefined;
    }
    const left = this.resolveEntityName(name.left);
    return left ? { module: left.module, path: [...left.path, name.right.text] } : undefined;
  }

  /** The kind a checker type carries, from where its symbol is declared. */
  private kindFromType(type: ts.Type): string | undefined {
    const t = this.ts;
    const candidates = type.isUnionOrIntersection() ? type.types : [type];
    for (const candidate of candidates) {
      for (const symbol of [candidate.aliasSymbol, candidate.getSymbol()]) {
        if (!symbol) continue;
        const declaration = symbol.declarations?.[0];
        if (!declaration) continue;
        const module = declaringModule(t, declaration);
        if (!module) continue;
        const kind = kindForType({ module, path: [symbol.name] });
        if (kind) return kind;
      }
    }
    return undefined;
  }
}

/** The module a declaration belongs to: an ambient `declare module 'x'`, or a package in node_modules. */
function declaringModule(t: TS, declaration: ts.Node): string | undefined {
  for (let p = declaration.parent; p; p = p.parent) {
    if (t.isModuleDeclaration(p) && t.isStringLiteral(p.name)) return p.name.text.replace(/^node:/, '');
  }
  const match = /[\\/]node_modules[\\/]((?:@types[\\/])?(?:@[^\\/]+[\\/])?[^\\/]+)/.exec(
    declaration.getSourceFile().fileName,
  );
  if (!match) return undefined;
  let name = match[1]!.replace(/\\/g, '/');
  if (name.startsWith('@types/')) {
    name = name.slice(7);
    if (name.includes('__')) name = `@${name.replace('__', '/')}`;
  }
  return name;
}

/** The one kind every value has: undefined when there is none, or one value has none or another. */
function agreedKind<T>(values: readonly T[], kindOf: (value: T) => string | undefined): string | undefined {
  let found: string | undefined;
  for (const value of values) {
    const kind = kindOf(value);
    if (!kind || (found && found !== kind)) return undefined;
    found = kind;
  }
  return found;
}
