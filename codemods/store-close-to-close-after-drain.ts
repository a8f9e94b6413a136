// close-in-reverse-order -> the store's close after the awaited drain of what uses it. Where the
// rule found the order decided in one function of the reported file, the statement that closes the
// store moves after the statement that drains the server or worker (which it awaits first, where
// it only started the drain); two registrations with the lifecycle (last-in first-out) or lightship
// (first-in first-out) swap places. A close in a hook that runs before the server closes moves to
// the hook that runs after: NestJS `onModuleDestroy` -> `onApplicationShutdown`, Fastify
// `preClose` -> `onClose`, terminus `beforeShutdown` -> `onSignal`, http-graceful-shutdown
// `preShutdown` -> `onShutdown`. Only what moves safely moves: anything else is left for a person.
import type { ASTPath } from 'jscodeshift';
import closeInReverseOrder from '../rules/close-in-reverse-order/close-in-reverse-order.js';
import type { FindingOf } from '../src/core/analysis.js';
import { defineCodemod, type RewriteContext, type RewriteResult } from './lib/codemod.js';

type Node = any; // see lib/imports.ts
type Finding = FindingOf<typeof closeInReverseOrder>;
type Path = ASTPath<Node>;

const functionTypes = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
]);

const isFunction = (node: Node): boolean => functionTypes.has(node?.type);

/** `new Promise((resolve) => …)`: its executor runs where the `new` is. */
function isPromiseExecutor(path: Path): boolean {
  const parent = path.parent?.node;
  return (
    parent?.type === 'NewExpression' &&
    parent.callee?.type === 'Identifier' &&
    parent.callee.name === 'Promise' &&
    parent.arguments[0] === path.node
  );
}

/** `Promise.all(xs.map((x) => x.close()))`: the callback runs now, and the awaited `all` waits for what it returns. */
function isMapInPromiseAll(path: Path): boolean {
  const map = path.parent;
  if (map?.node.type !== 'CallExpression' || map.node.arguments[0] !== path.node) return false;
  const callee = map.node.callee;
  if (callee?.type !== 'MemberExpression' || callee.computed || callee.property.name !== 'map') return false;
  const all = map.parent?.node;
  return (
    all?.type === 'CallExpression' &&
    all.arguments[0] === map.node &&
    all.callee?.type === 'MemberExpression' &&
    all.callee.object?.type === 'Identifier' &&
    all.callee.object.name === 'Promise' &&
    /^(?:all|allSettled)$/.test(all.callee.property?.name ?? '')
  );
}

/** The statement lists a node sits in, innermost first, up to the function it runs in. */
function statementsAround(path: Path): { statement: Path; block: Node[] }[] {
  const found: { statement: Path; block: Node[] }[] = [];
  for (let p: Path | undefined = path; p?.parent; p = p.parent) {
    if (isFunction(p.node) && p !== path && !isPromiseExecutor(p)) break;
    const parent = p.parent.node;
    if (Array.isArray(parent.body) && parent.body.includes(p.node)) found.push({ statement: p, block: parent.body });
    else if (parent.type === 'SwitchCase' && parent.consequent.includes(p.node))
      found.push({ statement: p, block: parent.consequent });
  }
  return found;
}

/** The two statements of one list that hold `a` and `b`. */
function commonBlock(a: Path, b: Path): { block: Node[]; a: Path; b: Path } | undefined {
  const around = statementsAround(b);
  for (const x of statementsAround(a)) {
    const y = around.find((s) => s.block === x.block);
    if (y) return x.statement === y.statement ? undefined : { block: x.block, a: x.statement, b: y.statement };
  }
  return undefined;
}

/** Once `statement` has run, the call at `path` (in it) has finished: an `await` waits for it. */
function awaitedIn(path: Path, statement: Path): boolean {
  let awaited = false;
  for (let p: Path | undefined = path; p && p !== statement.parent; p = p.parent) {
    if (p.node.type === 'AwaitExpression') awaited = true;
    if (p !== path && isFunction(p.node)) {
      if (isPromiseExecutor(p) || isMapInPromiseAll(p)) awaited = false;
      else return false;
    }
  }
  return awaited;
}

