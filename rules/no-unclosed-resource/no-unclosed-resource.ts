// no-unclosed-resource: a pool, client, producer or worker that no shutdown path closes. An open
// resource keeps its connections (and the server's side of them) until the process dies, keeps the
// process alive when it should exit, and loses what it buffers or runs (runtime-facts §4).
import type * as ts from 'typescript';
import { normalizeModuleName } from '../../src/core/binding.js';
import { findFactory, kindSpec, type ApiRef } from '../../src/core/catalogue.js';
import {
  closedOnStraightPath,
  closeMethodsOf,
  closesOf,
  completionSite,
  countingCloses,
  escapesFunction,
  functionName,
  heldSymbolOf,
  holdingOf,
  inheritedFactoryKind,
  isInFinally,
  moduleClosesOf,
  runsAtShutdown,
  runsUntilShutdown,
  type CloseSite,
  type Holding,
} from '../../src/core/resources.js';
import { isWorkerThreadFile } from '../../src/core/worker-threads.js';
import { isTestFile } from '../../src/core/files.js';
import { deployedCallsOnPackageOf } from '../../src/core/program-index/deployed.js';
import { closesOfDecoration, decorationOf } from './decorated.js';
import { defineRule, type RuleContext, type TestFileOptions } from '../../src/core/rule.js';
import {
  enclosingFunction,
  methodCallParts,
  ownReturnStatements,
  skipOuterExpressions,
  type FunctionLikeWithBody,
  type TS,
} from '../../src/core/ts-utils.js';

export type MessageId = 'unclosed' | 'unclosedInScript' | 'closedOffShutdownPath' | 'notKept' | 'unclosedInFunction';

/** A resource the catalogue does not know, described in the options. */
export interface ResourceOption {
  /** The package that exports it. */
  module?: string;
  /** Or: the program file that declares it, by the end of its path. */
  path?: string;
  /** The export that creates it, dotted for a member; `default` for the module itself. */
  export: string;
  /** The resource is what this method of an instance of the export returns. */
  method?: string;
  /** Methods that close it. */
  close: string[];
  /** How messages name it. */
  label?: string;
}

export interface Options extends TestFileOptions {
  /** More resources, beyond the catalogue. */
  resources: ResourceOption[];
}

/** What a finding carries for its message and its codemod. */
export type NoUnclosedResourceData = {
  name?: string;
  label: string;
  /** The close call as messages show it (`pool.end()`). */
  close: string;
  /** The close method (`end`), which the codemod's closer calls; none for a module's own connection. */
  method?: string;
  /** The function that opens it on every call. */
  fn?: string;
};

type Context = RuleContext<MessageId, Options, NoUnclosedResourceData>;

interface ResourceFacts {
  label: string;
  /** The catalogue kind, when the catalogue knows it. */
  kind?: string;
  close: readonly string[];
  returnsSelf: readonly string[];
  /** A module-level singleton's closes (`mongoose.disconnect()`). */
  closedBy?: readonly ApiRef[];
}

