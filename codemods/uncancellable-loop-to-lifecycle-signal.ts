// no-uncancellable-loop -> repetition that shutdown stops: an interval kept and cleared by a
// closer, a loop and a rescheduling timeout that check `lifecycle.signal`, a `timers/promises`
// interval iterated with the signal.
import type { ASTPath } from 'jscodeshift';
import noUncancellableLoop from '../rules/no-uncancellable-loop/no-uncancellable-loop.js';
import type { FindingOf } from '../src/core/analysis.js';
import { defineCodemod, type RewriteContext, type RewriteResult } from './lib/codemod.js';
import { quoteStyle } from './lib/imports.js';

type Node = any; // see lib/imports.ts
type Finding = FindingOf<typeof noUncancellableLoop>;

function member(context: RewriteContext, object: Node, ...names: string[]): Node {
  return names.reduce((o, name) => context.j.memberExpression(o, context.j.identifier(name)), object);
}

/** `!lifecycle.signal.aborted` */
function notAborted(context: RewriteContext): Node {
  return context.j.unaryExpression('!', member(context, context.lifecycle(), 'signal', 'aborted'));
}

function isNotAborted(node: Node): boolean {
  return (
    node?.type === 'UnaryExpression' &&
    node.operator === '!' &&
    node.argument.type === 'MemberExpression' &&
    node.argument.property.name === 'aborted'
  );
}

/** `app`, `this.timer`: an expression that can be read again later without side effects. */
function isPlainReference(node: Node): boolean {
  if (node?.type === 'Identifier' || node?.type === 'ThisExpression') return true;
  return node?.type === 'MemberExpression' && !node.computed && isPlainReference(node.object);
}

function isStatementList(node: Node): boolean {
  return node?.type === 'Program' || node?.type === 'BlockStatement' || node?.type === 'StaticBlock';
}

/** Names declared or used anywhere in the file. */
function namesIn(context: RewriteContext): Set<string> {
  const names = new Set<string>();
  context.root.find(context.j.Identifier).forEach((p) => {
    names.add(p.node.name);
  });
  return names;
}

/** `sweepTimer` for `setInterval(sweep, …)`, else `interval`; numbered when taken. */
function freshName(context: RewriteContext, callback: Node): string {
  const base =
    callback?.type === 'Identifier'
      ? `${callback.name}Timer`
      : callback?.type === 'MemberExpression' && !callback.computed
        ? `${callback.property.name}Timer`
        : 'interval';
  const taken = namesIn(context);
  // The names this run gave out are written as text, which the tree does not show as names.
  const given = namesGiven.get(context.root) ?? new Set<string>();
  namesGiven.set(context.root, given);
  let name = base;
  for (let n = 2; taken.has(name) || given.has(name); n++) name = `${base}${n}`;
  given.add(name);
  return name;
}

/** Per parsed file, the handle names freshName gave out: two intervals of one file get two names. */
const namesGiven = new WeakMap<object, Set<string>>();

/** `lifecycle.defer(() => clearInterval(timer), { name: 'timer' })` */
function deferClear(context: RewriteContext, handle: Node, name: string): string {
  const { j } = context;
  const clear = j.arrowFunctionExpression([], j.callExpression(j.identifier('clearInterval'), [handle]));
  return `${j(j.callExpression(member(context, context.lifecycle(), 'defer'), [clear]))
    .toSource()
    .replace(/\)$/, '')}, { name: ${j(j.stringLiteral(name)).toSource({ quote: quoteStyle(j, context.root) })} })`;
}

/**
 * Replaces `statement` with `first` and the closer below it. Written as text (recast indents its
 * second line as the block): recast sets a new statement next to a commented one off with blank lines.
 */
function withCloserBelow(context: RewriteContext, statement: ASTPath<Node>, first: string, closer: string): void {
  const { j } = context;
  const replacement = j.expressionStatement(j.identifier(`${first.replace(/;\s*$/, '')};\n${closer}`));
  (replacement as Node).comments = statement.node.comments;
  statement.replace(replacement);
}

const textOf = (context: RewriteContext, node: Node): string => context.textOf(node);

