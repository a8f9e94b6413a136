// Where the code of a file runs, and so whether SIGTERM can reach it: the server process that a
// deploy stops, a browser bundle, a test run, a script that runs once and ends. Every rule asks
// this one question (through the index) before it reports: a hazard needs a Node process that
// receives the signal.
//
// A file's place comes from what the file itself shows (its path, its directives, React, Angular),
// from its package (a mobile, browser or command-line package: packages.ts), and otherwise from
// the entry modules that load it: a module only browser pages, tests or scripts
// load runs only there. Within a file shared with the server (a Next.js page with
// `getServerSideProps`), the React components, hooks and JSX event handlers still run in the
// browser only; `isBrowserCode` answers for a node.
import type * as ts from 'typescript';
import { fetchRouteExportNames } from '../catalogue.js';
import { isTestFile } from '../files.js';
import { enclosingFunction, isFunctionLikeWithBody, isInDeclarationFileOrNodeModules, type TS } from '../ts-utils.js';
import { findWorkspaceRoot } from '../project.js';
import { reachedStatements, topLevelStatement } from './deployed-reach.js';
import { isDevelopmentOnly } from './development-guards.js';
import { deployedEntryHandlesSigterm, usesOfPackage } from './deployed.js';
import { Packages } from './packages.js';
import type { TypeQuestions } from '../type-questions.js';

/**
 * - `server`: loaded by an entry of the long-running service (it creates a server or a resource,
 *   registers request handlers or handles shutdown);
 * - `browser`: a browser bundle's code (client trees, `'use client'`, React UI modules, Angular
 *   files, folders the server serves as static files, React Native / Expo, Vite and browser-only
 *   packages and those only they depend on);
 * - `test`: test files and the modules only tests load;
 * - `script`: dev launchers, benchmarks, seeds, migrations and one-shot scripts, the files of a
 *   package with a `bin` that neither serves nor handles shutdown, and the modules only they load;
 * - `undeployed`: a workspace package of a monorepo whose deploy files name what they run, which
 *   none of those entries reaches (a client library, a dev environment: deployed.ts);
 * - `unknown`: none of these (a library, a worker the index does not recognise).
 */
export type Place = 'server' | 'browser' | 'test' | 'script' | 'undeployed' | 'unknown';

/** The places SIGTERM never reaches. */
export type OutOfService = Extract<Place, 'browser' | 'test' | 'script' | 'undeployed'>;

/** What the places need from the rest of the index. */
export interface PlaceInputs {
  /** The program files that import `file`. */
  importersOf(file: ts.SourceFile): readonly ts.SourceFile[];
  /** Whether a module's top level does work when loaded (`bootstrap();`): a main a test may start. */
  hasTopLevelWork(file: ts.SourceFile): boolean;
  /** Whether a module re-exports others: a package's API, for importers beyond the program. */
  reExports(file: ts.SourceFile): boolean;
  /** Whether the file creates a server, registers a request handler or handles shutdown. */
  hasServiceSeed(file: ts.SourceFile): boolean;
  /** Whether the file itself creates a serving server (an HTTP server, an app) or registers request handlers. */
  serves(file: ts.SourceFile): boolean;
  /** Whether `fn` is a request handler the index knows. */
  isHandler(fn: ts.Node): boolean;
  /** The index's type questions (the only way to the checker). */
  types: TypeQuestions;
  /** Whether the file registers code to run at shutdown (a signal listener, a framework's shutdown hook). */
  handlesShutdown(file: ts.SourceFile): boolean;
  /** The folders the program serves as static files (static-roots.ts). */
  staticRoots(): readonly string[];
}

/** Folders whose entry modules are development tooling, never deployed: a dev launcher, benchmarks, seeds, migrations. */
const devFolder = /^(dev|bench|benchmarks?|seeds?|migrations?)$/i;
/** Folders of scripts: one-shot unless the script itself serves (a `scripts/start-server.ts`). */
const scriptFolder = /^(scripts?)$/i;
/** `seed.ts`, `seed.mts`, `seed-users.js`: a database seed run by hand or by `prisma db seed`. */
const seedFile = /^seeds?([-_.][\w.-]*)?\.[cm]?[jt]sx?$/i;
/** Folders a browser is served from (static files, a client bundle). */
const clientFolder = /^(client|client-data|public|static|frontend|browser|www)$/i;
/** Globals only a browser has; code that uses them in a client folder runs there. */
const domGlobals = new Set([
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'requestAnimationFrame',
]);
/** Modules of the React family: a file importing one renders UI. */
const reactModule = /^(react|react-dom|preact|next)(\/|$)|^@[\w.-]+\/react([-/]|$)|(^|[-/])react-/;
/** Next.js exports that run on the server even in a page file. */
const serverExports = new Set([
  'getServerSideProps',
  'getStaticProps',
  'getStaticPaths',
  ...fetchRouteExportNames,
  'middleware',
  'loader',
  'action',
]);
/** Next.js files that run on the server: API routes, route handlers, middleware, instrumentation. */
const nextServerFile = /(^|\/)pages\/api\/|(^|\/)(route|middleware|instrumentation)\.[cm]?[jt]sx?$/;
const hookName = /^use[A-Z0-9]/;
/** Angular's own modules (not its server renderer): a file importing one is part of an Angular app. */
const angularModule = /^@angular\/(?!ssr|platform-server)/;
const angularFile = /\.(component|directive|pipe)\.[cm]?ts$/;
/** Globals only a browser (or a mobile app's JavaScript engine) has: code that reads one cannot run in Node. */
const browserOnlyGlobals = new Set([
  'window',
  'document',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'requestAnimationFrame',
]);
/** `navigator` is a Node global too (since Node 21); these members of it are a browser's only. */
const browserOnlyNavigator = new Set([
  'clipboard',
  'serviceWorker',
  'geolocation',
  'mediaDevices',
  'sendBeacon',
  'share',
]);