interface Uses {
  reads: Set<string>;
  writes: Set<string>;
  declares: Set<string>;
  /** A `return`, `throw`, `break` or `continue` that leaves the statement, or a `process.exit(…)`. */
  leaves: boolean;
}

function usesOf(j: RewriteContext['j'], statements: readonly Node[]): Uses {
  const uses: Uses = { reads: new Set(), writes: new Set(), declares: new Set(), leaves: false };
  const targets = (pattern: Node, into: Set<string>): void => {
    let root = pattern;
    while (root?.type === 'MemberExpression' || root?.type === 'OptionalMemberExpression') root = root.object;
    if (root?.type === 'Identifier') into.add(root.name);
    else if (root?.type !== 'ThisExpression') names(j, root).forEach((name) => into.add(name));
  };
  for (const statement of statements) {
    const c = j(statement);
    names(j, statement).forEach((name) => uses.reads.add(name));
    if (statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') {
      if (statement.id) uses.declares.add(statement.id.name);
    }
    c.find(j.VariableDeclarator).forEach((p) => {
      if (!inNestedFunction(p, statement)) targets(p.node.id, uses.declares);
    });
    c.find(j.AssignmentExpression).forEach((p) => targets(p.node.left, uses.writes));
    c.find(j.UpdateExpression).forEach((p) => targets(p.node.argument, uses.writes));
    const leaving = (p: Path): boolean => !inNestedFunction(p, statement);
    if (
      c.find(j.ReturnStatement).filter(leaving).size() > 0 ||
      c.find(j.ThrowStatement).filter(leaving).size() > 0 ||
      c
        .find(j.CallExpression)
        .filter((p) => isExit(p.node))
        .size() > 0 ||
      [...c.find(j.BreakStatement).paths(), ...c.find(j.ContinueStatement).paths()].some(
        (p) => leaving(p) && !inLoopWithin(p, statement),
      ) ||
      /^(?:Return|Throw|Break|Continue)Statement$/.test(statement.type)
    )
      uses.leaves = true;
  }
  return uses;
}

