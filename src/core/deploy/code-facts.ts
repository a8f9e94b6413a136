// The code side of a unit, per entry file: the signals it handles and the drain deadline with its
// source (a force-exit timer, a library's default or option, an env variable and its default).
// Everything comes from the existing analysis: signal registrations, shutdown roots and their
// paths, the force-path test of deadlines.ts; only the numbers are read here.
import type * as ts from 'typescript';
import { cleanupNames, deadlineTimers, kindSpec, longRunningCategories, refIn } from '../catalogue.js';
import { forcesInside } from '../deadlines.js';
import type { ProgramIndex, ShutdownRoot } from '../program-index.js';
import { signalRegistrations, signalsHandledFor, type SignalRegistration } from '../signal-handling.js';
import {
  calleeText,
  functionBody,
  isFunctionLikeWithBody,
  skipOuterExpressions,
  staticPropertyName,
  type TS,
} from '../ts-utils.js';
import { libraryDeadlines } from './library-deadlines.js';
import type { RelatedLocation } from './source.js';

/** A number of milliseconds the code sets, maybe through an env variable. */
export interface CodeMs {
  /** The value when the env variable is not set (or the literal). */
  ms: number | undefined;
  env?: { name: string; toMs: (raw: number) => number };
  /** How messages name its source: `setTimeout(…, 10000)`, `close-with-grace delay (default)`. */
  what: string;
  at: RelatedLocation;
}

export interface DrainDeadline {
  kind: 'force-exit' | 'library' | 'unbounded';
  /** The bound, for force-exit and library; library phases summed. */
  terms: CodeMs[];
  /** Where the drain starts (the handler), for messages. */
  at: RelatedLocation;
  what: string;
}

export interface ShutdownFacts {
  entry: string;
  sigterm: boolean;
  /** Signals named by the code; empty with sigterm true when the listener's event is not a literal. */
  signals: string[];
  /** A listener whose signal the code does not spell out (`process.on(name, stop)`): it may handle any. */
  unnamed: boolean;
  /** Where the first signal listener is installed. */
  handlerAt?: RelatedLocation;
  /** The deadline per handled signal is the same: the first bound to fire ends the process. */
  drain?: DrainDeadline;
  preCloseDelay?: CodeMs;
  /** The code creates a server, app or long-lived resource: it runs until stopped, rather than exiting on its own. */
  longRunning: boolean;
  /** What the drain closes and ends, in the order the handler runs it (for `plan`). */
  closes: { what: string; at: RelatedLocation }[];
}

export function relatedAt(node: ts.Node, message: string): RelatedLocation {
  const file = node.getSourceFile();
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return { path: file.fileName, line: line + 1, column: character + 1, message };
}

function shortAt(at: RelatedLocation, cwd: string): string {
  const path = at.path.startsWith(`${cwd}/`) ? at.path.slice(cwd.length + 1) : at.path;
  return `${path}:${at.line}`;
}
export { shortAt as formatAt };

