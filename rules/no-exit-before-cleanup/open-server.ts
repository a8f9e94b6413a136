// An HTTP server the program listens with and never closes. An exit at the end of a shutdown path
// that drained other things (the realtime queues, the socket.io clients, a pool) still cuts off the
// requests that server is serving: nothing ever stopped it taking them or waited for them.
import type * as ts from 'typescript';
import { findShutdownLibrary, kindSpec } from '../../src/core/catalogue.js';
import { factKey, type ProgramIndex, type ServerRecord } from '../../src/core/program-index.js';
import { callsNamed, closesOf, holdingOf, type Holding } from '../../src/core/resources.js';
import { enclosingFunction } from '../../src/core/ts-utils.js';
import { isTestFile } from '../../src/core/files.js';
import { isLongRunningFile } from './exits.js';

const neverClosedFact = factKey<Map<ts.SourceFile, { server: ServerRecord; name: string } | null>>(
  'the listening server of a file that nothing closes',
);

/**
 * The HTTP server `file` creates and listens with that no call anywhere in the program closes
 * (`server.close()` on it or an alias, a force-close, a helper that closes its parameter), kept where
 * a close could name it. Undefined when the program uses a shutdown library (terminus,
 * http-terminator, stoppable, …), which closes the server it is given, or when a server of the file
 * is not kept where the analysis can follow it. Only the file's own server: a shutdown path in the
 * entry that listens, not a metrics server in another module.
 */
export function serverNeverClosed(
  index: ProgramIndex,
  file: ts.SourceFile,
): { server: ServerRecord; name: string } | undefined {
  const byFile = index.fact(neverClosedFact, () => new Map());
  let found = byFile.get(file);
  if (found === undefined) {
    found = findServerNeverClosed(index, file) ?? null;
    byFile.set(file, found);
  }
  return found ?? undefined;
}

function findServerNeverClosed(
  index: ProgramIndex,
  file: ts.SourceFile,
): { server: ServerRecord; name: string } | undefined {
  if (isTestFile(file.fileName) || !isLongRunningFile(index, file)) return undefined;
  for (const call of index.calls) {
    const ref = index.binding.resolve(call.expression);
    if (ref && findShutdownLibrary(ref)) return undefined;
  }
  for (const record of index.servers) {
    const spec = kindSpec(record.kind);
    if (spec?.category !== 'server' || !spec.drainsOnClose || record.creation.getSourceFile() !== file) continue;
    const holdings = keptHoldings(index, record.creation, spec.returnsSelf ?? []);
    if (!holdings) return undefined;
    for (const holding of holdings) {
      const closes = closesOf(index, holding, [...(spec.close ?? []), ...(spec.forceClose ?? [])]);
      if (closes.length > 0 || isNamedAsValue(index, holding.symbol) || isHandedOn(index, holding.symbol)) continue;
      return { server: record, name: holding.name };
    }
  }
  return undefined;
}

/**
 * Where a created server is kept: its own holding, or, for a server a factory of the same file
 * returns (`function createHttpServer() { return http.createServer(app) }`), what each call of the
 * factory keeps it in. Undefined when one of them is not kept where a close could name it.
 */
function keptHoldings(
  index: ProgramIndex,
  creation: ts.CallExpression | ts.NewExpression,
  returnsSelf: readonly string[],
): Extract<Holding, { type: 'kept' }>[] | undefined {
  const t = index.ts;
  const holding = holdingOf(index, creation, returnsSelf);
  if (holding.type === 'kept') return [holding];
  if (holding.type !== 'handed') return undefined;
  let e: ts.Node = creation;
  while (t.isParenthesizedExpression(e.parent) || t.isAsExpression(e.parent)) e = e.parent;
  const fn = enclosingFunction(t, creation);
  if (!fn || !t.isReturnStatement(e.parent) || !fn.name || !t.isIdentifier(fn.name)) return undefined;
  const kept: Extract<Holding, { type: 'kept' }>[] = [];
  for (const call of callsNamed(index, fn.name.text)) {
    if (call.getSourceFile() !== creation.getSourceFile()) continue;
    if (!index.resolveFunctions(call.expression, 0, false).includes(fn)) continue;
    const outer = holdingOf(index, call, returnsSelf);
    if (outer.type !== 'kept') return undefined;
    kept.push(outer);
  }
  return kept.length > 0 ? kept : undefined;
}

/**
 * Whether the server's close is read as a value somewhere (`promisify(server.close)`,
 * `server.close.bind(server)`): a close the call search does not see.
 */
function isNamedAsValue(index: ProgramIndex, symbol: ts.Symbol): boolean {
  const t = index.ts;
  const name = symbol.name;
  for (const file of index.sourceFiles) {
    if (!file.text.includes(`${name}.close`)) continue;
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (
        t.isPropertyAccessExpression(node) &&
        node.name.text === 'close' &&
        !(t.isCallExpression(node.parent) && node.parent.expression === node)
      ) {
        const receiver = node.expression;
        const target = t.isPropertyAccessExpression(receiver) ? receiver.name : receiver;
        if (index.types.getSymbolAtLocation(target) === symbol) {
          found = true;
          return;
        }
      }
      t.forEachChild(node, visit);
    };
    visit(file);
    if (found) return true;
  }
  return false;
}

/**
 * Whether the server is handed to a call that may close it (`lifecycle.closeServer(server)`,
 * `stoppable(server)`, `createHttpTerminator({ server })`, a helper): an argument, or a property of
 * an object argument. Attaching a WebSocket or socket.io server to it (`new WebSocketServer({ server
 * })`, `require('socket.io')(server)`), a creation the catalogue knows, closes nothing.
 */
function isHandedOn(index: ProgramIndex, symbol: ts.Symbol): boolean {
  const t = index.ts;
  for (const file of index.sourceFiles) {
    if (!file.text.includes(symbol.name)) continue;
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (t.isIdentifier(node) && node.text === symbol.name && index.types.getSymbolAtLocation(node) === symbol) {
        let e: ts.Node = node;
        if (t.isShorthandPropertyAssignment(e.parent) || t.isPropertyAssignment(e.parent)) e = e.parent.parent;
        const call = e.parent;
        if (
          (t.isCallExpression(call) || t.isNewExpression(call)) &&
          call.arguments?.includes(e as ts.Expression) &&
          index.kindOf(call) === undefined
        ) {
          found = true;
          return;
        }
      }
      t.forEachChild(node, visit);
    };
    visit(file);
    if (found) return true;
  }
  return false;
}
