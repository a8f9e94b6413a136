// Reachability: the functions a start reaches through calls and function references within the
// program, the shutdown path of every shutdown root, and which roots' paths run a node.
import type * as ts from 'typescript';
import {
  enclosingFunction,
  functionBody,
  isFunctionLikeWithBody,
  skipOuterExpressions,
  type FunctionLikeWithBody,
  type TS,
} from '../ts-utils.js';
import type { FunctionResolver } from './functions.js';
import type { ShutdownRoot } from './records.js';

export class Reachability {
  private readonly rootsByFunction = new Map<ts.Node, ShutdownRoot[]>();
  private readonly pathByRoot = new Map<ShutdownRoot, Set<ts.Node>>();
  private drainEntries: Set<ts.Node> | undefined;

  constructor(
    private readonly ts: TS,
    private readonly functions: FunctionResolver,
    private readonly shutdownRoots: readonly ShutdownRoot[],
  ) {}

  /** The shutdown roots whose paths run `node`. */
  shutdownRootsOf(node: ts.Node): ShutdownRoot[] {
    const t = this.ts;
    const found: ShutdownRoot[] = [];
    for (let fn: ts.Node | undefined = enclosingFunction(t, node) ?? node.getSourceFile(); fn;) {
      for (const root of this.rootsByFunction.get(fn) ?? []) {
        if (root.fn === fn && root.afterPos !== undefined && node.pos < root.afterPos) continue;
        if (!found.includes(root)) found.push(root);
      }
      if (t.isSourceFile(fn)) break;
      fn = enclosingFunction(t, fn) ?? fn.getSourceFile();
    }
    return found;
  }

  /**
   * Whether a function starts the drain: a shutdown root, or a function a root calls directly
   * (`process.once('SIGTERM', () => shutdown())` makes `shutdown` one).
   */
  startsShutdown(fn: ts.Node): boolean {
    if (!this.drainEntries) {
      const t = this.ts;
      this.drainEntries = new Set();
      for (const root of this.shutdownRoots) {
        this.drainEntries.add(root.fn);
        if (t.isSourceFile(root.fn)) continue;
        const visit = (node: ts.Node): void => {
          if (isFunctionLikeWithBody(t, node)) return;
          if (t.isCallExpression(node)) for (const callee of this.calleeFunctions(node)) this.drainEntries!.add(callee);
          t.forEachChild(node, visit);
        };
        if (root.fn.body) visit(root.fn.body);
      }
    }
    return this.drainEntries.has(fn);
  }

  /** Every function (and source file, for top-level roots) on a root's shutdown path. */
  shutdownPath(root: ShutdownRoot): ReadonlySet<ts.Node> {
    return this.pathByRoot.get(root) ?? new Set();
  }

  /**
   * Every root's path, walked once: run after classification found the roots. `pathOf` walks one
   * (or hands back the path a previous version of the program walked, when it still holds).
   */
  computeShutdownPaths(
    pathOf: (root: ShutdownRoot) => Set<ts.Node> = (root) => this.reachableFrom(root.fn, root.afterPos),
  ): void {
    for (const root of this.shutdownRoots) {
      const path = pathOf(root);
      this.pathByRoot.set(root, path);
      for (const fn of path) {
        const list = this.rootsByFunction.get(fn);
        if (list) list.push(root);
        else this.rootsByFunction.set(fn, [root]);
      }
    }
  }

  /**
   * Functions reachable from `start` through calls and function references, within the program.
   * With `afterPos`, only the part of `start` from that offset on runs (after `await once(...)`).
   */
  reachableFrom(start: ts.Node, afterPos?: number): Set<ts.Node> {
    return this.reachableFromAll([start], afterPos);
  }

  /**
   * Functions reachable from any of `starts` in one walk (`afterPos` applies to the first).
   */
  reachableFromAll(starts: readonly ts.Node[], afterPos?: number): Set<ts.Node> {
    return this.walkAll(starts, afterPos);
  }

  /**
   * Functions that run when the program runs, found from `starts` without entering `avoid` (nor
   * counting it as reached); a function a `const` is initialised with (`const start = () => …`)
   * runs only when called, not where it is declared.
   */
  reachableAvoiding(starts: readonly ts.Node[], avoid: ReadonlySet<ts.Node>): Set<ts.Node> {
    return this.walkAll(starts, undefined, avoid, true);
  }

  private walkAll(
    starts: readonly ts.Node[],
    afterPos: number | undefined,
    avoid?: ReadonlySet<ts.Node>,
    declarationsAreNotCalls = false,
  ): Set<ts.Node> {
    const start = starts[0];
    const seen = new Set<ts.Node>(starts);
    const queue: ts.Node[] = [...seen];
    while (queue.length) {
      const fn = queue.shift()!;
      this.step(fn, fn === start ? afterPos : undefined, declarationsAreNotCalls, (next) => {
        if (!seen.has(next) && !avoid?.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      });
    }
    return seen;
  }

  /**
   * The functions reachable from any of `starts`, one at a time as a depth-first walk finds them
   * (the starts first): the same set as `reachableFromAll` once exhausted, in another order. A
   * caller looking for one function stops early and pays only for the part it walked.
   */
  *walkFrom(starts: readonly ts.Node[]): Generator<ts.Node, void, undefined> {
    const seen = new Set<ts.Node>(starts);
    const stack: ts.Node[] = [...seen];
    yield* [...seen];
    while (stack.length) {
      const found: ts.Node[] = [];
      this.step(stack.pop()!, undefined, false, (next) => {
        if (!seen.has(next)) {
          seen.add(next);
          found.push(next);
        }
      });
      // The last found is walked first; the order within one function does not matter.
      for (const fn of found) stack.push(fn);
      yield* found;
    }
  }

  /** Hands `reach` each function a call or reference in `fn`'s own code (from `from` on) leads to. */
  private step(
    fn: ts.Node,
    from: number | undefined,
    declarationsAreNotCalls: boolean,
    reach: (fn: ts.Node) => void,
  ): void {
    const t = this.ts;
    const body = functionBody(t, fn);
    if (!body) return;
    const enqueue = (fns: readonly ts.Node[]): void => {
      for (const next of fns) reach(next);
    };
    const visit = (node: ts.Node): void => {
      if (from !== undefined && node.end < from) return;
      if (isFunctionLikeWithBody(t, node)) {
        // Nested callbacks run on the same path (`server.close(() => pool.end())`); nested
        // declarations run only when called.
        if (
          (t.isArrowFunction(node) || t.isFunctionExpression(node)) &&
          !(declarationsAreNotCalls && t.isVariableDeclaration(node.parent) && node.parent.initializer === node)
        )
          enqueue([node]);
        return;
      }
      if (t.isClassLike(node)) return;
      if (t.isCallExpression(node) || t.isNewExpression(node)) {
        enqueue(this.calleeFunctions(node));
        for (const arg of node.arguments ?? []) {
          if (t.isIdentifier(arg) || t.isPropertyAccessExpression(arg)) enqueue(this.functions.resolveFunctions(arg));
        }
      }
      t.forEachChild(node, visit);
    };
    visit(body);
  }

  private calleeFunctions(call: ts.CallExpression | ts.NewExpression): FunctionLikeWithBody[] {
    const t = this.ts;
    const callee = skipOuterExpressions(t, call.expression);
    if (t.isIdentifier(callee) || t.isPropertyAccessExpression(callee)) return this.functions.resolveFunctions(callee);
    if (isFunctionLikeWithBody(t, callee)) return [callee];
    return [];
  }
}