/** The code facts of the service that `entry` starts. */
export function shutdownFactsOf(index: ProgramIndex, entry: ts.SourceFile): ShutdownFacts {
  const handled = signalsHandledFor(index, entry);
  const loaded = index.loadedBy(entry);
  // The entry's own listeners first: they are the ones a reader looks for.
  const registrations = signalRegistrations(index)
    .filter((r) => loaded.has(r.node.getSourceFile()))
    .sort((a, b) => Number(b.node.getSourceFile() === entry) - Number(a.node.getSourceFile() === entry));
  const facts: ShutdownFacts = {
    entry: entry.fileName,
    sigterm: handled.sigterm,
    signals: handled.signals,
    unnamed: registrations.some((r) => r.signals === undefined),
    longRunning: index.servers.some(
      (s) => loaded.has(s.creation.getSourceFile()) && longRunningCategories.has(kindSpec(s.kind)?.category as never),
    ),
    closes: [],
  };
  const first = registrations[0];
  if (!first) return facts;
  facts.handlerAt = relatedAt(
    first.node,
    `${first.how}(${(first.signals ?? ['a signal']).join(', ')}) installs the shutdown handler`,
  );
  const bounds: { terms: CodeMs[]; kind: 'force-exit' | 'library'; registration: SignalRegistration }[] = [];
  for (const registration of registrations) {
    const library = libraryDeadlines.find((l) => l.library === registration.how);
    if (library) {
      const terms: CodeMs[] = [];
      for (const option of library.options) {
        const term = optionMs(
          index,
          registration.node,
          option.argument,
          option.property,
          option.defaultMs,
          registration.how,
        );
        if (option.preClose) {
          if (term.ms !== 0) facts.preCloseDelay ??= term;
        } else terms.push(term);
      }
      if (library.extraMs)
        terms.push({
          ms: library.extraMs,
          what: `${library.library}'s final wait`,
          at: relatedAt(registration.node, `${library.library} waits ${library.extraMs} ms before it exits`),
        });
      if (terms.every((t) => t.ms === undefined || Number.isFinite(t.ms)))
        bounds.push({ terms, kind: 'library', registration });
      continue;
    }
    const root = index.shutdownRoots.find((r) => r.registration === registration.node);
    if (!root) continue;
    if (facts.closes.length === 0) facts.closes = drainSteps(index, root);
    const timer = forceExitTimer(index, root);
    if (timer) bounds.push({ terms: [timer], kind: 'force-exit', registration });
    const delay = sleepBeforeClose(index, root);
    if (delay) facts.preCloseDelay ??= delay;
  }
  const total = (terms: CodeMs[]) => terms.reduce((n, t) => n + (t.ms ?? 0), 0);
  bounds.sort((a, b) => total(a.terms) - total(b.terms));
  const chosen = bounds[0];
  const handlerAt = facts.handlerAt;
  facts.drain = chosen
    ? {
        kind: chosen.kind,
        terms: chosen.terms,
        at: relatedAt(chosen.registration.node, `${chosen.registration.how} starts the drain`),
        what: chosen.registration.how,
      }
    : { kind: 'unbounded', terms: [], at: handlerAt, what: first.how };
  return facts;
}

/**
 * The closes, flushes and exits a shutdown root runs, in call order: the root's body walked in
 * source order, descending into the program functions it calls (each once).
 */
function drainSteps(index: ProgramIndex, root: ProgramIndex['shutdownRoots'][number]): ShutdownFacts['closes'] {
  const t = index.ts;
  const steps: ShutdownFacts['closes'] = [];
  const seen = new Set<ts.Node>();
  const walk = (fn: ts.Node, depth: number): void => {
    if (seen.has(fn) || depth > 6 || steps.length >= 20) return;
    seen.add(fn);
    const body = t.isSourceFile(fn) ? fn : functionBody(t, fn);
    if (!body) return;
    const visit = (node: ts.Node): void => {
      if (steps.length >= 20) return;
      if (t.isCallExpression(node)) {
        // Arguments first (`Promise.all([a.close(), b.end()])`), callbacks after (`server.close(() => process.exit…)`).
        const callbacks: ts.Expression[] = node.arguments.filter(
          (a) => t.isArrowFunction(a) || t.isFunctionExpression(a),
        );
        visit(node.expression);
        for (const argument of node.arguments) if (!callbacks.includes(argument)) visit(argument);
        const ref = index.binding.resolve(node.expression);
        const name = t.isPropertyAccessExpression(node.expression)
          ? node.expression.name.text
          : t.isIdentifier(node.expression)
            ? node.expression.text
            : '';
        const exits = ref !== undefined && ref.module === 'global' && ref.path.join('.') === 'process.exit';
        if (exits || (name && cleanupNames.test(name))) {
          const what = `${calleeText(t, node.expression, node.getSourceFile())}()`;
          steps.push({ what, at: relatedAt(node, what) });
        }
        for (const callee of index.resolveFunctions(node.expression)) walk(callee, depth + 1);
        // A timer's callback runs at its deadline, not in the drain's order.
        if (ref && refIn(ref, deadlineTimers)) {
          steps.push({
            what: `arms ${calleeText(t, node.expression, node.getSourceFile())}(…)`,
            at: relatedAt(node, 'arms a timer'),
          });
          return;
        }
        for (const callback of callbacks) visit(callback);
        return;
      }
      t.forEachChild(node, visit);
    };
    visit(body);
  };
  walk(root.fn, 0);
  return steps;
}

