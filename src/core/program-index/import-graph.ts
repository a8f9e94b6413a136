// The import graph of the program's own files: which file loads which at run time (type-only
// imports are erased), the entry modules of a file, what an entry loads, and the files that run
// with a set of seeds. Built per program from each file's import candidates (file-facts.ts): which
// file a specifier loads, and whether `require` is the global one, are the program's questions.
import { posix } from 'node:path';
import type * as ts from 'typescript';
import type { ModuleBinding } from '../binding.js';
import type { ImportCandidate } from './file-facts.js';
import type { AnyCall } from './call-index.js';
import { isTestFile } from '../files.js';
import {
  isFunctionLikeWithBody,
  isInDeclarationFileOrNodeModules,
  isRequireCall,
  skipOuterExpressions,
  type TS,
} from '../ts-utils.js';

/**
 * Packages that load every module of a folder at run time (`autoload(path.join(root, 'models'))`):
 * the folder's files run with the file that calls them, although no import names them.
 */
const directoryLoaders: ReadonlySet<string> = new Set(['auto-load', 'require-all', 'require-directory', 'require-dir']);

/**
 * What a hand-written plugin scan needs (`fs.readdirSync(appsDir)` and `import(pathToFileURL(p))`):
 * a file that reads a folder and loads a module by a computed path loads the folders it names.
 */
interface ScanFacts {
  computedLoad: boolean;
  readsDirectory: boolean;
  folders: DirectoryLoad[];
}

/** The last names of the member calls collectDirectoryLoad acts on: a folder read, `path.join`/`resolve`, a loader's default export. */
const scanMemberNames: ReadonlySet<string> = new Set(['readdir', 'readdirSync', 'join', 'resolve', 'default']);

function isDirectoryRead(module: string, path: readonly string[]): boolean {
  const name = path.join('.');
  if (module === 'fs') return name === 'readdirSync' || name === 'readdir' || name === 'promises.readdir';
  return module === 'fs/promises' && name === 'readdir';
}

/** A folder a directory loader loads: its path segments, below `__dirname` or below a base we cannot evaluate. */
interface DirectoryLoad {
  from: ts.SourceFile;
  segments: readonly string[];
  /** The segments are relative to the calling file's folder (`__dirname`); otherwise to some folder above it. */
  fromDirname: boolean;
}

/**
 * What one file loads, as the graph's pass over its import candidates and calls found it: kept with
 * the file's classification across program versions (kept-classification.ts), merged per program.
 */
export interface FileLoads {
  /** The program files its imports load at run time, by name, in source order. */
  readonly targets: readonly string[];
  /** The program files only its type-only imports name (erased at run time; types still flow). */
  readonly typeTargets: readonly string[];
  readonly scan: ScanFacts | undefined;
  readonly directoryLoads: readonly DirectoryLoad[];
}

export class ImportGraph {
  private readonly importedFiles = new Set<ts.SourceFile>();
  /** file -> the program files it imports. */
  private readonly imports = new Map<ts.SourceFile, Set<ts.SourceFile>>();
  private importers: Map<ts.SourceFile, ts.SourceFile[]> | undefined;
  private readonly loadedCache = new Map<ts.SourceFile, Set<ts.SourceFile>>();
  private readonly directoryLoads: DirectoryLoad[] = [];
  private readonly scans = new Map<ts.SourceFile, ScanFacts>();
  /** The file `loadsOf` is collecting. */
  private current: {
    targets: string[];
    typeTargets: string[];
    scan: ScanFacts | undefined;
    directoryLoads: DirectoryLoad[];
  } = { targets: [], typeTargets: [], scan: undefined, directoryLoads: [] };

  constructor(
    private readonly ts: TS,
    private readonly binding: ModuleBinding,
    /** The program's file a `require` the checker does not follow loads (a relative one in a `.ts` file). */
    private readonly requiredFile: (call: ts.CallExpression) => ts.SourceFile | undefined = () => undefined,
  ) {}

