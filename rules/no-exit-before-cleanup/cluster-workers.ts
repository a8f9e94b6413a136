// A cluster primary that forks workers and exits on its shutdown path without disconnecting them.
// Each worker exits as soon as its IPC channel to the primary closes (Node's cluster child does
// `process.exit(0)` on 'disconnect'), so the requests it is serving are cut off.
import type * as ts from 'typescript';
import { factKey, type ProgramIndex } from '../../src/core/program-index.js';
import { isTestFile } from '../../src/core/files.js';
import { heldSymbolOf } from '../../src/core/resources.js';
import { methodCallParts, skipOuterExpressions } from '../../src/core/ts-utils.js';

const forksFact = factKey<Map<ts.SourceFile, ts.CallExpression | null>>(
  'the cluster fork of a file whose workers nothing disconnects',
);

/** Methods that end or let go of cluster workers: `worker.disconnect()`, `worker.kill()`, `cluster.disconnect()`. */
const workerStops = new Set(['disconnect', 'kill', 'destroy']);

/**
 * The `cluster.fork()` of `file` (also `this.cluster.fork()` on a field or parameter annotated with
 * the `Cluster` type of `node:cluster`), when no call in the program disconnects or kills a worker
 * or the cluster. Undefined otherwise.
 */
export function forkNeverDisconnected(index: ProgramIndex, file: ts.SourceFile): ts.CallExpression | undefined {
  const byFile = index.fact(forksFact, () => new Map());
  let found = byFile.get(file);
  if (found === undefined) {
    found = findFork(index, file) ?? null;
    byFile.set(file, found);
  }
  return found ?? undefined;
}

function findFork(index: ProgramIndex, file: ts.SourceFile): ts.CallExpression | undefined {
  const t = index.ts;
  let fork: ts.CallExpression | undefined;
  for (const call of index.calls) {
    if (!t.isCallExpression(call) || call.getSourceFile() !== file) continue;
    const parts = methodCallParts(t, call);
    if (parts?.name === 'fork' && isCluster(index, parts.receiver)) {
      fork = call;
      break;
    }
  }
  if (!fork) return undefined;
  for (const call of index.calls) {
    if (!t.isCallExpression(call) || isTestFile(call.getSourceFile().fileName)) continue;
    const parts = methodCallParts(t, call);
    if (!parts || !workerStops.has(parts.name)) continue;
    // `worker.kill()`, `w.process.kill()`, `cluster.disconnect()`, `Object.values(cluster.workers)…`
    if (isCluster(index, parts.receiver) || /worker|cluster/i.test(parts.receiver.getText())) return undefined;
  }
  return fork;
}

/** `cluster` of `node:cluster`, or a field or parameter annotated with its `Cluster` type. */
function isCluster(index: ProgramIndex, expression: ts.Expression): boolean {
  const t = index.ts;
  const e = skipOuterExpressions(t, expression);
  const ref = index.binding.resolve(e);
  if (ref?.module === 'cluster' && (ref.path.length === 0 || (ref.path.length === 1 && ref.path[0] === 'default')))
    return true;
  const declaration = heldSymbolOf(index, e)?.valueDeclaration;
  if (!declaration || !(t.isParameter(declaration) || t.isPropertyDeclaration(declaration))) return false;
  const annotation = declaration.type;
  if (!annotation || !t.isTypeReferenceNode(annotation) || !t.isIdentifier(annotation.typeName)) return false;
  const type = index.binding.resolve(annotation.typeName);
  return type?.module === 'cluster' && type.path[type.path.length - 1] === 'Cluster';
}