export default defineRule<MessageId, Options, NoUnclosedResourceData>({
  meta: {
    id: 'no-unclosed-resource',
    description: 'Require every pool, client, producer and worker a service opens to be closed on its shutdown path',
    goLesson: '`db.Close()` never called: connections leak and buffered work is lost',
    recommended: 'error',
    requiresTypeChecking: true,
    skipsTestFiles: true,
    hasSuggestions: false,
    messages: {
      unclosed:
        '`{{name}}` ({{label}}) is never closed: SIGTERM cuts its connections off mid-work, and while it ' +
        'is open the process cannot exit on its own. Call `{{close}}` on the shutdown path.',
      unclosedInScript:
        '`{{name}}` ({{label}}) is never closed: its open connections keep this script from exiting on ' +
        'its own. Call `{{close}}` when the work is done.',
      closedOffShutdownPath:
        '`{{name}}` ({{label}}) is closed only where shutdown never goes: no signal listener or shutdown ' +
        'hook reaches `{{close}}`, so SIGTERM cuts its connections off mid-work. Call it on the shutdown ' +
        'path.',
      notKept:
        'This {{label}} is not kept anywhere, so nothing can close it: SIGTERM cuts its connections off ' +
        'mid-work. Keep it, and call `{{close}}` on the shutdown path.',
      unclosedInFunction:
        '`{{name}}` ({{label}}) is opened in `{{fn}}` but not closed on every way out of it, nor ' +
        'returned or handed on: every call leaks its connections. Close it in a `finally` block, or ' +
        'declare it with `await using`.',
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        resources: {
          type: 'array',
          description: 'Resources beyond the catalogue: what creates them and the methods that close them.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['export', 'close'],
            properties: {
              module: { type: 'string', description: 'The package that exports it (`node:` prefix optional).' },
              path: {
                type: 'string',
                description:
                  'Instead of `module`: the program file that declares it, by the end of its path ' +
                  '(`generated/prisma/client`).',
              },
              export: {
                type: 'string',
                description:
                  'The class or function that creates it, dotted for a member (`MongoClient.connect`); `default` ' +
                  'for the module itself.',
              },
              method: {
                type: 'string',
                description:
                  'The resource is what this method of an instance of the export returns (`producer` for `new ' +
                  'Kafka().producer()`).',
              },
              close: {
                type: 'array',
                items: { type: 'string' },
                description: 'The methods that close it (`end`, `quit`).',
              },
              label: { type: 'string', description: 'How messages name it.' },
            },
          },
        },
      },
    },
    defaultOptions: { resources: [] },
  },

  create(context) {
    const t = context.ts;
    const check = (node: ts.Node): void => checkCreation(context, node as ts.CallExpression | ts.NewExpression);
    return { [t.SyntaxKind.NewExpression]: check, [t.SyntaxKind.CallExpression]: check };
  },
});

/** What `node` creates, when it creates a resource that must be closed. */
function resourceAt(context: Context, node: ts.CallExpression | ts.NewExpression): ResourceFacts | undefined {
  const { index } = context;
  const record = index.serverOf(node);
  if (record && record.creation === node) {
    const spec = kindSpec(record.kind);
    // A buffer (a kafkajs producer) is require-flush's: what it loses unflushed is the point.
    if (!spec?.mustClose || spec.category === 'buffer') return undefined;
    const ref = index.binding.resolve(node.expression);
    const closedBy = ref ? findFactory(ref)?.closedBy : undefined;
    return {
      label: spec.label,
      kind: record.kind,
      close: closeMethodsOf(record.kind),
      returnsSelf: spec.returnsSelf ?? [],
      closedBy,
    };
  }
  const inherited = context.ts.isNewExpression(node) ? inheritedFactoryKind(index, node) : undefined;
  const inheritedSpec = inherited ? kindSpec(inherited) : undefined;
  if (inherited && inheritedSpec?.mustClose && inheritedSpec.category !== 'buffer') {
    return {
      label: inheritedSpec.label,
      kind: inherited,
      close: closeMethodsOf(inherited),
      returnsSelf: inheritedSpec.returnsSelf ?? [],
    };
  }
  for (const option of context.options.resources) {
    if (createsOption(context, node, option)) {
      const label = option.label ?? (option.method ? `${option.export}().${option.method}()` : option.export);
      return { label, close: option.close, returnsSelf: [] };
    }
  }
  return undefined;
}

function createsOption(context: Context, node: ts.CallExpression | ts.NewExpression, option: ResourceOption): boolean {
  const t = context.ts;
  if (!option.method) return createsExport(context, node, option);
  if (!t.isCallExpression(node)) return false;
  const parts = methodCallParts(t, node);
  if (!parts || parts.name !== option.method) return false;
  const instance = instanceCreation(context, parts.receiver);
  return instance !== undefined && createsExport(context, instance, option);
}