  /**
   * What one file loads: the edges its import candidates make, and what its calls with a computed
   * first argument may load (a directory loader's folder, a hand-written scan's facts).
   */
  loadsOf(candidates: readonly ImportCandidate[], calls: readonly AnyCall[]): FileLoads {
    const loads = (this.current = { targets: [], typeTargets: [], scan: undefined, directoryLoads: [] });
    for (const candidate of candidates) this.visit(candidate);
    for (const call of calls) if (this.ts.isCallExpression(call)) this.visitComputedLoad(call);
    return loads;
  }

  /** Adds a file's loads to the graph (the files in program order); `fileNamed` is the program's file by name. */
  addLoads(file: ts.SourceFile, loads: FileLoads, fileNamed: (name: string) => ts.SourceFile | undefined): void {
    for (const name of loads.targets) {
      const target = fileNamed(name);
      if (target) this.addEdge(file, target);
    }
    if (loads.scan) this.scans.set(file, loads.scan);
    this.directoryLoads.push(...loads.directoryLoads);
  }

  /** Records the edges `node` makes: an import or export declaration, `import()` or `require()`. */
  private visit(node: ImportCandidate): void {
    const t = this.ts;
    if (t.isCallExpression(node)) this.collectImportEdge(node);
    else if (t.isImportDeclaration(node) || t.isExportDeclaration(node)) {
      // Type-only imports are erased: they load nothing at run time (types still flow through them).
      if (node.moduleSpecifier) this.addImportEdge(node.moduleSpecifier, isTypeOnlyImport(t, node));
    }
  }

  /** Whether another file of the program imports `file`. */
  isImported(file: ts.SourceFile): boolean {
    return this.importedFiles.has(file);
  }

  /**
   * Records what a call with a computed first argument may load: a directory loader's folder, or
   * the facts of a hand-written folder scan. Asked of every call of the program (the file's facts
   * keep its calls; the bindings are the program's question).
   */
  private visitComputedLoad(call: ts.CallExpression): void {
    const t = this.ts;
    const arg = call.arguments[0];
    if (!arg || t.isStringLiteralLike(arg)) return;
    // Every call of every program passes here on each build (in an editor, on each edit): a method
    // call is asked of the binding only when its name is one collectDirectoryLoad can use.
    const callee = skipOuterExpressions(t, call.expression);
    if (t.isPropertyAccessExpression(callee) && !scanMemberNames.has(callee.name.text)) return;
    this.collectDirectoryLoad(call);
  }

  private collectImportEdge(call: ts.CallExpression): void {
    const t = this.ts;
    const arg = call.arguments[0];
    if (!arg || !t.isStringLiteralLike(arg)) return;
    if (call.expression.kind === t.SyntaxKind.ImportKeyword || this.binding.requireSpecifier(call) !== undefined) {
      // `const padManager = require('../db/PadManager')` in a `.ts` file: the checker resolves no module.
      this.addImportEdge(arg, false, () => this.requiredFile(call));
    }
  }

  /**
   * `autoload(path.join(WIKI.SERVERPATH, 'models'))`, `requireAll({ dirname: path.join(__dirname, 'jobs') })`;
   * and the facts of a hand-written scan: `fs.readdirSync(dir)`, `import(computed)`, and the folders
   * the file names with `path.join`/`path.resolve`.
   */
  private collectDirectoryLoad(call: ts.CallExpression): void {
    const t = this.ts;
    const from = call.getSourceFile();
    if (call.expression.kind === t.SyntaxKind.ImportKeyword || isRequireCall(t, call)) {
      this.scanFacts().computedLoad = true;
      return;
    }
    const ref = this.binding.resolve(call.expression);
    if (!ref) return;
    if (isDirectoryRead(ref.module, ref.path)) {
      this.scanFacts().readsDirectory = true;
      return;
    }
    if (ref.module === 'path' && ref.path.length === 1 && (ref.path[0] === 'join' || ref.path[0] === 'resolve')) {
      const folder = this.folderOf(call, from);
      if (folder) this.scanFacts().folders.push(folder);
      return;
    }
    if (ref.path.length > 1 || (ref.path.length === 1 && ref.path[0] !== 'default')) return;
    if (!directoryLoaders.has(ref.module)) return;
    for (const arg of call.arguments) {
      let folder = skipOuterExpressions(t, arg);
      if (t.isObjectLiteralExpression(folder)) {
        const dirname = folder.properties.find(
          (p): p is ts.PropertyAssignment =>
            t.isPropertyAssignment(p) && t.isIdentifier(p.name) && p.name.text === 'dirname',
        );
        if (!dirname) continue;
        folder = skipOuterExpressions(t, dirname.initializer);
      }
      const load = this.folderOf(folder, from);
      if (load) {
        this.current.directoryLoads.push(load);
        return;
      }
    }
  }