/** The identifiers a node names, except property names and keys. */
function names(j: RewriteContext['j'], node: Node): string[] {
  const found: string[] = [];
  if (!node) return found;
  if (node.type === 'Identifier') return [node.name];
  j(node)
    .find(j.Identifier)
    .forEach((p) => {
      const parent = p.parent?.node;
      if (
        (parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') &&
        parent.property === p.node &&
        !parent.computed
      )
        return;
      if (
        (parent?.type === 'ObjectProperty' || parent?.type === 'Property' || parent?.type === 'ObjectMethod') &&
        parent.key === p.node &&
        !parent.shorthand &&
        !parent.computed
      )
        return;
      found.push(p.node.name);
    });
  return found;
}

function isExit(node: Node): boolean {
  const callee = node.callee;
  return (
    callee?.type === 'MemberExpression' &&
    !callee.computed &&
    /^(?:exit|abort|kill)$/.test(callee.property?.name ?? '') &&
    callee.object?.type === 'Identifier' &&
    callee.object.name === 'process'
  );
}

function inNestedFunction(path: Path, statement: Node): boolean {
  for (let p = path.parent; p && p.node !== statement; p = p.parent) if (isFunction(p.node)) return true;
  return false;
}

/** A `break`/`continue` that stays inside a loop or switch of the statement. */
function inLoopWithin(path: Path, statement: Node): boolean {
  if (path.node.label) return false;
  for (let p = path.parent; p; p = p.parent) {
    if (/^(?:For|ForIn|ForOf|While|DoWhile|Switch)Statement$/.test(p.node.type)) return true;
    if (p.node === statement) return false;
  }
  return false;
}

const overlaps = (a: ReadonlySet<string>, b: ReadonlySet<string>): string | undefined =>
  [...a].find((name) => b.has(name));

/** Why the statement cannot jump over the others (`later`: it moves after them), or undefined. */
function whyNotMove(j: RewriteContext['j'], moved: Node, crossed: readonly Node[], later: boolean): string | undefined {
  const own = usesOf(j, [moved]);
  const others = usesOf(j, crossed);
  if (others.leaves) return 'the statements between them can return, throw or exit';
  if (own.leaves) return 'the close’s statement can return, throw or exit';
  const clash =
    overlaps(own.reads, others.writes) ??
    overlaps(own.reads, others.declares) ??
    overlaps(own.writes, others.reads) ??
    (later ? overlaps(own.declares, others.reads) : undefined);
  return clash === undefined ? undefined : `it and the statements between share \`${clash}\``;
}

function line(path: Path): number {
  return (path.node.loc?.start.line as number | undefined) ?? 0;
}

/** Statements this codemod moved or awaited: a second finding on the same move is fixed by it. */
const moved = new WeakSet<Node>();

function nodeIn(context: RewriteContext, finding: Finding, start: number, end: number): Path | undefined {
  return context.nodeAt({ ...finding, start, end }, [
    'CallExpression',
    'NewExpression',
    'OptionalCallExpression',
    'AwaitExpression',
  ]);
}

/**
 * `server.close();` -> `await new Promise((resolve) => server.close(() => resolve()));`, and
 * `app.close();` (a promise) -> `await app.close();`: the drain, awaited where it starts.
 */
function awaitDrain(context: RewriteContext, finding: Finding, drain: Path): string | undefined {
  const { j } = context;
  let expression = drain;
  if (expression.parent?.node.type === 'UnaryExpression' && expression.parent.node.operator === 'void')
    expression = expression.parent;
  const statement = expression.parent;
  if (statement?.node.type !== 'ExpressionStatement' || statement.node.expression !== expression.node)
    return `the drain at line ${line(drain)} is not a statement of its own: await it, then close`;
  let fn: Path | undefined = statement.parent;
  while (fn && !isFunction(fn.node)) fn = fn.parent;
  if (!fn?.node.async)
    return `the function that drains (line ${line(drain)}) is not async: await the drain, then close`;
  const call = drain.node;
  if (finding.data.awaitable) {
    statement.node.expression = j.awaitExpression(call);
    return undefined;
  }
  const callee = call.callee;
  if (
    call.type === 'CallExpression' &&
    call.arguments.length === 0 &&
    callee?.type === 'MemberExpression' &&
    !callee.computed &&
    callee.property.name === 'close' &&
    finding.data.work === 'request handlers'
  ) {
    const resolve = j.identifier('resolve');
    const closed = j.callExpression(callee, [j.arrowFunctionExpression([], j.callExpression(resolve, []))]);
    const promise = j.newExpression(j.identifier('Promise'), [j.arrowFunctionExpression([resolve], closed)]);
    if (/\.[cm]?tsx?$/.test(context.path))
      promise.typeArguments = j.tsTypeParameterInstantiation([j.tsVoidKeyword()]) as Node;
    statement.node.expression = j.awaitExpression(promise);
    return undefined;
  }
  return `\`${j(call).toSource()}\` (line ${line(drain)}) returns nothing to await: wait for its callback, then close`;
}

function reorder(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  const d = finding.data;
  if (d.closeStart === undefined || d.drainStart === undefined || d.closeEnd === undefined || d.drainEnd === undefined)
    return {
      leftForPerson: `the order is set outside this file (the drain: ${d.at}): close \`${d.name}\` there, after the drain has finished`,
    };
  const close = nodeIn(context, finding, d.closeStart, d.closeEnd);
  const drain = nodeIn(context, finding, d.drainStart, d.drainEnd);
  if (!close || !drain)
    return { leftForPerson: `no rewrite for this close: close \`${d.name}\` after the drain (${d.at})` };
  const pair = commonBlock(close, drain);
  if (!pair)
    return {
      leftForPerson: `the close and the drain (${d.at}) are not statements of one block: close \`${d.name}\` after the drain has finished`,
    };
  const { block } = pair;
  const at = block.indexOf(pair.a.node);
  const to = block.indexOf(pair.b.node);
  if (d.registrations) {
    // A registry that runs its closers in order (the lifecycle last-in first-out, lightship
    // first-in first-out): the store's registration and its user's swap places.
    const later = d.move === 'after';
    if (later ? at > to : at < to) return 'unchanged';
    const why = later
      ? whyNotMove(j, pair.a.node, block.slice(at + 1, to + 1), true)
      : whyNotMove(j, pair.a.node, block.slice(to, at), false);
    if (why)
      return {
        leftForPerson: `cannot register \`${d.name}\` ${d.move} line ${line(pair.b)}: ${why}`,
      };
    const statement = pair.a.node;
    pair.a.prune();
    if (later) pair.b.insertAfter(statement);
    else pair.b.insertBefore(statement);
    return 'rewritten';
  }
  if (!d.settles)
    return {
      leftForPerson: `what runs the drain (line ${line(drain)}) returns before the drain has finished: make it wait for the drain, then close \`${d.name}\``,
    };
  if (at > to) {
    // The close already follows the drain's statement, which only starts the drain: await it.
    if (moved.has(pair.b.node) || awaitedIn(drain, pair.b)) return 'rewritten';
    const why = awaitDrain(context, finding, drain);
    if (why) return { leftForPerson: why };
    moved.add(pair.b.node);
    return 'rewritten';
  }
  if (moved.has(pair.a.node)) return 'rewritten';
  const why = whyNotMove(j, pair.a.node, block.slice(at + 1, to + 1), true);
  if (why) return { leftForPerson: `cannot move the close after line ${line(pair.b)}: ${why}` };
  if (!awaitedIn(drain, pair.b)) {
    const unawaited = awaitDrain(context, finding, drain);
    if (unawaited) return { leftForPerson: unawaited };
  }
  const statement = pair.a.node;
  pair.b.insertAfter(statement);
  pair.a.prune();
  moved.add(statement);
  return 'rewritten';
}

/** The function a hook is: `async onModuleDestroy() {…}`, `addHook('preClose', async () => {…})`, `{ beforeShutdown: async () => {…} }`. */
function hookFunction(
  j: RewriteContext['j'],
  path: Path,
  hook: string,
): { fn: Path; rename: (to: string) => void; kind: 'method' | 'event' | 'key' } | undefined {
  let fn: Path | undefined = path.parent;
  while (fn && (!isFunction(fn.node) || isPromiseExecutor(fn))) fn = fn.parent;
  if (!fn) return undefined;
  const node = fn.node;
  const keyName = (key: Node): string | undefined =>
    key?.type === 'Identifier' ? key.name : typeof key?.value === 'string' ? key.value : undefined;
  if ((node.type === 'ClassMethod' || node.type === 'ObjectMethod') && !node.computed && keyName(node.key) === hook) {
    return {
      fn,
      kind: node.type === 'ClassMethod' ? 'method' : 'key',
      rename: (to) => {
        node.key = { ...node.key, type: 'Identifier', name: to };
        delete node.key.value;
      },
    };
  }
  const parent = fn.parent?.node;
  if (
    parent?.type === 'CallExpression' &&
    parent.arguments[1] === node &&
    parent.callee?.type === 'MemberExpression' &&
    parent.callee.property?.name === 'addHook' &&
    keyName(parent.arguments[0]) === hook &&
    /Literal$/.test(parent.arguments[0].type)
  ) {
    const event = parent.arguments[0];
    return {
      fn,
      kind: 'event',
      rename: (to) => {
        const raw: string = event.extra?.raw ?? event.raw ?? `'${hook}'`;
        event.value = to;
        const quoted = `${raw[0]}${to}${raw[0]}`;
        if (event.extra) event.extra = { ...event.extra, raw: quoted, rawValue: to };
        if (event.raw !== undefined) event.raw = quoted;
      },
    };
  }
  if ((parent?.type === 'ObjectProperty' || parent?.type === 'Property') && parent.value === node && !parent.computed) {
    if (keyName(parent.key) !== hook) return undefined;
    return {
      fn,
      kind: 'key',
      rename: (to) => {
        parent.key = j.identifier(to);
        parent.shorthand = false;
      },
    };
  }
  return undefined;
}

/** NestJS's interface for a lifecycle method: `onApplicationShutdown` -> `OnApplicationShutdown`. */
const nestInterface = (method: string): string => method[0]!.toUpperCase() + method.slice(1);

/** `implements OnModuleDestroy` -> `implements OnApplicationShutdown`, and the import of it from `@nestjs/common`. */
function renameNestInterface(context: RewriteContext, classPath: Path, from: string, to: string): void {
  const { j, root } = context;
  const implemented: Node[] = classPath.node.implements ?? [];
  const at = implemented.findIndex((i) => (i.expression ?? i.id)?.name === from);
  if (at < 0) return;
  const clause = implemented[at];
  const id = clause.expression ?? clause.id;
  if (implemented.some((i) => (i.expression ?? i.id)?.name === to)) implemented.splice(at, 1);
  else id.name = to;
  const stillUsed = root.find(j.Identifier, { name: from }).filter((p) => p.parent?.node.type !== 'ImportSpecifier');
  root.find(j.ImportDeclaration).forEach((p) => {
    if (p.node.source.value !== '@nestjs/common') return;
    const specifiers: Node[] = p.node.specifiers ?? [];
    const old = specifiers.findIndex((s) => s.type === 'ImportSpecifier' && s.imported.name === from);
    if (old < 0) return;
    const has = specifiers.some((s) => s.type === 'ImportSpecifier' && s.imported.name === to);
    if (stillUsed.size() > 0) {
      if (!has)
        specifiers.splice(old + 1, 0, {
          ...j.importSpecifier(j.identifier(to)),
          importKind: specifiers[old].importKind,
        });
    } else if (has) specifiers.splice(old, 1);
    else {
      specifiers[old] = { ...j.importSpecifier(j.identifier(to)), importKind: specifiers[old].importKind };
    }
  });
}

/**
 * A close in a hook that runs before the server closes: the hook becomes the one that runs after,
 * when the close is all it does (the rest of what it does may have to run before the server closes).
 */
function laterHook(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  const { hook, instead, name } = finding.data;
  const close = context.nodeAt(finding, ['CallExpression', 'OptionalCallExpression']);
  const found = close && hookFunction(j, close, hook);
  if (!close || !found || !instead)
    return {
      leftForPerson: `the close runs in a function \`${hook}\` calls: close \`${name}\` in \`${instead}\` instead`,
    };
  const { fn } = found;
  const body: Node[] = fn.node.body.type === 'BlockStatement' ? fn.node.body.body : [fn.node.body];
  const statements = statementsAround(close);
  const own = statements[statements.length - 1];
  const others = body.filter((s) => s !== own?.statement.node && s !== fn.node.body);
  if (others.length > 0)
    return {
      leftForPerson: `\`${hook}\` does more than close \`${name}\`: move the close into \`${instead}\` (the rest may have to run before the server closes)`,
    };
  if (found.kind === 'event' && fn.node.params.length > 0)
    return {
      leftForPerson: `a callback-style \`${hook}\` hook: make it \`async () => {…}\` and register it as \`${instead}\``,
    };
  if (found.kind === 'method') {
    const classBody = fn.parent?.node;
    if (classBody?.body?.some((m: Node) => m !== fn.node && !m.computed && (m.key?.name ?? m.key?.value) === instead))
      return { leftForPerson: `the class already has \`${instead}\`: move the close to its end` };
    found.rename(instead);
    const classPath = fn.parent?.parent;
    if (classPath) renameNestInterface(context, classPath, nestInterface(hook), nestInterface(instead));
  } else if (found.kind === 'key') {
    const object = fn.node.type === 'ObjectMethod' ? fn.parent?.node : fn.parent?.parent?.node;
    const properties: Node[] = object?.properties ?? [];
    if (properties.some((p) => !p.computed && (p.key?.name ?? p.key?.value) === instead))
      return { leftForPerson: `\`${instead}\` is set too: move the close to its end` };
    found.rename(instead);
  } else found.rename(instead);
  return 'rewritten';
}

function rewrite(context: RewriteContext, finding: Finding): RewriteResult {
  switch (finding.messageId) {
    case 'closedInEarlyHook':
      return laterHook(context, finding);
    case 'closedConcurrently':
      return {
        leftForPerson: `another shutdown handler drains ${finding.data.user} at the same time (${finding.data.at}): close \`${finding.data.name}\` in that handler, after the drain`,
      };
    case 'closedWhileServing':
      return {
        leftForPerson: `no shutdown path closes the server: close it first and wait for it, then close \`${finding.data.name}\``,
      };
    default:
      return reorder(context, finding);
  }
}

export default defineCodemod({
  name: 'store-close-to-close-after-drain',
  rule: closeInReverseOrder,
  description:
    'Moves the close of a pool, client or queue after the awaited drain of the servers and workers that use it, ' +
    'or into the hook that runs after the server closes',
  rewrite,
});
