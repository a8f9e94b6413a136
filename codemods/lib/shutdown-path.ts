// Drain where the service already drains (issue 17). After the codemods have wrapped work in
// `lifecycle.track(…)` and resources in `lifecycle.adopt(…)`, something must call
// `lifecycle.shutdown()`, or every tracked write is lost exactly as before. A service with no
// shutdown path gets `lifecycle.handleSignals()` from the require-signal-handler codemod; a service
// with its own (a `process.on('SIGTERM')` handler, a library's hook: the core's shutdown roots)
// gets `await lifecycle.shutdown()` there: after its servers stop accepting, before its exit, inside
// the callback the library awaits. What cannot be placed is left for a person, and the findings
// rewritten in that program are not counted as fixed.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ASTPath, JSCodeshift } from 'jscodeshift';
import { hookRegistrationOrder, shutdownHookPhases } from '../../src/core/catalogue.js';
import { libraryDeadlines } from '../../src/core/deploy/library-deadlines.js';
import type { CodemodAnalysis, ShutdownPathFacts } from './analysis.js';
import { applyCodemods, type Codemod, type LeftForPerson, type RewriteContext } from './codemod.js';

type Node = any; // see imports.ts

/** A file `migrate` plans to write (its PlannedFile). */
export interface DrainPlannedFile {
  path: string;
  before: string;
  after: string;
  rewritten: number;
}

export interface DrainOutcome {
  /** Shutdown paths that could not take the drain, file:line and why. */
  left: (LeftForPerson & { path: string })[];
  /** Where `await lifecycle.shutdown()` was put. */
  placed: { path: string; line: number; trigger: string; bound?: { ms: number; what: string } }[];
  /** Findings rewritten in programs whose lifecycle nothing drains: not fixed. */
  notFixed: number;
  /** Summary lines about the drain, given a way to show a path. */
  summary(shown: (path: string) => string): string[];
}

const drainRule = 'drain-lifecycle';

/** The deadline `lifecycle.shutdown()` drains under by default (the runtime's, as data). */
const lifecycleDeadlineMs =
  libraryDeadlines.find((l) => l.library === 'shutdown-lint/lifecycle')?.options[0]?.defaultMs ?? 25_000;

/** Work handed to the lifecycle that only its drain waits for or closes. */
function usesLifecycle(text: string): boolean {
  return /['"]shutdown-lint\/lifecycle['"]/.test(text) && /\.(?:track|adopt|defer|addServer)\(|\.signal\b/.test(text);
}

const drainsOnSignal = (text: string): boolean => /\.handleSignals\(/.test(text);

const functionTypes = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
]);

const isFunction = (node: Node): boolean => functionTypes.has(node?.type);

function isMember(node: Node, object: string | undefined, property: string): boolean {
  return (
    (node?.type === 'MemberExpression' || node?.type === 'OptionalMemberExpression') &&
    !node.computed &&
    node.property?.name === property &&
    (object === undefined || (node.object?.type === 'Identifier' && node.object.name === object))
  );
}

/** `process.exit(…)`, also on a process handed in and kept in a field (`this.process.exit(0)`). */
const isProcessExit = (node: Node): boolean =>
  node?.type === 'CallExpression' &&
  (isMember(node.callee, 'process', 'exit') ||
    (isMember(node.callee, undefined, 'exit') && isMember(node.callee.object, undefined, 'process')));

/** Any `x.exit(…)` or `exit(…)` this step cannot tell from `process.exit`: a drain placed without it may run too late. */
const mayExit = (node: Node): boolean =>
  node?.type === 'CallExpression' &&
  !isProcessExit(node) &&
  (isMember(node.callee, undefined, 'exit') || (node.callee?.type === 'Identifier' && node.callee.name === 'exit'));

/** `lifecycle.shutdown()` (any local name of the lifecycle), already on the path: nothing to add. */
function isLifecycleDrain(j: JSCodeshift, node: Node): boolean {
  if (node?.type !== 'CallExpression' || !isMember(node.callee, undefined, 'shutdown')) return false;
  return /(?:^|\.)(?:lifecycle|shutdownLifecycle)$/i.test(j(node.callee.object).toSource());
}

