// The ProgramIndex: whole-program facts, built from each file's facts and cached per ts.Program.
// The per-file facts (names, calls, classes, import candidates: file-facts.ts) are syntax alone and
// kept per SourceFile across program versions, so a new program after an edit walks only the
// edited files. What needs the checker is kept too where it can be: each file is classified on
// its own, its module edges collected with it, and what those answers consulted is recorded
// (dependencies.ts), so that the next version of the program keeps the records of every file
// nothing of which changed, and the shutdown path of every root whose walk it did not touch
// (kept-classification.ts). Rules ask it questions (what kind of thing is this value, is this
// function a request handler, which shutdown paths reach this node); they never walk the program
// themselves.
//
// It is one facade over its concerns, each a module of its own in program-index/:
// - file-facts: the single pass over one file, kept per SourceFile;
// - name-facts: declared names, re-bindings, assignments (what a name can denote);
// - call-index: every call, by callee and argument name;
// - file-unions: the name facts and the call index as unions of the files' facts, kept across
//   program versions and patched for the edited files;
// - import-graph: which file loads which, entries, what an entry loads;
// - functions: which functions an expression denotes;
// - kinds: what catalogue kind a value is, which server it comes from;
// - classification: servers, resources, request handlers and shutdown roots, file by file;
// - dependencies, kept-classification: what an answer consulted, and what an edit leaves standing;
// - reachability: shutdown paths and what a start reaches;
// - places: where a file runs (server, browser, test, script), so whether SIGTERM reaches it;
// - kept-places: what an edit leaves standing of the places and the static roots;
// - static-roots: the folders the service serves as static files (a browser's code, for places).
// Facts that only some rules need are built on first use and kept here too (`fact()`), so the
// index stays the one place whole-program facts are built and cached.
import type * as ts from 'typescript';
import { ModuleBinding } from './binding.js';
import { CallIndex, type AnyCall } from './program-index/call-index.js';
import { Classifier } from './program-index/classification.js';
import { deployedShutdownRoots } from './program-index/deployed.js';
import { Recorder, recordingQuestions } from './program-index/dependencies.js';
import {
  classificationCounts,
  forgetVersions,
  planReuse,
  previousVersion,
  programFileNames,
  programOptions,
  rememberVersion,
  type ClassifiedVersion,
  type FileState,
  type KeptPath,
  type ReusePlan,
} from './program-index/kept-classification.js';
import type { FileFacts } from './program-index/file-facts.js';
import { FunctionResolver } from './program-index/functions.js';
import { hasTopLevelWork, ImportGraph, reExports } from './program-index/import-graph.js';
import { KindInference } from './program-index/kinds.js';
import { NameFacts } from './program-index/name-facts.js';
import { declaredNamesOfFile, factsOfDeclarationFile, factsOfFile } from './program-index/file-facts.js';
import { placeSettings, Places, type Place } from './program-index/places.js';
import {
  carryPlaces,
  keptStaticRoots,
  placeCounts,
  settleCarriedPlaces,
  type CarriedPlaces,
  type PlacesVersion,
  type SeedSets,
  type StaticRootsFound,
} from './program-index/kept-places.js';
import { Reachability } from './program-index/reachability.js';
import { staticCalleeNames, staticRoots } from './program-index/static-roots.js';
import type { HandlerRecord, ServerRecord, ShutdownRoot } from './program-index/records.js';
import { enclosingFunction, isInDeclarationFileOrNodeModules, type FunctionLikeWithBody, type TS } from './ts-utils.js';
import { questionsFor, type CountedQuestions } from './type-questions.js';
import { kindSpec, servingCategories } from './catalogue.js';
import { isTestFile } from './files.js';

export type { HandlerRecord, ServerRecord, ShutdownRoot } from './program-index/records.js';
export type { Place } from './program-index/places.js';

/** The key of a fact some rules build from the index on first use: `fact(key, build)`. */
export interface FactKey<T> {
  readonly name: string;
  /** Carries the fact's type; never set. */
  readonly type?: T;
}

export function factKey<T>(name: string): FactKey<T> {
  return { name };
}

