// The ProgramIndex: whole-program facts, built from each file's facts and cached per ts.Program.
// The per-file facts (names, calls, classes, import candidates: file-facts.ts) are syntax alone and
// kept per SourceFile across program versions, so a new program after an edit walks only the
// edited files; what needs the checker or the whole program is computed per program. Rules ask it questions (what kind of thing is this value, is this function a request
// handler, which shutdown paths reach this node); they never walk the program themselves.
//
// It is one facade over its concerns, each a module of its own in program-index/:
// - file-facts: the single pass over one file, kept per SourceFile;
// - name-facts: declared names, re-bindings, assignments (what a name can denote);
// - call-index: every call, by callee and argument name;
// - import-graph: which file loads which, entries, what an entry loads;
// - functions: which functions an expression denotes;
// - kinds: what catalogue kind a value is, which server it comes from;
// - classification: servers, resources, request handlers and shutdown roots;
// - reachability: shutdown paths and what a start reaches;
// - places: where a file runs (server, browser, test, script), so whether SIGTERM reaches it;
// - static-roots: the folders the service serves as static files (a browser's code, for places).
// Facts that only some rules need are built on first use and kept here too (`fact()`), so the
// index stays the one place whole-program facts are built and cached.
import type * as ts from 'typescript';
import { ModuleBinding } from './binding.js';
import { CallIndex, type AnyCall } from './program-index/call-index.js';
import { Classifier } from './program-index/classification.js';
import { FunctionResolver } from './program-index/functions.js';
import { hasTopLevelWork, ImportGraph, reExports } from './program-index/import-graph.js';
import { KindInference } from './program-index/kinds.js';
import { NameFacts } from './program-index/name-facts.js';
import { declaredNamesOfFile, factsOfDeclarationFile, factsOfFile } from './program-index/file-facts.js';
import { Places, type Place } from './program-index/places.js';
import { Reachability } from './program-index/reachability.js';
import { staticRoots } from './program-index/static-roots.js';
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

  /** The index for a program, built on first use and cached for the program's lifetime. */
  static for(t: TS, program: ts.Program): ProgramIndex {
    let index = indexCache.get(program);
    if (!index) {
      index = new ProgramIndex(t, program);
      indexCache.set(program, index);
    }
    return index;
  }

  private constructor(
    readonly ts: TS,
    readonly program: ts.Program,
  ) {
    this.types = questionsFor(program);
    this.binding = new ModuleBinding(ts, this.types);
    this.sourceFiles = program.getSourceFiles().filter((f) => !isInDeclarationFileOrNodeModules(f));
    const ownFacts = this.sourceFiles.map((file) => factsOfFile(ts, file));
    // JavaScript the program loads from node_modules (allowJs with maxNodeModuleJsDepth) can hold
    // functions too: their names count, although nothing else of them is indexed.
    const otherNames = program
      .getSourceFiles()
      .filter((file) => isInDeclarationFileOrNodeModules(file))
      .map((file) => (file.isDeclarationFile ? factsOfDeclarationFile(ts, file) : declaredNamesOfFile(ts, file)));
    this.names = new NameFacts([...ownFacts.map((facts) => facts.names), ...otherNames]);
    this.callIndex = new CallIndex(
      ts,
      ownFacts.map((facts) => facts.calls),
    );
    this.classes = ownFacts.flatMap((facts) => facts.classes);
    this.graph = new ImportGraph(ts, this.binding);
    for (const facts of ownFacts) for (const candidate of facts.importCandidates) this.graph.visit(candidate);
    for (const facts of ownFacts)
      for (const call of facts.calls) if (ts.isCallExpression(call)) this.graph.visitComputedLoad(call);
    this.graph.addDirectoryLoads(this.sourceFiles);
    this.functions = new FunctionResolver(
      ts,
      this.types,
      this.names,
      this.classes,
      (call) => this.requiredFile(call),
      (name) => this.callIndex.callsNamed(name),
    );
    const serverByCreation = new Map<ts.Node, ServerRecord>();
    const pluginReceivers = new Map<ts.Node, ts.Expression>();
    this.kinds = new KindInference(
      ts,
      this.types,
      this.binding,
      this.names,
      serverByCreation,
      pluginReceivers,
      (name) => this.callIndex.callsNamed(name),
      (callee) => this.functions.resolveFunctions(callee, 0, false),
    );
    this.classifier = new Classifier(ts, this.types, this.binding, this.functions, this.kinds, {
      servers: this.servers,
      serverByCreation,
      handlers: this.handlers,
      shutdownRoots: this.shutdownRoots,
      pluginReceivers,
    });
    this.reachability = new Reachability(ts, this.functions, this.shutdownRoots);

    this.binding.knowProcessHolderNames(this.names.processHolderNames());
    // Only now are all names known: resolving a route's exported function needs them (functions
    // are resolved by name first), and answers are cached.
    for (const file of this.sourceFiles) this.classifier.collectFetchRouteExports(file);
    this.classifier.classify(this.callIndex.calls, this.classes);
    this.reachability.computeShutdownPaths();
  }

  /** The program's file a `require` of a path built from `__dirname` loads (`ModuleBinding.requiredPath`). */
  private requiredFile(call: ts.CallExpression): ts.SourceFile | undefined {
    const path = this.binding.requiredPath(call);
    if (path === undefined) return undefined;
    for (const candidate of [path, ...['.js', '.cjs', '.mjs', '.ts', '/index.js'].map((ext) => path + ext)]) {
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

  /** The catalogue kind of the value `expression` evaluates to; see KindInference.kindOf. */
  kindOf(expression: ts.Expression, useTypes = false, depth = 0, throughCalls = false): string | undefined {
    return this.kinds.kindOf(expression, useTypes, depth, throughCalls);
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
   * Whether code at `node` runs in a process a deploy stops with SIGTERM: its file is no browser
   * bundle's, one-shot script's or undeployed package's (nor a test's, unless `tests`), and the
   * node is no browser code (a React component, a JSX handler) or undeployed code in a file shared
   * with the service. The rules report only there (defineRule), and `migrate` drains only there:
   * one question, so that the linter and the codemods agree on what is in scope.
   */
  inDeployedProcess(node: ts.Node, options: { tests?: boolean } = {}): boolean {
    const file = node.getSourceFile();
    const place = this.placeOf(file);
    if (place === 'browser' || place === 'script' || place === 'undeployed') return false;
    if (!options.tests && (place === 'test' || isTestFile(file.fileName))) return false;
    return !this.isBrowserCode(node) && !this.isUndeployedCode(node);
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
    this.places ??= new Places(this.ts, this.program, {
      importersOf: (file) => this.graph.importersOf(file),
      hasTopLevelWork: (file) => hasTopLevelWork(this.ts, file),
      reExports: (file) => reExports(this.ts, file),
      hasServiceSeed: (file) => this.seeds().all.has(file),
      serves: (file) => this.seeds().serving.has(file),
      isHandler: (fn) => this.handlers.has(fn),
      handlesShutdown: (file) => this.seeds().shutdown.has(file),
      staticRoots: () =>
        staticRoots(this.ts, {
          binding: this.binding,
          types: this.types,
          callsNamed: (name) => this.callIndex.callsNamed(name),
          callsWithArgumentNamed: (name) => this.callIndex.callsWithArgumentNamed(name),
          files: this.sourceFiles,
        }).map((root) => root.folder),
      types: this.types,
    });
    return this.places;
  }

  /**
   * The files that create a server or resource, register a request handler or a shutdown root
   * (`all`); those that serve (a serving kind's creation, a handler); those that register a root.
   * Asked per file by the places (a package's every file): built once, after classification.
   */
  private seeds(): { all: Set<ts.SourceFile>; serving: Set<ts.SourceFile>; shutdown: Set<ts.SourceFile> } {
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
