// The import graph of the program's own files: which file loads which at run time (type-only
// imports are erased), the entry modules of a file, what an entry loads, and the files that run
// with a set of seeds. Built per program from each file's import candidates (file-facts.ts): which
// file a specifier loads, and whether `require` is the global one, are the program's questions.
import type * as ts from 'typescript';
import type { ModuleBinding } from '../binding.js';
import type { ImportCandidate } from './file-facts.js';
import { isTestFile } from '../files.js';
import { isFunctionLikeWithBody, isInDeclarationFileOrNodeModules, type TS } from '../ts-utils.js';

export class ImportGraph {
  private readonly importedFiles = new Set<ts.SourceFile>();
  /** file -> the program files it imports. */
  private readonly imports = new Map<ts.SourceFile, Set<ts.SourceFile>>();
  private importers: Map<ts.SourceFile, ts.SourceFile[]> | undefined;
  private readonly loadedCache = new Map<ts.SourceFile, Set<ts.SourceFile>>();

  constructor(
    private readonly ts: TS,
    private readonly binding: ModuleBinding,
  ) {}

  /** Records the edges `node` makes: an import or export declaration, `import()` or `require()`. */
  visit(node: ImportCandidate): void {
    const t = this.ts;
    if (t.isCallExpression(node)) this.collectImportEdge(node);
    else if (t.isImportDeclaration(node) || t.isExportDeclaration(node)) {
      // Type-only imports are erased: they load nothing at run time.
      if (node.moduleSpecifier && !isTypeOnlyImport(t, node)) this.addImportEdge(node.moduleSpecifier);
    }
  }

  /** Whether another file of the program imports `file`. */
  isImported(file: ts.SourceFile): boolean {
    return this.importedFiles.has(file);
  }

  private collectImportEdge(call: ts.CallExpression): void {
    const t = this.ts;
    const arg = call.arguments[0];
    if (!arg || !t.isStringLiteralLike(arg)) return;
    if (call.expression.kind === t.SyntaxKind.ImportKeyword || this.binding.requireSpecifier(call) !== undefined) {
      this.addImportEdge(arg);
    }
  }

  private addImportEdge(specifier: ts.Expression): void {
    const t = this.ts;
    if (!t.isStringLiteralLike(specifier)) return;
    // Relative or through a tsconfig path alias: an edge between two of the program's own files.
    const target = this.binding.moduleFileOf(specifier);
    if (!target || isInDeclarationFileOrNodeModules(target)) return;
    this.importedFiles.add(target);
    const from = specifier.getSourceFile();
    const list = this.imports.get(from);
    if (list) list.add(target);
    else this.imports.set(from, new Set([target]));
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

const topLevelWork = new WeakMap<ts.SourceFile, boolean>();
const reExporting = new WeakMap<ts.SourceFile, boolean>();

/**
 * A module whose top level runs something when loaded (`bootstrap();`, `const server = app.listen()`),
 * not only declarations. Syntax alone: kept per SourceFile across program versions.
 */
export function hasTopLevelWork(t: TS, file: ts.SourceFile): boolean {
  let work = topLevelWork.get(file);
  if (work === undefined) {
    work = computeTopLevelWork(t, file);
    topLevelWork.set(file, work);
  }
  return work;
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
  let reExports = reExporting.get(file);
  if (reExports === undefined) {
    reExports = file.statements.some(
      (s) => t.isExportDeclaration(s) && s.moduleSpecifier !== undefined && !s.isTypeOnly,
    );
    reExporting.set(file, reExports);
  }
  return reExports;
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