function enclosingFunction(path: ASTPath<Node>): ASTPath<Node> | undefined {
  for (let p = path.parent; p; p = p.parent) if (isFunction(p.node)) return p;
  return undefined;
}

/** A force-exit timer (`setTimeout(() => process.exit(1), 10_000)`): its exit must stay prompt. (A
 *  `setInterval` that polls until the work is done and then exits is the path itself.) */
function inTimer(path: ASTPath<Node>, root: ASTPath<Node>): boolean {
  for (let p: ASTPath<Node> | undefined = path; p && p !== root; p = p.parent) {
    const parent = p.parent?.node;
    if (
      isFunction(p.node) &&
      parent?.type === 'CallExpression' &&
      parent.arguments.includes(p.node) &&
      /^setTimeout$/.test(
        parent.callee?.type === 'Identifier' ? parent.callee.name : (parent.callee?.property?.name ?? ''),
      )
    )
      return true;
  }
  return false;
}

/** Whether making `fn` async changes nothing its caller sees: the root itself (a listener or a hook), or a callback argument. */
function mayBecomeAsync(fn: ASTPath<Node>, root: ASTPath<Node>): boolean {
  if (fn.node.generator) return false;
  if (fn === root || fn.node === root.node) return true;
  const parent = fn.parent?.node;
  return parent?.type === 'CallExpression' && parent.arguments.includes(fn.node);
}

/** The statement list a statement path sits in, or undefined. */
function blockOf(statement: ASTPath<Node>): Node[] | undefined {
  const parent = statement.parent?.node;
  if (parent && Array.isArray(parent.body) && parent.body.includes(statement.node)) return parent.body;
  if (parent?.type === 'SwitchCase' && parent.consequent.includes(statement.node)) return parent.consequent;
  return undefined;
}

/** An arrow whose body is an expression gets a block: `() => process.exit(0)` -> `() => { process.exit(0); }`. */
function statementFor(j: JSCodeshift, call: ASTPath<Node>): ASTPath<Node> | undefined {
  const parent = call.parent;
  if (parent?.node.type === 'ExpressionStatement' && parent.node.expression === call.node) return parent;
  if (parent?.node.type === 'ReturnStatement' && parent.node.argument === call.node) return parent;
  if (parent?.node.type === 'ArrowFunctionExpression' && parent.node.body === call.node) {
    parent.node.body = j.blockStatement([j.expressionStatement(call.node)]);
    // The new statement's path: found again through the block.
    return j(parent).find(j.ExpressionStatement).paths()[0];
  }
  return undefined;
}

/**
 * Makes a function async, and its declared return type a promise of it (`(): void` ->
 * `(): Promise<void>`): an async function whose type says `void` does not type-check.
 */
function makeAsync(j: JSCodeshift, fn: Node): void {
  fn.async = true;
  const declared = fn.returnType?.typeAnnotation;
  if (!declared) return;
  const isPromise =
    declared.type === 'TSTypeReference' &&
    declared.typeName?.type === 'Identifier' &&
    /^(?:Promise|PromiseLike)$/.test(declared.typeName.name);
  if (!isPromise)
    fn.returnType.typeAnnotation = j.tsTypeReference(
      j.identifier('Promise'),
      j.tsTypeParameterInstantiation([declared]),
    );
}

/**
 * `void P.then(() => { … })` as the last statement of an async-able function G: `await P; …` in G
 * itself, so the drain can be awaited where the rest of G runs. Returns G, or undefined.
 */