  private scanFacts(): ScanFacts {
    return (this.current.scan ??= { computedLoad: false, readsDirectory: false, folders: [] });
  }

  /** A folder written as `'lit'`, `path.join(base, 'a', 'b')` or `path.resolve(…)`: its literal tail. */
  private folderOf(expression: ts.Expression, from: ts.SourceFile): DirectoryLoad | undefined {
    const t = this.ts;
    if (t.isStringLiteralLike(expression)) {
      const segments = expression.text.split('/').filter((s) => s !== '' && s !== '.');
      return segments.length > 0 ? { from, segments, fromDirname: false } : undefined;
    }
    if (!t.isCallExpression(expression) || expression.arguments.length < 2) return undefined;
    const ref = this.binding.resolve(expression.expression);
    if (ref?.module !== 'path' || ref.path.length !== 1 || (ref.path[0] !== 'join' && ref.path[0] !== 'resolve'))
      return undefined;
    const [base, ...rest] = expression.arguments.map((a) => skipOuterExpressions(t, a));
    if (!base || rest.length === 0 || !rest.every((a) => t.isStringLiteralLike(a))) return undefined;
    const segments = rest.flatMap((a) => (a as ts.StringLiteralLike).text.split('/')).filter((s) => s && s !== '.');
    if (segments.length === 0) return undefined;
    return { from, segments, fromDirname: t.isIdentifier(base) && base.text === '__dirname' };
  }

  /**
   * The edges of the directory loads, once every file of the program is known: from the calling
   * file to every program file under the folder (auto-load and require-all recurse). A base we
   * cannot evaluate (`WIKI.SERVERPATH`) is the nearest folder above the calling file that has the
   * named folder with program files in it.
   */
  addDirectoryLoads(files: readonly ts.SourceFile[]): void {
    const loads = [...this.directoryLoads];
    for (const facts of this.scans.values())
      if (facts.computedLoad && facts.readsDirectory) loads.push(...facts.folders);
    if (loads.length === 0) return;
    const byFolder = new Map<string, ts.SourceFile[]>();
    for (const file of files) {
      if (isTestFile(file.fileName)) continue;
      const folder = posix.dirname(file.fileName.replace(/\\/g, '/'));
      const list = byFolder.get(folder);
      if (list) list.push(file);
      else byFolder.set(folder, [file]);
    }
    // The modules of the folder, and the `index` module of each folder in it (a plugin per folder).
    const modulesOf = (folder: string): ts.SourceFile[] => [
      ...(byFolder.get(folder) ?? []),
      ...[...byFolder]
        .filter(([f]) => posix.dirname(f) === folder && f !== folder)
        .flatMap(([, list]) => list.filter((file) => /^index\.[cm]?[jt]sx?$/.test(posix.basename(file.fileName)))),
    ];
    for (const load of loads) {
      const own = posix.dirname(load.from.fileName.replace(/\\/g, '/'));
      const bases = [own];
      if (!load.fromDirname)
        for (let d = posix.dirname(own); d !== bases[bases.length - 1]; d = posix.dirname(d)) bases.push(d);
      for (const base of bases) {
        const loaded = modulesOf(posix.join(base, ...load.segments)).filter((f) => f !== load.from);
        if (loaded.length === 0) continue;
        for (const target of loaded) this.addEdge(load.from, target);
        break;
      }
    }
  }

  private addEdge(from: ts.SourceFile, target: ts.SourceFile): void {
    this.importedFiles.add(target);
    const list = this.imports.get(from);
    if (list) list.add(target);
    else this.imports.set(from, new Set([target]));
  }