function rewriteInterval(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  if (finding.data.inHandler) {
    return {
      leftForPerson:
        "an interval per request or event: clear it when that request or event ends (`res.on('close', () " +
        '=> clearInterval(timer))`), not at shutdown',
    };
  }
  const call = context.nodeAt(finding, ['CallExpression']);
  if (!call)
    return {
      leftForPerson:
        'no rewrite for this interval: keep its handle and `lifecycle.defer(() => clearInterval(timer))` by hand',
    };
  const parent = call.parent as ASTPath<Node>;
  const holder = parent.node as Node;

  // `const timer = setInterval(…);`: the name stays, the closer follows the declaration.
  if (holder.type === 'VariableDeclarator' && holder.init === call.node && holder.id.type === 'Identifier') {
    const declaration = parent.parent as ASTPath<Node>;
    const statement = declaration.parent?.node.type === 'ExportNamedDeclaration' ? declaration.parent : declaration;
    if (declaration.node.declarations.length !== 1 || !isStatementList(statement.parent?.node)) {
      return {
        leftForPerson: `\`${holder.id.name}\` is declared with others: \`lifecycle.defer(() => clearInterval(${holder.id.name}))\` after it by hand`,
      };
    }
    withCloserBelow(
      context,
      statement,
      textOf(context, statement.node),
      deferClear(context, j.identifier(holder.id.name), holder.id.name),
    );
    return 'rewritten';
  }

  // `this.timer = setInterval(…);`
  if (
    holder.type === 'AssignmentExpression' &&
    holder.right === call.node &&
    holder.operator === '=' &&
    isPlainReference(holder.left)
  ) {
    const statement = parent.parent as ASTPath<Node>;
    if (statement.node.type !== 'ExpressionStatement' || !isStatementList(statement.parent?.node)) {
      return {
        leftForPerson:
          'the interval is assigned inside an expression: `lifecycle.defer(() => clearInterval(…))` after it by hand',
      };
    }
    const name = holder.left.type === 'Identifier' ? holder.left.name : holder.left.property.name;
    withCloserBelow(context, statement, textOf(context, statement.node), deferClear(context, holder.left, name));
    return 'rewritten';
  }

  // `setInterval(…);` on its own: the handle gets a name.
  if (holder.type === 'ExpressionStatement' && isStatementList(parent.parent?.node)) {
    const name = freshName(context, call.node.arguments[0]);
    withCloserBelow(
      context,
      parent,
      `const ${name} = ${textOf(context, call.node)}`,
      deferClear(context, j.identifier(name), name),
    );
    return 'rewritten';
  }
  return {
    leftForPerson:
      'the interval handle goes somewhere this codemod does not follow: clear it in ' +
      '`lifecycle.defer(() => clearInterval(…))` by hand',
  };
}

function rewriteTimeout(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  const call = context.nodeAt(finding, ['CallExpression']);
  if (!call)
    return {
      leftForPerson: `no rewrite for the rescheduling of \`${finding.data.name}\`: check \`lifecycle.signal.aborted\` before it by hand`,
    };
  let statement = call.parent as ASTPath<Node>;
  // `timer = setTimeout(…)`: the whole assignment is guarded.
  if (statement.node.type === 'AssignmentExpression' && statement.node.right === call.node)
    statement = statement.parent;
  const guarded = statement.parent?.node as Node;
  if (guarded?.type === 'IfStatement' && isNotAborted(guarded.test)) return 'unchanged';
  if (statement.node.type === 'ExpressionStatement' && !isStatementList(guarded)) {
    return {
      leftForPerson: `\`${finding.data.name}\` reschedules itself under a condition: check \`lifecycle.signal.aborted\` there by hand`,
    };
  }
  if (statement.node.type !== 'ExpressionStatement') {
    return {
      leftForPerson: `\`${finding.data.name}\` reschedules itself inside an expression: check \`lifecycle.signal.aborted\` before rescheduling by hand`,
    };
  }
  // Written as text on one line: recast prints a new `if` over two, set off by blank lines.
  const original = textOf(context, statement.node).replace(/;\s*$/, '');
  const replacement = j.expressionStatement(j.identifier(`if (${j(notAborted(context)).toSource()}) ${original}`));
  (replacement as Node).comments = statement.node.comments;
  statement.replace(replacement);
  return 'rewritten';
}

