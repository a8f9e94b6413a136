// Classification: what the program's calls and classes are to a service. The servers and resources
// the catalogue's factories create, the request handlers registered on them, and the shutdown
// roots (signal listeners, shutdown libraries' hooks, framework shutdown hooks, NestJS lifecycle
// methods). Runs once, after every file's names and calls are collected.
import type * as ts from 'typescript';
import type { ModuleBinding } from '../binding.js';
import {
  fetchRouteExportNames,
  findFactory,
  findShutdownLibrary,
  kindSpec,
  kindedMethodNames,
  lifecycleModule,
  listenerMethods,
  nestHttpMethodDecorators,
  nestShutdownMethods,
  refIn,
  remixRouteExportNames,
  sameRef,
  shutdownHookMethods,
  shutdownSignals,
  type ApiRef,
  type FactorySpec,
  type ShutdownLibrarySpec,
} from '../catalogue.js';
import {
  enclosingFunction,
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
} from '../ts-utils.js';
import type { CountedQuestions } from '../type-questions.js';
import type { AnyCall } from './call-index.js';
import type { FunctionResolver } from './functions.js';
import type { KindInference } from './kinds.js';
import type { HandlerRecord, ServerRecord, ShutdownRoot } from './records.js';

const eventsOnce: readonly ApiRef[] = [
  { module: 'events', path: ['once'] },
  { module: 'events', path: ['EventEmitter', 'once'] },
];

/**
 * What classification finds in one file, by phase: the route modules' exported handlers, then what
 * the file's calls create and register, then what its classes declare. The index merges the files'
 * in program order, phase by phase (a function registered twice is the handler of its first
 * registration), and keeps a file's across program versions (kept-classification.ts).
 */
export interface FileClassification {
  routeHandlers: HandlerRecord[];
  servers: ServerRecord[];
  callHandlers: HandlerRecord[];
  callRoots: ShutdownRoot[];
  classHandlers: HandlerRecord[];
  classRoots: ShutdownRoot[];
}

/** `app.register(plugin)`: a plugin function and the receiver it was registered on. */
export type PluginEntry = readonly [FunctionLikeWithBody, ts.Expression];

function emptyClassification(): FileClassification {
  return { routeHandlers: [], servers: [], callHandlers: [], callRoots: [], classHandlers: [], classRoots: [] };
}

export class Classifier {
  private found: FileClassification = emptyClassification();
  private phase: 'route' | 'call' | 'class' = 'call';

  constructor(
    private readonly ts: TS,
    private readonly types: CountedQuestions,
    private readonly binding: ModuleBinding,
    private readonly functions: FunctionResolver,
    private readonly kinds: KindInference,
  ) {}

  /**
   * The plugin functions a file's calls register (`app.register(plugin)`), in order: the index
   * knows every file's before any call is classified (a plugin's parameter's kind is its receiver's).
   */
  pluginsOf(calls: readonly AnyCall[]): PluginEntry[] {
    const t = this.ts;
    const entries: PluginEntry[] = [];
    for (const call of calls) {
      if (!t.isCallExpression(call)) continue;
      const parts = methodCallParts(t, call);
      if (!parts || parts.name !== 'register') continue;
      for (const arg of call.arguments) {
        for (const fn of this.functions.resolveFunctions(arg)) entries.push([fn, parts.receiver]);
      }
    }
    return entries;
  }

  /** What one file's route exports, calls and classes are to the service (`calls` and `classes`: its own). */
  classifyFile(
    file: ts.SourceFile,
    calls: readonly AnyCall[],
    classes: readonly ts.ClassLikeDeclaration[],
  ): FileClassification {
    const found = (this.found = emptyClassification());
    this.phase = 'route';
    this.collectFetchRouteExports(file);
    this.phase = 'call';
    for (const call of calls) this.classifyCall(call);
    this.phase = 'class';
    for (const cls of classes) this.classifyClass(cls);
    return found;
  }