/**
 * What one program version's places computed that the next version can take over when its inputs
 * did not change (kept-places.ts says when): the files' own places and their places, each
 * package's place, the served folders, the packages as read from disk, and two facts of a file's
 * syntax alone. Maps keyed by the SourceFiles TypeScript reuses for unchanged files.
 */
export interface PlaceCaches {
  readonly own: Map<ts.SourceFile, OutOfService | undefined>;
  readonly places: Map<ts.SourceFile, OutOfService | undefined>;
  readonly reactFiles: Map<ts.SourceFile, boolean>;
  readonly guardedFiles: Map<ts.SourceFile, boolean>;
  /** Undefined: read anew. */
  readonly packages: Packages | undefined;
  readonly packagePlaces: Map<string, OutOfService | undefined>;
  readonly servedFolders: readonly string[] | undefined;
}

/** What a Places was built for, besides its inputs: two versions whose settings differ share nothing. */
export interface PlaceSettings {
  readonly root: string;
  readonly domLib: boolean;
  readonly domOnly: boolean;
  readonly packageBound: string;
}

/** What a Places is built for, from the program's options and root files. */
export function placeSettings(program: ts.Program): PlaceSettings {
  const options = program.getCompilerOptions();
  const config = typeof options.configFilePath === 'string' ? options.configFilePath : undefined;
  const root = normalize(config ? config.replace(/[\\/][^\\/]*$/, '') : program.getCurrentDirectory());
  return {
    root,
    // No `lib` means the default one, which has the DOM.
    domLib: !options.lib || options.lib.some((lib) => /dom/i.test(lib)),
    // Built for the DOM without Node's types (`lib: ["dom"]`, `types` without node).
    domOnly:
      !!options.lib?.some((lib) => /dom/i.test(lib)) &&
      options.types !== undefined &&
      !options.types.some((type) => /(^|\/)node$/.test(type)),
    // An inferred program (no config) is rooted where its files are.
    packageBound: config
      ? root
      : (commonFolder(program.getRootFileNames().map((name) => normalize(name).replace(/\/[^/]*$/, ''))) ?? root),
  };
}

export class Places {
  private own: Map<ts.SourceFile, OutOfService | undefined>;
  private places: Map<ts.SourceFile, OutOfService | undefined>;
  private reactFiles: Map<ts.SourceFile, boolean>;
  private readonly browserFunctions = new Map<ts.Node, boolean>();
  private readonly root: string;
  private readonly domLib: boolean;
  /** The program is built for the DOM without Node's types (`lib: ["dom"]`, `types` without node). */
  private readonly domOnly: boolean;
  /** No package.json above this folder is the program's own. */
  private readonly packageBound: string;
  private packages: Packages;
  private packagePlaces: Map<string, OutOfService | undefined>;
  private packageFiles: Map<string, ts.SourceFile[]> | undefined;
  private readonly domFunctions = new Map<ts.Node, boolean>();
  private guardedFiles: Map<ts.SourceFile, boolean>;
  private readonly sameFileFunctions = new Map<ts.SourceFile, Map<string, ts.Node>>();
  private readonly deployedReach = new Map<string, Set<ts.Statement> | undefined>();
  private servedFolders: readonly string[] | undefined;

  /** `kept`: what the previous version of the program left that still holds (kept-places.ts); taken over, not shared. */
  constructor(
    private readonly ts: TS,
    private readonly program: ts.Program,
    private readonly inputs: PlaceInputs,
    kept?: PlaceCaches,
  ) {
    this.own = kept?.own ?? new Map();
    this.places = kept?.places ?? new Map();
    this.reactFiles = kept?.reactFiles ?? new Map();
    this.guardedFiles = kept?.guardedFiles ?? new Map();
    this.packages = kept?.packages ?? new Packages();
    this.packagePlaces = kept?.packagePlaces ?? new Map();
    this.servedFolders = kept?.servedFolders;
    ({
      root: this.root,
      domLib: this.domLib,
      domOnly: this.domOnly,
      packageBound: this.packageBound,
    } = placeSettings(program));
  }