const indexCache = new WeakMap<ts.Program, ProgramIndex>();

function isServing(kind: string): boolean {
  const category = kindSpec(kind)?.category;
  return category !== undefined && servingCategories.has(category);
}

export class ProgramIndex {
  readonly binding: ModuleBinding;
  readonly types: CountedQuestions;
  /** The files this program's authors wrote: not declaration files, not node_modules. */
  readonly sourceFiles: readonly ts.SourceFile[];
  /** What the catalogue's factories create (servers, apps, resources), and resources a method opens (`kafka.producer()`). */
  readonly servers: ServerRecord[] = [];
  readonly handlers = new Map<ts.Node, HandlerRecord>();
  readonly shutdownRoots: ShutdownRoot[] = [];

  private readonly names: NameFacts;
  private readonly callIndex: CallIndex;
  private readonly graph: ImportGraph;
  private readonly functions: FunctionResolver;
  private readonly kinds: KindInference;
  private readonly classifier: Classifier;
  private readonly reachability: Reachability;
  private readonly classes: readonly ts.ClassLikeDeclaration[];
  private readonly facts = new Map<FactKey<unknown>, unknown>();
  private serviceFiles: Set<ts.SourceFile> | undefined;
  private seedSets: ReturnType<ProgramIndex['seeds']> | undefined;
  private places: Places | undefined;
  /** The folders served as static files (found, or kept, while the index is built: kept-places.ts). */
  private staticRootsFound!: StaticRootsFound;
  /** What the previous version's places leave this one, until the places are first asked. */
  private carriedPlaces: CarriedPlaces | undefined;

  /** The index for a program, built on first use and cached for the program's lifetime. */
  static for(t: TS, program: ts.Program): ProgramIndex {
    let index = indexCache.get(program);
    if (!index) {
      index = new ProgramIndex(t, program);
      indexCache.set(program, index);
    }
    return index;
  }

  /**
   * Lets go of the programs kept for their next version (the last two classified): a run that
   * builds each program once, as the CLI does, calls it when done with one.
   */
  static forgetVersions(): void {
    forgetVersions();
  }

  private constructor(
    readonly ts: TS,
    readonly program: ts.Program,
  ) {
    this.types = questionsFor(program);
    // While the index classifies, what each answer consults is recorded (dependencies.ts), so that
    // the next version of the program can keep the files' records nothing of which changed.
    const recorder = new Recorder();
    recorder.enabled = true;
    const questions = recordingQuestions(ts, this.types, recorder);
    this.binding = new ModuleBinding(ts, questions, recorder);
    this.sourceFiles = program.getSourceFiles().filter((f) => !isInDeclarationFileOrNodeModules(f));
    const ownFacts = this.sourceFiles.map((file) => factsOfFile(ts, file));
    // JavaScript the program loads from node_modules (allowJs with maxNodeModuleJsDepth) can hold
    // functions too: their names count, although nothing else of them is indexed.
    const otherNames = program
      .getSourceFiles()
      .filter((file) => isInDeclarationFileOrNodeModules(file))
      .map((file) => (file.isDeclarationFile ? factsOfDeclarationFile(ts, file) : declaredNamesOfFile(ts, file)));
    // The previous version of the program (an editor's, before an edit): its unions of the files'
    // facts are patched for the edited files, and its files' records kept (kept-classification.ts).
    const previous = previousVersion(this.sourceFiles);
    const before = previous && indexCache.get(previous.program);
    this.names = NameFacts.of([...ownFacts.map((facts) => facts.names), ...otherNames], before?.names);
    this.names.recorder = recorder;
    this.callIndex = new CallIndex(
      ts,
      ownFacts.map((facts) => facts.calls),
      before?.callIndex,
    );
    this.classes = ownFacts.flatMap((facts) => facts.classes);
    this.graph = new ImportGraph(ts, this.binding, (call) => this.requiredFile(call));
    this.functions = new FunctionResolver(
      ts,
      questions,
      this.names,
      this.classes,
      (call) => this.requiredFile(call),
      (name) => {
        // A lookup by name across the program: an edit that adds or removes a call of that name changes it.
        recorder.key('call', name);
        return this.callIndex.callsNamed(name);
      },
      recorder,
    );
    const serverByCreation = new Map<ts.Node, ServerRecord>();
    const pluginReceivers = new Map<ts.Node, ts.Expression>();
    this.kinds = new KindInference(
      ts,
      questions,
      this.binding,
      this.names,
      serverByCreation,
      pluginReceivers,
      (name) => this.callIndex.callsNamed(name),
      (callee) => this.functions.resolveFunctions(callee, 0, false),
      recorder,
    );
    this.classifier = new Classifier(ts, questions, this.binding, this.functions, this.kinds);
    this.reachability = new Reachability(ts, this.functions, this.shutdownRoots);

    this.binding.knowProcessHolderNames(this.names.processHolderNames());
    // Only now are all names known: resolving a route's exported function needs them (functions
    // are resolved by name first), and answers are cached.
    const lineage = this.classifyFiles(ownFacts, recorder, serverByCreation, pluginReceivers, previous);
    this.keepPlaces(lineage, recorder, questions);
    recorder.enabled = false;
  }