/** `setTimeout(() => process.exit…, N)` (or a force-close) armed on the shutdown path. */
function forceExitTimer(index: ProgramIndex, root: ProgramIndex['shutdownRoots'][number]): CodeMs | undefined {
  const t = index.ts;
  for (const fn of index.shutdownPath(root)) {
    const body = functionBody(t, fn);
    if (!body) continue;
    let found: CodeMs | undefined;
    const visit = (node: ts.Node): void => {
      if (found || (node !== body && isFunctionLikeWithBody(t, node))) return;
      if (t.isCallExpression(node)) {
        const ref = index.binding.resolve(node.expression);
        const [callback, delay] = node.arguments;
        if (
          ref &&
          refIn(ref, deadlineTimers) &&
          ref.path.join('.') === 'setTimeout' &&
          callback &&
          delay &&
          index.resolveFunctions(callback).some((cb) => forcesInside(t, index, cb))
        ) {
          const value = evaluateMs(index, delay);
          found = {
            ...value,
            what: `force-exit timer ${describe(value)}`,
            at: relatedAt(node, `force-exit timer: ${describe(value)}`),
          };
          return;
        }
      }
      t.forEachChild(node, visit);
    };
    visit(body);
    if (found) return found;
  }
  return undefined;
}

/** `await setTimeout(5000)` (timers/promises) or `await new Promise((r) => setTimeout(r, 5000))` in the handler itself. */
function sleepBeforeClose(index: ProgramIndex, root: ProgramIndex['shutdownRoots'][number]): CodeMs | undefined {
  const t = index.ts;
  const body = t.isSourceFile(root.fn) ? undefined : functionBody(t, root.fn);
  if (!body) return undefined;
  let found: CodeMs | undefined;
  const visit = (node: ts.Node): void => {
    if (found || (node !== body && isFunctionLikeWithBody(t, node) && !t.isArrowFunction(node))) return;
    if (t.isAwaitExpression(node)) {
      const e = skipOuterExpressions(t, node.expression);
      let delay: ts.Expression | undefined;
      if (t.isCallExpression(e)) {
        const ref = index.binding.resolve(e.expression);
        if (ref && ref.module === 'timers/promises' && ref.path.join('.') === 'setTimeout') delay = e.arguments[0];
      } else if (t.isNewExpression(e) && t.isIdentifier(e.expression) && e.expression.text === 'Promise') {
        const executor = e.arguments?.[0];
        if (executor && (t.isArrowFunction(executor) || t.isFunctionExpression(executor))) {
          const inner = t.isBlock(executor.body) ? executor.body.statements[0] : executor.body;
          const call = inner && t.isExpressionStatement(inner) ? inner.expression : inner;
          if (
            call &&
            t.isCallExpression(call) &&
            t.isIdentifier(call.expression) &&
            call.expression.text === 'setTimeout'
          )
            delay = call.arguments[1];
        }
      }
      if (delay) {
        const value = evaluateMs(index, delay);
        found = {
          ...value,
          what: `in-app delay ${describe(value)}`,
          at: relatedAt(node, `waits ${describe(value)} before closing`),
        };
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/**
 * The bound a library puts on the shutdown handler `root` is (a drain placed there ends when it
 * fires): the option of the root's own registration (`closeWithGrace({ delay }, fn)`), or of the
 * program's one instance of the library whose handlers register on it afterwards
 * (`createLightship({ shutdownHandlerTimeout })`, then `registerShutdownHandler(fn)`).
 */
export function handlerBoundOf(index: ProgramIndex, root: ShutdownRoot): CodeMs | undefined {
  const registrations = signalRegistrations(index);
  for (const library of libraryDeadlines) {
    const option = library.handlers && library.options.find((o) => o.property === library.handlers);
    if (!option) continue;
    const own = registrations.filter((r) => r.how === library.library && r.node === root.registration);
    const named = root.trigger === library.library || root.trigger.toLowerCase().startsWith(`${library.library} `);
    const instances = own.length > 0 ? own : named ? registrations.filter((r) => r.how === library.library) : [];
    if (instances.length !== 1) continue;
    return optionMs(index, instances[0]!.node, option.argument, option.property, option.defaultMs, library.library);
  }
  return undefined;
}

function optionMs(
  index: ProgramIndex,
  call: ts.CallExpression | ts.NewExpression,
  argument: number,
  property: string,
  defaultMs: number,
  library: string,
): CodeMs {
  const t = index.ts;
  let options: ts.Expression | undefined = call.arguments?.[argument];
  // `new Graceful({ timeoutMs }).listen()`: the options are on the constructor call.
  if (!options && t.isCallExpression(call) && t.isPropertyAccessExpression(call.expression)) {
    const receiver = skipOuterExpressions(t, call.expression.expression);
    if (t.isNewExpression(receiver) || t.isCallExpression(receiver)) options = receiver.arguments?.[argument];
  }
  const object = options && objectLiteralOf(index, options);
  const assignment = object?.properties.find((p) => staticPropertyName(t, p.name) === property);
  if (assignment && t.isPropertyAssignment(assignment)) {
    const value = evaluateMs(index, assignment.initializer);
    return {
      ...value,
      what: `${library} \`${property}: ${describe(value)}\``,
      at: relatedAt(assignment, `${library} ${property}: ${describe(value)}`),
    };
  }
  return {
    ms: defaultMs,
    what: `${library} \`${property}\` default ${defaultMs} ms`,
    at: relatedAt(call, `${library} ${property} defaults to ${defaultMs} ms`),
  };
}

function objectLiteralOf(
  index: ProgramIndex,
  expression: ts.Expression,
  depth = 0,
): ts.ObjectLiteralExpression | undefined {
  const t = index.ts;
  const e = skipOuterExpressions(t, expression);
  if (t.isObjectLiteralExpression(e)) return e;
  if (depth < 3 && t.isIdentifier(e)) {
    const declaration = index.types.getSymbolAtLocation(e)?.valueDeclaration;
    if (declaration && t.isVariableDeclaration(declaration) && declaration.initializer)
      return objectLiteralOf(index, declaration.initializer, depth + 1);
  }
  return undefined;
}

function describe(value: { ms: number | undefined; env?: { name: string } }): string {
  const ms = value.ms === undefined ? '?' : `${value.ms} ms`;
  return value.env ? `${value.env.name} (default ${ms})` : ms;
}

/**
 * Milliseconds from an expression: literals, arithmetic, consts, `config.x` of a const object,
 * `Number(process.env.X ?? 30000)`, `parseInt(process.env.X || '30', 10) * 1000`, `+process.env.X || 5000`.
 */
export function evaluateMs(
  index: ProgramIndex,
  expression: ts.Expression,
  depth = 0,
): { ms: number | undefined; env?: CodeMs['env'] } {
  const t: TS = index.ts;
  const e = skipOuterExpressions(t, expression);
  if (depth > 6) return { ms: undefined };
  if (t.isNumericLiteral(e)) return { ms: Number(e.text) };
  if (t.isStringLiteralLike(e)) return { ms: /^\s*\d+(\.\d+)?\s*$/.test(e.text) ? Number(e.text) : undefined };
  if (t.isPrefixUnaryExpression(e) && e.operator === t.SyntaxKind.PlusToken)
    return evaluateMs(index, e.operand, depth + 1);
  if (t.isPropertyAccessExpression(e) || t.isElementAccessExpression(e)) {
    const object = skipOuterExpressions(t, e.expression);
    const name = t.isPropertyAccessExpression(e)
      ? e.name.text
      : t.isStringLiteralLike(e.argumentExpression)
        ? e.argumentExpression.text
        : undefined;
    if (
      name &&
      t.isPropertyAccessExpression(object) &&
      object.name.text === 'env' &&
      t.isIdentifier(object.expression) &&
      object.expression.text === 'process'
    ) {
      return { ms: undefined, env: { name, toMs: (raw) => raw } };
    }
    const literal = name ? objectLiteralOf(index, object) : undefined;
    const property = literal?.properties.find((p) => staticPropertyName(t, p.name) === name);
    if (property && t.isPropertyAssignment(property)) return evaluateMs(index, property.initializer, depth + 1);
    return { ms: undefined };
  }
  if (t.isIdentifier(e)) {
    const declaration = index.types.getSymbolAtLocation(e)?.valueDeclaration;
    if (declaration && t.isVariableDeclaration(declaration) && declaration.initializer)
      return evaluateMs(index, declaration.initializer, depth + 1);
    return { ms: undefined };
  }
  if (
    t.isCallExpression(e) &&
    t.isIdentifier(e.expression) &&
    /^(Number|parseInt|parseFloat)$/.test(e.expression.text) &&
    e.arguments[0]
  ) {
    return evaluateMs(index, e.arguments[0], depth + 1);
  }
  if (t.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const left = evaluateMs(index, e.left, depth + 1);
    const right = evaluateMs(index, e.right, depth + 1);
    if (op === t.SyntaxKind.QuestionQuestionToken || op === t.SyntaxKind.BarBarToken) {
      if (left.env) return { ms: left.ms ?? right.ms, env: left.env };
      return { ms: left.ms ?? right.ms };
    }
    if (op === t.SyntaxKind.AsteriskToken || op === t.SyntaxKind.PlusToken || op === t.SyntaxKind.MinusToken) {
      const apply = (a: number, b: number) =>
        op === t.SyntaxKind.AsteriskToken ? a * b : op === t.SyntaxKind.PlusToken ? a + b : a - b;
      const ms = left.ms !== undefined && right.ms !== undefined ? apply(left.ms, right.ms) : undefined;
      const env = left.env ?? right.env;
      if (env && right.ms !== undefined && left.env)
        return { ms, env: { name: env.name, toMs: (raw) => apply(left.env!.toMs(raw), right.ms!) } };
      if (env && left.ms !== undefined && right.env)
        return { ms, env: { name: env.name, toMs: (raw) => apply(left.ms!, right.env!.toMs(raw)) } };
      return { ms };
    }
  }
  return { ms: undefined };
}

/** Whether the code handles `signal` (a listener with an unnamed event counts for any). */
export function handles(facts: ShutdownFacts, signal: string): boolean {
  if (facts.unnamed) return true;
  return signal === 'SIGTERM' ? facts.sigterm : facts.signals.includes(signal);
}

/** Line 1 of the entry file, for findings about what the code lacks. */
export function entryAt(facts: ShutdownFacts, message: string): RelatedLocation {
  return { path: facts.entry, line: 1, column: 1, message };
}

/** The value of a code term for a unit: the unit's env value when it sets the variable. */
export function msForUnit(
  term: CodeMs,
  env: ReadonlyMap<string, { value: string }>,
): { ms: number | undefined; source: string } {
  if (term.env) {
    const set = env.get(term.env.name);
    if (set && /^\s*\d+(\.\d+)?\s*$/.test(set.value))
      return { ms: term.env.toMs(Number(set.value)), source: `${term.env.name}=${set.value} set by the deploy file` };
    return { ms: term.ms, source: `${term.env.name} unset, default ${term.ms ?? '?'} ms` };
  }
  return { ms: term.ms, source: term.what };
}