  private addImportEdge(
    specifier: ts.Expression,
    typeOnly: boolean,
    unresolved: () => ts.SourceFile | undefined = () => undefined,
  ): void {
    const t = this.ts;
    if (!t.isStringLiteralLike(specifier)) return;
    // Relative or through a tsconfig path alias: an edge between two of the program's own files.
    const target = this.binding.moduleFileOf(specifier) ?? unresolved();
    if (!target || isInDeclarationFileOrNodeModules(target)) return;
    const list = typeOnly ? this.current.typeTargets : this.current.targets;
    if (!list.includes(target.fileName)) list.push(target.fileName);
  }

  /**
   * The files loaded by the entry modules that load one of `seeds` (directly or not), seeds
   * included. Files `outside` the service (a browser bundle, tests, scripts) are no entry of it,
   * and their imports make no file less of an entry: a dev launcher that requires the server's
   * main leaves the main the entry.
   */
  filesRunningWith(
    seeds: ReadonlySet<ts.SourceFile>,
    outside: (file: ts.SourceFile) => boolean = () => false,
  ): Set<ts.SourceFile> {
    const inside = [...seeds].filter((seed) => !outside(seed));
    if (inside.length === 0) return new Set();
    const importers = this.importersMap();
    // Files that reach a seed: walk the import graph backwards from the seeds.
    const reachesSeed = new Set(inside);
    const backwards = [...inside];
    while (backwards.length) {
      for (const importer of importers.get(backwards.pop()!) ?? []) {
        if (!reachesSeed.has(importer) && !outside(importer)) {
          reachesSeed.add(importer);
          backwards.push(importer);
        }
      }
    }
    // Everything the service's entry modules load: walk forwards from them.
    const service = new Set<ts.SourceFile>();
    const forwards = [...reachesSeed].filter(
      (f) => seeds.has(f) || (importers.get(f) ?? []).every((importer) => outside(importer)),
    );
    for (const file of forwards) service.add(file);
    while (forwards.length) {
      for (const target of this.imports.get(forwards.pop()!) ?? []) {
        if (!service.has(target)) {
          service.add(target);
          forwards.push(target);
        }
      }
    }
    for (const file of service) if (outside(file)) service.delete(file);
    return service;
  }

  /** The program files that import `file`. */
  importersOf(file: ts.SourceFile): readonly ts.SourceFile[] {
    return this.importersMap().get(file) ?? [];
  }

  /**
   * Whether this graph has the same edges as `other`, a graph of another version of the program
   * (files compared by name: an edited file is a new SourceFile). The places' input (kept-places.ts).
   */
  sameEdgesAs(other: ImportGraph): boolean {
    if (this.imports.size !== other.imports.size) return false;
    const otherByName = new Map<string, Set<ts.SourceFile>>();
    for (const [from, targets] of other.imports) otherByName.set(from.fileName, targets);
    for (const [from, targets] of this.imports) {
      const before = otherByName.get(from.fileName);
      if (!before || before.size !== targets.size) return false;
      const it = before.values();
      // Both sets were filled from the same loads in the same order when nothing changed.
      let inOrder = true;
      for (const target of targets) {
        const then = it.next().value as ts.SourceFile;
        if (then !== target && then.fileName !== target.fileName) {
          inOrder = false;
          break;
        }
      }
      if (!inOrder && !sameNames(targets, before)) return false;
    }
    return true;
  }

  /**
   * The entry modules whose run loads `file`: the modules that import it, directly or not (itself
   * included), that no other file imports, or only test files do while their top level does work
   * (`bootstrap();`: an end-to-end test that starts the real main). A file only an import cycle
   * reaches is its own entry.
   */
  entriesOf(
    file: ts.SourceFile,
    outside: (file: ts.SourceFile) => boolean = (f) => isTestFile(f.fileName),
  ): ts.SourceFile[] {
    this.importers ??= this.computeImporters();
    const seen = new Set([file]);
    const queue = [file];
    while (queue.length) {
      for (const importer of this.importers.get(queue.pop()!) ?? []) {
        if (!seen.has(importer)) {
          seen.add(importer);
          queue.push(importer);
        }
      }
    }
    const importers = this.importers;
    const entries = [...seen].filter((f) => {
      const by = importers.get(f);
      return !by || (by.every((i) => isTestFile(i.fileName)) && !isTestFile(f.fileName) && hasTopLevelWork(this.ts, f));
    });
    return entries.length ? entries : [file];
  }