  /**
   * The static roots and the places: taken over from the previous version of the program as far as
   * the edit left their inputs standing (kept-places.ts), the static roots otherwise found now,
   * while what their answers consult is still recorded.
   */
  private keepPlaces(
    { previous, plan }: { previous: ClassifiedVersion | undefined; plan: ReusePlan | undefined },
    recorder: Recorder,
    questions: CountedQuestions,
  ): void {
    const t = this.ts;
    const before = previous && plan ? indexCache.get(previous.program)?.handOverPlaces() : undefined;
    const change = plan && {
      changed: plan.changed,
      callsOf: (file: ts.SourceFile) => factsOfFile(t, file).calls,
      stillHolds: plan.stillHolds,
    };
    this.staticRootsFound = keptStaticRoots(t, before, change) ?? this.findStaticRoots(recorder, questions);
    this.carriedPlaces = carryPlaces(t, before, change, {
      graph: this.graph,
      files: this.sourceFiles,
      seeds: this.seeds(),
      staticRoots: this.staticRootsFound,
      settings: placeSettings(this.program),
    });
  }

  /** The folders the program serves as static files, and what finding them consulted. */
  private findStaticRoots(recorder: Recorder, questions: CountedQuestions): StaticRootsFound {
    const names = staticCalleeNames(this.ts, this.sourceFiles);
    const consulted = recorder.begin();
    const roots = staticRoots(this.ts, {
      binding: this.binding,
      types: questions,
      callsNamed: (name) => {
        recorder.key('call', name);
        return this.callIndex.callsNamed(name);
      },
      callsWithArgumentNamed: (name) => this.callIndex.callsWithArgumentNamed(name),
      files: this.sourceFiles,
      names,
    });
    for (const root of roots) recorder.file(root.servedBy);
    recorder.end(consulted);
    return { folders: roots.map((root) => root.folder), names, consulted };
  }

  /**
   * What this version's places came from and computed, handed over to the next version
   * (kept-places.ts): this one computes its places anew should it be asked again.
   */
  private handOverPlaces(): PlacesVersion {
    const places = this.places && { caches: this.places.handOver(), settings: this.places.settings() };
    const serviceFiles = this.serviceFiles;
    this.serviceFiles = undefined;
    return { graph: this.graph, seeds: this.seeds(), staticRoots: this.staticRootsFound, places, serviceFiles };
  }

