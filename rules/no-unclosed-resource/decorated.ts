// A resource a framework decorates its instance with: `fastify.decorate('prisma', prisma)` keeps
// the client on the Fastify instance for every route, and Fastify never closes what it is given
// (the plugin closes it in an `onClose` hook). So it lives at service scope, under that property.
import type * as ts from 'typescript';
import type { ProgramIndex } from '../../src/core/program-index.js';
import { callsNamed, refersToHolding, type CloseSite, type Holding } from '../../src/core/resources.js';
import { methodCallParts, skipOuterExpressions, type FunctionLikeWithBody } from '../../src/core/ts-utils.js';

/** Instance kinds whose `decorate(name, value)` keeps the value as a property of every instance. */
const decoratingKinds: ReadonlySet<string> = new Set(['fastify.Instance']);

export interface Decoration {
  call: ts.CallExpression;
  /** The property the instance gets (`prisma`). */
  property: string;
  kind: string;
  /** How messages name it: `fastify.prisma`. */
  name: string;
}

/** The `decorate('name', local)` call in `fn` that hands its local resource to the instance. */
export function decorationOf(
  index: ProgramIndex,
  holding: Extract<Holding, { type: 'kept' }>,
  fn: FunctionLikeWithBody,
): Decoration | undefined {
  const t = index.ts;
  let found: Decoration | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (t.isCallExpression(node)) {
      const parts = methodCallParts(t, node);
      const [name, value] = node.arguments;
      if (
        parts?.name === 'decorate' &&
        name &&
        t.isStringLiteralLike(name) &&
        value &&
        refersToHolding(index, value, holding)
      ) {
        const kind = index.kindOf(parts.receiver, true);
        if (kind && decoratingKinds.has(kind)) {
          const receiver = skipOuterExpressions(t, parts.receiver);
          const owner = t.isIdentifier(receiver) ? receiver.text : 'instance';
          found = { call: node, property: name.text, kind, name: `${owner}.${name.text}` };
          return;
        }
      }
    }
    t.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** Closes of the decorated property on any instance of its kind: `app.prisma.$disconnect()`. */
export function closesOfDecoration(
  index: ProgramIndex,
  decoration: Decoration,
  closeMethods: readonly string[],
): CloseSite[] {
  const t = index.ts;
  const sites: CloseSite[] = [];
  for (const method of closeMethods) {
    for (const call of callsNamed(index, method)) {
      const parts = methodCallParts(t, call);
      if (!parts || parts.name !== method) continue;
      const receiver = skipOuterExpressions(t, parts.receiver);
      if (
        t.isPropertyAccessExpression(receiver) &&
        receiver.name.text === decoration.property &&
        index.kindOf(receiver.expression, true) === decoration.kind
      )
        sites.push({ call, how: 'close' });
    }
  }
  return sites;
}