  /** Every program file an entry module loads at run time, itself included. */
  loadedBy(entry: ts.SourceFile): ReadonlySet<ts.SourceFile> {
    let loaded = this.loadedCache.get(entry);
    if (!loaded) {
      loaded = new Set([entry]);
      const queue = [entry];
      while (queue.length) {
        for (const target of this.imports.get(queue.pop()!) ?? []) {
          if (!loaded.has(target)) {
            loaded.add(target);
            queue.push(target);
          }
        }
      }
      this.loadedCache.set(entry, loaded);
    }
    return loaded;
  }

  private importersMap(): Map<ts.SourceFile, ts.SourceFile[]> {
    this.importers ??= this.computeImporters();
    return this.importers;
  }

  private computeImporters(): Map<ts.SourceFile, ts.SourceFile[]> {
    const importers = new Map<ts.SourceFile, ts.SourceFile[]>();
    for (const [from, targets] of this.imports) {
      for (const target of targets) {
        const list = importers.get(target);
        if (list) list.push(from);
        else importers.set(target, [from]);
      }
    }
    return importers;
  }
}

function sameNames(a: ReadonlySet<ts.SourceFile>, b: ReadonlySet<ts.SourceFile>): boolean {
  const names = new Set([...b].map((f) => f.fileName));
  return [...a].every((f) => names.has(f.fileName));
}

/** Two facts of a file's syntax alone, asked of every file by the places: kept per SourceFile. */
const topLevelWork = new WeakMap<ts.SourceFile, boolean>();
const reExporting = new WeakMap<ts.SourceFile, boolean>();

/** A module whose top level runs something when loaded (`bootstrap();`, `const server = app.listen()`), not only declarations. */
export function hasTopLevelWork(t: TS, file: ts.SourceFile): boolean {
  let answer = topLevelWork.get(file);
  if (answer === undefined) {
    answer = computeTopLevelWork(t, file);
    topLevelWork.set(file, answer);
  }
  return answer;
}

function computeTopLevelWork(t: TS, file: ts.SourceFile): boolean {
  return file.statements.some(
    (s) =>
      t.isExpressionStatement(s) ||
      (t.isVariableStatement(s) &&
        s.declarationList.declarations.some((d) => d.initializer !== undefined && containsCall(t, d.initializer))),
  );
}

/** A module that re-exports others (`export * from './logger'`): a package's API, for importers beyond the program. */
export function reExports(t: TS, file: ts.SourceFile): boolean {
  let answer = reExporting.get(file);
  if (answer === undefined) {
    answer = file.statements.some((s) => t.isExportDeclaration(s) && s.moduleSpecifier !== undefined && !s.isTypeOnly);
    reExporting.set(file, answer);
  }
  return answer;
}

function containsCall(t: TS, node: ts.Node): boolean {
  if (isFunctionLikeWithBody(t, node) || t.isClassLike(node)) return false;
  if (t.isCallExpression(node) || t.isNewExpression(node) || t.isAwaitExpression(node)) return true;
  return t.forEachChild(node, (child) => (containsCall(t, child) ? true : undefined)) ?? false;
}

/** `import type { A }`, `import { type A, type B }`, `export type { A } from`: nothing loaded. */
function isTypeOnlyImport(t: TS, node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (t.isExportDeclaration(node)) {
    return (
      node.isTypeOnly ||
      (node.exportClause !== undefined &&
        t.isNamedExports(node.exportClause) &&
        node.exportClause.elements.length > 0 &&
        node.exportClause.elements.every((e) => e.isTypeOnly))
    );
  }
  const clause = node.importClause;
  if (!clause) return false; // `import './side-effect'`
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    t.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}