  /**
   * Classifies the program file by file, keeping the records of the files the previous version of
   * the program classified when nothing they consulted changed (kept-classification.ts), and
   * merges the files' records in program order, phase by phase, as one pass over the program would
   * have found them.
   */
  private classifyFiles(
    ownFacts: readonly FileFacts[],
    recorder: Recorder,
    serverByCreation: Map<ts.Node, ServerRecord>,
    pluginReceivers: Map<ts.Node, ts.Expression>,
    previous: ClassifiedVersion | undefined,
  ): { previous: ClassifiedVersion | undefined; plan: ReusePlan | undefined } {
    const t = this.ts;
    const plan =
      previous &&
      planReuse(t, previous, {
        program: this.program,
        questions: this.types,
        ownFiles: this.sourceFiles,
        factsOf: (file) => factsOfFile(t, file),
        canDenoteAnyOf: (name, names) => this.names.canDenoteAnyOf(name, names),
      });
    const version = this.classifyAndKeep(ownFacts, recorder, serverByCreation, pluginReceivers, previous, plan);
    // A library package of a monorepo, stopped by a deployed entry's listener in another program
    // (read from outside the program on every version: new roots, so their paths are walked anew).
    this.shutdownRoots.push(...deployedShutdownRoots(t, this.program, this.classes));
    // The shutdown paths: a kept root's (its file's records kept) is kept too when nothing walking
    // it consulted changed, the others walked anew, recording what they consult.
    const paths = new Map<ShutdownRoot, KeptPath>();
    let keptPaths = 0;
    this.reachability.computeShutdownPaths((root) => {
      const kept = previous?.paths.get(root);
      if (kept && plan?.stillHolds(kept.consulted)) {
        paths.set(root, kept);
        keptPaths++;
        return kept.path;
      }
      const consulted = recorder.begin()!;
      const path = this.reachability.reachableFrom(root.fn, root.afterPos);
      for (const fn of path) recorder.file(t.isSourceFile(fn) ? fn : fn.getSourceFile());
      recorder.end(consulted);
      paths.set(root, { path, consulted });
      return path;
    });
    classificationCounts.keptPaths += keptPaths;
    rememberVersion({ ...version, paths }, previous);
    return { previous, plan };
  }

  private classifyAndKeep(
    ownFacts: readonly FileFacts[],
    recorder: Recorder,
    serverByCreation: Map<ts.Node, ServerRecord>,
    pluginReceivers: Map<ts.Node, ts.Expression>,
    previous: ClassifiedVersion | undefined,
    plan: ReusePlan | undefined,
  ): Omit<ClassifiedVersion, 'paths'> {
    const states: FileState[] = [];
    const fresh = new Set<FileState>();
    const pluginsOf = (facts: FileFacts): Pick<FileState, 'plugins' | 'loads' | 'consulted'> => {
      const consulted = recorder.begin()!;
      const loads = this.graph.loadsOf(facts.importCandidates, facts.calls);
      const plugins = this.classifier.pluginsOf(facts.calls);
      recorder.end(consulted);
      return { plugins, loads, consulted };
    };
    this.sourceFiles.forEach((file, i) => {
      const kept = plan?.kept.get(file);
      if (kept) states.push(kept);
      else {
        const state: FileState = { file, classification: undefined, ...pluginsOf(ownFacts[i]!) };
        states.push(state);
        fresh.add(state);
      }
    });
    // Which file loads which, from the files' loads in program order.
    // By the names the program's files have (a file's loads name them so): no path normalised per name.
    const filesByName = new Map(this.program.getSourceFiles().map((file) => [file.fileName, file]));
    const fileNamed = (name: string): ts.SourceFile | undefined => filesByName.get(name);
    for (const state of states) this.graph.addLoads(state.file, state.loads, fileNamed);
    this.graph.addDirectoryLoads(this.sourceFiles);
    // Plugin functions first: their parameters' kinds are asked while classifying the calls inside.
    for (const state of states) for (const [fn, receiver] of state.plugins) pluginReceivers.set(fn, receiver);
    if (previous && plan) {
      // A plugin registered elsewhere now, or no more: the files that asked about it are classified again.
      const moved = new Set<ts.Node>();
      for (const [fn, receiver] of pluginReceivers) if (previous.plugins.get(fn) !== receiver) moved.add(fn);
      for (const [fn, receiver] of previous.plugins) if (pluginReceivers.get(fn) !== receiver) moved.add(fn);
      if (moved.size)
        states.forEach((state, i) => {
          if (fresh.has(state) || ![...(state.consulted.plugins ?? [])].some((fn) => moved.has(fn))) return;
          states[i] = { file: state.file, classification: undefined, ...pluginsOf(ownFacts[i]!) };
          fresh.add(states[i]!);
        });
    }
    states.forEach((state, i) => {
      if (!fresh.has(state)) return;
      const consulted = recorder.begin()!;
      const facts = ownFacts[i]!;
      state.classification = this.classifier.classifyFile(state.file, facts.calls, facts.classes);
      recorder.end(consulted);
      state.consulted.addAll(consulted);
    });
    classificationCounts.kept += states.length - fresh.size;
    classificationCounts.classified += fresh.size;
    classificationCounts.lastClassified = [...fresh].map((state) => state.file.fileName);

    const classifications = states.map((state) => state.classification!);
    const addHandler = (handler: HandlerRecord): void => {
      if (!this.handlers.has(handler.fn)) this.handlers.set(handler.fn, handler);
    };
    for (const c of classifications) c.routeHandlers.forEach(addHandler);
    for (const c of classifications) {
      for (const server of c.servers) {
        this.servers.push(server);
        serverByCreation.set(server.creation, server);
      }
      c.callHandlers.forEach(addHandler);
      this.shutdownRoots.push(...c.callRoots);
    }
    for (const c of classifications) {
      c.classHandlers.forEach(addHandler);
      this.shutdownRoots.push(...c.classRoots);
    }
    return {
      program: this.program,
      questions: this.types,
      fileNames: programFileNames(this.program),
      options: programOptions(this.program),
      files: new Map(states.map((state) => [state.file.fileName, state])),
      plugins: pluginReceivers,
    };
  }