function unwrapThen(
  j: JSCodeshift,
  fn: ASTPath<Node>,
  root: ASTPath<Node>,
  left: readonly LeftForPerson[],
): ASTPath<Node> | undefined {
  const call = fn.parent;
  if (call?.node.type !== 'CallExpression' || !isMember(call.node.callee, undefined, 'then')) return undefined;
  // A codemod left `P` for a person because its value is used: awaiting it instead would hand a
  // second run a finding to rewrite (not idempotent), so the drain goes into the callback.
  const start = call.node.callee.object.loc?.start;
  if (start && left.some((l) => l.line === start.line && l.column === start.column + 1)) return undefined;
  if (call.node.arguments.length !== 1 || call.node.arguments[0] !== fn.node || fn.node.params.length > 0)
    return undefined;
  let statement = call.parent;
  if (statement?.node.type === 'UnaryExpression' && statement.node.operator === 'void') statement = statement.parent;
  if (statement?.node.type !== 'ExpressionStatement') return undefined;
  const block = statement.parent;
  const outer = block?.parent;
  if (block?.node.type !== 'BlockStatement' || !outer || !isFunction(outer.node) || outer.node.body !== block.node)
    return undefined;
  if (block.node.body[block.node.body.length - 1] !== statement.node || !mayBecomeAsync(outer, root)) return undefined;
  const body: Node[] =
    fn.node.body.type === 'BlockStatement' ? fn.node.body.body : [j.expressionStatement(fn.node.body)];
  const awaited = j.expressionStatement(j.awaitExpression(call.node.callee.object));
  awaited.comments = statement.node.comments;
  statement.replace(awaited, ...body);
  makeAsync(j, outer.node);
  return outer;
}

/**
 * In the block the drain goes into, now async: `void lifecycle.closeServer(…)` before it becomes
 * `await lifecycle.closeServer(…)`, so the servers have stopped accepting before the drain starts.
 */
function awaitClosesBefore(j: JSCodeshift, block: Node[], drain: Node): void {
  for (const statement of block.slice(0, block.indexOf(drain))) {
    const e = statement.type === 'ExpressionStatement' ? statement.expression : undefined;
    if (e?.type !== 'UnaryExpression' || e.operator !== 'void') continue;
    const call = e.argument;
    if (call?.type === 'CallExpression' && isMember(call.callee, undefined, 'closeServer'))
      statement.expression = j.awaitExpression(call);
  }
}

type Placement = 'placed' | 'already' | { why: string };

/** The hook a function is, by the name it has now (a codemod may have renamed it: `onModuleDestroy` -> `onApplicationShutdown`): a method, an option, an `addHook` event. */
function hookName(fn: ASTPath<Node>): string | undefined {
  const node = fn.node;
  const parent = fn.parent?.node;
  const nameOf = (key: Node): string | undefined =>
    key?.type === 'Identifier' ? key.name : typeof key?.value === 'string' ? key.value : undefined;
  return node.type === 'ClassMethod' || node.type === 'ObjectMethod'
    ? nameOf(node.key)
    : (parent?.type === 'ObjectProperty' || parent?.type === 'Property') && parent.value === node
      ? nameOf(parent.key)
      : parent?.type === 'CallExpression' &&
          isMember(parent.callee, undefined, 'addHook') &&
          parent.arguments[1] === node
        ? nameOf(parent.arguments[0])
        : undefined;
}

/** A hook that its framework runs once the HTTP server has closed. */
function runsAfterServerClose(fn: ASTPath<Node>): boolean {
  const name = hookName(fn);
  return shutdownHookPhases.some(
    (p) => p.hook === name && p.phase === 'after-server-close' && p.owner !== 'shutdown-lint/lifecycle',
  );
}

/**
 * The hooks one library runs one after the other on one shutdown: terminus's `beforeShutdown`,
 * `onSignal` and `onShutdown` (one options object), NestJS's `onModuleDestroy`,
 * `beforeApplicationShutdown` and `onApplicationShutdown` (of every provider), lightship's handlers
 * (in the order they were registered). Not each of them drains the lifecycle: a drain in a hook
 * that runs before the server closes would end the lifecycle while requests still hand it work
 * when a later hook runs after the close, and a drain after the first is noise. `key` names the
 * sequence; the hooks of the lowest `rank` (rankIn) take the drain. Hooks of one rank are peers
 * whose order the library does not tell (two providers' `onApplicationShutdown`, run module by
 * module): each drains, so the first to run waits for the work before it closes what it holds,
 * and the others find the drain done. A registry's handlers are ordered: one drain, in the best.
 */
