// Where a program starts accepting connections: `listen` on a server or app, a factory whose
// server already listens (`serve()`), a WebSocket server with a port of its own. And whether that
// code runs at all, and for how long: a library's exported `start()` nobody calls does not, and a
// CLI that closes its server in the same function listens only briefly.
import type * as ts from 'typescript';
import {
  findFactory,
  kindSpec,
  listeningKinds,
  refIn,
  selfListeningServers,
  serverlessAdapters,
} from '../../src/core/catalogue.js';
import { factKey, type ProgramIndex } from '../../src/core/program-index.js';
import { heldSymbolOf, holdingOf } from '../../src/core/resources.js';
import {
  calleeText,
  enclosingFunction,
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
} from '../../src/core/ts-utils.js';
import { type TypeQuestions } from '../../src/core/type-questions.js';

export interface ListenStart {
  node: ts.CallExpression | ts.NewExpression;
  /** How messages name it: `app.listen()`, `serve()`, `new WebSocketServer()`. */
  name: string;
  label: string;
  /** Its catalogue kind: `express.App`, `fastify.Instance`, `ws.WebSocketServer`. */
  kind: string;
  /** The server that listens: the receiver of `listen`, or the creation itself. */
  server: ts.Expression;
}

/** The listening `node` starts, if it starts one. */
export function listenStartOf(
  index: ProgramIndex,
  node: ts.CallExpression | ts.NewExpression,
): ListenStart | undefined {
  const t = index.ts;
  const sourceFile = node.getSourceFile();
  if (t.isCallExpression(node)) {
    const parts = methodCallParts(t, node);
    if (parts?.name === 'listen') {
      const kind = index.kindOf(parts.receiver, true);
      if (!kind || !listeningKinds.has(kind)) return undefined;
      return {
        node,
        name: `${receiverText(t, parts.receiver, sourceFile)}.listen()`,
        label: kindSpec(kind)?.label ?? kind,
        kind,
        server: parts.receiver,
      };
    }
  }
  const record = index.serverOf(node);
  if (!record || record.creation !== node) return undefined;
  const label = kindSpec(record.kind)?.label ?? record.kind;
  const ref = index.binding.resolve(node.expression);
  const name = `${t.isNewExpression(node) ? 'new ' : ''}${calleeText(t, node.expression, sourceFile)}()`;
  if (ref && findFactory(ref)?.listens) return { node, name, label, kind: record.kind, server: node };
  const self = selfListeningServers.find((s) => s.kind === record.kind);
  if (!self) return undefined;
  const args = node.arguments ?? [];
  if (self.portOption !== undefined) {
    const options = args[0] && skipOuterExpressions(t, args[0]);
    if (
      options &&
      t.isObjectLiteralExpression(options) &&
      options.properties.some((p) => staticPropertyName(t, p.name) === self.portOption)
    ) {
      return { node, name, label, kind: record.kind, server: node };
    }
  }
  if (self.portArgument !== undefined) {
    const port = args[self.portArgument];
    if (port && isNumberLike(t, index.types, port)) return { node, name, label, kind: record.kind, server: node };
  }
  return undefined;
}

/** `app`, `this.server`, `http.createServer(…)`, `new SMTPServer(…)`. */
function receiverText(t: TS, receiver: ts.Expression, sourceFile: ts.SourceFile): string {
  const e = skipOuterExpressions(t, receiver);
  if (t.isCallExpression(e) || t.isNewExpression(e))
    return `${t.isNewExpression(e) ? 'new ' : ''}${calleeText(t, e.expression, sourceFile)}(…)`;
  return calleeText(t, e, sourceFile);
}

function isNumberLike(t: TS, types: TypeQuestions, expression: ts.Expression): boolean {
  const e = skipOuterExpressions(t, expression);
  if (t.isNumericLiteral(e)) return true;
  return (types.getTypeAtLocation(e).flags & t.TypeFlags.NumberLike) !== 0;
}

const calledNamesFact = factKey<Set<string>>('names the program calls or hands on');

/** Names the program calls, constructs, extends or hands on as a value (a callback, a route). */
function calledNames(index: ProgramIndex): Set<string> {
  return index.fact(calledNamesFact, () => {
    const t = index.ts;
    const names = new Set<string>();
    const add = (e: ts.Expression | undefined): void => {
      if (!e) return;
      const x = skipOuterExpressions(t, e);
      if (t.isIdentifier(x)) names!.add(x.text);
      else if (t.isPropertyAccessExpression(x)) names!.add(x.name.text);
    };
    for (const call of index.calls) {
      add(call.expression);
      if (t.isCallExpression(call)) {
        const parts = methodCallParts(t, call);
        // `start.call(this)`, `main.bind(null)`: the function itself.
        if (parts && ['call', 'apply', 'bind'].includes(parts.name)) add(parts.receiver);
      }
      for (const argument of call.arguments ?? []) add(argument);
    }
    for (const file of index.sourceFiles) {
      const visit = (node: ts.Node): void => {
        if (t.isHeritageClause(node)) for (const type of node.types) add(type.expression);
        else if (t.isExportAssignment(node)) add(node.expression);
        t.forEachChild(node, visit);
      };
      visit(file);
    }
    return names;
  });
}