  /** The program files that import `file`. */
  importersOf(file: ts.SourceFile): readonly ts.SourceFile[] {
    return this.graph.importersOf(file);
  }

  /**
   * The program's file a `require` the checker does not follow loads (`ModuleBinding.requiredPath`):
   * a path built from `__dirname`, a relative path in a TypeScript file. `./m.js` may name `./m.ts`.
   */
  private requiredFile(call: ts.CallExpression): ts.SourceFile | undefined {
    const path = this.binding.requiredPath(call);
    if (path === undefined) return undefined;
    const extensions = ['.js', '.cjs', '.mjs', '.ts', '.tsx', '.cts', '.mts', '/index.js', '/index.ts'];
    const source = /\.[cm]?js$/.test(path) ? [path.replace(/js$/, 'ts')] : [];
    for (const candidate of [path, ...source, ...extensions.map((ext) => path + ext)]) {
      const file = this.program.getSourceFile(candidate);
      if (file && !isInDeclarationFileOrNodeModules(file)) return file;
    }
    return undefined;
  }

  /**
   * A fact some rules derive from the index (the timers of the program, its signal registrations,
   * the use map of its stores), built on first use and kept as long as the index.
   */
  fact<T>(key: FactKey<T>, build: () => T): T {
    if (this.facts.has(key)) return this.facts.get(key) as T;
    const value = build();
    this.facts.set(key, value);
    return value;
  }

  // ── Calls and names ──

  /** Every call and `new` in the program's own files, each file's in source order. */
  get calls(): readonly AnyCall[] {
    return this.callIndex.calls;
  }

  /** The calls and `new`s whose callee's last name is `name` (`f()`, `a.b.f()`, `new F()`), in program order. */
  callsNamed(name: string): readonly AnyCall[] {
    return this.callIndex.callsNamed(name);
  }

  /** The calls given an argument whose last name is `name` (`on('x', f)`, `run(a.f)`), in program order. */
  callsWithArgumentNamed(name: string): readonly AnyCall[] {
    return this.callIndex.callsWithArgumentNamed(name);
  }

  /** Whether a callee written as `name` can denote a function of the program. */
  mayNameProgramFunction(name: string): boolean {
    return this.names.mayNameProgramFunction(name);
  }

  /** See NameFacts.namesThatCanDenote. */
  namesThatCanDenote(
    names: Iterable<string>,
    options: { annotatedWith?: Iterable<string>; initializedBy?: Iterable<string> } = {},
  ): Set<string> {
    return this.names.namesThatCanDenote(names, options);
  }

