// Which signals a program handles, and where: process listeners in every form, `once(process, …)`,
// and the libraries that install listeners (catalogue `signalHandlers`). Asked per service: a
// listener counts for the code that the same entry module loads (runtime-facts §1.7).
import type * as ts from 'typescript';
import { isTestFile } from './files.js';
import { listenerMethods, refIn, sameRef, signalHandlers, type ApiRef, type SignalHandlerSpec } from './catalogue.js';
import { factKey, type ProgramIndex } from './program-index.js';
import { commandsOf } from './startup.js';
import { enclosingFunction, methodCallParts, skipOuterExpressions, staticPropertyName, type TS } from './ts-utils.js';

export interface SignalRegistration {
  node: ts.CallExpression | ts.NewExpression;
  /** The signals it handles; undefined when the code does not say which (an event name in a variable). */
  signals: readonly string[] | undefined;
  /** How messages name it: `process.once`, `close-with-grace`. */
  how: string;
}

/** What a service's code handles: SIGTERM or not, and the other signals it handles. */
export interface HandledSignals {
  sigterm: boolean;
  signals: string[];
}

const processEventHelpers: readonly ApiRef[] = [
  { module: 'events', path: ['once'] },
  { module: 'events', path: ['on'] },
  { module: 'events', path: ['EventEmitter', 'once'] },
  { module: 'events', path: ['EventEmitter', 'on'] },
];

const processRef: ApiRef = { module: 'global', path: ['process'] };

const registrationsFact = factKey<SignalRegistration[]>('signal listener registrations');

/** Every place the program installs a signal listener. */
export function signalRegistrations(index: ProgramIndex): readonly SignalRegistration[] {
  return index.fact(registrationsFact, () => {
    const found: SignalRegistration[] = [];
    for (const call of index.calls) {
      const registration = registrationAt(index, call);
      if (registration) found.push(registration);
    }
    return found;
  });
}

/** The signal listener `call` installs, if it installs one. */
export function registrationAt(
  index: ProgramIndex,
  call: ts.CallExpression | ts.NewExpression,
): SignalRegistration | undefined {
  const t = index.ts;
  const ref = index.binding.resolve(call.expression);
  if (ref) {
    const spec = signalHandlers.find((s) => s.call && sameRef(s.call, ref));
    if (spec) return { node: call, signals: signalsOfCall(t, call, spec), how: spec.library };
  }
  if (!t.isCallExpression(call)) return undefined;
  if (ref && refIn(ref, processEventHelpers)) {
    const [emitter, event] = call.arguments;
    if (!emitter || !event || !isProcess(index, emitter)) return undefined;
    return eventRegistration(index, call, event, `${ref.path.join('.')}(process)`);
  }
  const parts = methodCallParts(t, call);
  if (!parts) return undefined;
  if (listenerMethods.has(parts.name) && isProcess(index, parts.receiver)) {
    const event = call.arguments[0];
    return event ? eventRegistration(index, call, event, `process.${parts.name}`) : undefined;
  }
  for (const spec of signalHandlers) {
    const method = spec.method;
    if (!method || method.name !== parts.name) continue;
    const matches =
      method.kind !== undefined
        ? index.kindOf(parts.receiver, true) === method.kind
        : method.on !== undefined && createdBy(index, parts.receiver, method.on);
    if (matches) return { node: call, signals: signalsOfCall(t, call, spec), how: spec.library };
  }
  return undefined;
}

function isProcess(index: ProgramIndex, expression: ts.Expression): boolean {
  const ref = index.binding.resolve(expression);
  return ref !== undefined && sameRef(ref, processRef);
}

/** A listener for `event`: a signal by its literal, a loop over a list of them, or its type; not `'exit'` or `'message'`. */
function eventRegistration(
  index: ProgramIndex,
  call: ts.CallExpression,
  event: ts.Expression,
  how: string,
): SignalRegistration | undefined {
  const t = index.ts;
  const e = skipOuterExpressions(t, event);
  if (t.isStringLiteralLike(e))
    return /^SIG[A-Z0-9]+$/.test(e.text) ? { node: call, signals: [e.text], how } : undefined;
  const named = index.signalNames(e);
  if (named) return { node: call, signals: named, how };
  const type = index.types.getTypeAtLocation(e);
  const parts = type.isUnion() ? type.types : [type];
  if (parts.every((p) => p.isStringLiteral())) {
    const signals = parts.map((p) => (p as ts.StringLiteralType).value).filter((v) => /^SIG[A-Z0-9]+$/.test(v));
    return signals.length ? { node: call, signals, how } : undefined;
  }
  // `process.on(signal, stop)` with a name the code does not spell out: trust it.
  return { node: call, signals: undefined, how };
}

/** `createLifecycle(…)`, `new Graceful(…)`, or a variable holding one (`await` and `const` aliases followed). */
function createdBy(index: ProgramIndex, expression: ts.Expression, ref: ApiRef, depth = 0): boolean {
  const t = index.ts;
  if (depth > 4) return false;
  let e = skipOuterExpressions(t, expression);
  if (t.isAwaitExpression(e)) e = skipOuterExpressions(t, e.expression);
  if (t.isCallExpression(e) || t.isNewExpression(e)) {
    const called = index.binding.resolve(e.expression);
    return called !== undefined && sameRef(called, ref);
  }
  if (!t.isIdentifier(e)) return false;
  const declaration = index.types.getSymbolAtLocation(e)?.valueDeclaration;
  return (
    declaration !== undefined &&
    t.isVariableDeclaration(declaration) &&
    declaration.initializer !== undefined &&
    createdBy(index, declaration.initializer, ref, depth + 1)
  );
}