function rewriteLoop(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  const loop = context.nodeStartingAt(finding, ['WhileStatement', 'DoWhileStatement', 'ForStatement']);
  if (!loop)
    return {
      leftForPerson: `no rewrite for this \`${finding.data.keyword}\` loop: loop on \`!lifecycle.signal.aborted\` by hand`,
    };
  const node = loop.node as Node;
  if (isNotAborted(node.test)) return 'unchanged';
  if (node.type === 'ForStatement') {
    if (node.init || node.update) {
      return {
        leftForPerson: `\`${finding.data.keyword}\` has an initialiser or an update: add \`!lifecycle.signal.aborted\` to its condition by hand`,
      };
    }
    // `for (;;)` becomes `while (…)`: the body is kept as it was.
    loop.replace(j.whileStatement(notAborted(context), node.body));
    return 'rewritten';
  }
  node.test = notAborted(context);
  return 'rewritten';
}

function isSignalProperty(property: Node): boolean {
  return (
    (property.type === 'ObjectProperty' || property.type === 'Property') &&
    !property.computed &&
    property.key.name === 'signal'
  );
}

/**
 * The `for await` directly over the interval, given the signal and wrapped so that the AbortError
 * it now ends with at shutdown is the loop's way out, not a rejection of its function.
 */
function catchAbort(context: RewriteContext, loop: ASTPath<Node>): void {
  const { j } = context;
  const aborted = j(member(context, context.lifecycle(), 'signal', 'aborted')).toSource();
  // Written as text: recast prints a new `if` over two lines.
  const rethrow = j.expressionStatement(j.identifier(`if (!${aborted}) throw error`));
  (rethrow as Node).comments = [j.commentLine(' Aborted at shutdown: the loop is over.', true, false)];
  const wrapped = j.tryStatement(
    j.blockStatement([loop.node]),
    j.catchClause(j.identifier('error'), null, j.blockStatement([rethrow])),
  );
  (wrapped as Node).comments = loop.node.comments;
  loop.node.comments = undefined;
  loop.replace(wrapped);
}

function rewriteIterator(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  const call = context.nodeAt(finding, ['CallExpression']);
  if (!call)
    return { leftForPerson: 'no rewrite for this interval iterator: pass `{ signal: lifecycle.signal }` by hand' };
  const loop = call.parent as ASTPath<Node>;
  if (
    loop.node.type !== 'ForOfStatement' ||
    !loop.node.await ||
    loop.node.right !== call.node ||
    !isStatementList(loop.parent?.node)
  ) {
    return {
      leftForPerson:
        'an interval iterator not iterated where it is created: pass `{ signal: lifecycle.signal }` and ' +
        'catch the AbortError it ends with by hand',
    };
  }
  const args = call.node.arguments as Node[];
  if (args.length === 0 || args.length > 3 || args.some((a) => a.type === 'SpreadElement')) {
    return {
      leftForPerson:
        'an interval iterator with no delay or spread arguments: pass `{ signal: lifecycle.signal }` by hand',
    };
  }
  const signal = j(member(context, context.lifecycle(), 'signal')).toSource();
  // Written as text: recast prints every new object literal over several lines.
  if (args.length === 1) args.push(j.identifier('undefined'));
  if (args.length === 2) {
    args.push(j.identifier(`{ signal: ${signal} }`));
  } else {
    const options = args[2];
    if (options.type !== 'ObjectExpression')
      return {
        leftForPerson:
          "the interval's options are not an object literal: add `signal: lifecycle.signal` to them by hand",
      };
    if (options.properties.some(isSignalProperty)) return 'unchanged';
    const text = context.source.slice(options.start, options.end).replace(/,?\s*\}$/, '');
    args[2] = j.identifier(options.properties.length ? `${text}, signal: ${signal} }` : `{ signal: ${signal} }`);
  }
  catchAbort(context, loop);
  return 'rewritten';
}

function rewrite(context: RewriteContext, finding: Finding): RewriteResult {
  switch (finding.messageId) {
    case 'intervalNeverCleared':
      return rewriteInterval(context, finding);
    case 'timeoutReschedules':
      return rewriteTimeout(context, finding);
    case 'endlessLoop':
      return rewriteLoop(context, finding);
    case 'intervalIteratorWithoutSignal':
      return rewriteIterator(context, finding);
  }
  return { leftForPerson: `no rewrite for ${finding.messageId}` };
}

export default defineCodemod({
  name: 'uncancellable-loop-to-lifecycle-signal',
  rule: noUncancellableLoop,
  description:
    'Stops repetition at shutdown: an interval cleared by a `lifecycle.defer` closer, loops and ' +
    'rescheduling timeouts that check `lifecycle.signal`, interval iterators given the signal',
  rewrite,
});