  /**
   * What this version computed, handed over to the next version, which keeps what still holds
   * (kept-places.ts): not copied, so this one starts afresh (should it be asked again, it computes
   * its answers anew from its own inputs).
   */
  handOver(): PlaceCaches {
    const caches: PlaceCaches = {
      own: this.own,
      places: this.places,
      reactFiles: this.reactFiles,
      guardedFiles: this.guardedFiles,
      packages: this.packages,
      packagePlaces: this.packagePlaces,
      servedFolders: this.servedFolders,
    };
    this.own = new Map();
    this.places = new Map();
    this.reactFiles = new Map();
    this.guardedFiles = new Map();
    this.packages = new Packages();
    this.packagePlaces = new Map();
    this.packageFiles = undefined;
    return caches;
  }

  settings(): PlaceSettings {
    return { root: this.root, domLib: this.domLib, domOnly: this.domOnly, packageBound: this.packageBound };
  }

  /** What the file itself shows, regardless of who loads it (computed if not yet known). */
  ownPlaceOf(file: ts.SourceFile): OutOfService | undefined {
    return this.ownPlace(file);
  }

  /** Where the file runs when SIGTERM cannot reach it, from its own evidence or its entries'; undefined otherwise. */
  outOfService(file: ts.SourceFile): OutOfService | undefined {
    if (this.places.has(file)) return this.places.get(file);
    const place = this.ownPlace(file) ?? this.placeOfImporters(file);
    this.places.set(file, place);
    return place;
  }

  /**
   * The place of the files that load `file`, when they all run outside the service: a helper only
   * tests load runs under the test runner, one only browser pages load in the browser. Undefined
   * when an entry of the service, or one we cannot place, loads it: a module no file imports, a
   * main that tests or scripts start (its top level does work), or a package's index that
   * re-exports it to importers beyond the program.
   */
  private placeOfImporters(file: ts.SourceFile): OutOfService | undefined {
    const found = new Set<OutOfService>();
    const seen = new Set([file]);
    const queue = [file];
    while (queue.length) {
      const current = queue.pop()!;
      const importers = this.inputs.importersOf(current);
      if (importers.length === 0) return undefined;
      if (current !== file && this.inputs.reExports(current)) return undefined;
      const placed = importers.map((importer) => this.ownPlace(importer));
      if (this.inputs.hasTopLevelWork(current) && placed.every((p, i) => p !== undefined || seen.has(importers[i]!)))
        return undefined;
      importers.forEach((importer, i) => {
        const place = placed[i];
        if (place) found.add(place);
        else if (!seen.has(importer)) {
          seen.add(importer);
          queue.push(importer);
        }
      });
    }
    if (found.size === 0) return undefined;
    if (found.size === 1) return [...found][0];
    return found.has('script') ? 'script' : found.has('undeployed') ? 'undeployed' : 'browser';
  }

  /** What the file itself shows, regardless of who loads it. */
  private ownPlace(file: ts.SourceFile): OutOfService | undefined {
    if (this.own.has(file)) return this.own.get(file);
    const place = this.computeOwnPlace(file);
    this.own.set(file, place);
    return place;
  }

  private computeOwnPlace(file: ts.SourceFile): OutOfService | undefined {
    if (isTestFile(file.fileName)) return 'test';
    const path = this.relativePath(file);
    const folders = path.split('/').slice(0, -1);
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (this.hasDirective(file, 'use client')) return 'browser';
    const serverFile = this.hasDirective(file, 'use server') || nextServerFile.test(path);
    if (!serverFile && !this.inputs.hasServiceSeed(file)) {
      if (folders.some((f) => clientFolder.test(f)) && this.usesDomGlobals(file)) return 'browser';
      if (this.isServedStatically(file)) return 'browser';
      if (this.isReactFile(file) && !this.exportsServerCode(file) && this.rendersOrUsesHooks(file)) return 'browser';
      if (this.isAngularFile(file, base)) return 'browser';
    }
    // Tooling is an entry of its own (run by hand or by a package script); what it imports from
    // the service stays the service's.
    if (this.inputs.importersOf(file).length === 0) {
      if (folders.some((f) => devFolder.test(f)) || seedFile.test(base)) return 'script';
      if (folders.some((f) => scriptFolder.test(f)) && !this.inputs.serves(file)) return 'script';
    }
    // A Next.js route, middleware or `'use server'` module is the server's, unless no deployed
    // process runs its package at all (a site deployed elsewhere, to a Workers platform).
    if (serverFile) return this.placeOfPackage(file) === 'undeployed' ? 'undeployed' : undefined;
    return this.placeOfPackage(file);
  }

  /**
   * Whether the file lies in a folder the service serves as static files (`express.static(dir)`,
   * `serveStatic(dir)`: static-roots.ts): a browser downloads it and runs it there, even when the
   * server imports it too, for the data it exports. Not a folder that holds server code itself (a
   * file of it creates a server or resource, registers a handler or handles shutdown): a service
   * that serves its own sources serves no browser's folder.
   */
  private isServedStatically(file: ts.SourceFile): boolean {
    this.servedFolders ??= this.inputs
      .staticRoots()
      .filter(
        (folder) =>
          !this.program
            .getSourceFiles()
            .some((f) => isUnder(normalize(f.fileName), folder) && this.inputs.hasServiceSeed(f)),
      );
    const name = normalize(file.fileName);
    return this.servedFolders.some((folder) => isUnder(name, folder));
  }

