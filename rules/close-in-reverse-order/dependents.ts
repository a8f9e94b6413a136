// What uses what at shutdown: which resources (pools, clients, queues) the request handlers and
// the workers of a program use, what drains those users, and in which order a shutdown path runs
// a resource's close against that drain. Built once per index; rules ask it about one close.
import type * as ts from 'typescript';
import {
  findFactory,
  type ApiRef,
  hookRegistrationOrder,
  kindSpec,
  nestShutdownMethods,
  promiseRaces,
  refIn,
  sameRef,
  serverDrainCalls,
  shutdownHookPhases,
  shutdownLibraries,
  storeViewCalls,
  workerKinds,
} from '../../src/core/catalogue.js';
import { awaitsOneOf, holderNames, isAwaitedWithin, isPromiseExecutor, ranBefore } from '../../src/core/flow.js';
import { factKey, type ProgramIndex, type ShutdownRoot } from '../../src/core/program-index.js';
import { collectionCallsOf } from './collections.js';
import { elementCallbackMethods } from '../../src/core/registries.js';
import { originOfChain, isChainMethod } from '../../src/core/promises.js';
import { holderCloseMethods, resourceHolderNamedBy } from './holders.js';
import { methodName, ownBufferStopMethods, shutdownMethodNames } from '../../src/core/own-buffers.js';
import {
  callsNamed,
  closeMethodsOf,
  closesOf,
  heldSymbolOf,
  holdingOf,
  moduleClosesOf,
  refersToHolding,
  type Holding,
} from '../../src/core/resources.js';
import {
  enclosingFunction,
  functionBody,
  functionNameNode,
  isFunctionLikeWithBody,
  methodCallParts,
  propertyValue,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
} from '../../src/core/ts-utils.js';
import { aliasTarget } from '../../src/core/type-questions.js';

/** Something that drains before the resources it uses may close: the HTTP server(s), or a worker. */
export interface ResourceUser {
  type: 'server' | 'worker';
  /** How messages name it: `the HTTP server`, `the BullMQ Worker \`worker\``. */
  label: string;
  /** The calls that drain it (for an adopted worker, the `adopt` call). */
  drains: ts.CallExpression[];
}

export interface UsedResource {
  /** How messages name it: `pool`, `this.redis`, `PrismaService`. */
  name: string;
  label: string;
  users: ResourceUser[];
}

/** A close of a used resource, and the calls that close it. */
interface ResourceEntry {
  name: string;
  label: string;
  matches: (symbol: ts.Symbol) => boolean;
  /** What the values `matches` accepts can be called, for `namesThatCanDenote`; none: any name. */
  denotedBy?: { names?: string[]; annotatedWith?: string[]; initializedBy?: string[] };
  closes: ts.CallExpression[];
  workers: ResourceUser[];
  /**
   * The kinds of view the program makes of it (`drizzle.Database` for `db = drizzle(client)`): a
   * name declared as such a view is a use of it, where no other store is viewed that way.
   */
  views?: Set<string>;
  /** The creation of the store (one per store; its callers' holdings are entries of their own). */
  store?: ts.Node;
  /**
   * For a program's own client class: the functions its closing methods reach. A close of another
   * entry among them is reported instead of the client's, when that entry is used (the store or
   * buffer the client ends is the one to name).
   */
  reach?: ReadonlySet<ts.Node>;
}

/**
 * Which entries the code request handlers reach uses, found lazily: the walk from the handlers
 * stops as soon as the entry asked about is found used (in a service, the first handler's
 * repository usually uses the pool), and goes on only when another entry is asked about. An entry
 * that no handler uses costs the whole walk, as the eager map did.
 */
interface RequestUses {
  walk: Iterator<ts.Node> | undefined;
  done: boolean;
  used: Set<ResourceEntry>;
  scan: UseScanner;
}

interface DependencyFacts {
  /** Each close's entries in the order they were found: the last one something uses answers. */
  byClose: Map<ts.CallExpression, ResourceEntry[]>;
  requests: RequestUses | undefined;
  serverDrains: ts.CallExpression[] | undefined;
  reach: Map<ts.Node, Set<ts.Node>>;
  entries: ResourceEntry[];
  /** The entries handed to a function that builds the server or its handlers, found on first ask. */
  handedToBuilders: Set<ResourceEntry> | undefined;
}

const dependencyFacts = factKey<DependencyFacts>('who uses each store');

const httpServerUser = 'the HTTP server';

function factsOf(index: ProgramIndex): DependencyFacts {
  return index.fact(dependencyFacts, () => buildFacts(index));
}

/** The resource `call` closes, with what uses it, when request handlers or workers use it. */
export function usedResourceClosedBy(
  index: ProgramIndex,
  call: ts.CallExpression,
  depth = 0,
): UsedResource | undefined {
  const facts = factsOf(index);
  const entries = facts.byClose.get(call) ?? [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    const byRequests = usedByRequests(index, facts, entry) || handedToBuilders(index, facts).has(entry);
    if (!byRequests && entry.workers.length === 0) continue;
    if (entry.reach && depth < 3 && reportedElsewhere(index, facts, entry, call, depth)) continue;
    const users: ResourceUser[] = [];
    if (byRequests) users.push({ type: 'server', label: httpServerUser, drains: serverDrainsOf(index, facts) });
    users.push(...entry.workers);
    return { name: entry.name, label: entry.label, users };
  }
  return undefined;
}

/** Whether code a request handler reaches uses `entry`: the walk from the handlers goes on until it knows. */
function usedByRequests(index: ProgramIndex, facts: DependencyFacts, entry: ResourceEntry): boolean {
  const requests = facts.requests;
  if (!requests) return false;
  requests.walk ??= index.walkReachable([...index.handlers.keys()]);
  while (!requests.used.has(entry) && !requests.done) {
    const next = requests.walk.next();
    if (next.done) requests.done = true;
    else for (const found of requests.scan(next.value)) requests.used.add(found);
  }
  return requests.used.has(entry);
}

/**
 * A program's own client is named once for one shutdown: not where a store or buffer of the
 * catalogue that its closing methods close is used itself (that close is reported), nor inside the
 * closing method of another used client that wraps it (the wrapper's close is).
 */
function reportedElsewhere(
  index: ProgramIndex,
  facts: DependencyFacts,
  client: ResourceEntry,
  call: ts.CallExpression,
  depth: number,
): boolean {
  const t = index.ts;
  const reach = client.reach!;
  const at = enclosingFunction(t, call);
  for (const entry of facts.entries) {
    if (entry === client || !entry.reach || !at || !entry.reach.has(at) || entry.name === client.name) continue;
    if (entry.closes.some((c) => usedResourceClosedBy(index, c, depth + 1))) return true;
  }
  for (const [close, entries] of facts.byClose) {
    if (entries.every((e) => e.reach)) continue;
    const fn = enclosingFunction(t, close);
    if (fn && reach.has(fn) && usedResourceClosedBy(index, close, depth + 1)) return true;
  }
  return false;
}

function handedToBuilders(index: ProgramIndex, facts: DependencyFacts): Set<ResourceEntry> {
  facts.handedToBuilders ??= handedToServerBuilders(index, facts.entries);
  return facts.handedToBuilders;
}

function serverDrainsOf(index: ProgramIndex, facts: DependencyFacts): ts.CallExpression[] {
  const t = index.ts;
  facts.serverDrains ??= index.calls.filter(
    (c): c is ts.CallExpression => t.isCallExpression(c) && isServerDrain(index, c),
  );
  return facts.serverDrains;
}