/** The name a function is called by: its own, its variable's or property's, its class's for a constructor. */
function nameOf(t: TS, fn: FunctionLikeWithBody): string | undefined {
  if (t.isConstructorDeclaration(fn)) return fn.parent.name?.text;
  if (fn.name && (t.isIdentifier(fn.name) || t.isStringLiteral(fn.name) || t.isPrivateIdentifier(fn.name)))
    return fn.name.text;
  const parent = fn.parent;
  if (
    (t.isVariableDeclaration(parent) || t.isPropertyAssignment(parent) || t.isPropertyDeclaration(parent)) &&
    parent.initializer === fn
  ) {
    return staticPropertyName(t, parent.name);
  }
  if (t.isBinaryExpression(parent) && parent.right === fn) {
    const left = skipOuterExpressions(t, parent.left);
    return t.isIdentifier(left) ? left.text : t.isPropertyAccessExpression(left) ? left.name.text : undefined;
  }
  return undefined;
}

/**
 * Whether code at `node` runs when the program does: it is at a module's top level, in a callback
 * of code that runs, or in a named function the program calls somewhere (by name, as in
 * `lostcancel`'s "any reference counts"). A library's exported `start()` that nothing calls does not.
 */
export function runsInProgram(index: ProgramIndex, node: ts.Node): boolean {
  const t = index.ts;
  for (let fn = enclosingFunction(t, node); fn; fn = enclosingFunction(t, fn)) {
    // An immediately invoked function runs where it stands.
    if ((t.isArrowFunction(fn) || t.isFunctionExpression(fn)) && isInvokedOrPassed(t, fn)) continue;
    const name = nameOf(t, fn);
    return name !== undefined && calledNames(index).has(name);
  }
  return true;
}

/** `(() => …)()`, `app.listen(port, () => …)`, `main().then(() => …)`: runs when its container does. */
function isInvokedOrPassed(t: TS, fn: ts.ArrowFunction | ts.FunctionExpression): boolean {
  let e: ts.Node = fn;
  while (t.isParenthesizedExpression(e.parent)) e = e.parent;
  const parent = e.parent;
  return (
    (t.isCallExpression(parent) || t.isNewExpression(parent)) &&
    (parent.expression === e || (parent.arguments?.includes(e as ts.Expression) ?? false))
  );
}

/** Events whose listeners run only when something failed. */
const failureEvents: ReadonlySet<string> = new Set(['error', 'uncaughtException', 'unhandledRejection']);

/**
 * A server its own code closes in the function (or module top level) that started it, outside
 * an error listener: a CLI's OAuth callback server, a one-shot script. It listens briefly.
 */
export function closedWhereStarted(index: ProgramIndex, start: ListenStart): boolean {
  const t = index.ts;
  const symbols = new Set<ts.Symbol>();
  const served = heldSymbolOf(index, start.server);
  if (served) symbols.add(served);
  const holding = holdingOf(index, start.node);
  if (holding.type === 'kept') symbols.add(holding.symbol);
  if (symbols.size === 0) return false;
  const scope: ts.Node = enclosingFunction(t, start.node) ?? start.node.getSourceFile();
  let closed = false;
  const visit = (node: ts.Node): void => {
    if (closed) return;
    if (t.isCallExpression(node)) {
      const parts = methodCallParts(t, node);
      // A close in an error listener or a signal listener is not how the program means to end.
      if (parts && (failureListener(t, node) || isProcessRef(index.binding.resolve(parts.receiver)))) return;
      if (parts && (parts.name === 'close' || parts.name === 'closeAllConnections')) {
        const symbol = heldSymbolOf(index, parts.receiver);
        if (symbol && symbols.has(symbol)) {
          closed = true;
          return;
        }
      }
    }
    t.forEachChild(node, visit);
  };
  const body = t.isSourceFile(scope) ? scope : isFunctionLikeWithBody(t, scope) ? scope.body : undefined;
  if (body) visit(body);
  return closed;
}

function failureListener(t: TS, call: ts.CallExpression): boolean {
  const event = call.arguments[0] && skipOuterExpressions(t, call.arguments[0]);
  return (
    event !== undefined && t.isStringLiteralLike(event) && failureEvents.has(event.text) && call.arguments.length > 1
  );
}

function isProcessRef(ref: { module: string; path: readonly string[] } | undefined): boolean {
  return ref !== undefined && ref.module === 'global' && ref.path.length === 1 && ref.path[0] === 'process';
}

/**
 * A module that hands its app to a serverless adapter (`module.exports.handler = serverless(app)`):
 * it runs as a function, and its `listen` is for local runs (`if (require.main === module)`).
 */
export function runsServerless(index: ProgramIndex, file: ts.SourceFile): boolean {
  return index.calls.some((call) => {
    if (call.getSourceFile() !== file) return false;
    const ref = index.binding.resolve(call.expression);
    return ref !== undefined && refIn(ref, serverlessAdapters);
  });
}