  // ── Functions and kinds ──

  /**
   * The functions an expression denotes: a function expression, a named function, and (unless
   * `throughWrappers` is false) the functions a wrapper call was given: `catchAsync(fn)` is `fn`.
   */
  resolveFunctions(expression: ts.Expression, depth = 0, throughWrappers = true): FunctionLikeWithBody[] {
    return this.functions.resolveFunctions(expression, depth, throughWrappers);
  }

  functionsOfSymbol(symbol: ts.Symbol, depth = 0, throughWrappers = true): FunctionLikeWithBody[] {
    return this.functions.functionsOfSymbol(symbol, depth, throughWrappers);
  }

  /** The kind a name's declaration gives it, where the program hands the value around; see KindInference.declaredKindOf. */
  declaredKindOf(symbol: ts.Symbol): string | undefined {
    return this.kinds.declaredKindOf(symbol);
  }

  /** The catalogue kind of the value `expression` evaluates to; see KindInference.kindOf. */
  kindOf(expression: ts.Expression, useTypes = false, depth = 0, throughCalls = false): string | undefined {
    return this.kinds.kindOf(expression, useTypes, depth, throughCalls);
  }

  /** What a program function gives when called (and awaited); see KindInference.kindFunctionReturns. */
  kindFunctionReturns(fn: FunctionLikeWithBody, awaited = true): string | undefined {
    return this.kinds.kindFunctionReturns(fn, awaited);
  }

  /** The catalogue kind a type annotation names, through bindings. */
  kindOfType(node: ts.TypeNode): string | undefined {
    return this.kinds.kindOfType(node);
  }

  /** The server record a value comes from, following variables, fields and assignments. */
  serverOf(expression: ts.Expression, depth = 0): ServerRecord | undefined {
    return this.kinds.serverOf(expression, depth);
  }

  /** Signal names from a literal, or from the variable of a loop over a list of signal literals. */
  signalNames(event: ts.Expression): string[] | undefined {
    return this.classifier.signalNames(event);
  }

  /** The request handler that lexically contains `node`, if any. */
  enclosingHandler(node: ts.Node): HandlerRecord | undefined {
    for (let fn = enclosingFunction(this.ts, node); fn; fn = enclosingFunction(this.ts, fn)) {
      const handler = this.handlers.get(fn);
      if (handler) return handler;
    }
    return undefined;
  }

  // ── Shutdown paths and reachability ──

  /** The shutdown roots whose paths run `node`. */
  shutdownRootsOf(node: ts.Node): ShutdownRoot[] {
    return this.reachability.shutdownRootsOf(node);
  }

  /**
   * Whether a function starts the drain: a shutdown root, or a function a root calls directly
   * (`process.once('SIGTERM', () => shutdown())` makes `shutdown` one).
   */
  startsShutdown(fn: ts.Node): boolean {
    return this.reachability.startsShutdown(fn);
  }

  /** Every function (and source file, for top-level roots) on a root's shutdown path. */
  shutdownPath(root: ShutdownRoot): ReadonlySet<ts.Node> {
    return this.reachability.shutdownPath(root);
  }

  /** Functions reachable from `start`; with `afterPos`, only the part of `start` from that offset on. */
  reachableFrom(start: ts.Node, afterPos?: number): Set<ts.Node> {
    return this.reachability.reachableFrom(start, afterPos);
  }

  /** Functions reachable from any of `starts` in one walk (`afterPos` applies to the first). */
  reachableFromAll(starts: readonly ts.Node[], afterPos?: number): Set<ts.Node> {
    return this.reachability.reachableFromAll(starts, afterPos);
  }

  /** Functions that run from `starts` without entering `avoid`; see Reachability.reachableAvoiding. */
  reachableAvoiding(starts: readonly ts.Node[], avoid: ReadonlySet<ts.Node>): Set<ts.Node> {
    return this.reachability.reachableAvoiding(starts, avoid);
  }

