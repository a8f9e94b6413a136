// close-in-reverse-order: a pool, client or queue closed on the shutdown path before (or while)
// the HTTP server or worker that uses it drains. Shut down in reverse dependency order: HTTP
// first, then workers, then the stores they use (runtime-facts §2, §3, §5.1 point 3).
import type * as ts from 'typescript';
import {
  anchorSettles,
  closeOrderAt,
  completesIn,
  drainsOnPath,
  hookPhaseOf,
  mayDrainUnknownServer,
  registrationOrder,
  rootsOfClose,
  runConcurrently,
  usedResourceClosedBy,
  type ResourceUser,
  type UsedResource,
} from './dependents.js';
import { closerGroup, groupOrder, registeredClosuresOf, type RegisteredClosure } from '../../src/core/registries.js';
import { isTestFile } from '../../src/core/files.js';
import { isPromiseValued } from '../../src/core/promises.js';
import type { ProgramIndex, ShutdownRoot } from '../../src/core/program-index.js';
import { defineRule, type RuleContext, type TestFileOptions } from '../../src/core/rule.js';
import { calleeText } from '../../src/core/ts-utils.js';

export type MessageId =
  'closedBeforeDrain' | 'closedDuringDrain' | 'closedConcurrently' | 'closedInEarlyHook' | 'closedWhileServing';

export type Options = TestFileOptions;

/** What a finding carries for its message. */
export type CloseInReverseOrderData = {
  close: string;
  name: string;
  label: string;
  user: string;
  work: string;
  at: string;
  hook: string;
  owner: string;
  instead: string;
  /**
   * For the codemod, when the order is decided in the reported file: the ranges of the node that
   * leads to the close and of the node that leads to the drain in one function (the calls, or calls
   * of helpers that run them, or two registrations), where the close's node must go (`after` the
   * drain's, or `before` it for a registry that runs last-in first-out), and whether awaiting the
   * drain's node waits for the drain to finish.
   */
  closeStart?: number;
  closeEnd?: number;
  drainStart?: number;
  drainEnd?: number;
  move?: 'after' | 'before';
  /** The two nodes are registrations with a library that runs them in order: no drain to await. */
  registrations?: boolean;
  settles?: boolean;
  /** The drain's node is a promise (`app.close()`), which `await` waits for; `server.close()` is not. */
  awaitable?: boolean;
};

type Context = RuleContext<MessageId, Options, CloseInReverseOrderData>;

interface Problem {
  messageId: MessageId;
  drain?: ts.Node;
  hook?: { hook: string; owner: string; instead?: string };
  /** Where the order is decided: the close's node goes `move` the drain's node. */
  fix?: { close: ts.Node; drain: ts.Node; move: 'after' | 'before'; drains?: ts.Node; registrations?: boolean };
}

const ownerNames: Readonly<Record<string, string>> = { nestjs: 'NestJS', 'Fastify app': 'Fastify' };

export default defineRule<MessageId, Options, CloseInReverseOrderData>({
  meta: {
    id: 'close-in-reverse-order',
    description: 'Require a resource to be closed only after the servers and workers that use it have drained',
    goLesson: 'wrong shutdown order: `db.Close()` before `srv.Shutdown(ctx)` has returned',
    recommended: 'error',
    requiresTypeChecking: true,
    skipsTestFiles: true,
    hasSuggestions: false,
    messages: {
      closedBeforeDrain:
        '`{{close}}` closes `{{name}}` ({{label}}) before {{user}} drains ({{at}}), and its {{work}} use ' +
        'it: work still in flight fails on it, or what it hands over is lost. Close it after the drain has finished.',
      closedDuringDrain:
        '`{{close}}` closes `{{name}}` ({{label}}) while {{user}} is still draining: the drain started ' +
        'at {{at}} is not awaited first, and its {{work}} use it. Wait for the drain (its callback, its ' +
        'promise or its `close` event), then close it.',
      closedConcurrently:
        '`{{close}}` closes `{{name}}` ({{label}}) in a shutdown handler that runs at the same time as ' +
        'the one draining {{user}} ({{at}}), and its {{work}} use it: work still in flight fails on it, ' +
        'or what it hands over is lost. Close it in the same handler, after the drain.',
      closedInEarlyHook:
        '`{{close}}` closes `{{name}}` ({{label}}) in `{{hook}}`, which {{owner}} runs before it closes ' +
        'the HTTP server, and request handlers use it: requests still in flight fail on it, or what ' +
        'they hand it is lost. Close it in `{{instead}}`.',
      closedWhileServing:
        '`{{close}}` closes `{{name}}` ({{label}}) while the HTTP server still serves: request handlers ' +
        'use it and no shutdown path closes the server. Drain the server first, then close it.',
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {},
    },
    defaultOptions: {},
  },

  create(context) {
    const t = context.ts;
    return {
      [t.SyntaxKind.CallExpression]: (node) => checkClose(context, node as ts.CallExpression),
    };
  },
});