  /**
   * The place of the package a file belongs to (its nearest package.json): a mobile or browser
   * app, a browser library only such apps depend on, a command-line tool (`bin`), or a workspace
   * package no deployed entry reaches (`undeployed`, whatever it serves). None when a
   * file of the package in this program serves or handles shutdown (a server beside the client in
   * one package, a long-running process started from its `bin`), nor for a browser package one of
   * whose files opens a resource (a Node worker built for the DOM without Node's types).
   */
  private placeOfPackage(file: ts.SourceFile): OutOfService | undefined {
    const name = normalize(file.fileName);
    if (!isUnder(name, this.packageBound)) return undefined;
    const dir = this.packages.packageDirOf(name.slice(0, name.lastIndexOf('/')), this.packageBound);
    const key = dir ?? '';
    if (this.packagePlaces.has(key)) return this.packagePlaces.get(key);
    let place: OutOfService | undefined;
    const domOnly = this.domOnly && isUnder(dir ?? this.root, this.root);
    if (dir === undefined) place = domOnly ? 'browser' : undefined;
    else if (this.packages.isBrowserPackage(dir, domOnly)) place = 'browser';
    else if (this.packages.isCliPackage(dir)) place = 'script';
    // Whatever an undeployed package serves or handles, no deployed process runs it.
    else if (this.packages.isUndeployedPackage(dir)) place = 'undeployed';
    if (place && place !== 'undeployed') {
      const files = this.filesOfPackage(key);
      // A browser's code creates no server or resource and handles no shutdown; a tool may open a
      // resource, but one that serves or handles shutdown runs until it is stopped.
      if (place === 'browser' && files.some((f) => this.inputs.hasServiceSeed(f))) place = undefined;
      else if (files.some((f) => this.inputs.serves(f) || this.inputs.handlesShutdown(f))) place = undefined;
    }
    this.packagePlaces.set(key, place);
    return place;
  }

  /**
   * Whether `file` lies in a library package of a monorepo that a deployed entry of another
   * workspace package reaches and whose own code handles SIGTERM (deployed.ts): the entry's
   * listener is in another program, and stops what this package starts.
   */
  isHandledByDeployedEntry(file: ts.SourceFile): boolean {
    const name = normalize(file.fileName);
    if (!isUnder(name, this.packageBound)) return false;
    const dir = this.packages.packageDirOf(name.slice(0, name.lastIndexOf('/')), this.packageBound);
    if (dir === undefined) return false;
    const root = findWorkspaceRoot(dir);
    return root !== undefined && deployedEntryHandlesSigterm(root, dir);
  }

  /**
   * Whether `node` lies in a library package of a monorepo whose deploy files say what runs, in a
   * top-level statement no deployed entry reaches (deployed-reach.ts): a class of the package the
   * service never names. False when that cannot be told.
   */
  isUndeployedCode(node: ts.Node): boolean {
    const file = node.getSourceFile();
    const name = normalize(file.fileName);
    if (!isUnder(name, this.packageBound)) return false;
    const dir = this.packages.packageDirOf(name.slice(0, name.lastIndexOf('/')), this.packageBound);
    if (dir === undefined) return false;
    let reached = this.deployedReach.get(dir);
    if (!this.deployedReach.has(dir)) {
      reached = this.computeDeployedReach(dir);
      this.deployedReach.set(dir, reached);
    }
    const statement = topLevelStatement(this.ts, node);
    return reached !== undefined && statement !== undefined && !reached.has(statement);
  }

  /**
   * Whether `node` lies in a branch only development runs (`if (env.isDevelopment) { … }`,
   * `if (process.env.NODE_ENV === 'development')`; see development-guards.ts): no deploy runs it.
   * A test against production (`NODE_ENV !== 'production'`) is not one.
   */
  isDevelopmentOnlyCode(node: ts.Node): boolean {
    return isDevelopmentOnly(this.ts, this.inputs.types, node);
  }

  private computeDeployedReach(dir: string): Set<ts.Statement> | undefined {
    const root = findWorkspaceRoot(dir);
    const uses = root === undefined ? undefined : usesOfPackage(this.ts, root, dir);
    if (uses === undefined) return undefined;
    const options = this.program.getCompilerOptions();
    return reachedStatements(this.ts, this.inputs.types, {
      files: this.filesOfPackage(dir),
      uses,
      moduleOf: (subpath) => {
        const target = this.packages.exportTarget(dir, subpath);
        if (target === undefined) return undefined;
        for (const candidate of sourceCandidates(dir, target, options)) {
          const file = this.program.getSourceFile(candidate);
          if (file) return file;
        }
        return undefined;
      },
    });
  }