  /**
   * The same functions as `reachableFromAll(starts)`, one at a time as the walk finds them: a
   * question answered by the first few (is a store used by request handlers?) stops the walk there.
   */
  walkReachable(starts: readonly ts.Node[]): Iterator<ts.Node> {
    return this.reachability.walkFrom(starts);
  }

  // ── Modules ──

  /**
   * A module that no other file of the service imports: its top level is the program's entry. A
   * dev launcher or a test that loads it does not count (`node dev` requiring the server's main).
   */
  isEntryModule(file: ts.SourceFile): boolean {
    return this.graph.importersOf(file).every((importer) => this.isOutsideService(importer));
  }

  /** Whether another file of the program imports `file` (whoever that file is). */
  isImported(file: ts.SourceFile): boolean {
    return this.graph.isImported(file);
  }

  // ── Where code runs ──

  /**
   * Where a file runs: in the long-running service (`server`), a browser bundle, a test run, a
   * script that runs once and ends, or none we can tell (`unknown`: a library, or a worker we do
   * not recognise). Rules report only where SIGTERM can arrive: `server` and `unknown`.
   */
  placeOf(file: ts.SourceFile): Place {
    const outside = this.placesOfFiles().outOfService(file);
    if (outside) return outside;
    return this.serviceFileSet().has(file) ? 'server' : 'unknown';
  }

  /**
   * Whether SIGTERM can reach `node`: its file is part of the service (see `isPartOfService`), and
   * it is not browser code (a React component, hook or JSX event handler in a page the server
   * also renders).
   */
  receivesSigterm(node: ts.Node): boolean {
    const file = node.getSourceFile();
    return this.isPartOfService(file) && !this.placesOfFiles().isBrowserCode(node);
  }

  /**
   * Whether `node` lies in a library package of a monorepo, in a class, function or statement no
   * deployed entry of the monorepo reaches (see Places.isUndeployedCode).
   */
  isUndeployedCode(node: ts.Node): boolean {
    return this.placesOfFiles().isUndeployedCode(node);
  }

  /**
   * Whether `node` lies in a branch only development runs: `if (env.isDevelopment) { … }`,
   * `if (process.env.NODE_ENV === 'development')` (see Places.isDevelopmentOnlyCode).
   */
  isDevelopmentOnlyCode(node: ts.Node): boolean {
    return this.placesOfFiles().isDevelopmentOnlyCode(node);
  }

  /**
   * Whether code at `node` runs in a process a deploy stops with SIGTERM: its file is no browser
   * bundle's, one-shot script's or undeployed package's (nor a test's, unless `tests`), and the
   * node is no browser code (a React component, a JSX handler), undeployed code in a file shared
   * with the service, or code in a branch only development runs (`if (env.isDevelopment)`). The rules report only there (defineRule), and `migrate` drains only there:
   * one question, so that the linter and the codemods agree on what is in scope.
   */
  inDeployedProcess(node: ts.Node, options: { tests?: boolean } = {}): boolean {
    const file = node.getSourceFile();
    const place = this.placeOf(file);
    if (place === 'browser' || place === 'script' || place === 'undeployed') return false;
    if (!options.tests && (place === 'test' || isTestFile(file.fileName))) return false;
    return !this.isBrowserCode(node) && !this.isUndeployedCode(node) && !this.isDevelopmentOnlyCode(node);
  }

  /**
   * Whether a deployed entry in another workspace package, one that reaches `file`'s library
   * package, handles SIGTERM (see Places.isHandledByDeployedEntry).
   */
  isHandledByDeployedEntry(file: ts.SourceFile): boolean {
    return this.placesOfFiles().isHandledByDeployedEntry(file);
  }

  /** Whether `node` runs only in a browser: its file is a browser bundle's, or it is a React component, hook or JSX handler. */
  isBrowserCode(node: ts.Node): boolean {
    return this.placesOfFiles().isBrowserCode(node);
  }

