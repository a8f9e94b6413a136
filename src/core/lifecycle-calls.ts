// Calls of the project's runtime, `shutdown-lint/lifecycle`: what the codemods rewrite into, and
// what every rule must therefore take as correct (a tracked task, a bounded close, a closer that
// runs at shutdown). The roles are data in the catalogue.
import type * as ts from 'typescript';
import { lifecycleCalls, lifecycleMethods, sameRef, type LifecycleRole } from './catalogue.js';
import { factKey, type ProgramIndex, type ShutdownRoot } from './program-index.js';
import { methodCallParts } from './ts-utils.js';

/** `lifecycle.track(p)`, `closeServer(s)`, `life.defer(fn)` on a `createLifecycle()` instance. */
export function lifecycleRoleOf(
  index: ProgramIndex,
  call: ts.CallExpression | ts.NewExpression,
): LifecycleRole | undefined {
  const t = index.ts;
  if (!t.isCallExpression(call)) return undefined;
  const ref = index.binding.resolve(call.expression);
  const role = ref ? lifecycleCalls.find((entry) => sameRef(entry, ref))?.role : undefined;
  if (role) return role;
  const parts = methodCallParts(t, call);
  if (!parts || !Object.prototype.hasOwnProperty.call(lifecycleMethods, parts.name)) return undefined;
  return index.kindOf(parts.receiver, true) === 'lifecycle.Lifecycle' ? lifecycleMethods[parts.name] : undefined;
}

/** What the program hands the lifecycle for shutdown to finish: tracked work, closers, servers. */
const heldRoles: ReadonlySet<LifecycleRole> = new Set(['tracks', 'closes-at-shutdown', 'adopts-server']);

interface LifecycleUse {
  /** The first call that hands the lifecycle work shutdown must finish (`lifecycle.track(…)`). */
  held?: ts.CallExpression;
  /** `handleSignals()` somewhere: its listener runs the drain. */
  handlesSignals: boolean;
  /** The `shutdown()` calls that are on a shutdown path. */
  drains: ts.CallExpression[];
}

const useFact = factKey<LifecycleUse>('lifecycle use');

function lifecycleUse(index: ProgramIndex): LifecycleUse {
  return index.fact(useFact, () => {
    const use: LifecycleUse = { handlesSignals: false, drains: [] };
    const t = index.ts;
    for (const call of index.calls) {
      if (!t.isCallExpression(call)) continue;
      // Only a call named like one of the runtime's methods can be one (resolving every call is dear).
      const callee = t.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression;
      if (!t.isIdentifier(callee) || !Object.prototype.hasOwnProperty.call(lifecycleMethods, callee.text)) continue;
      const role = lifecycleRoleOf(index, call);
      if (!role) continue;
      if (heldRoles.has(role)) use.held ??= call;
      else if (role === 'handles-signals') use.handlesSignals = true;
      else if (role === 'drains' && index.shutdownRootsOf(call).length > 0) use.drains.push(call);
    }
    return use;
  });
}

/** The first call handing the lifecycle work that only its drain finishes, if the program makes one. */
export function lifecycleHeldWork(index: ProgramIndex): ts.CallExpression | undefined {
  return lifecycleUse(index).held;
}

/**
 * Whether some shutdown path waits for the lifecycle: `handleSignals()` installs the listener that
 * drains it, or a shutdown path (a signal listener, a shutdown hook) calls `shutdown()`. A program
 * with no shutdown path at all is a package whose host runs the shutdown: that counts too.
 */
export function lifecycleDrainedOnShutdown(index: ProgramIndex): boolean {
  const use = lifecycleUse(index);
  // The lifecycle's own closers are no shutdown path of the program's (see ShutdownRoot.lifecycleCloser).
  return use.handlesSignals || use.drains.length > 0 || index.shutdownRoots.every((r) => r.lifecycleCloser);
}

/** A `shutdown()` of the lifecycle on `root`'s shutdown path (its listener, or a function it calls). */
export function lifecycleDrainOnPath(index: ProgramIndex, root: ShutdownRoot): ts.CallExpression | undefined {
  return lifecycleUse(index).drains.find((call) => index.shutdownRootsOf(call).includes(root));
}