  /** The program's own files of the package at `dir` ('' for those under no package.json). */
  private filesOfPackage(dir: string): ts.SourceFile[] {
    if (!this.packageFiles) {
      this.packageFiles = new Map();
      for (const file of this.program.getSourceFiles()) {
        if (isInDeclarationFileOrNodeModules(file)) continue;
        const name = normalize(file.fileName);
        if (!isUnder(name, this.packageBound)) continue;
        const key = this.packages.packageDirOf(name.slice(0, name.lastIndexOf('/')), this.packageBound) ?? '';
        const list = this.packageFiles.get(key) ?? [];
        list.push(file);
        this.packageFiles.set(key, list);
      }
    }
    return this.packageFiles.get(dir) ?? [];
  }

  /** A component, directive or pipe file, or one importing Angular's own modules (a service, a guard): an Angular app's. */
  private isAngularFile(file: ts.SourceFile, base: string): boolean {
    if (angularFile.test(base)) return true;
    const t = this.ts;
    return file.statements.some(
      (s) =>
        t.isImportDeclaration(s) &&
        !s.importClause?.isTypeOnly &&
        t.isStringLiteral(s.moduleSpecifier) &&
        angularModule.test(s.moduleSpecifier.text),
    );
  }

  /**
   * Whether `node` is browser code: its file runs in a browser, or it lies in a React component,
   * a hook, a callback given to a hook (`useEffect(() => …)`) or a JSX event handler, which only
   * a browser runs even in a page the server also renders.
   */
  isBrowserCode(node: ts.Node): boolean {
    const file = node.getSourceFile();
    if (this.outOfService(file) === 'browser') return true;
    if (this.underNodeNegation(node)) return true;
    const react = this.isReactFile(file);
    const dom = !this.guardsForBrowser(file);
    const editor = editorImport.test(file.text);
    if (!react && !dom && !editor) return false;
    for (let fn = enclosingFunction(this.ts, node); fn; fn = enclosingFunction(this.ts, fn)) {
      if (react && this.isBrowserFunction(fn)) return true;
      if (dom && this.readsBrowserGlobals(fn, new Set())) return true;
      if (editor && this.isEditorViewFunction(fn)) return true;
    }
    return false;
  }

  /**
   * Code under `if (!isNode)`, where `isNode` is a constant of the program that tests for Node
   * (`typeof process !== 'undefined' && process.versions…`), or under `if (typeof process ===
   * 'undefined')`: in Node the branch never runs. (A test for `window` is not one: a server may
   * define it, as JSDOM does.)
   */
  private underNodeNegation(node: ts.Node): boolean {
    const t = this.ts;
    for (let child = node, p = node.parent; p; child = p, p = p.parent) {
      if (t.isIfStatement(p) && p.thenStatement === child && this.isNotNode(p.expression)) return true;
      if (t.isSourceFile(p)) break;
    }
    return false;
  }

  private isNotNode(condition: ts.Expression): boolean {
    const t = this.ts;
    const e = skipParens(t, condition);
    if (t.isBinaryExpression(e) && e.operatorToken.kind === t.SyntaxKind.AmpersandAmpersandToken)
      return this.isNotNode(e.left) || this.isNotNode(e.right);
    if (t.isPrefixUnaryExpression(e) && e.operator === t.SyntaxKind.ExclamationToken)
      return this.isNodeTest(skipParens(t, e.operand), new Set());
    return isTypeofProcess(t, e, 'undefined');
  }

  /** `typeof process !== 'undefined' && …`, or a constant so initialised (imported or not). */
  private isNodeTest(e: ts.Expression, seen: Set<ts.Node>): boolean {
    const t = this.ts;
    if (t.isBinaryExpression(e) && e.operatorToken.kind === t.SyntaxKind.AmpersandAmpersandToken)
      return this.isNodeTest(skipParens(t, e.left), seen);
    if (isTypeofProcess(t, e, 'defined')) return true;
    if (!t.isIdentifier(e)) return false;
    let symbol = this.inputs.types.getSymbolAtLocation(e);
    if (symbol && symbol.flags & t.SymbolFlags.Alias) symbol = this.inputs.types.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.[0];
    if (!declaration || !t.isVariableDeclaration(declaration) || !declaration.initializer || seen.has(declaration))
      return false;
    const list = declaration.parent;
    if (!t.isVariableDeclarationList(list) || !(list.flags & t.NodeFlags.Const)) return false;
    seen.add(declaration);
    return this.isNodeTest(skipParens(t, declaration.initializer), seen);
  }