  /**
   * Whether a file runs in the long-running part of the program: it is no browser bundle's or
   * script (see `placeOf`; a test is a program of its own), and it is imported, directly or not, by an entry module that
   * reaches a file creating a server or a resource, registering request handlers or handling
   * shutdown. A program with none of these (a library, a worker we do not recognise) counts as
   * long-running as a whole.
   */
  isPartOfService(file: ts.SourceFile): boolean {
    const outside = this.placesOfFiles().outOfService(file);
    // A test is a program of its own, linted only when asked for (`checkTestFiles`).
    if (outside) return outside === 'test';
    const service = this.serviceFileSet();
    return service.size === 0 || service.has(file);
  }

  private isOutsideService(file: ts.SourceFile): boolean {
    return this.placesOfFiles().outOfService(file) !== undefined;
  }

  private placesOfFiles(): Places {
    if (this.places) return this.places;
    const carried = this.carriedPlaces;
    this.carriedPlaces = undefined;
    this.places = new Places(
      this.ts,
      this.program,
      {
        importersOf: (file) => this.graph.importersOf(file),
        hasTopLevelWork: (file) => hasTopLevelWork(this.ts, file),
        reExports: (file) => reExports(this.ts, file),
        hasServiceSeed: (file) => this.seeds().all.has(file),
        serves: (file) => this.seeds().serving.has(file),
        isHandler: (fn) => this.handlers.has(fn),
        handlesShutdown: (file) => this.seeds().shutdown.has(file),
        staticRoots: () => this.staticRootsFound.folders,
        types: this.types,
      },
      carried?.caches,
    );
    if (carried) {
      settleCarriedPlaces(carried, this.places);
      this.serviceFiles = carried.serviceFiles;
    } else placeCounts.last = 'cold';
    return this.places;
  }

  /**
   * The files that create a server or resource, register a request handler or a shutdown root
   * (`all`); those that serve (a serving kind's creation, a handler); those that register a root.
   * Asked per file by the places (a package's every file): built once, after classification.
   */
  private seeds(): SeedSets {
    if (!this.seedSets) {
      const handlerFiles = [...this.handlers.keys()].map((fn) => fn.getSourceFile());
      // A closer handed to the lifecycle makes no file a service's: `migrate` writes them.
      const shutdown = new Set(
        this.shutdownRoots.filter((r) => !r.lifecycleCloser).map((r) => r.registration.getSourceFile()),
      );
      this.seedSets = {
        all: new Set([...this.servers.map((s) => s.creation.getSourceFile()), ...handlerFiles, ...shutdown]),
        serving: new Set([
          ...this.servers.filter((s) => isServing(s.kind)).map((s) => s.creation.getSourceFile()),
          ...handlerFiles,
        ]),
        shutdown,
      };
    }
    return this.seedSets;
  }

  private serviceFileSet(): Set<ts.SourceFile> {
    // Taken over with the places when they hold (placesOfFiles).
    this.placesOfFiles();
    this.serviceFiles ??= this.filesRunningWith(this.seeds().all);
    return this.serviceFiles;
  }

  /**
   * The files loaded by the entry modules that load one of `seeds` (directly or not), seeds
   * included; files outside the service (browser, test, script: see `placeOf`) are none of them,
   * and browser code and scripts no entry.
   */
  filesRunningWith(seeds: ReadonlySet<ts.SourceFile>): Set<ts.SourceFile> {
    const places = this.placesOfFiles();
    // Tests still count as entries here: a library the program's services never import is
    // reached through its tests (their own files, and the helpers only they load, are no part of it).
    const files = this.graph.filesRunningWith(seeds, (file) => {
      const place = places.outOfService(file);
      return place === 'browser' || place === 'script' || place === 'undeployed';
    });
    for (const file of files) if (places.outOfService(file)) files.delete(file);
    return files;
  }

  /** The entry modules whose run loads `file`; see ImportGraph.entriesOf. */
  entriesOf(file: ts.SourceFile): ts.SourceFile[] {
    return this.graph.entriesOf(file);
  }

  /** Every program file an entry module loads at run time, itself included. */
  loadedBy(entry: ts.SourceFile): ReadonlySet<ts.SourceFile> {
    return this.graph.loadedBy(entry);
  }
}