function buildFacts(index: ProgramIndex): DependencyFacts {
  const t = index.ts;
  const facts: DependencyFacts = {
    byClose: new Map(),
    requests: undefined,
    serverDrains: undefined,
    reach: new Map(),
    entries: [],
    handedToBuilders: undefined,
  };
  const workerKindNames = new Set(workerKinds.map((w) => w.kind));
  const entries: ResourceEntry[] = [];
  for (const record of index.servers) {
    const spec = kindSpec(record.kind);
    if (!spec || workerKindNames.has(record.kind) || !(spec.category === 'resource' || spec.mustClose)) continue;
    const methods = closeMethodsOf(record.kind);
    if (methods.length === 0) continue;
    const ref = index.binding.resolve(record.creation.expression);
    const singleton = ref ? findFactory(ref) : undefined;
    if (singleton?.closedBy && singleton.modelFactories) {
      entries.push(moduleSingleton(index, spec.label, singleton.module, singleton.closedBy, singleton.modelFactories));
      continue;
    }
    const holding = holdingOf(index, record.creation, spec.returnsSelf ?? []);
    // A factory of the program that returns it (`cache = createCache()`): each caller keeps its own.
    const holdings = [
      ...(holding.type === 'kept' ? [holding] : []),
      ...callerHoldings(index, record.creation, holding, spec.returnsSelf ?? [], 0),
    ];
    // Made of the store wherever it is kept (`drizzle({ client })` beside `return { client, db }`).
    const found = holdings.map((kept) => viewsOf(index, record.kind, kept)).filter((v) => v !== undefined);
    const views = found.length > 0 ? new Set(found.flatMap((v) => [...v.kinds])) : undefined;
    const viewHolders = new Set(found.flatMap((v) => v.holders));
    for (const kept of holdings) {
      const closes = closesOf(index, kept, methods)
        .map((s) => s.call)
        .concat(collectionCallsOf(index, kept, methods));
      entries.push(keptEntry(t, kept, spec.label, closes, viewHolders, views && new Set(views), record.creation));
    }
  }
  entries.push(...classResources(index));
  entries.push(...heldResources(index));
  entries.push(...ownClientResources(index, entries));
  if (entries.length === 0) return facts;
  facts.entries = entries;
  // A view made of two stores names neither: which one a name declared as that view holds is not known.
  const viewers = new Map<string, Set<ts.Node | undefined>>();
  for (const entry of entries) {
    for (const view of entry.views ?? []) viewers.set(view, new Set([...(viewers.get(view) ?? []), entry.store]));
  }
  for (const entry of entries) {
    for (const view of entry.views ?? []) if (viewers.get(view)!.size > 1) entry.views!.delete(view);
    if (entry.views?.size === 0) entry.views = undefined;
  }

  // Who uses each resource: the code request handlers reach (asked per close, see `usedByRequests`),
  // and each worker's work.
  facts.requests = { walk: undefined, done: false, used: new Set(), scan: useScanner(index, entries) };
  for (const record of index.servers) {
    const worker = workerKinds.find((w) => w.kind === record.kind);
    if (!worker) continue;
    const label = kindSpec(record.kind)?.label ?? record.kind;
    const scan = useScanner(index, entries);
    for (const { work, held } of workersOf(index, record.creation, worker)) {
      const drains = held
        ? closesOf(index, held, worker.drain)
            .map((s) => s.call)
            .concat(collectionCallsOf(index, held, worker.drain))
        : [];
      const user: ResourceUser = {
        type: 'worker',
        label: `the ${label}${held ? ` \`${held.name}\`` : ''}`,
        drains,
      };
      for (const fn of index.reachableFromAll(work)) {
        for (const entry of scan(fn)) if (!entry.workers.includes(user)) entry.workers.push(user);
      }
    }
  }
  for (const entry of entries) {
    for (const call of entry.closes) {
      const list = facts.byClose.get(call);
      if (list) list.push(entry);
      else facts.byClose.set(call, [entry]);
    }
  }
  return facts;
}

type Kept = Extract<Holding, { type: 'kept' }>;

/** The entry of a resource kept in a variable, field or property: used wherever that is named. */
function keptEntry(
  t: typeof ts,
  kept: Kept,
  label: string,
  closes: ts.CallExpression[],
  viewHolders: ReadonlySet<ts.Symbol> = new Set(),
  views?: Set<string>,
  store?: ts.Node,
): ResourceEntry {
  return {
    name: kept.name,
    label,
    matches: (symbol) => isKept(kept, symbol) || viewHolders.has(symbol),
    denotedBy: {
      names: [
        ...new Set([
          kept.symbol.name,
          ...declarationNames(t, kept.declaration),
          ...[...viewHolders].map((h) => h.name),
        ]),
      ],
    },
    closes,
    workers: [],
    store,
    views,
  };
}

/**
 * The kinds of view the program makes of a kept store: a catalogue view call given it as the
 * store (`drizzle(client)`, `drizzle({ client })`). Undefined when there is none.
 */
function viewsOf(
  index: ProgramIndex,
  kind: string,
  kept: Kept,
): { kinds: Set<string>; holders: ts.Symbol[] } | undefined {
  const t = index.ts;
  const refersToKept = (expression: ts.Expression | undefined): boolean => {
    const e = expression && skipOuterExpressions(t, expression);
    return e !== undefined && t.isIdentifier(e) && isKept(kept, index.types.getSymbolAtLocation(e));
  };
  let views: { kinds: Set<string>; holders: ts.Symbol[] } | undefined;
  for (const view of storeViewCalls) {
    if (!view.of.includes(kind)) continue;
    const callee = view.path[view.path.length - 1]!;
    for (const call of index.callsNamed(callee)) {
      if (!t.isCallExpression(call)) continue;
      const ref = index.binding.resolve(call.expression);
      if (!ref || !sameRef(ref, view)) continue;
      const argument = call.arguments[view.store.argument];
      const options = argument && skipOuterExpressions(t, argument);
      const option =
        view.store.option !== undefined && options && t.isObjectLiteralExpression(options)
          ? options.properties.find((p) => p.name && staticPropertyName(t, p.name) === view.store.option)
          : undefined;
      const given = option
        ? t.isShorthandPropertyAssignment(option)
          ? isKept(kept, index.types.getShorthandAssignmentValueSymbol(option))
          : t.isPropertyAssignment(option) && refersToKept(option.initializer)
        : refersToKept(argument);
      if (!given) continue;
      views ??= { kinds: new Set(), holders: [] };
      views.kinds.add(view.kind);
      // Where the view is kept (`const db = drizzle(client)`) names this store's view, whatever else is viewed.
      const holding = holdingOf(index, call);
      if (holding.type === 'kept') views.holders.push(holding.symbol);
    }
  }
  return views;
}

/** Whether `symbol` is where the store is kept (its own symbol, or one declared by the same declaration). */
function isKept(kept: Kept, symbol: ts.Symbol | undefined): boolean {
  return (
    symbol !== undefined &&
    (symbol === kept.symbol ||
      ((symbol.declarations as readonly ts.Node[] | undefined)?.includes(kept.declaration) ?? false))
  );
}

/**
 * The workers a creation makes, each with the functions it runs its work in and where it is kept:
 * the creation itself (`const worker = new Worker('mail', send)`), or, in a program factory that
 * returns it (`generateWorker(name, processor)`), each caller's (`flowWorker = generateWorker('flow',
 * runFlow)`), whose work is the processor that caller passes when the factory hands on its parameter.
 */
function workersOf(
  index: ProgramIndex,
  creation: ts.CallExpression | ts.NewExpression,
  worker: (typeof workerKinds)[number],
): { work: FunctionLikeWithBody[]; held: Kept | undefined }[] {
  const returnsSelf = kindSpec(worker.kind)?.returnsSelf ?? [];
  const holding = holdingOf(index, creation, returnsSelf);
  const result: { work: FunctionLikeWithBody[]; held: Kept | undefined }[] = [];
  const work = workFunctions(index, creation, holding, worker.work);
  if (work.length > 0) result.push({ work, held: holding.type === 'kept' ? holding : undefined });
  // The processor as a parameter of the function that creates the worker: each caller passes its own.
  const argument = 'argument' in worker.work ? creation.arguments?.[worker.work.argument] : undefined;
  const passed = argument && parameterPosition(index, argument);
  for (const { held, call } of callerHoldingsWithCalls(index, creation, holding, returnsSelf, 0)) {
    const own = passed && call.arguments[passed.position];
    const callerWork =
      passed && own && passed.fn === factoryOf(index, call) ? index.resolveFunctions(own) : own ? [] : work;
    if (callerWork.length > 0) result.push({ work: callerWork, held });
  }
  return result;
}

/** `processor` in `(name, processor) => new Worker(name, processor)`: its function and position. */
function parameterPosition(
  index: ProgramIndex,
  expression: ts.Expression,
): { fn: FunctionLikeWithBody; position: number } | undefined {
  const t = index.ts;
  const e = skipOuterExpressions(t, expression);
  if (!t.isIdentifier(e)) return undefined;
  const declaration = index.types.getSymbolAtLocation(e)?.valueDeclaration;
  if (!declaration || !t.isParameter(declaration) || !isFunctionLikeWithBody(t, declaration.parent)) return undefined;
  if (declaration.dotDotDotToken || !t.isIdentifier(declaration.name)) return undefined;
  return { fn: declaration.parent, position: declaration.parent.parameters.indexOf(declaration) };
}

/** The program function a call calls (one, or none when it is not known). */
function factoryOf(index: ProgramIndex, call: ts.CallExpression): FunctionLikeWithBody | undefined {
  const fns = index.resolveFunctions(call.expression, 0, false);
  return fns.length === 1 ? fns[0] : undefined;
}

/**
 * Where the callers of a program function that returns the resource keep it: `return new Redis()`
 * or `const client = new Redis(); …; return client` in `createCache`, kept by `cache = createCache()`.
 */
function callerHoldings(
  index: ProgramIndex,
  creation: ts.Expression,
  holding: Holding,
  returnsSelf: readonly string[],
  depth: number,
): Kept[] {
  return callerHoldingsWithCalls(index, creation, holding, returnsSelf, depth).map((c) => c.held);
}

/** `callerHoldings`, each with the caller's call of the factory that returns the creation directly. */
function callerHoldingsWithCalls(
  index: ProgramIndex,
  creation: ts.Expression,
  holding: Holding,
  returnsSelf: readonly string[],
  depth: number,
): { held: Kept; call: ts.CallExpression }[] {
  const t = index.ts;
  if (depth > 2) return [];
  const returned = returningFunction(index, creation, holding);
  const factory = returned?.fn;
  const name = factory && functionNameNode(t, factory)?.text;
  if (!factory || !name) return [];
  const result: { held: Kept; call: ts.CallExpression }[] = [];
  for (const call of index.callsNamed(name)) {
    if (!t.isCallExpression(call) || !index.resolveFunctions(call.expression, 0, false).includes(factory)) continue;
    if (returned.property !== undefined) {
      const held = destructuredHolding(index, call, returned.property);
      if (held) result.push({ held, call });
      continue;
    }
    const held = holdingOf(index, call, returnsSelf);
    if (held.type === 'kept') result.push({ held, call });
    else result.push(...callerHoldingsWithCalls(index, call, held, returnsSelf, depth + 1));
  }
  return result;
}

/** `client` in `const { client } = openDatabase()` (also awaited): where a caller keeps one property of what a call returns. */
function destructuredHolding(index: ProgramIndex, call: ts.CallExpression, property: string): Kept | undefined {
  const t = index.ts;
  let e: ts.Node = call;
  while (t.isAwaitExpression(e.parent) || t.isParenthesizedExpression(e.parent)) e = e.parent;
  const declaration = e.parent;
  if (!t.isVariableDeclaration(declaration) || declaration.initializer !== e) return undefined;
  if (!t.isObjectBindingPattern(declaration.name)) return undefined;
  for (const element of declaration.name.elements) {
    if (element.dotDotDotToken || !t.isIdentifier(element.name)) continue;
    const key = element.propertyName ? staticPropertyName(t, element.propertyName) : element.name.text;
    if (key !== property) continue;
    const symbol = index.types.getSymbolAtLocation(element.name);
    if (!symbol) return undefined;
    return {
      type: 'kept',
      symbol,
      declaration: element,
      name: element.name.text,
      fn: enclosingFunction(t, declaration),
      using: false,
    };
  }
  return undefined;
}

/**
 * The function that returns what `creation` makes: directly, or through the local it is kept in,
 * itself or as a property of the object it returns (`return { client, db }`: `property` is `client`).
 */
function returningFunction(
  index: ProgramIndex,
  creation: ts.Expression,
  holding: Holding,
): { fn: FunctionLikeWithBody; property?: string } | undefined {
  const t = index.ts;
  if (holding.type === 'handed') {
    let e: ts.Node = creation;
    while (
      t.isParenthesizedExpression(e.parent) ||
      t.isAsExpression(e.parent) ||
      t.isSatisfiesExpression(e.parent) ||
      t.isNonNullExpression(e.parent) ||
      t.isAwaitExpression(e.parent)
    )
      e = e.parent;
    const parent = e.parent;
    const fn = t.isReturnStatement(parent)
      ? enclosingFunction(t, parent)
      : t.isArrowFunction(parent) && parent.body === e
        ? parent
        : undefined;
    return fn ? { fn } : undefined;
  }
  if (holding.type !== 'kept' || !holding.fn || !t.isVariableDeclaration(holding.declaration)) return undefined;
  const fn = holding.fn;
  const body = functionBody(t, fn);
  const isHeld = (value: ts.Expression): boolean => {
    const v = skipOuterExpressions(t, value);
    return t.isIdentifier(v) && index.types.getSymbolAtLocation(v) === holding.symbol;
  };
  let returned: { fn: FunctionLikeWithBody; property?: string } | undefined;
  const visit = (node: ts.Node): void => {
    if (returned || isFunctionLikeWithBody(t, node)) return;
    if (t.isReturnStatement(node) && node.expression) {
      const value = skipOuterExpressions(t, node.expression);
      if (isHeld(value)) returned = { fn };
      else if (t.isObjectLiteralExpression(value)) {
        for (const p of value.properties) {
          const held = t.isShorthandPropertyAssignment(p)
            ? index.types.getShorthandAssignmentValueSymbol(p) === holding.symbol
            : t.isPropertyAssignment(p) && isHeld(p.initializer);
          const property = held && p.name ? staticPropertyName(t, p.name) : undefined;
          if (property !== undefined) returned = { fn, property };
        }
      }
    }
    t.forEachChild(node, visit);
  };
  if (body) t.forEachChild(body, visit);
  return returned;
}

/**
 * The entries handed as values to a function that builds the server or its handlers (a function
 * that creates the server or app, or registers or returns request handlers): `startHttp({ cache })`,
 * `routes(app, pool)`. The handlers it builds use what it was given; which of them does is not
 * followed through the parameter, so any value handed to the builder counts as used.
 */
function handedToServerBuilders(index: ProgramIndex, entries: readonly ResourceEntry[]): Set<ResourceEntry> {
  const t = index.ts;
  const builders = new Set<FunctionLikeWithBody>();
  const addAround = (node: ts.Node, except?: ts.Node): void => {
    for (let fn = enclosingFunction(t, node); fn; fn = enclosingFunction(t, fn)) {
      if (fn !== except) builders.add(fn);
    }
  };
  for (const record of index.handlers.values()) {
    addAround(record.registration, record.fn);
    addAround(record.fn, record.fn);
  }
  for (const record of index.servers) {
    const category = kindSpec(record.kind)?.category;
    if (category === 'server' || category === 'app') addAround(record.creation);
  }
  const result = new Set<ResourceEntry>();
  const viewed = viewedEntries(entries);
  // A view of a store (`db = drizzle(client)`) is known by its declaration wherever the value goes:
  // a name declared as one, or a property so declared of an object handed over (`createServer(deps)`
  // where `deps: { db: Database }`).
  const matchView = (symbol: ts.Symbol): void => {
    const kind = index.declaredKindOf(symbol);
    for (const entry of (kind && viewed.get(kind)) || []) result.add(entry);
  };
  const match = (symbol: ts.Symbol | undefined): void => {
    if (!symbol) return;
    for (const entry of entries) if (entry.matches(symbol)) result.add(entry);
    if (viewed.size > 0) matchView(symbol);
  };
  const matchProperties = (value: ts.Expression): void => {
    if (viewed.size === 0) return;
    const properties = index.types.getPropertiesOfType(index.types.getTypeAtLocation(value));
    for (const property of properties.slice(0, maxHandedProperties)) matchView(property);
  };
  const handed = (arg: ts.Expression, depth = 0): void => {
    const value = skipOuterExpressions(t, arg);
    if (t.isIdentifier(value) || t.isPropertyAccessExpression(value)) {
      const symbol = index.types.getSymbolAtLocation(t.isIdentifier(value) ? value : value.name);
      match(symbol);
      matchProperties(value);
      // A context object the program builds from its stores (`ctx = new AppContext({ db, cache })`)
      // and hands to the builders (`createRouter(ctx)`): the handlers reach the stores through it.
      if (depth === 0) for (const part of contextObjectParts(index, symbol)) handed(part, depth + 1);
      return;
    }
    if (!t.isObjectLiteralExpression(value)) return;
    for (const property of value.properties) {
      if (t.isShorthandPropertyAssignment(property)) match(index.types.getShorthandAssignmentValueSymbol(property));
      else if (t.isSpreadAssignment(property)) matchProperties(property.expression);
      else if (t.isPropertyAssignment(property)) {
        const inner = skipOuterExpressions(t, property.initializer);
        if (t.isIdentifier(inner)) match(index.types.getSymbolAtLocation(inner));
        else if (t.isPropertyAccessExpression(inner)) match(index.types.getSymbolAtLocation(inner.name));
      }
    }
  };
  for (const builder of builders) {
    const name = functionNameNode(t, builder)?.text;
    if (!name || builder.parameters.length === 0) continue;
    for (const call of index.callsNamed(name)) {
      if (!t.isCallExpression(call) || call.arguments.length === 0) continue;
      if (!index.resolveFunctions(call.expression, 0, false).includes(builder)) continue;
      for (const arg of call.arguments) handed(arg);
    }
  }
  return result;
}

/** How many properties of an object handed to a builder are asked whether they hold a view. */
const maxHandedProperties = 64;

/** Each kind of view the program makes of exactly one store, and the entries of that store (see `viewsOf`). */
function viewedEntries(entries: readonly ResourceEntry[]): Map<string, ResourceEntry[]> {
  const result = new Map<string, ResourceEntry[]>();
  for (const entry of entries) {
    for (const view of entry.views ?? []) result.set(view, [...(result.get(view) ?? []), entry]);
  }
  return result;
}

/**
 * The object literals a value kept in `symbol` was built from, when it is an instance of a program
 * class made from them: `const ctx = new AppContext({ db, featureGates })`.
 */
function contextObjectParts(index: ProgramIndex, symbol: ts.Symbol | undefined): ts.Expression[] {
  const t = index.ts;
  const declaration = symbol?.valueDeclaration;
  if (!declaration || !t.isVariableDeclaration(declaration) || !declaration.initializer) return [];
  const init = skipOuterExpressions(t, declaration.initializer);
  if (!t.isNewExpression(init) || !init.arguments) return [];
  const callee = skipOuterExpressions(t, init.expression);
  const classSymbol = t.isIdentifier(callee) ? aliased(index, index.types.getSymbolAtLocation(callee)) : undefined;
  const cls = classSymbol?.valueDeclaration;
  if (!cls || !t.isClassDeclaration(cls) || cls.getSourceFile().isDeclarationFile) return [];
  return init.arguments.filter((a) => t.isObjectLiteralExpression(skipOuterExpressions(t, a)));
}

function aliased(index: ProgramIndex, symbol: ts.Symbol | undefined): ts.Symbol | undefined {
  if (!symbol || !(symbol.flags & index.ts.SymbolFlags.Alias)) return symbol;
  try {
    return index.types.getAliasedSymbol(symbol);
  } catch {
    return undefined;
  }
}

/**
 * A program's own client classes: a class with a shutdown method (`destroy`, `stop`, `close`, …,
 * see own-buffers) whose path ends something its users feed or use: one of the program's own
 * batching buffers (its flush timer cleared for good, with or without a last flush: what callers
 * add afterwards is never sent), or a resource of the catalogue (a close of another entry). Its
 * users hold it in a variable, field, accessor or parameter typed with the class or initialised by
 * `new`; it is closed by a call of that method (`await this.ctx.featureGates.destroy()`).
 */
function ownClientResources(index: ProgramIndex, entries: readonly ResourceEntry[]): ResourceEntry[] {
  const t = index.ts;
  const stops = ownBufferStopMethods(index);
  // What ends a store or buffer, and how messages name it.
  const ending = new Map<ts.Node, string>();
  for (const [fn, stop] of stops) ending.set(fn, `its buffer \`${stop.buffer}\``);
  for (const entry of entries) {
    for (const close of entry.closes) {
      const fn = enclosingFunction(t, close);
      if (fn && !ending.has(fn)) ending.set(fn, `the ${entry.label} \`${entry.name}\``);
    }
  }
  if (ending.size === 0) return [];
  const result: ResourceEntry[] = [];
  for (const file of index.sourceFiles) {
    for (const statement of file.statements) {
      if (!t.isClassDeclaration(statement) || !statement.name) continue;
      const classSymbol = index.types.getSymbolAtLocation(statement.name);
      if (!classSymbol) continue;
      const closing: FunctionLikeWithBody[] = [];
      const reach = new Set<ts.Node>();
      let ends: string | undefined;
      for (const member of statement.members) {
        const fn = memberFunction(t, member);
        const name = fn && methodName(t, fn);
        if (!fn || !name || !shutdownMethodNames.has(name)) continue;
        const reached = index.reachableFrom(fn);
        const found = [...reached].find((r) => ending.has(r));
        if (!found) continue;
        closing.push(fn);
        ends ??= ending.get(found);
        for (const r of reached) reach.add(r);
      }
      if (closing.length === 0) continue;
      // One entry per place that holds an instance it closes (`this.metrics` of two owners are two
      // clients): a name is that instance when it is where the close's receiver is held, or when it
      // is typed with the class and held by no other close.
      const groups = new Map<ts.Symbol | undefined, ts.CallExpression[]>();
      for (const call of closing.flatMap((fn) => callsOf(index, fn))) {
        const parts = methodCallParts(t, call);
        const held =
          parts && skipOuterExpressions(t, parts.receiver).kind !== t.SyntaxKind.ThisKeyword
            ? heldSymbolOf(index, parts.receiver)
            : undefined;
        const group = groups.get(held);
        if (group) group.push(call);
        else groups.set(held, [call]);
      }
      const heldByCloses = new Set([...groups.keys()].filter((k): k is ts.Symbol => k !== undefined));
      const className = statement.name.text;
      for (const [held, closes] of groups) {
        result.push({
          name: className,
          label: `the program's own client, whose \`${methodName(t, closing[0]!)}()\` ends ${ends}`,
          matches: (symbol) =>
            symbol === held || (!heldByCloses.has(symbol) && isTypedWithClass(index, symbol, classSymbol)),
          denotedBy: {
            names: held ? [held.name] : [],
            annotatedWith: [className],
            initializedBy: [className],
          },
          closes,
          workers: [],
          reach,
        });
      }
    }
  }
  return result;
}

/** A class member that is a function: `destroy() {…}`, `stop = async () => {…}`. */
function memberFunction(t: typeof ts, member: ts.ClassElement): FunctionLikeWithBody | undefined {
  if (t.isMethodDeclaration(member) && member.body) return member;
  if (t.isPropertyDeclaration(member) && member.initializer) {
    const init = skipOuterExpressions(t, member.initializer);
    if (isFunctionLikeWithBody(t, init)) return init;
  }
  return undefined;
}

/** The calls of a method anywhere in the program (`client.destroy()`, `this.ctx.client.destroy()`). */
function callsOf(index: ProgramIndex, fn: FunctionLikeWithBody): ts.CallExpression[] {
  const t = index.ts;
  const name = methodName(t, fn);
  if (!name || name.startsWith('[')) return [];
  return index
    .callsNamed(name)
    .filter(
      (c): c is ts.CallExpression =>
        t.isCallExpression(c) && index.resolveFunctions(c.expression, 0, false).includes(fn),
    );
}

/**
 * Resources a program class is: `class PrismaService extends PrismaClient`, created by a DI
 * container (NestJS) rather than by `new` in the program. Its users hold it in a parameter or
 * field typed with the class; it closes itself (`this.$disconnect()`).
 */
function classResources(index: ProgramIndex): ResourceEntry[] {
  const t = index.ts;
  const result: ResourceEntry[] = [];
  for (const file of index.sourceFiles) {
    for (const statement of file.statements) {
      if (!t.isClassDeclaration(statement) || !statement.name) continue;
      const base = statement.heritageClauses?.find((h) => h.token === t.SyntaxKind.ExtendsKeyword)?.types[0]
        ?.expression;
      const ref = base && index.binding.resolve(base);
      const kind = ref && findFactory(ref)?.kind;
      const spec = kind ? kindSpec(kind) : undefined;
      if (!kind || !spec || spec.category !== 'resource') continue;
      const classSymbol = index.types.getSymbolAtLocation(statement.name);
      if (!classSymbol) continue;
      const methods = closeMethodsOf(kind);
      const closes = index.calls.filter((c): c is ts.CallExpression => {
        if (!t.isCallExpression(c) || c.getSourceFile() !== file || c.pos < statement.pos || c.end > statement.end)
          return false;
        const parts = methodCallParts(t, c);
        return (
          parts !== undefined &&
          methods.includes(parts.name) &&
          skipOuterExpressions(t, parts.receiver).kind === t.SyntaxKind.ThisKeyword
        );
      });
      if (closes.length === 0) continue;
      result.push({
        name: statement.name.text,
        label: spec.label,
        matches: (symbol) => isTypedWithClass(index, symbol, classSymbol),
        denotedBy: { annotatedWith: [statement.name.text] },
        closes,
        workers: [],
      });
    }
  }
  return result;
}

/**
 * Resources a program's own holder holds (`mongodb = getSingleton<MongoClient>('mongodb',
 * createClient, { cleanupFunc: (c) => c.close() })`): closed by the holder's close (`mongodb.close()`),
 * used wherever the holder is named (`mongodb().db()`). Found from the holder closes the program makes.
 */
function heldResources(index: ProgramIndex): ResourceEntry[] {
  const t = index.ts;
  const result: ResourceEntry[] = [];
  const seen = new Set<ts.Node>();
  for (const method of holderCloseMethods) {
    for (const call of callsNamed(index, method)) {
      const parts = methodCallParts(t, call);
      if (!parts || parts.name !== method) continue;
      const held = resourceHolderNamedBy(index, parts.receiver);
      if (!held || !held.closeMethods.includes(method) || seen.has(held.holder)) continue;
      seen.add(held.holder);
      const holding = holdingOf(index, held.holder);
      const spec = kindSpec(held.kind);
      if (holding.type !== 'kept' || !spec) continue;
      result.push(
        keptEntry(
          t,
          holding,
          spec.label,
          closesOf(index, holding, held.closeMethods).map((s) => s.call),
        ),
      );
    }
  }
  return result;
}

/**
 * A module's own connection (`mongoose.connect()`), closed by module calls (`mongoose.disconnect()`):
 * used wherever a model it makes (`const User = mongoose.model('User', schema)`) is named.
 */
function moduleSingleton(
  index: ProgramIndex,
  label: string,
  module: string,
  closedBy: readonly ApiRef[],
  models: readonly ApiRef[],
): ResourceEntry {
  const t = index.ts;
  const isModel = (symbol: ts.Symbol): boolean => {
    const declaration = symbol.valueDeclaration;
    if (!declaration || !t.isVariableDeclaration(declaration) || !declaration.initializer) return false;
    const init = skipOuterExpressions(t, declaration.initializer);
    if (!t.isCallExpression(init)) return false;
    const ref = index.binding.resolve(init.expression);
    return ref !== undefined && refIn(ref, models);
  };
  const modelCallees = models.map((m) => m.path[m.path.length - 1]);
  return {
    name: module,
    label,
    matches: isModel,
    denotedBy: modelCallees.every((c) => c !== undefined) ? { initializedBy: modelCallees as string[] } : undefined,
    closes: moduleClosesOf(index, closedBy).map((s) => s.call),
    workers: [],
  };
}

/** The name a holding's declaration binds (a variable, a parameter, a field, an assignment target). */
function declarationNames(t: typeof ts, declaration: ts.Node): string[] {
  const name = (declaration as ts.NamedDeclaration).name;
  if (name && (t.isIdentifier(name) || t.isPrivateIdentifier(name) || t.isStringLiteralLike(name))) return [name.text];
  if (t.isPropertyAccessExpression(declaration)) return [declaration.name.text];
  return [];
}

/**
 * A parameter, field, variable, property signature or getter declared with the class as its type
 * (`private prisma: PrismaService`, `get featureGates(): FeatureGatesClient`), or a variable or
 * field initialised by `new` of the class.
 */
function isTypedWithClass(index: ProgramIndex, symbol: ts.Symbol, classSymbol: ts.Symbol): boolean {
  const t = index.ts;
  const declaration = symbol.valueDeclaration;
  if (
    !declaration ||
    !(
      t.isParameter(declaration) ||
      t.isPropertyDeclaration(declaration) ||
      t.isVariableDeclaration(declaration) ||
      t.isPropertySignature(declaration) ||
      t.isGetAccessorDeclaration(declaration)
    )
  )
    return false;
  const type = declaration.type;
  if (!type && (t.isVariableDeclaration(declaration) || t.isPropertyDeclaration(declaration))) {
    const init = declaration.initializer && skipOuterExpressions(t, declaration.initializer);
    if (!init || !t.isNewExpression(init)) return false;
    const callee = skipOuterExpressions(t, init.expression);
    return t.isIdentifier(callee) && aliased(index, index.types.getSymbolAtLocation(callee)) === classSymbol;
  }
  if (!type || !t.isTypeReferenceNode(type)) return false;
  let named = index.types.getSymbolAtLocation(t.isIdentifier(type.typeName) ? type.typeName : type.typeName.right);
  if (named) {
    const target = aliasTarget(index.types, named, t.SymbolFlags.Alias);
    if (!target) return false;
    named = target;
  }
  return named === classSymbol;
}

/** The functions a worker runs its work in: `new Worker(name, processor)`, `consumer.run({ eachMessage })`. */
function workFunctions(
  index: ProgramIndex,
  creation: ts.CallExpression | ts.NewExpression,
  holding: Holding,
  work: (typeof workerKinds)[number]['work'],
): FunctionLikeWithBody[] {
  const t = index.ts;
  if ('argument' in work) {
    const arg = creation.arguments?.[work.argument];
    return arg ? index.resolveFunctions(arg) : [];
  }
  if (holding.type !== 'kept') return [];
  const result: FunctionLikeWithBody[] = [];
  for (const call of index.calls) {
    if (!t.isCallExpression(call)) continue;
    const parts = methodCallParts(t, call);
    if (!parts || parts.name !== work.method || !refersToHolding(index, parts.receiver, holding)) continue;
    for (const arg of call.arguments) {
      const object = skipOuterExpressions(t, arg);
      if (!t.isObjectLiteralExpression(object)) continue;
      for (const property of object.properties) {
        const name = staticPropertyName(t, property.name);
        if (name === undefined || !work.properties.includes(name)) continue;
        if (t.isMethodDeclaration(property) && property.body) result.push(property);
        else if (t.isPropertyAssignment(property)) result.push(...index.resolveFunctions(property.initializer));
        else if (t.isShorthandPropertyAssignment(property)) result.push(...index.resolveFunctions(property.name));
      }
    }
  }
  return result;
}

/** The entries a name in one function's own code refers to (nested functions are scanned on their own). */
type UseScanner = (fn: ts.Node) => ResourceEntry[];

function useScanner(index: ProgramIndex, entries: readonly ResourceEntry[]): UseScanner {
  const t = index.ts;
  const bySymbol = new Map<ts.Symbol, ResourceEntry[]>();
  // Only identifiers whose text can denote one of the entries are worth a symbol question.
  let candidates: Set<string> | undefined = new Set();
  // A view is known by the declaration of the name that holds it, under any name.
  const viewed = viewedEntries(entries);
  for (const entry of entries) {
    if (!entry.denotedBy || entry.views) {
      candidates = undefined;
      break;
    }
    for (const name of index.namesThatCanDenote(entry.denotedBy.names ?? [], entry.denotedBy)) candidates.add(name);
  }
  return (fn) => {
    const result = new Set<ResourceEntry>();
    if (t.isSourceFile(fn)) return [];
    const body = functionBody(t, fn);
    if (!body) return [];
    const visit = (node: ts.Node): void => {
      if (isFunctionLikeWithBody(t, node)) return; // on the path on its own
      if (t.isIdentifier(node) && (!candidates || candidates.has(node.text))) {
        const symbol = index.types.getSymbolAtLocation(node);
        if (symbol) {
          let found = bySymbol.get(symbol);
          if (!found) {
            const held = heldSymbolOf(index, node);
            found = entries.filter((e) => e.matches(symbol) || (held !== undefined && e.matches(held)));
            if (found.length === 0 && viewed.size > 0) {
              const kind = index.declaredKindOf(symbol);
              found = (kind && viewed.get(kind)) || [];
            }
            bySymbol.set(symbol, found);
          }
          for (const entry of found) result.add(entry);
        }
      }
      t.forEachChild(node, visit);
    };
    visit(body);
    return [...result];
  };
}

const drainNames: ReadonlySet<string> = new Set(['close', 'stop', 'terminate', 'closeServer', 'shutdown', 'promisify']);

/**
 * A call that drains an HTTP server: a server kind's close (`server.close()`, `await app.close()`,
 * stoppable's `server.stop()`), `promisify(server.close)`, http-terminator's `terminate()`,
 * socket.io's `io.close()` (it closes the HTTP server too), the lifecycle's `closeServer`/`shutdown`.
 */
export function isServerDrain(index: ProgramIndex, call: ts.CallExpression): boolean {
  const t = index.ts;
  const callee = skipOuterExpressions(t, call.expression);
  const name = t.isIdentifier(callee) ? callee.text : methodCallParts(t, call)?.name;
  if (name === undefined || !drainNames.has(name)) return false;
  const ref = index.binding.resolve(call.expression);
  if (ref && refIn(ref, serverDrainCalls)) return true;
  if (name === 'closeServer') return true;
  if (
    ref &&
    (sameRef(ref, { module: 'util', path: ['promisify'] }) ||
      sameRef(ref, { module: 'global', path: ['util', 'promisify'] }))
  ) {
    const first = call.arguments[0] && skipOuterExpressions(t, call.arguments[0]);
    const target =
      first && t.isCallExpression(first) && methodCallParts(t, first)?.name === 'bind'
        ? skipOuterExpressions(t, first.expression)
        : first;
    const inner = target && t.isPropertyAccessExpression(target) ? target : undefined;
    if (inner && t.isPropertyAccessExpression(inner.expression) && inner.expression.name.text === inner.name.text)
      return false;
    return inner !== undefined && drainsServer(index, inner.expression, inner.name.text);
  }
  const parts = methodCallParts(t, call);
  return parts !== undefined && drainsServer(index, parts.receiver, parts.name);
}

function drainsServer(index: ProgramIndex, receiver: ts.Expression, method: string): boolean {
  const kind = index.kindOf(receiver, true);
  const spec = kind ? kindSpec(kind) : undefined;
  if (!spec?.close?.includes(method)) return false;
  return spec.drainsOnClose === true || kind === 'socketio.Server' || kind === 'httpTerminator.Terminator';
}

// ── Order on a shutdown path ──

/** How the close stands against a drain: after it has finished, before it starts, while it runs. */
export type CloseOrder = 'after' | 'before' | 'during' | 'unknown';

/** When a root's hooks run against the HTTP server's close, and the hook to use instead. */
export function hookPhaseOf(
  index: ProgramIndex,
  root: ShutdownRoot,
): { owner: string; hook: string; phase: 'before-server-close' | 'after-server-close'; instead?: string } | undefined {
  const hook = hookNameOf(index, root);
  if (!hook) return undefined;
  return shutdownHookPhases.find((p) => p.owner === hook.owner && p.hook === hook.hook);
}

/** The library (or framework) that runs a root, and the hook it runs it as. */
function hookNameOf(index: ProgramIndex, root: ShutdownRoot): { owner: string; hook: string } | undefined {
  const t = index.ts;
  if (nestShutdownMethods.has(root.trigger) && root.registration === root.fn)
    return { owner: 'nestjs', hook: root.trigger };
  const registration = root.registration;
  if (!t.isCallExpression(registration)) return undefined;
  if (root.trigger.endsWith(' addHook')) {
    const event = registration.arguments[0];
    return event && t.isStringLiteralLike(event)
      ? { owner: root.trigger.slice(0, -' addHook'.length), hook: event.text }
      : undefined;
  }
  const ref = index.binding.resolve(registration.expression);
  const library = ref && shutdownLibraries.find((l) => sameRef(l, ref));
  if (!library) return undefined;
  if (library.hooks.argument !== undefined)
    return { owner: library.library, hook: ref!.path[ref!.path.length - 1] ?? library.library };
  for (const arg of registration.arguments) {
    const object = skipOuterExpressions(t, arg);
    if (!t.isObjectLiteralExpression(object)) continue;
    for (const property of object.properties) {
      const name = staticPropertyName(t, property.name);
      if (name === undefined) continue;
      const value = propertyValue(t, property);
      const fns = t.isMethodDeclaration(property) ? [property] : value ? index.resolveFunctions(value) : [];
      if ((fns as ts.Node[]).includes(root.fn)) return { owner: library.library, hook: name };
    }
  }
  return undefined;
}

/** Roots that a signal (or a library that listens for one) starts on its own, not another close. */
function signalsOf(index: ProgramIndex, root: ShutdownRoot): readonly string[] | undefined {
  if (root.signals) return root.signals;
  const t = index.ts;
  if (root.trigger === 'lightship registerShutdownHandler') return ['*'];
  if (!t.isCallExpression(root.registration)) return undefined;
  const ref = index.binding.resolve(root.registration.expression);
  return ref && shutdownLibraries.some((l) => sameRef(l, ref)) ? ['*'] : undefined;
}

/** Two roots that one signal starts at the same time. */
export function runConcurrently(index: ProgramIndex, a: ShutdownRoot, b: ShutdownRoot): boolean {
  if (a.fn === b.fn) return false;
  const sa = signalsOf(index, a);
  const sb = signalsOf(index, b);
  if (!sa || !sb || !inOneProcess(index, a.registration, b.registration)) return false;
  if (sa.includes('*') || sb.includes('*')) return true;
  return sa.some((s) => sb.includes(s));
}

/**
 * Whether two places can run in one process: some entry module loads both (an API's `server.js`
 * and a worker's `worker.js` are two programs, each stopped by its own SIGTERM). When the entries
 * of either are not known (no entry module loads it), they may.
 */
function inOneProcess(index: ProgramIndex, a: ts.Node, b: ts.Node): boolean {
  const fa = a.getSourceFile();
  const fb = b.getSourceFile();
  if (fa === fb) return true;
  // entriesOf answers a file no entry module loads with the file itself (a module in an import
  // cycle with no outside importer): that is not a known entry, so not a known other process.
  const ea = index.entriesOf(fa).filter((entry) => index.isEntryModule(entry));
  const eb = index.entriesOf(fb).filter((entry) => index.isEntryModule(entry));
  return ea.length === 0 || eb.length === 0 || ea.some((entry) => eb.includes(entry));
}

/** For two hooks of a library that runs them in registration order (or in reverse): does `first` run before `second`? */
export function registrationOrder(index: ProgramIndex, first: ShutdownRoot, second: ShutdownRoot): CloseOrder {
  const owner = (r: ShutdownRoot): string | undefined =>
    hookRegistrationOrder.find((o) => o.owner === r.trigger || r.trigger === o.owner)?.owner;
  const ownerA = owner(first);
  if (!ownerA || ownerA !== owner(second)) return 'unknown';
  const ra = first.registration;
  const rb = second.registration;
  if (ra.getSourceFile() !== rb.getSourceFile() || enclosingFunction(index.ts, ra) !== enclosingFunction(index.ts, rb))
    return 'unknown';
  // Fastify runs every `preClose` hook before any `onClose` hook.
  const phaseA = hookPhaseOf(index, first)?.phase;
  const phaseB = hookPhaseOf(index, second)?.phase;
  if (phaseA && phaseB && phaseA !== phaseB) return phaseA === 'before-server-close' ? 'before' : 'after';
  const order = hookRegistrationOrder.find((o) => o.owner === ownerA)!.order;
  const firstRegistered = ra.pos < rb.pos;
  return firstRegistered === (order === 'fifo') ? 'before' : 'after';
}

export function reachOf(index: ProgramIndex, fn: ts.Node): Set<ts.Node> {
  const facts = factsOf(index);
  let set = facts.reach.get(fn);
  if (!set) {
    set = index.reachableFrom(fn);
    facts.reach.set(fn, set);
  }
  return set;
}

function within(node: ts.Node, outer: ts.Node): boolean {
  return node.getSourceFile() === outer.getSourceFile() && node.pos >= outer.pos && node.end <= outer.end;
}

/** The node of `scope`'s own text that leads to `target`: the target itself, or the first call whose callee reaches it. */
function anchorIn(index: ProgramIndex, scope: ts.Node, target: ts.Node): ts.Node | undefined {
  const t = index.ts;
  if (t.isSourceFile(scope) ? target.getSourceFile() === scope : within(target, scope)) return target;
  const targetFn = enclosingFunction(t, target) ?? target.getSourceFile();
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (t.isCallExpression(node) || t.isNewExpression(node)) {
      const callee = skipOuterExpressions(t, node.expression);
      const fns =
        t.isIdentifier(callee) || t.isPropertyAccessExpression(callee) ? index.resolveFunctions(callee, 0, false) : [];
      if (fns.some((fn) => reachOf(index, fn).has(targetFn))) {
        found = node;
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  const body = t.isSourceFile(scope) ? scope : functionBody(t, scope);
  if (body) visit(body);
  return found;
}

/** The nearest function around `node` below `scope` that runs later (not a promise executor nor an element callback). */
function laterCallback(index: ProgramIndex, node: ts.Node, scope: ts.Node): FunctionLikeWithBody | undefined {
  const t = index.ts;
  for (let p = node.parent; p && p !== scope; p = p.parent) {
    if (isFunctionLikeWithBody(t, p) && !runsNow(index, p)) return p;
  }
  return undefined;
}

/** A function that runs where it is written: a promise executor, or `queues.map((q) => q.close())`'s callback. */
function runsNow(index: ProgramIndex, fn: ts.Node): boolean {
  return isPromiseExecutor(index, fn) || elementCallbackCall(index, fn) !== undefined;
}

/** The array call that runs `fn` with each element now: `workers.map(fn)`, `queues.forEach(fn)`. */
function elementCallbackCall(index: ProgramIndex, fn: ts.Node): ts.CallExpression | undefined {
  const t = index.ts;
  let owner: ts.Node = fn;
  while (t.isParenthesizedExpression(owner.parent)) owner = owner.parent;
  const call = owner.parent;
  if (!call || !t.isCallExpression(call) || call.arguments[0] !== owner) return undefined;
  const parts = methodCallParts(t, call);
  if (!parts || !elementCallbackMethods.has(parts.name) || index.kindOf(parts.receiver)) return undefined;
  return call;
}

/**
 * Whether a drain `b` (or a call that runs one) has finished once `piece` and `later` have run: awaited itself, or, inside element callbacks, each
 * callback settles with it (`(w) => w.close()`) and the array of their promises is awaited
 * (`await Promise.all(workers.map(…))`; `forEach` throws its callbacks' promises away).
 */
function drainSettledBy(
  index: ProgramIndex,
  b: ts.Node,
  scope: ts.Node,
  piece: ts.Node,
  later: readonly ts.Node[],
  depth: number,
): boolean {
  const t = index.ts;
  let inner: ts.Node = b;
  for (let p = b.parent; p && p !== scope; p = p.parent) {
    if (!isFunctionLikeWithBody(t, p)) continue;
    const call = elementCallbackCall(index, p);
    if (!call) continue;
    const method = methodCallParts(t, call)?.name;
    if ((method !== 'map' && method !== 'flatMap') || !completesIn(index, p, inner, depth + 1)) return false;
    inner = call;
  }
  return settledBy(index, inner, piece, later);
}

/** `server.close(cb)`, `stop(cb)`, `server.close().then(cb)`: `callback` runs once `call` has finished. */
function isCompletionCallback(index: ProgramIndex, callback: ts.Node, call: ts.Node): boolean {
  const t = index.ts;
  let owner: ts.Node = callback;
  while (t.isParenthesizedExpression(owner.parent)) owner = owner.parent;
  const runner = owner.parent;
  if (!runner || !t.isCallExpression(runner) || !runner.arguments.includes(owner as ts.Expression)) return false;
  if (runner === call) return true;
  const parts = methodCallParts(t, runner);
  return (
    parts !== undefined && isChainMethod(parts.name) && parts.name !== 'catch' && originOfChain(t, runner) === call
  );
}

/** Both in the array of one `Promise.all([...])` / `allSettled`. */
function inOneParallelCall(index: ProgramIndex, a: ts.Node, b: ts.Node): boolean {
  const t = index.ts;
  for (let p = a.parent; p; p = p.parent) {
    if (isFunctionLikeWithBody(t, p) && !isPromiseExecutor(index, p)) return false;
    if (!t.isArrayLiteralExpression(p) || !within(b, p)) continue;
    const call = p.parent;
    if (!call || !t.isCallExpression(call)) return false;
    const ref = index.binding.resolve(call.expression);
    return ref?.module === 'global' && ref.path[0] === 'Promise' && !refIn(ref, promiseRaces);
  }
  return false;
}

/** Has `call` (a drain, or a call that runs one) finished once `piece` and what follows it in `later` have run? */
function settledBy(index: ProgramIndex, call: ts.Node, piece: ts.Node, later: readonly ts.Node[]): boolean {
  const t = index.ts;
  if (isAwaitedWithin(index, call, piece)) return true;
  return (t.isCallExpression(call) || t.isNewExpression(call)) && awaitsOneOf(t, later, holderNames(index, call));
}

/** Whether `fn` finishes (returns, or settles what it returns) only after `drain` has finished. */
export function completesIn(index: ProgramIndex, fn: ts.Node, drain: ts.Node, depth: number): boolean {
  const t = index.ts;
  if (depth > 4) return false;
  const body = functionBody(t, fn);
  const anchor = body && anchorIn(index, fn, drain);
  if (!body || !anchor || laterCallback(index, anchor, fn)) return false;
  let settled = false;
  for (let p: ts.Node | undefined = anchor; p && p !== fn; p = p.parent) {
    if (
      t.isAwaitExpression(p) ||
      t.isReturnStatement(p) ||
      (t.isArrowFunction(p.parent) && p.parent.body === p && p.parent === fn && !t.isBlock(p))
    ) {
      settled = true;
      break;
    }
    if (isFunctionLikeWithBody(t, p) && !isPromiseExecutor(index, p)) break;
  }
  if (!settled && (t.isCallExpression(anchor) || t.isNewExpression(anchor))) {
    const statements = t.isBlock(body) ? body.statements : [];
    const at = statements.findIndex((s) => within(anchor, s));
    settled = at >= 0 && awaitsOneOf(t, statements.slice(at + 1), holderNames(index, anchor));
  }
  if (!settled) return false;
  return anchor === drain || calleesOf(index, anchor).some((callee) => completesIn(index, callee, drain, depth + 1));
}

function calleesOf(index: ProgramIndex, node: ts.Node): FunctionLikeWithBody[] {
  const t = index.ts;
  if (!t.isCallExpression(node) && !t.isNewExpression(node)) return [];
  const callee = skipOuterExpressions(t, node.expression);
  return t.isIdentifier(callee) || t.isPropertyAccessExpression(callee) ? index.resolveFunctions(callee, 0, false) : [];
}

/**
 * Where `close` runs against `drain` in `scope` (a shutdown root's function, or a file after
 * `await once(process, 'SIGTERM')`), following the calls that lead to each. Syntactic and
 * cautious: a close in a callback of unknown timing, or in another branch, is `unknown`.
 */
export function closeOrderIn(
  index: ProgramIndex,
  scope: ts.Node,
  close: ts.Node,
  drain: ts.Node,
  depth = 0,
): CloseOrder {
  return closeOrderAt(index, scope, close, drain, depth).order;
}

/**
 * The order, and where it is decided: the nodes of one function's own text that lead to the close
 * and to the drain (the calls themselves, or the calls of helpers that run them), for the codemod
 * that moves one after the other.
 */
export interface PlacedOrder {
  order: CloseOrder;
  anchors?: { close: ts.Node; drain: ts.Node };
}

export function closeOrderAt(
  index: ProgramIndex,
  scope: ts.Node,
  close: ts.Node,
  drain: ts.Node,
  depth = 0,
): PlacedOrder {
  const a = anchorIn(index, scope, close);
  const b = anchorIn(index, scope, drain);
  if (!a || !b) return { order: 'unknown' };
  if (a === b) {
    if (depth > 4) return { order: 'unknown' };
    for (const callee of calleesOf(index, a)) {
      const placed = closeOrderAt(index, callee, close, drain, depth + 1);
      if (placed.order !== 'unknown') return placed;
    }
    return { order: 'unknown' };
  }
  return { order: anchorOrder(index, scope, a, b, drain, depth), anchors: { close: a, drain: b } };
}

/** Whether awaiting `anchor` (the drain, or a call of a helper that runs it) waits until the drain has finished. */
export function anchorSettles(index: ProgramIndex, anchor: ts.Node, drain: ts.Node): boolean {
  return anchor === drain || calleesOf(index, anchor).some((callee) => completesIn(index, callee, drain, 1));
}

function anchorOrder(
  index: ProgramIndex,
  scope: ts.Node,
  a: ts.Node,
  b: ts.Node,
  drain: ts.Node,
  depth: number,
): CloseOrder {
  const t = index.ts;
  // The close in a callback: it runs after the drain when the drain calls it back on completion.
  let top = a;
  for (let callback = laterCallback(index, top, scope); callback; callback = laterCallback(index, top, scope)) {
    if (isCompletionCallback(index, callback, b)) return 'after';
    if (within(b, callback)) return anchorOrder(index, callback, a, b, drain, depth);
    top = callback;
  }
  if (top !== a) return 'unknown'; // a timer, a listener: when it runs is not known here
  if (laterCallback(index, b, scope)) {
    let outer: ts.Node = b;
    for (let callback = laterCallback(index, b, scope); callback; callback = laterCallback(index, callback, scope)) {
      if (isCompletionCallback(index, callback, a)) return 'before';
      outer = callback;
    }
    // A timer or listener set only once the close has run: the drain in it starts later still.
    const aNow = outOfExecutors(index, a, scope);
    if (ranBefore(t, outer, scope).some((piece) => within(aNow, piece))) return 'before';
    return 'unknown';
  }
  const aOut = outOfExecutors(index, a, scope);
  const bOut = outOfExecutors(index, b, scope);
  if (inOneParallelCall(index, aOut, bOut)) return 'during';
  const beforeClose = ranBefore(t, aOut, scope);
  const at = beforeClose.findIndex((piece) => within(bOut, piece));
  if (at >= 0) {
    if (!drainSettledBy(index, b, scope, beforeClose[at]!, beforeClose.slice(at + 1).concat(aOut), depth))
      return 'during';
    if (b === drain) return 'after';
    return calleesOf(index, b).some((callee) => completesIn(index, callee, drain, depth + 1)) ? 'after' : 'during';
  }
  if (ranBefore(t, bOut, scope).some((piece) => within(aOut, piece))) return 'before';
  return 'unknown';
}

/**
 * `new Promise((resolve) => server.close(resolve))`, `workers.map((w) => w.close())`: the executor
 * or element callback runs now, where its `new` or call is.
 */
function outOfExecutors(index: ProgramIndex, node: ts.Node, scope: ts.Node): ts.Node {
  const t = index.ts;
  let result = node;
  for (let p = node.parent; p && p !== scope; p = p.parent) {
    if (!isFunctionLikeWithBody(t, p)) continue;
    if (isPromiseExecutor(index, p)) result = p.parent;
    else {
      const call = elementCallbackCall(index, p);
      if (!call) break;
      result = call;
    }
  }
  return result;
}

/** The drains among `drains` on a root's path: the functions that contain them are on it. */
export function drainsOnPath(
  index: ProgramIndex,
  root: ShutdownRoot,
  drains: readonly ts.CallExpression[],
): ts.CallExpression[] {
  const path = index.shutdownPath(root);
  return drains.filter((d) => path.has(enclosingFunction(index.ts, d) ?? d.getSourceFile()));
}

/** The roots that run a close: those of its function, or those a registry call registers (`lifecycle.adopt(pool, …)`). */
export function rootsOfClose(index: ProgramIndex, call: ts.CallExpression): ShutdownRoot[] {
  const registered = index.shutdownRoots.filter((r) => r.registration === call);
  return registered.length > 0 ? registered : index.shutdownRootsOf(call);
}

/**
 * Whether a root's path makes a call that could drain a server the catalogue does not know: a
 * `close`, `stop`, `terminate` or `shutdown` on a receiver of no known resource kind
 * (`server.stop()` on a server typed by a package the catalogue lacks).
 */
export function mayDrainUnknownServer(index: ProgramIndex, root: ShutdownRoot): boolean {
  const t = index.ts;
  for (const fn of index.shutdownPath(root)) {
    const body = t.isSourceFile(fn) ? fn : functionBody(t, fn);
    if (!body) continue;
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found || (node !== body && isFunctionLikeWithBody(t, node))) return;
      if (t.isCallExpression(node)) {
        const callee = skipOuterExpressions(t, node.expression);
        const name = t.isIdentifier(callee) ? callee.text : methodCallParts(t, node)?.name;
        if (name !== undefined && drainNames.has(name)) {
          const parts = methodCallParts(t, node);
          const kind = parts ? index.kindOf(parts.receiver, true) : undefined;
          const category = kind ? kindSpec(kind)?.category : undefined;
          if (category !== 'resource' && category !== 'buffer') found = true;
        }
      }
      t.forEachChild(node, visit);
    };
    visit(body);
    if (found) return true;
  }
  return false;
}