  /** Route modules' exported handlers (Next.js, SvelteKit, Remix): asked once every name is known. */
  private collectFetchRouteExports(file: ts.SourceFile): void {
    const t = this.ts;
    // Next.js `route.ts`, SvelteKit `+server.ts`; Remix `loader`/`action` in `app/routes/`.
    const isRouteFile = /(^|[\\/])(route|\+server)\.[cm]?[jt]sx?$/.test(file.fileName);
    const isRemixRoute = /[\\/]app[\\/]routes[\\/]/.test(file.fileName);
    const isRouteExport = (name: string): boolean =>
      fetchRouteExportNames.has(name) || (isRemixRoute && remixRouteExportNames.has(name));
    const isPagesApi = /[\\/]pages[\\/]api[\\/]/.test(file.fileName);
    const consider = (fn: FunctionLikeWithBody[], registration: ts.Node): void => {
      for (const f of fn) {
        const firstParam = f.parameters[0];
        const typeText = firstParam?.type?.getText(file) ?? '';
        if (isRouteFile || isRemixRoute || /\b(Next)?Request\b/.test(typeText)) {
          this.addHandler(f, 'fetch-route', registration);
        }
      }
    };
    for (const statement of file.statements) {
      const exported =
        t.canHaveModifiers(statement) && t.getModifiers(statement)?.some((m) => m.kind === t.SyntaxKind.ExportKeyword);
      if (t.isFunctionDeclaration(statement) && statement.name && exported) {
        const isDefault = t.getModifiers(statement)?.some((m) => m.kind === t.SyntaxKind.DefaultKeyword);
        if (isRouteExport(statement.name.text)) consider([statement], statement);
        else if (isDefault && isPagesApi && statement.body) this.addHandler(statement, 'next-api', statement);
      } else if (t.isVariableStatement(statement) && exported) {
        for (const declaration of statement.declarationList.declarations) {
          if (t.isIdentifier(declaration.name) && isRouteExport(declaration.name.text) && declaration.initializer) {
            consider(this.functions.resolveFunctions(declaration.initializer), declaration);
          }
        }
      } else if (t.isExportAssignment(statement) && isPagesApi) {
        for (const f of this.functions.resolveFunctions(statement.expression))
          this.addHandler(f, 'next-api', statement);
      }
    }
  }

  private classifyCall(call: ts.CallExpression | ts.NewExpression): void {
    const t = this.ts;
    const ref = this.binding.resolve(call.expression);
    if (ref) {
      const factory = findFactory(ref);
      if (factory) this.addServerOrResource(call, factory);
      const library = findShutdownLibrary(ref);
      if (library && t.isCallExpression(call)) this.addLibraryRoots(call, library);
      if (t.isCallExpression(call) && refIn(ref, eventsOnce)) this.addAwaitedSignalRoot(call);
    }
    if (!t.isCallExpression(call)) return;
    const parts = methodCallParts(t, call);
    if (!parts) return;
    if (listenerMethods.has(parts.name)) this.addSignalListenerRoot(call, parts.receiver, parts.name);
    if (!kindedMethodNames.has(parts.name)) return;
    const receiverKind = this.kinds.kindOf(parts.receiver);
    if (!receiverKind) return;
    const spec = kindSpec(receiverKind);
    // A resource a method opens: `kafka.producer()`, `redis.duplicate()` (not `prisma.$extends()`, the same client).
    const made = spec?.methods?.[parts.name];
    if (made && kindSpec(made)?.mustClose && !spec?.returnsSelf?.includes(parts.name)) {
      this.addServerOrResource(call, { module: receiverKind, path: [parts.name], kind: made });
    }
    const handlerArgs = spec?.handlerMethods?.[parts.name];
    if (handlerArgs) {
      const framework = receiverKind.split('.')[0]!;
      if (handlerArgs === 'functions') {
        // `app.get('/x', (req, res) => …)` — skip `app.get('setting')` (Express settings getter)
        for (const arg of call.arguments) {
          for (const fn of this.functions.resolveFunctions(arg)) this.addHandler(fn, framework, call);
        }
      } else if (handlerArgs === 'route-object') {
        const options = call.arguments[0];
        if (options && t.isObjectLiteralExpression(skipOuterExpressions(t, options))) {
          for (const fn of this.functionsOfProperties(skipOuterExpressions(t, options) as ts.ObjectLiteralExpression, [
            'handler',
          ])) {
            this.addHandler(fn, framework, call);
          }
        }
      } else {
        const event = call.arguments[0];
        if (event && t.isStringLiteralLike(event) && event.text === handlerArgs.event && call.arguments[1]) {
          for (const fn of this.functions.resolveFunctions(call.arguments[1])) this.addHandler(fn, 'node:http', call);
        }
      }
    }
    for (const hook of shutdownHookMethods) {
      if (hook.kind !== receiverKind || hook.method !== parts.name) continue;
      const args = [...call.arguments];
      if (hook.events) {
        const event = args.shift();
        if (!event || !t.isStringLiteralLike(event) || !hook.events.includes(event.text)) continue;
      }
      for (const arg of args) {
        for (const fn of this.functions.resolveFunctions(arg)) {
          this.addRoot({
            fn,
            trigger: `${spec?.label ?? receiverKind} ${parts.name}`,
            registration: call,
            bounded: hook.bounded,
            ...(hook.kind === 'lifecycle.Lifecycle' ? { lifecycleCloser: true as const } : {}),
          });
        }
      }
    }
  }