  /**
   * A function only ProseMirror's EditorView (a DOM library) calls: a plugin's `view` or one of
   * its `props` (`new Plugin({ view: (view) => …, props: { decorations… } })` from
   * prosemirror-state), a node view (returned where the function says it returns a
   * `NodeViewConstructor`), or a function given an `EditorView` (from prosemirror-view). A plugin's
   * `state` (`init`, `apply`) is not one: an EditorState can run on a server.
   */
  private isEditorViewFunction(fn: ts.Node): boolean {
    const t = this.ts;
    if (!isFunctionLikeWithBody(t, fn)) return false;
    if (fn.parameters.some((p) => p.type && this.namesImport(p.type, 'prosemirror-view', 'EditorView'))) return true;
    // `return (node, view, getPos) => …` in a function declared to return a NodeViewConstructor.
    const returned = fn.parent;
    if (t.isReturnStatement(returned) || (t.isArrowFunction(returned) && returned.body === fn)) {
      const outer = enclosingFunction(t, fn);
      if (outer?.type && this.namesImport(outer.type, 'prosemirror-view', 'NodeViewConstructor')) return true;
    }
    // `view(editorView) { … }` or `view: (editorView) => …` in the spec given to `new Plugin(…)`.
    const member = fn.parent && t.isPropertyAssignment(fn.parent) ? fn.parent : fn;
    const spec = member.parent;
    if (!spec || !t.isObjectLiteralExpression(spec)) return false;
    const name = member.name && (t.isIdentifier(member.name) || t.isStringLiteral(member.name)) ? member.name.text : '';
    if (name === 'view' && this.isPluginSpec(spec)) return true;
    // A member of the spec's `props`.
    const props = spec.parent;
    return (
      t.isPropertyAssignment(props) &&
      t.isIdentifier(props.name) &&
      props.name.text === 'props' &&
      t.isObjectLiteralExpression(props.parent) &&
      this.isPluginSpec(props.parent)
    );
  }

  private isPluginSpec(spec: ts.ObjectLiteralExpression): boolean {
    const t = this.ts;
    const creation = spec.parent;
    return (
      t.isNewExpression(creation) &&
      creation.arguments?.[0] === spec &&
      this.namesImport(creation.expression, 'prosemirror-state', 'Plugin')
    );
  }

  /** A type or value reference to `name` imported from `module` (no checker needed: the import says so). */
  private namesImport(node: ts.Node, module: string, name: string): boolean {
    const t = this.ts;
    const id = t.isTypeReferenceNode(node) ? node.typeName : node;
    if (!t.isIdentifier(id)) return false;
    const declaration = this.inputs.types.getSymbolAtLocation(id)?.declarations?.[0];
    if (!declaration || !t.isImportSpecifier(declaration)) return false;
    const imported = (declaration.propertyName ?? declaration.name).text;
    const from = declaration.parent.parent.parent.moduleSpecifier;
    return imported === name && t.isStringLiteral(from) && from.text === module;
  }

  /**
   * Whether a function reads a global only browsers have (`window`, `document`, `indexedDB`,
   * `navigator.clipboard`), or calls a function of its own module that does: in Node it would
   * throw, so it runs only in a browser. Its nested functions do not count: a callback it hands on
   * (`page.evaluate(() => document.title)`) is the browser's, not the function itself.
   */
  private readsBrowserGlobals(fn: ts.Node, visiting: Set<ts.Node>): boolean {
    const known = this.domFunctions.get(fn);
    if (known !== undefined) return known;
    if (visiting.has(fn)) return false;
    visiting.add(fn);
    const t = this.ts;
    const file = fn.getSourceFile();
    const declared = this.sameFileFunctionsOf(file);
    const visit = (node: ts.Node): boolean => {
      if (node !== fn && isFunctionLikeWithBody(t, node)) return false;
      if (t.isIdentifier(node) && isBrowserGlobal(t, node) && !declared.has(`var:${node.text}`)) return true;
      if (t.isCallExpression(node) && t.isIdentifier(node.expression)) {
        const callee = declared.get(node.expression.text);
        if (callee && callee !== fn && this.readsBrowserGlobals(callee, visiting)) return true;
      }
      return t.forEachChild(node, visit) ?? false;
    };
    const answer = isFunctionLikeWithBody(t, fn) && fn.body !== undefined && visit(fn.body);
    this.domFunctions.set(fn, answer);
    return answer;
  }

  /**
   * The module's own functions by name (declarations, `const f = () => …`), and `var:<name>` for
   * every other name it declares: a local `document` (jsdom's) is no browser global.
   */
  private sameFileFunctionsOf(file: ts.SourceFile): Map<string, ts.Node> {
    let found = this.sameFileFunctions.get(file);
    if (found) return found;
    const t = this.ts;
    const map = new Map<string, ts.Node>();
    const visit = (node: ts.Node): void => {
      if (t.isFunctionDeclaration(node) && node.name && node.body) map.set(node.name.text, node);
      else if (
        t.isVariableDeclaration(node) &&
        t.isIdentifier(node.name) &&
        node.initializer &&
        (t.isArrowFunction(node.initializer) || t.isFunctionExpression(node.initializer))
      )
        map.set(node.name.text, node.initializer);
      const name = (node as ts.NamedDeclaration).name;
      if (
        name &&
        (t.isVariableDeclaration(node) ||
          t.isParameter(node) ||
          t.isBindingElement(node) ||
          t.isFunctionDeclaration(node) ||
          t.isImportSpecifier(node) ||
          t.isImportClause(node) ||
          t.isNamespaceImport(node))
      ) {
        const visitName = (n: ts.Node): void => {
          if (t.isIdentifier(n)) map.set(`var:${n.text}`, n);
          else t.forEachChild(n, visitName);
        };
        visitName(name);
      }
      t.forEachChild(node, visit);
    };
    visit(file);
    found = map;
    this.sameFileFunctions.set(file, found);
    return found;
  }