/** The signals a library call handles, from its defaults and the options it is given; undefined when they are not literals. */
function signalsOfCall(
  t: TS,
  call: ts.CallExpression | ts.NewExpression,
  spec: SignalHandlerSpec,
): readonly string[] | undefined {
  let signals = new Set(spec.signals);
  for (const option of spec.signalOptions ?? []) {
    const argument = call.arguments?.[option.argument];
    if (!argument) continue;
    let value: ts.Expression | undefined = skipOuterExpressions(t, argument);
    if (option.property !== undefined) {
      if (!t.isObjectLiteralExpression(value))
        return t.isIdentifier(value) || t.isCallExpression(value) ? undefined : [...signals];
      const property = value.properties.find((p) => staticPropertyName(t, p.name) === option.property);
      if (!property) continue;
      value = t.isPropertyAssignment(property) ? skipOuterExpressions(t, property.initializer) : undefined;
    }
    const named = value && literalSignals(t, value);
    if (!named) return undefined;
    if (option.effect === 'replace') signals = new Set(named);
    else if (option.effect === 'add') for (const s of named) signals.add(s);
    else for (const s of named) signals.delete(s);
  }
  return [...signals];
}

/** `['SIGINT', 'SIGTERM']`, `'SIGINT SIGTERM'`, `'SIGTERM'`. */
function literalSignals(t: TS, value: ts.Expression): string[] | undefined {
  if (t.isStringLiteralLike(value)) return value.text.split(/\s+/).filter(Boolean);
  if (!t.isArrayLiteralExpression(value)) return undefined;
  const names: string[] = [];
  for (const element of value.elements) {
    const e = skipOuterExpressions(t, element);
    if (t.isStringLiteralLike(e)) names.push(e.text);
    else if (t.isPropertyAccessExpression(e))
      names.push(e.name.text); // `ShutdownSignal.SIGTERM`
    else return undefined;
  }
  return names;
}

/**
 * The signals handled by the service `file` runs in: the listeners installed by code that an
 * entry module loading `file` also loads. With several entries (several services in one
 * program), a listener in any of them counts. Listeners in test files count only for test files.
 */
export function signalsHandledFor(index: ProgramIndex, file: ts.SourceFile): HandledSignals {
  const inTest = isTestFile(file.fileName);
  const loaded = new Set<ts.SourceFile>();
  for (const entry of index.entriesOf(file)) for (const f of index.loadedBy(entry)) loaded.add(f);
  const signals = new Set<string>();
  let sigterm = false;
  for (const registration of signalRegistrations(index)) {
    const where = registration.node.getSourceFile();
    if (!loaded.has(where) || (!inTest && isTestFile(where.fileName))) continue;
    if (!inSameCommand(index, registration, file)) continue;
    if (registration.signals === undefined || registration.signals.includes('SIGTERM')) sigterm = true;
    for (const s of registration.signals ?? []) signals.add(s);
  }
  return { sigterm, signals: [...signals] };
}

// ── Subcommands of a multi-command CLI ──

interface CommandRuns {
  /** The functions each command's action reaches, itself included. */
  reach: Map<ts.Node, Set<ts.Node>>;
  /** The functions the program reaches from its modules' top level without entering an action. */
  outside: Set<ts.Node> | undefined;
}
const commandRunsFact = factKey<CommandRuns>('what each command of a multi-command CLI runs');

/**
 * Whether `registration` runs in a process that also runs `file`. A multi-command CLI
 * (`deepstream start`, `deepstream daemon`: commander's `.action(fn)`, yargs' handlers) runs one
 * command per process: a listener installed only by one command's action (a `daemon` supervisor
 * that forwards SIGTERM to the child it spawns) does nothing for the server another command starts.
 * Such a listener counts for `file` when that command's module loads `file` or its action reaches a
 * function of `file`. A listener at a module's top level, or one that code outside every action
 * also reaches, runs whichever command runs.
 */
function inSameCommand(index: ProgramIndex, registration: SignalRegistration, file: ts.SourceFile): boolean {
  const t = index.ts;
  const fn = enclosingFunction(t, registration.node);
  if (!fn) return true;
  const { actions } = commandsOf(index);
  if (actions.size === 0) return true;
  const runs = index.fact(commandRunsFact, () => ({ reach: new Map(), outside: undefined }) as CommandRuns);
  const owners: ts.Node[] = [];
  for (const action of actions) {
    let reach = runs.reach.get(action);
    if (!reach) {
      reach = index.reachableFrom(action);
      runs.reach.set(action, reach);
    }
    if (reach.has(fn)) owners.push(action);
  }
  if (owners.length === 0) return true;
  runs.outside ??= index.reachableAvoiding(index.sourceFiles, actions);
  if (runs.outside.has(fn)) return true;
  return owners.some((action) => {
    if (index.loadedBy(action.getSourceFile()).has(file)) return true;
    for (const reached of runs.reach.get(action)!) if (reached.getSourceFile() === file) return true;
    return false;
  });
}