function hookSequence(facts: ShutdownPathFacts): { key: string; owner: string; fifo: boolean } | undefined {
  if (hookRegistrationOrder.some((o) => o.order === 'fifo' && o.owner === facts.trigger))
    return { key: facts.trigger, owner: facts.trigger, fifo: true };
  const owner = shutdownHookPhases.some((p) => p.owner === facts.trigger)
    ? facts.trigger
    : shutdownHookPhases.find((p) => p.hook === facts.trigger)?.owner;
  if (!owner || owner === 'shutdown-lint/lifecycle') return undefined;
  return {
    // A library's options (terminus) are one registration; a framework's hook methods (NestJS), in
    // whatever files, are one sequence.
    key: owner === facts.trigger ? `${owner}@${facts.path}:${facts.line}:${facts.column}` : owner,
    owner,
    fifo: false,
  };
}

/**
 * The rank of a hook in its sequence, by `name`, the name it has now (`hookName`), or the one it
 * had (the trigger): the earliest hook that runs after the server has closed, else the earliest
 * before (what the hooks after it close is still open while the work drains); of a registry's
 * handlers, one that stops a server (then the stores its later handlers close are still open).
 */
function rankIn(
  sequence: { owner: string; fifo: boolean },
  facts: ShutdownPathFacts,
  name: string | undefined,
): number {
  if (sequence.fifo) return facts.drains.length > 0 ? 0 : 1;
  const index = shutdownHookPhases.findIndex((p) => p.owner === sequence.owner && p.hook === name);
  if (index < 0) return shutdownHookPhases.length * 2;
  return shutdownHookPhases[index]!.phase === 'after-server-close' ? index : shutdownHookPhases.length + index;
}

/** Whether `fn` itself awaits the lifecycle's drain. */
const isDrainedHere = (j: JSCodeshift, fn: ASTPath<Node>): boolean =>
  j(fn)
    .find(j.CallExpression)
    .filter((p) => isLifecycleDrain(j, p.node))
    .size() > 0;