function checkClose(context: Context, call: ts.CallExpression): void {
  const { index } = context;
  // The cheap question first: most calls are on no shutdown path, and the map of what uses what
  // is whole-program work (an editor would pay it for every file otherwise).
  const roots = rootsOfClose(index, call);
  // Not on a shutdown path: a closer stored in a registry a shutdown path runs, or a script.
  const registered = roots.length === 0 ? registeredClosuresOf(index, call) : [];
  if (roots.length === 0 && registered.length === 0) return;
  const used = usedResourceClosedBy(index, call);
  if (!used) return;
  for (const user of used.users) {
    const problem =
      roots.length === 0 ? problemInRegistry(index, registered, user) : problemWith(context, call, roots, user);
    if (problem) {
      report(context, call, used, user, problem);
      return;
    }
  }
}

function problemWith(
  context: Context,
  call: ts.CallExpression,
  roots: readonly ShutdownRoot[],
  user: ResourceUser,
): Problem | undefined {
  const { index } = context;
  for (const root of roots) {
    if (user.type === 'server') {
      const phase = hookPhaseOf(index, root);
      if (phase?.phase === 'before-server-close') return { messageId: 'closedInEarlyHook', hook: phase };
      if (phase?.phase === 'after-server-close') continue;
    }
    const onPath = drainsOnPath(index, root, user.drains);
    if (onPath.length > 0) {
      const orders = onPath.map((drain) => ({ drain, ...closeOrderAt(index, root.fn, call, drain) }));
      if (orders.some((o) => o.order === 'after' || o.order === 'unknown')) continue;
      const worst = orders.find((o) => o.order === 'during') ?? orders[0]!;
      return {
        messageId: worst.order === 'during' ? 'closedDuringDrain' : 'closedBeforeDrain',
        drain: worst.drain,
        fix: lastDrainAnchor(orders),
      };
    }
    const problem = problemAcrossRoots(context, root, user);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * A close in a closer of a program's registry, against the user's drains: a drain registered in
 * the same registry runs at the same time when the run starts every closer at once, and has not
 * finished whatever the order when its closer only starts it (`() => { server.close() }`); a drain
 * on the path that runs the registry is ordered against the run.
 */
function problemInRegistry(
  index: ProgramIndex,
  registered: readonly RegisteredClosure[],
  user: ResourceUser,
): Problem | undefined {
  for (const { closure, runs } of registered) {
    for (const run of runs) {
      const problem = problemInRun(index, closure, run, user);
      if (problem) return problem;
    }
  }
  return undefined;
}

function problemInRun(
  index: ProgramIndex,
  closure: RegisteredClosure['closure'],
  run: RegisteredClosure['runs'][number],
  user: ResourceUser,
): Problem | undefined {
  let found: Problem | undefined;
  for (const drain of user.drains) {
    const beside = registeredClosuresOf(index, drain).filter(
      (r) =>
        r.closure !== closure && r.runs.some((other) => other.registry === run.registry && other.root === run.root),
    );
    if (beside.length > 0) {
      // Order groups: a closer of an earlier group has finished before the drain's group starts; one
      // of a later group starts after the drain's closers have returned; one of the same group runs
      // as the run runs a group (below).
      if (run.groups) {
        const mine = closerGroup(index, run.registry, closure, run.groups.key);
        const orders = beside.map((r) =>
          groupOrder(run, mine, closerGroup(index, run.registry, r.closure, run.groups!.key)),
        );
        if (orders.some((o) => o === undefined)) continue; // which runs first is not known
        if (orders.some((o) => o === 'before')) {
          found ??= { messageId: 'closedBeforeDrain', drain };
          continue;
        }
        if (orders.every((o) => o === 'after')) {
          if (beside.some((r) => !completesIn(index, r.closure, drain, 1)))
            return { messageId: 'closedDuringDrain', drain };
          continue;
        }
      }
      // A closer that only starts the drain: whatever runs beside or after it runs during the drain.
      if (beside.some((r) => !completesIn(index, r.closure, drain, 1)))
        return { messageId: 'closedDuringDrain', drain };
      if (run.concurrent) found ??= { messageId: 'closedConcurrently', drain };
      continue;
    }
    if (drainsOnPath(index, run.root, [drain]).length === 0) continue;
    const order = closeOrderAt(index, run.root.fn, run.site, drain).order;
    if (order === 'after' || order === 'unknown') return undefined;
    found ??= { messageId: order === 'during' ? 'closedDuringDrain' : 'closedBeforeDrain', drain };
  }
  return found;
}

/**
 * The close must follow every drain of the path: the one whose node comes last, when all are
 * decided in one function (otherwise no single move fixes it).
 */
function lastDrainAnchor(
  orders: readonly { drain: ts.Node; anchors?: { close: ts.Node; drain: ts.Node } }[],
): Problem['fix'] | undefined {
  const first = orders[0]?.anchors;
  if (!first || orders.some((o) => !o.anchors || o.anchors.close !== first.close)) return undefined;
  const last = orders.reduce((x, y) => (y.anchors!.drain.getStart() > x.anchors!.drain.getStart() ? y : x));
  return { close: first.close, drain: last.anchors!.drain, move: 'after', drains: last.drain };
}

/** The drains run by other roots: a hook registered in the wrong order, or a handler running at the same time. */
function problemAcrossRoots(context: Context, root: ShutdownRoot, user: ResourceUser): Problem | undefined {
  const { index } = context;
  let found: Problem | undefined;
  const file = root.registration.getSourceFile();
  // A test's drains run in no service's shutdown (unless the close is in a test too).
  const inTest = isTestFile(file.fileName);
  const drains = user.drains
    .filter((d) => inTest || !isTestFile(d.getSourceFile().fileName))
    .sort((a, b) => Number(b.getSourceFile() === file) - Number(a.getSourceFile() === file));
  for (const drain of drains) {
    for (const other of rootsOfClose(index, drain)) {
      if (other === root || other.fn === root.fn) continue;
      const order = registrationOrder(index, root, other);
      if (order === 'after') return undefined;
      if (order === 'before')
        found ??= {
          messageId: 'closedBeforeDrain',
          drain,
          // The close's registration goes where the library runs it after the drain's.
          fix: {
            close: root.registration,
            drain: other.registration,
            move: root.registration.pos < other.registration.pos ? 'after' : 'before',
            registrations: true,
          },
        };
      else if (runConcurrently(index, root, other)) found ??= { messageId: 'closedConcurrently', drain };
    }
  }
  if (found) return found;
  // No shutdown path anywhere drains the server: only a signal-started root knows it is still serving.
  if (user.type === 'server' && drains.length === 0 && root.signals && !mayDrainUnknownServer(index, root))
    return { messageId: 'closedWhileServing' };
  return undefined;
}

function report(
  context: Context,
  call: ts.CallExpression,
  used: UsedResource,
  user: ResourceUser,
  problem: Problem,
): void {
  const t = context.ts;
  const at = problem.drain ? placeOf(problem.drain, context.sourceFile) : '';
  context.report({
    node: call,
    messageId: problem.messageId,
    data: {
      close: `${calleeText(t, call.expression, context.sourceFile)}()`,
      name: used.name,
      label: used.label,
      user: user.label,
      work: user.type === 'server' ? 'request handlers' : 'jobs',
      at,
      hook: problem.hook?.hook ?? '',
      owner: problem.hook ? (ownerNames[problem.hook.owner] ?? problem.hook.owner) : '',
      instead: problem.hook?.instead ?? '',
      ...fixData(context, problem),
    },
  });
}

/** The fix's ranges, when they are in the reported file (a codemod rewrites one file). */
function fixData(context: Context, problem: Problem): Partial<CloseInReverseOrderData> {
  const fix = problem.fix;
  if (!fix || fix.close.getSourceFile() !== context.sourceFile || fix.drain.getSourceFile() !== context.sourceFile)
    return {};
  return {
    closeStart: fix.close.getStart(),
    closeEnd: fix.close.getEnd(),
    drainStart: fix.drain.getStart(),
    drainEnd: fix.drain.getEnd(),
    move: fix.move,
    ...(fix.registrations ? { registrations: true } : {}),
    settles: fix.drains ? anchorSettles(context.index, fix.drain, fix.drains) : true,
    awaitable: context.ts.isExpression(fix.drain) && isPromiseValued(context.ts, context.index, fix.drain),
  };
}

/** `line 12`, or `main.ts:12` for a drain in another file. */
function placeOf(node: ts.Node, from: ts.SourceFile): string {
  const file = node.getSourceFile();
  const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  return file === from ? `line ${line}` : `${file.fileName.split(/[\\/]/).pop()}:${line}`;
}