  private addServerOrResource(call: ts.CallExpression | ts.NewExpression, factory: FactorySpec): void {
    const t = this.ts;
    let forceClosesOnClose = false;
    const options = call.arguments?.find((a) => t.isObjectLiteralExpression(skipOuterExpressions(t, a)));
    if (options && factory.boundingOptions) {
      for (const property of (skipOuterExpressions(t, options) as ts.ObjectLiteralExpression).properties) {
        if (!t.isPropertyAssignment(property)) continue;
        const name = staticPropertyName(t, property.name);
        const option = factory.boundingOptions.find((o) => o.name === name);
        if (option && (option.value === 'any' || property.initializer.kind === t.SyntaxKind.TrueKeyword)) {
          forceClosesOnClose = true;
        }
      }
    }
    const record: ServerRecord = { kind: factory.kind, creation: call, forceClosesOnClose };
    this.found.servers.push(record);
    if (factory.handlerArgs) {
      for (const arg of call.arguments ?? []) {
        if (isFunctionLikeWithBody(t, skipOuterExpressions(t, arg)) || t.isIdentifier(arg)) {
          for (const fn of this.functions.resolveFunctions(arg)) this.addHandler(fn, 'node:http', call);
        }
      }
    }
  }

  private addSignalListenerRoot(call: ts.CallExpression, receiver: ts.Expression, method: string): void {
    const [event, listener] = call.arguments;
    if (!event || !listener) return;
    const ref = this.binding.resolve(receiver);
    if (!ref || !sameRef(ref, { module: 'global', path: ['process'] })) return;
    const signals = this.signalNames(event);
    if (!signals) return;
    for (const fn of this.functions.resolveFunctions(listener)) {
      this.addRoot({
        fn,
        trigger: `process.${method}('${signals.join("'|'")}')`,
        registration: call,
        bounded: false,
        signals,
      });
    }
  }

  /** Signal names from a literal, or from the variable of a loop over a list of signal literals. */
  signalNames(event: ts.Expression): string[] | undefined {
    const t = this.ts;
    const e = skipOuterExpressions(t, event);
    if (t.isStringLiteralLike(e)) return shutdownSignals.has(e.text) ? [e.text] : undefined;
    if (!t.isIdentifier(e)) return undefined;
    const symbol = this.types.getSymbolAtLocation(e);
    const declaration = symbol?.declarations?.[0];
    if (!declaration) return undefined;
    let list: ts.Expression | undefined;
    if (t.isParameter(declaration)) {
      // `['SIGTERM', 'SIGINT'].forEach((signal) => process.on(signal, …))`
      const fn = declaration.parent;
      const call = fn.parent;
      if (t.isCallExpression(call) && call.arguments.includes(fn as ts.Expression)) {
        const parts = methodCallParts(t, call);
        if (parts && (parts.name === 'forEach' || parts.name === 'map')) list = parts.receiver;
      }
    } else if (t.isVariableDeclaration(declaration) && t.isVariableDeclarationList(declaration.parent)) {
      const loop = declaration.parent.parent;
      if (t.isForOfStatement(loop)) list = loop.expression;
    }
    if (list && t.isIdentifier(skipOuterExpressions(t, list))) {
      const listSymbol = this.types.getSymbolAtLocation(skipOuterExpressions(t, list));
      const listDeclaration = listSymbol?.declarations?.[0];
      list = listDeclaration && t.isVariableDeclaration(listDeclaration) ? listDeclaration.initializer : undefined;
    }
    if (!list) return undefined;
    const array = skipOuterExpressions(t, list);
    if (!t.isArrayLiteralExpression(array)) return undefined;
    const names = array.elements.filter((el) => t.isStringLiteralLike(el) && shutdownSignals.has(el.text));
    return names.length ? names.map((n) => (n as ts.StringLiteral).text) : undefined;
  }

  /** `await once(process, 'SIGTERM')`: the rest of the enclosing function is the shutdown path. */
  private addAwaitedSignalRoot(call: ts.CallExpression): void {
    const t = this.ts;
    const [emitter, event] = call.arguments;
    if (!emitter || !event) return;
    const ref = this.binding.resolve(emitter);
    if (!ref || !sameRef(ref, { module: 'global', path: ['process'] })) return;
    const signals = this.signalNames(event);
    if (!signals) return;
    const fn = enclosingFunction(t, call) ?? call.getSourceFile();
    this.addRoot({
      fn,
      trigger: `once(process, '${signals.join("'|'")}')`,
      registration: call,
      bounded: false,
      afterPos: call.end,
      signals,
    });
  }