/** The `new Kafka(…)` a receiver comes from: itself, or the initializer of the variable or field it names. */
function instanceCreation(context: Context, receiver: ts.Expression): ts.CallExpression | ts.NewExpression | undefined {
  const t = context.ts;
  let e = skipOuterExpressions(t, receiver);
  if (t.isAwaitExpression(e)) e = skipOuterExpressions(t, e.expression);
  if (t.isCallExpression(e) || t.isNewExpression(e)) return e;
  const declaration = heldSymbolOf(context.index, e)?.valueDeclaration;
  if (
    declaration &&
    (t.isVariableDeclaration(declaration) || t.isPropertyDeclaration(declaration)) &&
    declaration.initializer
  ) {
    let initializer = skipOuterExpressions(t, declaration.initializer);
    if (t.isAwaitExpression(initializer)) initializer = skipOuterExpressions(t, initializer.expression);
    if (t.isCallExpression(initializer) || t.isNewExpression(initializer)) return initializer;
  }
  return undefined;
}

function createsExport(context: Context, node: ts.CallExpression | ts.NewExpression, option: ResourceOption): boolean {
  const exportPath = option.export === 'default' || option.export === '' ? [] : option.export.split('.');
  if (option.module !== undefined) {
    const ref = context.index.binding.resolve(node.expression);
    return (
      ref !== undefined &&
      ref.module === normalizeModuleName(option.module) &&
      ref.path.join('.') === exportPath.join('.')
    );
  }
  if (option.path === undefined) return false;
  const symbol = heldSymbolOf(context.index, node.expression);
  if (!symbol || symbol.name !== exportPath[exportPath.length - 1]) return false;
  const wanted = withoutExtension(option.path);
  return (symbol.declarations ?? []).some((d) => withoutExtension(d.getSourceFile().fileName).endsWith(wanted));
}

function withoutExtension(path: string): string {
  return path.replace(/\\/g, '/').replace(/(\.d)?\.[cm]?[jt]sx?$/, '');
}

function closeText(name: string | undefined, method: string): string {
  return name && !name.includes(' ') ? `${name}.${method}()` : `${method}()`;
}

/**
 * `const client = getClient($)`: a call of a program function every return of which is a
 * resource it creates there (`return knex({…})`, or a local it creates and returns). The caller
 * owns a new resource on every call, as if it had created it itself.
 */
function returnedResourceAt(context: Context, call: ts.CallExpression): ResourceFacts | undefined {
  const t = context.ts;
  // Only a call whose value a local keeps: the per-call leak. (Cheap test first: most calls are not.)
  let e: ts.Node = call;
  while (t.isAwaitExpression(e.parent) || t.isParenthesizedExpression(e.parent)) e = e.parent;
  if (!t.isVariableDeclaration(e.parent) || e.parent.initializer !== e || !enclosingFunction(t, e.parent))
    return undefined;
  const fns = context.index.resolveFunctions(call.expression, 0, false);
  if (fns.length !== 1) return undefined;
  const factory = fns[0]!;
  if (factory === enclosingFunction(t, call)) return undefined;
  const returned = returnedExpressions(t, factory);
  if (returned.length === 0) return undefined;
  let facts: ResourceFacts | undefined;
  for (const expression of returned) {
    const creation = freshCreation(context, expression, factory);
    const resource = creation && resourceAt(context, creation);
    if (!resource || resource.closedBy) return undefined;
    facts ??= resource;
  }
  return facts;
}

/** The expressions `fn` returns (its own `return`s, not those of functions inside it); none when one `return` is bare. */
function returnedExpressions(t: TS, fn: FunctionLikeWithBody): ts.Expression[] {
  if (!fn.body) return [];
  if (!t.isBlock(fn.body)) return [fn.body];
  const found: ts.Expression[] = [];
  for (const statement of ownReturnStatements(t, fn.body)) {
    if (!statement.expression) return [];
    found.push(statement.expression);
  }
  return found;
}

