// Worker-thread scripts: a file that uses `parentPort` or `workerData` runs in a thread of its
// own, which ends on `process.exit()` or an unhandled rejection, and frees what it opened with it.
import type * as ts from 'typescript';
import { refIn, workerThreadValues } from './catalogue.js';
import { factKey, type ProgramIndex } from './program-index.js';

const workerFilesFact = factKey<Map<ts.SourceFile, boolean>>('worker-thread files');

/** A worker script: it uses `parentPort` or `workerData`, so `process.exit` there ends only the thread. */
export function isWorkerThreadFile(index: ProgramIndex, file: ts.SourceFile): boolean {
  const workerFiles = index.fact(workerFilesFact, () => new Map<ts.SourceFile, boolean>());
  const cached = workerFiles.get(file);
  if (cached !== undefined) return cached;
  const t = index.ts;
  let found = false;
  if (/\b(parentPort|workerData)\b/.test(file.text)) {
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (t.isIdentifier(node) && (node.text === 'parentPort' || node.text === 'workerData')) {
        const target = t.isPropertyAccessExpression(node.parent) && node.parent.name === node ? node.parent : node;
        const ref = index.binding.resolve(target);
        if (ref && refIn(ref, workerThreadValues)) {
          found = true;
          return;
        }
      }
      t.forEachChild(node, visit);
    };
    visit(file);
  }
  workerFiles.set(file, found);
  return found;
}
