// Calls of the project's runtime, `shutdown-lint/lifecycle`: what the codemods rewrite into, and
// what every rule must therefore take as correct (a tracked task, a bounded close, a closer that
// runs at shutdown). The roles are data in the catalogue.
import type * as ts from 'typescript';
import { lifecycleCalls, lifecycleMethods, sameRef, type LifecycleRole } from './catalogue.js';
import type { ProgramIndex } from './program-index.js';
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