/** Whether the text of a shutdown path already awaits the lifecycle's drain (before this run). */
const drainsIn = (text: string): boolean =>
  /(?:^|[^\w$])(?:lifecycle|shutdownLifecycle)\s*\.\s*shutdown\s*\(/i.test(text);

/** Where the path drains servers and workers and closes stores, as offsets of the parsed text. */
interface PathOrder {
  drains: readonly { start: number; end: number }[];
  storeCloses: readonly { start: number; end: number }[];
  /** The servers have closed before the function runs (a hook that runs after the server closes). */
  serversClosed: boolean;
}

/**
 * Where in `block` the lifecycle's drain goes instead of at `until` (the exit, or the end): before
 * the first statement that closes a store after the last one that drains a server or worker (the
 * order store-close-to-close-after-drain gives them). Work the lifecycle tracks may still use the
 * store, as the requests did; placed after that close, a second run would move the close.
 */
function beforeStoreCloses(block: Node[], until: number, order: PathOrder | undefined): number {
  if (!order) return until;
  const holds = (statement: Node, range: { start: number; end: number }): boolean =>
    typeof statement?.start === 'number' && statement.start <= range.start && range.end <= statement.end;
  let lastDrain = -1;
  for (let i = 0; i < until; i++) if (order.drains.some((r) => holds(block[i], r))) lastDrain = i;
  // No drain it knows in the block: the servers may stop later than any store close it could pass.
  if (lastDrain < 0 && !order.serversClosed) return until;
  for (let i = lastDrain + 1; i < until; i++) if (order.storeCloses.some((r) => holds(block[i], r))) return i;
  return until;
}

/** Puts `await lifecycle.shutdown();` on one shutdown path (the function `root`). */
/**
 * The functions of this file that `root` calls by name and that exit, when every call of them
 * ignores what they return (so they may become async): where a listener that delegates stops.
 */
function exitingCallees(context: RewriteContext, root: ASTPath<Node>): ASTPath<Node>[] {
  const { j } = context;
  const names = new Set<string>();
  j(root)
    .find(j.CallExpression)
    .forEach((p) => {
      if ((p.node.callee as Node).type === 'Identifier') names.add((p.node.callee as Node).name);
    });
  const found: ASTPath<Node>[] = [];
  for (const name of names) {
    const declarations = context.root
      .find(j.Node)
      .filter(
        (p) =>
          (p.node.type === 'FunctionDeclaration' && (p.node as Node).id?.name === name) ||
          (p.node.type === 'VariableDeclarator' &&
            (p.node as Node).id?.name === name &&
            /^(?:FunctionExpression|ArrowFunctionExpression)$/.test((p.node as Node).init?.type ?? '')),
      )
      .paths();
    if (declarations.length !== 1) continue;
    const declaration = declarations[0]!;
    const fn = declaration.node.type === 'VariableDeclarator' ? declaration.get('init') : declaration;
    if (
      j(fn)
        .find(j.CallExpression)
        .filter((p) => isProcessExit(p.node) && !inTimer(p, fn))
        .size() === 0
    )
      continue;
    const calls = context.root
      .find(j.CallExpression, { callee: { type: 'Identifier', name } })
      .paths()
      .filter((p) => {
        let parent = p.parent;
        if (parent?.node.type === 'UnaryExpression' && parent.node.operator === 'void') parent = parent.parent;
        return parent?.node.type !== 'ExpressionStatement' && !(parent?.node.type === 'ArrowFunctionExpression');
      });
    if (fn.node.async || calls.length === 0) found.push(fn);
  }
  return found;
}

function placeIn(
  context: RewriteContext,
  root: ASTPath<Node>,
  left: readonly LeftForPerson[],
  depth = 0,
  exitsElsewhere: readonly { path: string; line: number }[] = [],
  order?: PathOrder,
): Placement {
  const { j } = context;
  if (
    j(root)
      .find(j.CallExpression)
      .filter((p) => isLifecycleDrain(j, p.node))
      .size() > 0
  )
    return 'already';
  const drain = (): Node =>
    j.expressionStatement(
      j.awaitExpression(j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('shutdown')), [])),
    );
  const exits = j(root)
    .find(j.CallExpression)
    .filter((p) => isProcessExit(p.node) && !inTimer(p, root))
    .paths();

  let placedInCallee = false;
  if (exits.length === 0 && depth === 0) {
    // `process.on('SIGTERM', () => void shutdown('SIGTERM'))`: the drain goes where `shutdown` exits.
    for (const callee of exitingCallees(context, root)) {
      const outcome = placeIn(context, callee, left, 1);
      if (outcome !== 'placed' || callee.node.async) return outcome;
      placedInCallee = true;
    }
  }
  // The exit is in what it calls (`this.onExit()` whose close callback exits): a drain at the end
  // of this function would run after that exit, or race it.
  if (exits.length === 0 && depth === 0 && !placedInCallee && exitsElsewhere.length > 0) {
    const first = exitsElsewhere[0]!;
    return {
      why: `the process exits in what it calls (${basename(first.path)}:${first.line}): call \`await lifecycle.shutdown()\` before that exit`,
    };
  }

  if (exits.length === 0) {
    const unknown = j(root)
      .find(j.CallExpression)
      .filter((p) => mayExit(p.node) && !inTimer(p, root))
      .size();
    if (unknown > 0)
      return { why: 'it calls an `exit(…)` that may be the process’s: call `await lifecycle.shutdown()` before it' };
    const fn = root.node;
    const params: Node[] = fn.params ?? [];
    if (!fn.async && params.some((p) => p.type === 'Identifier' && /^(?:done|cb|callback|next)$/.test(p.name)))
      return { why: 'a callback-style hook: make it async, or call `await lifecycle.shutdown()` before its callback' };
    if (!mayBecomeAsync(root, root)) return { why: 'a generator: call `await lifecycle.shutdown()` where it ends' };
    if (fn.body.type !== 'BlockStatement')
      fn.body = j.blockStatement([j.expressionStatement(j.awaitExpression(fn.body))]);
    const body: Node[] = fn.body.body;
    const last = body[body.length - 1];
    if (last?.type === 'ReturnStatement' && last.argument)
      return { why: 'it ends in `return …`: await that first, then `await lifecycle.shutdown()`' };
    const drained = drain();
    body.splice(beforeStoreCloses(body, body.length - (last?.type === 'ReturnStatement' ? 1 : 0), order), 0, drained);
    makeAsync(j, fn);
    awaitClosesBefore(j, body, drained);
    return 'placed';
  }

  for (const exit of exits) {
    const statement = statementFor(j, exit);
    if (!statement || !blockOf(statement))
      return { why: '`process.exit(…)` is not a statement of its own: call `await lifecycle.shutdown()` before it' };
    let fn = enclosingFunction(statement);
    if (!fn) return { why: 'no function around `process.exit(…)`' };
    if (!fn.node.async) fn = unwrapThen(j, fn, root, left) ?? fn;
    if (!fn.node.async) {
      if (!mayBecomeAsync(fn, root))
        return {
          why: 'the function that exits cannot become async safely: call `await lifecycle.shutdown()` before the exit',
        };
      makeAsync(j, fn.node);
    }
    // Found again: unwrapping may have moved the statement into the outer function.
    const at = j(fn)
      .find(j.Statement)
      .filter((p) => (p.node as Node).expression === exit.node || (p.node as Node).argument === exit.node)
      .paths()[0];
    if (!at) return { why: 'lost track of the exit while restructuring' };
    const drained = drain();
    const block = blockOf(at);
    const before = block ? beforeStoreCloses(block, block.indexOf(at.node), order) : -1;
    // The path API keeps the paths of the block's other statements (another exit) in step.
    if (block && before < block.indexOf(at.node)) (at.parentPath.get(before) as ASTPath<Node>).insertBefore(drained);
    else at.insertBefore(drained);
    if (block) awaitClosesBefore(j, block, drained);
  }
  return 'placed';
}

