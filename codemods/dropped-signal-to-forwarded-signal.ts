// require-abort-signal -> the signal forwarded: a call that accepts an AbortSignal and gets none
// is given the one its handler has (`req.signal`, `request.signal`, `c.req.raw.signal`, a signal
// the handler linked to the request), in its options object or as the argument itself. A node:http
// or Express request's `req.signal` (Node 26.1.0 and later only) becomes
// `lifecycle.requestSignal(req, res)`, a signal the runtime derives on every Node.
import requireAbortSignal from '../rules/require-abort-signal/require-abort-signal.js';
import type { FindingOf } from '../src/core/analysis.js';
import { defineCodemod, type RewriteContext, type RewriteResult } from './lib/codemod.js';

type Node = any; // see lib/imports.ts
type Finding = FindingOf<typeof requireAbortSignal>;

/** Source text printed as it is (recast prints every new or changed object literal over several lines). */
function verbatim(context: RewriteContext, text: string): Node {
  return context.j.identifier(text);
}

/** `lifecycle` or `shutdownLint.lifecycle`, as the binding's expression reads. */
function dotted(node: Node): string {
  return node.type === 'Identifier' ? node.name : `${dotted(node.object)}.${node.property.name}`;
}

function containsFunction(context: RewriteContext, node: Node): boolean {
  const { j } = context;
  return j(node).find(j.Function).size() > 0;
}

function indentOfLine(source: string, offset: number): string {
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(source.slice(lineStart))![0];
}

/**
 * `{ method: 'POST' }` -> `{ method: 'POST', signal: req.signal }`, keeping the literal's layout,
 * its trailing comma and its comments. Lines after the first lose the indentation of the line the
 * literal starts on: recast adds it back when it prints the text in its place.
 */
function withProperty(source: string, literal: Node, property: string): string {
  const text = source.slice(literal.start, literal.end);
  const last = literal.properties[literal.properties.length - 1];
  if (!last) return `{ ${property} }`;
  const at = last.end - literal.start;
  const lineEnd = text.indexOf('\n', at);
  if (lineEnd === -1) return `${text.slice(0, at)}, ${property}${text.slice(at)}`;
  const indent = indentOfLine(source, last.start);
  const rest = text.slice(at, lineEnd);
  const updated = rest.trimStart().startsWith(',')
    ? `${text.slice(0, lineEnd)}\n${indent}${property},${text.slice(lineEnd)}`
    : `${text.slice(0, at)},${rest}\n${indent}${property}${text.slice(lineEnd)}`;
  const base = indentOfLine(source, literal.start);
  return updated
    .split('\n')
    .map((line, i) => (i > 0 && line.startsWith(base) ? line.slice(base.length) : line))
    .join('\n');
}

function rewrite(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  switch (finding.messageId) {
    case 'missingSignal':
    case 'missingRequestSignal':
      break;
    case 'missingSignalNoRequestSignal':
      return {
        leftForPerson: "this request carries no signal: abort a controller on `res.on('close')` and pass its signal",
      };
    case 'unabortedController':
      return {
        leftForPerson:
          "the call gets a fresh controller's signal nothing aborts: combine it with the request's " +
          '(`AbortSignal.any([...])`)',
      };
    case 'uncancellableLoop':
    case 'uncancellableLoopNoRequestSignal':
      return {
        leftForPerson: 'a loop that never checks for cancellation: check `signal.aborted` where an iteration ends',
      };
    default:
      return { leftForPerson: 'a signal parameter nothing reads: pass it to what the function awaits' };
  }
  const { property, direct, request, response } = finding.data;
  if (!finding.data.signalInScope || !finding.data.signal || !property) {
    return { leftForPerson: `\`${finding.data.signal}\` is not in scope at this call: pass it down to it by hand` };
  }
  // node:http's `req.signal` is undefined before Node 26.1.0 and aborted once the body is read on the
  // first releases with it: the runtime derives the request's signal instead, on every Node.
  if (request && !response) {
    return {
      leftForPerson: `\`${finding.data.signal}\` does not exist before Node 26.1.0 and the handler names no response: pass \`lifecycle.requestSignal(${request}, res)\``,
    };
  }
  const call = context.nodeAt(finding, ['CallExpression', 'OptionalCallExpression', 'NewExpression']);
  if (!call) return { leftForPerson: 'no rewrite for this call: pass the signal by hand' };
  const signal = request
    ? `${dotted(context.lifecycle())}.requestSignal(${request}, ${response})`
    : finding.data.signal;
  const index = Number(finding.data.argument);
  const args: Node[] = call.node.arguments;
  const entry = signal === property ? signal : `${property}: ${signal}`;
  const argument = args[index];
  if (argument) {
    if (direct || argument.type !== 'ObjectExpression') {
      return { leftForPerson: `the options are not an object literal here: add \`${entry}\` to them by hand` };
    }
    if (containsFunction(context, argument)) {
      // Functions inside may be rewritten by other codemods: change the tree, not the text.
      argument.properties.push(j.objectProperty(j.identifier(property), verbatim(context, signal)));
    } else {
      call.get('arguments', index).replace(verbatim(context, withProperty(context.source, argument, entry)));
    }
    return 'rewritten';
  }
  if (args.length !== index || args.some((a) => a.type === 'SpreadElement')) {
    return {
      leftForPerson: `the options argument comes after arguments this call leaves out: pass \`${entry}\` by hand`,
    };
  }
  args.push(verbatim(context, direct ? signal : `{ ${entry} }`));
  return 'rewritten';
}

export default defineCodemod({
  name: 'dropped-signal-to-forwarded-signal',
  rule: requireAbortSignal,
  description: "Passes the handler's AbortSignal to a call that accepts one and gets none",
  rewrite,
});