  /** `typeof window !== 'undefined'`: the module is written to run in Node too, and checks where it is. */
  private guardsForBrowser(file: ts.SourceFile): boolean {
    let answer = this.guardedFiles.get(file);
    if (answer === undefined) {
      answer = /typeof\s+(window|document|navigator|localStorage|indexedDB|globalThis\.window)\b/.test(file.text);
      this.guardedFiles.set(file, answer);
    }
    return answer;
  }

  private isBrowserFunction(fn: ts.Node): boolean {
    let answer = this.browserFunctions.get(fn);
    if (answer === undefined) {
      answer = !this.inputs.isHandler(fn) && this.computeBrowserFunction(fn);
      this.browserFunctions.set(fn, answer);
    }
    return answer;
  }

  private computeBrowserFunction(fn: ts.Node): boolean {
    const t = this.ts;
    const parent = fn.parent;
    // `onClick={() => …}`
    if (t.isJsxExpression(parent) && t.isJsxAttribute(parent.parent)) return true;
    // `useEffect(() => …)`, `useCallback(async () => …)`, `React.useMemo(() => …)`
    if (t.isCallExpression(parent) && parent.arguments.includes(fn as ts.Expression)) {
      const callee = t.isPropertyAccessExpression(parent.expression) ? parent.expression.name : parent.expression;
      if (t.isIdentifier(callee) && hookName.test(callee.text)) return true;
    }
    const name = functionName(t, fn);
    if (name !== undefined && hookName.test(name)) return true;
    // A component: a function that renders JSX itself.
    return containsOwnJsx(t, fn);
  }

  /** A module of a React (or Preact, Next.js) UI: it imports one, or holds JSX in a program for the DOM. */
  private isReactFile(file: ts.SourceFile): boolean {
    let answer = this.reactFiles.get(file);
    if (answer === undefined) {
      const t = this.ts;
      answer = file.statements.some(
        (s) =>
          t.isImportDeclaration(s) && t.isStringLiteral(s.moduleSpecifier) && reactModule.test(s.moduleSpecifier.text),
      );
      if (!answer && this.domLib && /\.[jt]sx$/.test(file.fileName)) answer = containsJsx(t, file);
      this.reactFiles.set(file, answer);
    }
    return answer;
  }

  /** A UI module: it renders JSX or calls hooks at some level. */
  private rendersOrUsesHooks(file: ts.SourceFile): boolean {
    const t = this.ts;
    const visit = (node: ts.Node): boolean => {
      if (t.isJsxElement(node) || t.isJsxSelfClosingElement(node) || t.isJsxFragment(node)) return true;
      if (t.isCallExpression(node) && t.isIdentifier(node.expression) && hookName.test(node.expression.text))
        return true;
      return t.forEachChild(node, visit) ?? false;
    };
    return visit(file);
  }

  /** `export const getServerSideProps`, `export async function GET`: the server runs part of this file. */
  private exportsServerCode(file: ts.SourceFile): boolean {
    const t = this.ts;
    return file.statements.some((s) => {
      const exported = t.canHaveModifiers(s) && t.getModifiers(s)?.some((m) => m.kind === t.SyntaxKind.ExportKeyword);
      if (t.isFunctionDeclaration(s)) return exported && s.name !== undefined && serverExports.has(s.name.text);
      if (t.isVariableStatement(s))
        return (
          exported &&
          s.declarationList.declarations.some((d) => t.isIdentifier(d.name) && serverExports.has(d.name.text))
        );
      if (t.isExportDeclaration(s) && s.exportClause && t.isNamedExports(s.exportClause))
        return s.exportClause.elements.some((e) => serverExports.has(e.name.text));
      return false;
    });
  }

  private usesDomGlobals(file: ts.SourceFile): boolean {
    const t = this.ts;
    const visit = (node: ts.Node): boolean => {
      if (t.isIdentifier(node) && domGlobals.has(node.text)) {
        const parent = node.parent;
        const isName =
          (t.isPropertyAccessExpression(parent) && parent.name === node) ||
          ((t.isPropertyAssignment(parent) || t.isVariableDeclaration(parent) || t.isParameter(parent)) &&
            parent.name === node);
        if (!isName) return true;
      }
      return t.forEachChild(node, visit) ?? false;
    };
    return visit(file);
  }

  private hasDirective(file: ts.SourceFile, directive: string): boolean {
    const t = this.ts;
    for (const statement of file.statements) {
      if (!t.isExpressionStatement(statement) || !t.isStringLiteral(statement.expression)) return false;
      if (statement.expression.text === directive) return true;
    }
    return false;
  }

  private relativePath(file: ts.SourceFile): string {
    const name = normalize(file.fileName);
    return name.startsWith(this.root + '/') ? name.slice(this.root.length + 1) : name;
  }
}