/** The creation `expression` evaluates to, made in `fn` on each call: itself, or a `const` of `fn` initialised with it. */
function freshCreation(
  context: Context,
  expression: ts.Expression,
  fn: FunctionLikeWithBody,
): ts.CallExpression | ts.NewExpression | undefined {
  const t = context.ts;
  let e = skipOuterExpressions(t, expression);
  if (t.isAwaitExpression(e)) e = skipOuterExpressions(t, e.expression);
  if (t.isCallExpression(e) || t.isNewExpression(e)) return e;
  if (!t.isIdentifier(e)) return undefined;
  const declaration = heldSymbolOf(context.index, e)?.valueDeclaration;
  if (
    !declaration ||
    !t.isVariableDeclaration(declaration) ||
    !declaration.initializer ||
    enclosingFunction(t, declaration) !== fn ||
    !t.isVariableDeclarationList(declaration.parent) ||
    (declaration.parent.flags & t.NodeFlags.Const) === 0
  )
    return undefined;
  let initializer = skipOuterExpressions(t, declaration.initializer);
  if (t.isAwaitExpression(initializer)) initializer = skipOuterExpressions(t, initializer.expression);
  return t.isCallExpression(initializer) || t.isNewExpression(initializer) ? initializer : undefined;
}

function checkCreation(context: Context, node: ts.CallExpression | ts.NewExpression): void {
  const { index } = context;
  const created = resourceAt(context, node);
  const resource = created ?? (context.ts.isCallExpression(node) ? returnedResourceAt(context, node) : undefined);
  if (!resource) return;
  const holding = holdingOf(index, node, resource.returnsSelf);
  // A factory's resource is checked where a caller keeps it in a local; elsewhere its owner is unknown.
  if (!created && (holding.type !== 'kept' || !holding.fn)) return;
  const method = resource.close[0] ?? 'close';
  if (resource.closedBy) {
    checkModuleSingleton(context, node, resource, holding);
    return;
  }
  if (holding.type === 'handed' || holding.type === 'unknown') return;
  // `method`: the codemod's closer, `lifecycle.adopt(resource, (r) => r.<method>())`.
  if (holding.type === 'dropped') {
    if (closedInOwnCallback(context.ts, node, resource.close)) return;
    context.report({ node, messageId: 'notKept', data: { label: resource.label, close: `.${method}()`, method } });
    return;
  }
  if (holding.using) return;
  const sites = countingCloses(closesOf(index, holding, resource.close), node);
  const data = { name: holding.name, label: resource.label, close: closeText(holding.name, method), method };
  const fn = holding.fn;
  if (fn) {
    const decoration = decorationOf(index, holding, fn);
    if (decoration) {
      // Kept on the framework's instance for the service's lifetime: closed at shutdown or not at all.
      const decorated = countingCloses([...sites, ...closesOfDecoration(index, decoration, resource.close)], node);
      const name = decoration.name;
      reportUnlessClosed(context, node, decorated, { ...data, name, close: closeText(name, method) });
      return;
    }
    if (escapesFunction(index, holding, fn)) return;
    // In a service, every call that leaks adds up until SIGTERM: an awaited step that rejects
    // before the close leaks too. A script (or a worker thread) that fails ends, and its leak with it.
    const file = node.getSourceFile();
    const rejections = runsUntilShutdown(index, file) && !isWorkerThreadFile(index, file);
    for (const site of sites) {
      if (site.call.getSourceFile() !== fn.getSourceFile() || site.call.pos < fn.pos || site.call.end > fn.end)
        continue;
      const at = completionSite(index, holding, site.call, fn);
      if (at && (isInFinally(context.ts, at, fn) || closedOnStraightPath(context.ts, node, at, fn, rejections))) return;
    }
    if (sites.some((s) => s.how === 'adopted' || runsAtShutdown(index, s.call))) return;
    context.report({ node, messageId: 'unclosedInFunction', data: { ...data, fn: functionName(index, fn) } });
    return;
  }
  if (sites.length === 0 && resource.kind && lazyDataSources.has(resource.kind) && madeForItsLoader(context, holding))
    return;
  if (sites.length === 0 && closedByDeployedEntry(context, holding, resource.close)) return;
  reportUnlessClosed(context, node, sites, data);
}