/** The function of a shutdown path in the parse: the node that spans what the analysis reported. */
function functionAt(context: RewriteContext, original: string, start: number, end: number): ASTPath<Node> | undefined {
  const { j, root } = context;
  const parsed = (offset: number): number => offset - (original.slice(0, offset).match(/\r\n/g)?.length ?? 0);
  const [from, to] = [parsed(start), parsed(end)];
  const candidates = root
    .find(j.Node)
    .filter((p) => isFunction(p.node) && (p.node as Node).end === to)
    .paths();
  // Decorators and modifiers may start a method earlier in one parser than in the other.
  return candidates.find((p) => (p.node as Node).start === from) ?? candidates[0];
}

/**
 * Places the drain in every program that hands work to the lifecycle. `planned` is migrate's plan,
 * updated in place (a file gains the drain; a file with only a shutdown path joins the plan).
 */
export function drainWhereServiceDrains(input: {
  analysis: CodemodAnalysis;
  codemods: readonly Codemod[];
  j: JSCodeshift;
  planned: DrainPlannedFile[];
}): DrainOutcome {
  const { analysis, codemods, j, planned } = input;
  const left: DrainOutcome['left'] = [];
  const placed: DrainOutcome['placed'] = [];
  const undrained: { files: number; findings: number; why: string }[] = [];
  let notFixed = 0;
  const counted = new Set<string>();
  const done = new Set<string>();
  for (const service of analysis.services ?? []) {
    const plannedHere = planned.filter((f) => service.files.has(f.path));
    const texts = [...service.files].map(
      (path) => planned.find((f) => f.path === path)?.after ?? analysis.files.get(path)?.text ?? '',
    );
    if (!texts.some(usesLifecycle)) continue;
    // A hook that closing an app runs (Fastify `onClose`, NestJS) must not drain when the lifecycle
    // closes that app itself (`addServer`): the drain would wait for itself.
    const ownsApps = texts.some((text) => /\.addServer\(/.test(text));
    // Such a hook is the drain's place only when no signal listener or library callback is.
    const stops = service.shutdownPaths.some((p) => p.runsOn !== 'close');
    const paths = service.shutdownPaths.filter((p) => p.runsOn !== 'close' || (!ownsApps && !stops));
    let drained = texts.some(drainsOnSignal);
    const byFile = new Map<string, ShutdownPathFacts[]>();
    for (const path of paths) byFile.set(path.path, [...(byFile.get(path.path) ?? []), path]);
    const reasons: string[] = [];
    // The drain goes into the best-ranked hooks of each sequence of hooks (hookSequence); of a
    // registry's handlers into one, a handler that cannot take it handing it to the next, and none
    // when one drains already (before this run).
    const sequenceDrained = new Set<string>();
    const unplaced = new Map<string, LeftForPerson & { path: string }>();
    const originalText = (facts: ShutdownPathFacts): string =>
      facts.start === undefined ? '' : (analysis.files.get(facts.path)?.text ?? '').slice(facts.start, facts.end);
    for (const facts of paths) {
      const sequence = hookSequence(facts);
      if (sequence?.fifo && drainsIn(originalText(facts))) sequenceDrained.add(sequence.key);
    }
    // The best rank of each sequence in the other files, by the names the analysis saw.
    const bestElsewhere = (key: string, file: string): number =>
      Math.min(
        ...paths.map((facts) => {
          const sequence = hookSequence(facts);
          return sequence?.key === key && facts.path !== file ? rankIn(sequence, facts, facts.trigger) : Infinity;
        }),
      );
    // The file with a registry's best-placed handler (by the names the analysis saw) first.
    const fileRank = (here: readonly ShutdownPathFacts[]): number =>
      Math.min(
        ...here.map((facts) => {
          const sequence = hookSequence(facts);
          return sequence ? rankIn(sequence, facts, facts.trigger) : 0;
        }),
      );
    const files = [...byFile].sort(([, a], [, b]) => fileRank(a) - fileRank(b));
    for (const [path, here] of files) {
      if (done.has(path)) {
        drained = true;
        continue;
      }
      done.add(path);
      const source = analysis.files.get(path)?.text ?? readFileSync(path, 'utf8');
      const findings = (analysis.files.get(path)?.findings ?? []).filter((f) =>
        codemods.some((c) => c.rule.meta.id === f.ruleId),
      );
      const parsed = (offset: number): number => offset - (source.slice(0, offset).match(/\r\n/g)?.length ?? 0);
      const parsedRange = (r: { start: number; end: number }) => ({ start: parsed(r.start), end: parsed(r.end) });
      const result = applyCodemods(codemods, { path, source }, findings, j, (context, codemodsLeft) => {
        let changed = false;
        const entries = here.map((facts) => {
          const fn = facts.start === undefined ? undefined : functionAt(context, source, facts.start, facts.end!);
          const sequence = hookSequence(facts);
          const rank = sequence && fn ? rankIn(sequence, facts, hookName(fn)) : 0;
          return { facts, fn, sequence, rank };
        });
        // A sequence's hooks by rank, at the place of its first hook in the file; the rest in file order.
        const firstOf = new Map<string, number>();
        for (const { facts, sequence } of entries)
          if (sequence) firstOf.set(sequence.key, Math.min(firstOf.get(sequence.key) ?? Infinity, facts.start ?? 0));
        const at = (e: (typeof entries)[number]): number =>
          e.sequence ? firstOf.get(e.sequence.key)! : (e.facts.start ?? 0);
        entries.sort((a, b) => at(a) - at(b) || a.rank - b.rank || (a.facts.start ?? 0) - (b.facts.start ?? 0));
        for (const { fn, sequence } of entries)
          if (sequence?.fifo && fn && isDrainedHere(j, fn)) sequenceDrained.add(sequence.key);
        const best = new Map<string, number>();
        for (const { sequence, rank } of entries)
          if (sequence)
            best.set(sequence.key, Math.min(best.get(sequence.key) ?? bestElsewhere(sequence.key, path), rank));
        for (const { facts, fn, sequence, rank } of entries) {
          // A registry's handler after the one that drains; a hook that runs later than its sequence's best.
          if (sequence?.fifo && sequenceDrained.has(sequence.key) && !(fn && isDrainedHere(j, fn))) {
            drained = true;
            continue;
          }
          if (sequence && !sequence.fifo && rank > best.get(sequence.key)!) continue;
          const outcome: Placement = fn
            ? placeIn(context, fn, codemodsLeft, 0, facts.exitsElsewhere, {
                drains: facts.drains.map(parsedRange),
                storeCloses: facts.storeCloses.map(parsedRange),
                serversClosed: fn ? runsAfterServerClose(fn) : false,
              })
            : { why: 'a top-level `await once(process, …)`: call `await lifecycle.shutdown()` after it by hand' };
          if (outcome === 'placed' || outcome === 'already') {
            drained = true;
            if (sequence?.fifo) {
              sequenceDrained.add(sequence.key);
              unplaced.delete(sequence.key);
            }
            // A codemod of this run may have put the drain there (before an exit it rewrote): said all the same.
            if (outcome === 'placed' || !drainsIn(source.slice(facts.start ?? 0, facts.end ?? 0))) {
              changed ||= outcome === 'placed';
              placed.push({
                path,
                line: facts.line,
                trigger: facts.trigger,
                ...(facts.bound ? { bound: facts.bound } : {}),
              });
            }
          } else {
            const why = `\`${facts.trigger}\` does not drain the lifecycle: ${outcome.why}`;
            const entry = { path, ruleId: drainRule, line: facts.line, column: facts.column, reason: why };
            if (sequence?.fifo) {
              if (!unplaced.has(sequence.key)) unplaced.set(sequence.key, entry);
            } else {
              reasons.push(why);
              left.push(entry);
            }
          }
        }
        return { changed, left: [] };
      });
      if (result.output === null) continue;
      const entry = planned.find((f) => f.path === path);
      if (entry) entry.after = result.output;
      else planned.push({ path, before: source, after: result.output, rewritten: 0 });
    }
    for (const entry of unplaced.values()) {
      reasons.push(entry.reason);
      left.push(entry);
    }
    if (drained) continue;
    // Programs may share files (two tsconfigs over one tree): a file is not counted twice.
    const uncounted = plannedHere.filter((f) => !counted.has(f.path));
    for (const f of uncounted) counted.add(f.path);
    const findings = uncounted.reduce((n, f) => n + f.rewritten, 0);
    notFixed += findings;
    if (paths.length === 0) {
      // Said at the lifecycle's import in the first file that hands it work (also on a later run).
      const textOf = (path: string): string =>
        planned.find((f) => f.path === path)?.after ?? analysis.files.get(path)?.text ?? '';
      const first = [...service.files].sort().find((path) => usesLifecycle(textOf(path)));
      const why =
        'work is handed to the lifecycle, but the service has no shutdown path and nothing calls `lifecycle.handleSignals()` or `lifecycle.shutdown()`: migrate the whole service (the file that starts its server gets `lifecycle.handleSignals()`), or call `await lifecycle.shutdown()` where it stops';
      reasons.push(why);
      if (first) {
        const lines = textOf(first).split('\n');
        const at = lines.findIndex((line) => line.includes('shutdown-lint/lifecycle'));
        if (!left.some((l) => l.path === first && l.ruleId === drainRule && l.reason === why))
          left.push({ path: first, ruleId: drainRule, line: at + 1 || 1, column: 1, reason: why });
      }
    }
    if (findings > 0) undrained.push({ files: uncounted.length, findings, why: reasons.join('; ') });
  }
  return {
    left,
    placed,
    notFixed,
    summary(shown) {
      const lines = placed.flatMap((p) => [
        `  drained the lifecycle in ${shown(p.path)}:${p.line} (${p.trigger})`,
        // The library ends its handler before the lifecycle's deadline: the drain is cut there.
        ...(p.bound && p.bound.ms < lifecycleDeadlineMs
          ? [
              `    but ${p.bound.what} ends the handlers first: tracked work still running after ${p.bound.ms} ms is ` +
                `cut off (the lifecycle waits up to ${lifecycleDeadlineMs} ms). Raise it to ${lifecycleDeadlineMs} ms or more.`,
            ]
          : []),
      ]);
      for (const u of undrained)
        lines.push(
          `Rewritten, but nothing drains the lifecycle: ${u.findings} finding${u.findings === 1 ? '' : 's'} in ${u.files} file${u.files === 1 ? '' : 's'} not counted as fixed (${u.why}).`,
        );
      return lines;
    },
  };
}