function normalize(path: string): string {
  return path.replace(/\\/g, '/').replace(/\/$/, '');
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * The source files a package's build output (`./dist/index.js`) was compiled from: the config's
 * `outDir` mapped to its `rootDir`, or a `dist/`, `build/`, `lib/` or `out/` folder to `src/` (or
 * to the package's root), with the TypeScript extensions.
 */
function sourceCandidates(dir: string, target: string, options: ts.CompilerOptions): string[] {
  const path = normalize(`${dir}/${target.replace(/^\.\//, '')}`);
  const stems = new Set<string>();
  const outDir = typeof options.outDir === 'string' ? normalize(options.outDir) : undefined;
  const rootDir = typeof options.rootDir === 'string' ? normalize(options.rootDir) : undefined;
  if (outDir && rootDir && isUnder(path, outDir)) stems.add(rootDir + path.slice(outDir.length));
  const rel = path.slice(dir.length + 1);
  const built = /^(dist|build|lib|out)\//.exec(rel);
  if (built) {
    stems.add(`${dir}/src/${rel.slice(built[0].length)}`);
    stems.add(`${dir}/${rel.slice(built[0].length)}`);
  }
  stems.add(path);
  const candidates: string[] = [];
  for (const stem of stems) {
    const bare = stem.replace(/(\.d)?\.[cm]?[jt]sx?$/, '');
    for (const ext of ['.ts', '.tsx', '.mts', '.cts']) candidates.push(bare + ext);
    if (bare === stem) for (const ext of ['.ts', '.tsx']) candidates.push(`${bare}/index${ext}`);
  }
  return candidates;
}

/** The deepest folder every one of `folders` is in. */
function commonFolder(folders: readonly string[]): string | undefined {
  if (folders.length === 0) return undefined;
  let common = folders[0]!;
  for (const folder of folders) {
    while (!isUnder(folder, common)) {
      const parent = common.slice(0, common.lastIndexOf('/'));
      if (parent === common || parent === '') return undefined;
      common = parent;
    }
  }
  return common;
}

/** A read of a browser-only global: not a property name, a declared name or a member other than the browser's. */
/** A module that imports ProseMirror's state or view: its plugins and node views may run only in an EditorView. */
const editorImport = /['"]prosemirror-(view|state)['"]/;

function skipParens(t: TS, e: ts.Expression): ts.Expression {
  while (t.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** `typeof process !== 'undefined'` (`defined`) or `typeof process === 'undefined'` (`undefined`). */
function isTypeofProcess(t: TS, e: ts.Expression, test: 'defined' | 'undefined'): boolean {
  if (!t.isBinaryExpression(e)) return false;
  const op = e.operatorToken.kind;
  const equal = op === t.SyntaxKind.EqualsEqualsEqualsToken || op === t.SyntaxKind.EqualsEqualsToken;
  const unequal = op === t.SyntaxKind.ExclamationEqualsEqualsToken || op === t.SyntaxKind.ExclamationEqualsToken;
  if (!(test === 'defined' ? unequal : equal)) return false;
  const [left, right] = [skipParens(t, e.left), skipParens(t, e.right)];
  const typeofProcess = (x: ts.Expression) =>
    t.isTypeOfExpression(x) && t.isIdentifier(x.expression) && x.expression.text === 'process';
  const undefinedText = (x: ts.Expression) => t.isStringLiteral(x) && x.text === 'undefined';
  return (typeofProcess(left) && undefinedText(right)) || (typeofProcess(right) && undefinedText(left));
}

function isBrowserGlobal(t: TS, node: ts.Identifier): boolean {
  const parent = node.parent;
  if (t.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (t.isPropertyAssignment(parent) && parent.name === node) return false;
  if (t.isQualifiedName(parent) || t.isTypeQueryNode(parent)) return false;
  if (browserOnlyGlobals.has(node.text)) return true;
  return (
    node.text === 'navigator' &&
    t.isPropertyAccessExpression(parent) &&
    parent.expression === node &&
    browserOnlyNavigator.has(parent.name.text)
  );
}

/** The name a function is known by: its own, its variable's or its property's. */
function functionName(t: TS, fn: ts.Node): string | undefined {
  if ((t.isFunctionDeclaration(fn) || t.isFunctionExpression(fn) || t.isMethodDeclaration(fn)) && fn.name)
    return t.isIdentifier(fn.name) ? fn.name.text : undefined;
  const parent = fn.parent;
  if ((t.isVariableDeclaration(parent) || t.isPropertyAssignment(parent)) && t.isIdentifier(parent.name))
    return parent.name.text;
  return undefined;
}

function isJsx(t: TS, node: ts.Node): boolean {
  return t.isJsxElement(node) || t.isJsxSelfClosingElement(node) || t.isJsxFragment(node);
}

function containsJsx(t: TS, node: ts.Node): boolean {
  return isJsx(t, node) || (t.forEachChild(node, (child) => (containsJsx(t, child) ? true : undefined)) ?? false);
}

/** JSX the function itself renders, not one of the functions nested in it. */
function containsOwnJsx(t: TS, fn: ts.Node): boolean {
  const visit = (node: ts.Node): boolean => {
    if (isJsx(t, node)) return true;
    if (isFunctionLikeWithBody(t, node)) return false;
    return t.forEachChild(node, visit) ?? false;
  };
  return isFunctionLikeWithBody(t, fn) && fn.body !== undefined && visit(fn.body);
}