/**
 * `export const jobs = new Queue('jobs')` in a library package of a monorepo, closed by the
 * deployed entry of another workspace package from its signal listener (`await jobs.close()` in the
 * `shutdown()` that apps/api's `process.on('SIGTERM')` runs; deployed.ts reads that package's files
 * without types): its close is on that process's shutdown path, in another program.
 */
function closedByDeployedEntry(
  context: Context,
  holding: Extract<Holding, { type: 'kept' }>,
  close: readonly string[],
): boolean {
  const t = context.ts;
  const declaration = holding.declaration;
  if (!t.isVariableDeclaration(declaration) || !t.isIdentifier(declaration.name)) return false;
  const statement = declaration.parent.parent;
  const file = declaration.getSourceFile();
  if (!t.isVariableStatement(statement) || statement.parent !== file) return false;
  if (!statement.modifiers?.some((m) => m.kind === t.SyntaxKind.ExportKeyword)) return false;
  const name = declaration.name.text;
  return deployedCallsOnPackageOf(t, file.fileName).some((c) => c.exported === name && close.includes(c.method));
}

/**
 * Data sources that connect only when first used (TypeORM's on `initialize()`): made and exported
 * by a module, they hold nothing until the tool that loads the module uses them. A worker or a
 * client that connects or runs on creation (a BullMQ Worker, ioredis) is not one.
 */
const lazyDataSources = new Set([
  'typeorm.DataSource',
  'knex.Knex',
  'sequelize.Sequelize',
  'prisma.Client',
  'pg.Pool',
  'mysql2.Pool',
]);

/**
 * `const source = new DataSource(options); export default source;` in a module nothing in the
 * program imports, which never uses the resource itself: a module made for a tool that loads it
 * (`typeorm -d src/data-source.ts`, a knexfile). That tool owns the resource, connects it and closes
 * it; the module is no script left running with it open.
 */
function madeForItsLoader(context: Context, holding: Extract<Holding, { type: 'kept' }>): boolean {
  const t = context.ts;
  const { index } = context;
  const declaration = holding.declaration;
  const file = declaration.getSourceFile();
  // A test file is run by its runner, not loaded by a tool for what it exports.
  if (isTestFile(file.fileName) || runsUntilShutdown(index, file) || !index.isEntryModule(file)) return false;
  if (!t.isVariableDeclaration(declaration) || !t.isIdentifier(declaration.name)) return false;
  const statement = declaration.parent.parent;
  if (!t.isVariableStatement(statement) || statement.parent !== file) return false;
  let exported = statement.modifiers?.some((m) => m.kind === t.SyntaxKind.ExportKeyword) ?? false;
  let usedHere = false;
  const visit = (node: ts.Node): void => {
    if (usedHere) return;
    if (t.isIdentifier(node) && node !== declaration.name && node.text === holding.name) {
      if (context.types.getSymbolAtLocation(node) === holding.symbol) {
        if (t.isExportAssignment(node.parent) || t.isExportSpecifier(node.parent)) exported = true;
        else usedHere = true;
      }
      return;
    }
    t.forEachChild(node, visit);
  };
  visit(file);
  return exported && !usedHere;
}