  private addLibraryRoots(call: ts.CallExpression, library: ShutdownLibrarySpec): void {
    const t = this.ts;
    const args = call.arguments;
    const hooks: FunctionLikeWithBody[] = [];
    const { argument, properties } = library.hooks;
    if (argument !== undefined) {
      const arg = argument === 'last' ? args[args.length - 1] : args[argument];
      if (arg) hooks.push(...this.functions.resolveFunctions(arg));
    }
    let bounded = library.bounded;
    for (const arg of args) {
      const object = skipOuterExpressions(t, arg);
      if (!t.isObjectLiteralExpression(object)) continue;
      if (properties) hooks.push(...this.functionsOfProperties(object, properties));
      if (library.unboundedWhen) {
        const option = object.properties.find(
          (p) => t.isPropertyAssignment(p) && staticPropertyName(t, p.name) === library.unboundedWhen!.option,
        ) as ts.PropertyAssignment | undefined;
        if (option && isNoDeadlineValue(t, option.initializer)) bounded = false;
      }
    }
    const lifecycleCloser = library.library === lifecycleModule ? { lifecycleCloser: true as const } : {};
    for (const fn of hooks)
      this.addRoot({ fn, trigger: library.library, registration: call, bounded, ...lifecycleCloser });
  }

  private functionsOfProperties(object: ts.ObjectLiteralExpression, names: readonly string[]): FunctionLikeWithBody[] {
    const t = this.ts;
    const result: FunctionLikeWithBody[] = [];
    for (const property of object.properties) {
      const name = staticPropertyName(t, property.name);
      if (name === undefined || !names.includes(name)) continue;
      if (t.isMethodDeclaration(property) && property.body) result.push(property);
      else if (t.isPropertyAssignment(property)) result.push(...this.functions.resolveFunctions(property.initializer));
      else if (t.isShorthandPropertyAssignment(property))
        result.push(...this.functions.resolveFunctions(property.name));
    }
    return result;
  }

  private classifyClass(cls: ts.ClassLikeDeclaration): void {
    const t = this.ts;
    const isController = (t.getDecorators(cls) ?? []).some((d) => this.isNestDecorator(d, 'Controller'));
    for (const member of cls.members) {
      if (!t.isMethodDeclaration(member) || !member.body) continue;
      const name = staticPropertyName(t, member.name);
      if (name && nestShutdownMethods.has(name)) {
        this.addRoot({ fn: member, trigger: name, registration: member, bounded: false });
      }
      if (isController && (t.getDecorators(member) ?? []).some((d) => this.isNestHttpDecorator(d))) {
        this.addHandler(member, 'nestjs', member);
      }
    }
  }

  private isNestDecorator(decorator: ts.Decorator, name: string): boolean {
    const t = this.ts;
    const expression = t.isCallExpression(decorator.expression)
      ? decorator.expression.expression
      : decorator.expression;
    const ref = this.binding.resolve(expression);
    return ref !== undefined && sameRef(ref, { module: '@nestjs/common', path: [name] });
  }

  private isNestHttpDecorator(decorator: ts.Decorator): boolean {
    const t = this.ts;
    const expression = t.isCallExpression(decorator.expression)
      ? decorator.expression.expression
      : decorator.expression;
    const ref = this.binding.resolve(expression);
    return (
      ref !== undefined &&
      ref.module === '@nestjs/common' &&
      ref.path.length === 1 &&
      nestHttpMethodDecorators.has(ref.path[0]!)
    );
  }

  private addHandler(fn: FunctionLikeWithBody, framework: string, registration: ts.Node): void {
    const handler = { fn, framework, registration };
    if (this.phase === 'route') this.found.routeHandlers.push(handler);
    else if (this.phase === 'call') this.found.callHandlers.push(handler);
    else this.found.classHandlers.push(handler);
  }

  private addRoot(root: ShutdownRoot): void {
    if (this.phase === 'class') this.found.classRoots.push(root);
    else this.found.callRoots.push(root);
  }
}

/** `delay: null`, `delay: false`, `delay: Infinity`, `delay: undefined`: no deadline. */
function isNoDeadlineValue(t: TS, node: ts.Expression): boolean {
  const e = skipOuterExpressions(t, node);
  return (
    e.kind === t.SyntaxKind.NullKeyword ||
    e.kind === t.SyntaxKind.FalseKeyword ||
    (t.isIdentifier(e) && (e.text === 'Infinity' || e.text === 'undefined'))
  );
}