/** `mongoose.connect()`: the module's own connection, closed by `mongoose.disconnect()`. */
function checkModuleSingleton(context: Context, node: ts.Node, resource: ResourceFacts, holding: Holding): void {
  const { index } = context;
  const sites = moduleClosesOf(index, resource.closedBy!);
  if (holding.type === 'kept') sites.push(...closesOf(index, holding, resource.close));
  const first = resource.closedBy![0]!;
  const close = `${first.module}.${first.path.join('.')}()`;
  reportUnlessClosed(context, node, countingCloses(sites, node), { name: first.module, label: resource.label, close });
}

function reportUnlessClosed(
  context: Context,
  node: ts.Node,
  sites: readonly CloseSite[],
  data: NoUnclosedResourceData,
): void {
  const { index } = context;
  if (sites.some((s) => s.how === 'adopted')) return;
  if (sites.some((s) => closesInOwnReadyListener(context.ts, s.call))) return;
  if (runsUntilShutdown(index, node.getSourceFile())) {
    if (sites.some((s) => runsAtShutdown(index, s.call))) return;
    context.report({ node, messageId: sites.length > 0 ? 'closedOffShutdownPath' : 'unclosed', data });
    return;
  }
  // A script ends on its own once nothing holds the loop: any close lets it.
  if (sites.length === 0) context.report({ node, messageId: 'unclosedInScript', data });
}

/** Events a client emits once it is up. */
const readyEvents = new Set(['ready', 'connect', 'connected', 'open']);

/**
 * `probe.on('ready', () => probe.disconnect())`: a client closed in its own listener for the event
 * that says it is up, a readiness probe. It closes as soon as it connects and holds nothing until
 * shutdown. (One that never connects keeps retrying; that is a start-up failure, not a leak.)
 */
function closesInOwnReadyListener(t: TS, close: ts.CallExpression): boolean {
  const closed = methodCallParts(t, close)?.receiver;
  if (!closed) return false;
  for (let fn = enclosingFunction(t, close); fn; fn = enclosingFunction(t, fn)) {
    let e: ts.Node = fn;
    while (t.isParenthesizedExpression(e.parent)) e = e.parent;
    const registration = e.parent;
    if (!t.isCallExpression(registration) || registration.arguments[1] !== e) continue;
    const parts = methodCallParts(t, registration);
    const event = registration.arguments[0] && skipOuterExpressions(t, registration.arguments[0]);
    if (
      parts &&
      (parts.name === 'on' || parts.name === 'once') &&
      event &&
      t.isStringLiteralLike(event) &&
      readyEvents.has(event.text) &&
      skipOuterExpressions(t, parts.receiver).getText() === skipOuterExpressions(t, closed).getText()
    ) {
      return true;
    }
  }
  return false;
}

/**
 * `MongoClient.connect(url, opts, (err, client) => { …; client.close() })`: a creation that hands
 * the resource to a node-style callback (its parameters after the error) and closes it there. The
 * callback keeps it; it is closed when the callback's work is done.
 */
function closedInOwnCallback(
  t: TS,
  node: ts.CallExpression | ts.NewExpression,
  closeMethods: readonly string[],
): boolean {
  const last = node.arguments?.at(-1);
  const callback = last && skipOuterExpressions(t, last);
  if (!callback || !(t.isArrowFunction(callback) || t.isFunctionExpression(callback))) return false;
  const names = new Set(callback.parameters.slice(1).flatMap((p) => (t.isIdentifier(p.name) ? [p.name.text] : [])));
  if (names.size === 0) return false;
  let closed = false;
  const visit = (n: ts.Node): void => {
    if (closed) return;
    if (t.isCallExpression(n)) {
      const parts = methodCallParts(t, n);
      const receiver = parts && skipOuterExpressions(t, parts.receiver);
      if (
        parts &&
        receiver &&
        t.isIdentifier(receiver) &&
        names.has(receiver.text) &&
        closeMethods.includes(parts.name)
      ) {
        closed = true;
        return;
      }
    }
    t.forEachChild(n, visit);
  };
  visit(callback.body);
  return closed;
}
