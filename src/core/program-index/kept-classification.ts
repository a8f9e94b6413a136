// The classification kept across program versions. An editor gives typescript-eslint a new
// ts.Program on every edit, and TypeScript hands it the same SourceFile objects for the files the
// edit did not touch. The index classifies file by file and records, with each file's records,
// what its answers consulted (dependencies.ts): the files whose declarations and modules the
// binding, the kinds and the function resolver visited, re-export chains included, and the names
// it looked up across the program. On the next version a file's records are kept when:
// - the program has the same files and options, and no edited file declares globals (a script, a
//   `declare global`, a `declare module`), which any file's answers could see;
// - none of the files its answers consulted changed;
// - no edited file declares, assigns, calls or extends by a name it looked up across the program
//   (`callsNamed`, `assignmentsTo`, a callee name no program function had, a class's subclasses);
// - no edited file changed the types it exports in a way that flows into a file it consulted:
//   types travel through exports, so when an edited file's exports print differently (compared in
//   the old and the new checker), every file that imports it, directly or not, counts as changed;
// - the plugin receivers it looked up (`app.register(plugin)` in another file) are the same.
// Every other file is classified again. Records hold nodes of the file and of the files it
// consulted, all unchanged, so they are the new program's nodes too.
import type * as ts from 'typescript';
import { isInDeclarationFileOrNodeModules, type TS } from '../ts-utils.js';
import { aliasTarget, type CountedQuestions } from '../type-questions.js';
import type { FileClassification, PluginEntry } from './classification.js';
import type { Consulted } from './dependencies.js';
import type { FileFacts } from './file-facts.js';
import type { FileLoads } from './import-graph.js';
import type { ShutdownRoot } from './records.js';

/** How many files' records were kept and how many files were classified (for tests and `--stats`). */
export const classificationCounts = { kept: 0, classified: 0, keptPaths: 0, lastClassified: [] as string[] };

/**
 * Deliberately wrong invalidations, for the test that proves it can fail: with one set, an edit
 * that changes another file's answers must make the incremental index differ from a cold one.
 */
export const invalidationFaults = { ignoreConsultedFiles: false, ignoreExportedTypes: false, ignoreGlobals: false };

/** One file's classification in one program version, and what it consulted. */
export interface FileState {
  readonly file: ts.SourceFile;
  readonly plugins: readonly PluginEntry[];
  /** What the file loads (ImportGraph.loadsOf). */
  readonly loads: FileLoads;
  classification: FileClassification | undefined;
  readonly consulted: Consulted;
}

/** What one program version's classification leaves for the next. */
export interface ClassifiedVersion {
  readonly program: ts.Program;
  /** The old program's questions, to compare what an edited file exported. */
  readonly questions: CountedQuestions;
  readonly fileNames: string;
  readonly options: string;
  readonly files: ReadonlyMap<string, FileState>;
  readonly plugins: ReadonlyMap<ts.Node, ts.Expression>;
  /** The shutdown paths, by root (a kept file's roots are the same objects in the next version). */
  readonly paths: ReadonlyMap<ShutdownRoot, KeptPath>;
}

/**
 * The last versions classified, most recent last: two, so that an editor with two projects open,
 * or a test that builds a cold program beside the edited one, keeps its line. Each holds its
 * program (and so its checker) until replaced.
 */
const versions: ClassifiedVersion[] = [];

/** The version the new program descends from: the one that shares the most of its files. */
export function previousVersion(ownFiles: readonly ts.SourceFile[]): ClassifiedVersion | undefined {
  let best: ClassifiedVersion | undefined;
  let bestShared = 0;
  for (const version of versions) {
    let shared = 0;
    for (const file of ownFiles) if (version.files.get(file.fileName)?.file === file) shared++;
    if (shared > bestShared) {
      best = version;
      bestShared = shared;
    }
  }
  return best;
}

export function rememberVersion(version: ClassifiedVersion, replaced: ClassifiedVersion | undefined): void {
  const at = replaced ? versions.indexOf(replaced) : -1;
  if (at >= 0) versions.splice(at, 1);
  versions.push(version);
  while (versions.length > 2) versions.shift();
}

/** Forgets the versions kept: a run that builds each program once (the CLI) keeps none alive. */
export function forgetVersions(): void {
  versions.length = 0;
}

const fileNamesOfProgram = new WeakMap<ts.Program, string>();

export function programFileNames(program: ts.Program): string {
  let names = fileNamesOfProgram.get(program);
  if (names === undefined) {
    names = program
      .getSourceFiles()
      .map((file) => file.fileName)
      .join('\0');
    fileNamesOfProgram.set(program, names);
  }
  return names;
}

export function programOptions(program: ts.Program): string {
  return JSON.stringify(program.getCompilerOptions(), (key, value: unknown) =>
    key === 'configFile' ? undefined : value,
  );
}

export interface ReusePlan {
  /** The files whose records are kept, by their (unchanged) SourceFile. */
  readonly kept: Map<ts.SourceFile, FileState>;
  /** Whether an answer that consulted this still holds in the new program (a kept root's shutdown path). */
  readonly stillHolds: (consulted: Consulted) => boolean;
  /** The program's own files whose SourceFile is new, with the previous version's (kept-places.ts). */
  readonly changed: readonly { readonly old: ts.SourceFile; readonly file: ts.SourceFile }[];
}

/** A shutdown root's path, and what walking it consulted. */
export interface KeptPath {
  readonly path: Set<ts.Node>;
  readonly consulted: Consulted;
}

/** What the plan needs of the new program. */
export interface NewVersion {
  readonly program: ts.Program;
  readonly questions: CountedQuestions;
  readonly ownFiles: readonly ts.SourceFile[];
  readonly factsOf: (file: ts.SourceFile) => FileFacts;
  /** Whether one of `names` can denote a value known by `name`, through re-bindings (NameFacts.canDenoteAnyOf). */
  readonly canDenoteAnyOf: (name: string, names: ReadonlySet<string>) => boolean;
}

/** Which files' records the new program keeps, or undefined when every file is classified again. */
export function planReuse(t: TS, previous: ClassifiedVersion, next: NewVersion): ReusePlan | undefined {
  const { program } = next;
  if (programFileNames(program) !== previous.fileNames || programOptions(program) !== previous.options)
    return undefined;
  const oldProgram = previous.program;
  // A declaration file or a package's JavaScript changed (an install): classify everything.
  // (The programs' files have the same names in the same order: the old one's file is at the same place.)
  const oldFiles = oldProgram.getSourceFiles();
  const newFiles = program.getSourceFiles();
  for (let i = 0; i < newFiles.length; i++)
    if (newFiles[i] !== oldFiles[i] && isInDeclarationFileOrNodeModules(newFiles[i]!)) return undefined;

  const changed: { old: ts.SourceFile; file: ts.SourceFile }[] = [];
  for (const file of next.ownFiles) {
    const state = previous.files.get(file.fileName);
    if (state?.file === file) continue;
    const old = oldProgram.getSourceFile(file.fileName);
    if (!old) return undefined;
    changed.push({ old, file });
  }
  const changedOld = new Set(changed.map((c) => c.old));
  const keys = new Set<string>();
  const heritage = new Set<string>();
  const exportsChanged: ts.SourceFile[] = [];
  const namesAdded = new Map<ts.SourceFile, string[]>();
  for (const { old, file } of changed) {
    if (!invalidationFaults.ignoreGlobals && (declaresGlobals(t, old) || declaresGlobals(t, file))) return undefined;
    const before = next.factsOf(old);
    const after = next.factsOf(file);
    if (!before.names.processHolders || !after.names.processHolders) return undefined;
    for (const name of symmetricDifference(before.names.declaredNames, after.names.declaredNames))
      keys.add(`decl:${name}`);
    for (const name of symmetricDifference(before.names.processHolders, after.names.processHolders))
      keys.add(`holder:${name}`);
    for (const facts of [before, after]) {
      for (const name of facts.names.assignmentsByName.keys()) keys.add(`assign:${name}`);
      for (const call of facts.calls) {
        const name = lastName(t, call.expression);
        if (name !== undefined) keys.add(`call:${name}`);
      }
    }
    for (const name of heritageNames(t, before)) heritage.add(name);
    for (const name of heritageNames(t, after)) heritage.add(name);
    if (!invalidationFaults.ignoreExportedTypes) {
      const shapeBefore = exportShape(t, previous.questions, old);
      const shapeAfter = exportShape(t, next.questions, file);
      if (!shapeBefore || !shapeAfter) exportsChanged.push(file);
      else {
        let changedType = false;
        const added: string[] = [];
        for (const [name, shape] of shapeBefore) if (shapeAfter.get(name) !== shape) changedType = true;
        for (const name of shapeAfter.keys()) if (!shapeBefore.has(name)) added.push(name);
        if (changedType) exportsChanged.push(file);
        else if (added.length) namesAdded.set(file, added);
      }
    }
  }

  // Files whose types may have changed although their text did not: the importers, at any depth,
  // of an edited file whose exports changed, and of an importer that names an export just added
  // (an import that was broken, now typed).
  const affected = new Set<string>();
  if (exportsChanged.length || namesAdded.size) {
    const importers = importersByFile(t, previous, next, new Set(changed.map((c) => c.file)));
    const queue: string[] = exportsChanged.map((file) => file.fileName);
    for (const [file, added] of namesAdded) {
      const seen = new Set<string>([file.fileName]);
      const reExporters = [file.fileName];
      while (reExporters.length) {
        for (const importer of importers.get(reExporters.pop()!) ?? []) {
          if (seen.has(importer.fileName)) continue;
          seen.add(importer.fileName);
          if (added.some((name) => importer.text.includes(name))) queue.push(importer.fileName);
          // `export * from` passes the new names on.
          if (reExportsAll(t, importer)) reExporters.push(importer.fileName);
        }
      }
    }
    while (queue.length) {
      const name = queue.pop()!;
      if (affected.has(name)) continue;
      affected.add(name);
      for (const importer of importers.get(name) ?? []) queue.push(importer.fileName);
    }
  }

  const heritageHit = new Map<string, boolean>();
  const hitsHeritage = (base: string): boolean => {
    if (heritage.size === 0) return false;
    if (heritage.has('*')) return true;
    let hit = heritageHit.get(base);
    if (hit === undefined) {
      hit = next.canDenoteAnyOf(base, heritage) || heritage.has(base);
      heritageHit.set(base, hit);
    }
    return hit;
  };
  /** Whether an answer that consulted `consulted` still holds in the new program. */
  // The files an answer may not have consulted: the edited files' old versions, and the affected
  // files (unchanged, so the same SourceFile in both versions).
  const invalid = new Set<ts.SourceFile>(changedOld);
  for (const name of affected) {
    const file = oldProgram.getSourceFile(name);
    if (file) invalid.add(file);
  }
  const stillHolds = (consulted: Consulted): boolean => {
    if (consulted.files && invalid.size && !invalidationFaults.ignoreConsultedFiles)
      for (const file of consulted.files) if (invalid.has(file)) return false;
    if (consulted.keys && keys.size + heritage.size)
      for (const key of consulted.keys)
        if (keys.has(key) || (key.startsWith('heritage:') && hitsHeritage(key.slice('heritage:'.length)))) return false;
    return true;
  };
  const kept = new Map<ts.SourceFile, FileState>();
  for (const file of next.ownFiles) {
    const state = previous.files.get(file.fileName);
    if (state?.file !== file || !state.classification || affected.has(file.fileName)) continue;
    if (stillHolds(state.consulted)) kept.set(file, state);
  }
  return { kept, stillHolds, changed };
}

/** A script (its top-level names are global), or a module that declares globals or ambient modules. */
function declaresGlobals(t: TS, file: ts.SourceFile): boolean {
  // A CommonJS file (`require`, `module.exports`) is a module too: its top-level names are its own.
  const commonJs = (file as unknown as { commonJsModuleIndicator?: ts.Node }).commonJsModuleIndicator;
  if (!t.isExternalModule(file) && !commonJs) return true;
  return file.statements.some(
    (statement) =>
      t.isModuleDeclaration(statement) &&
      (t.isStringLiteral(statement.name) || (statement.flags & t.NodeFlags.GlobalAugmentation) !== 0),
  );
}

function symmetricDifference(a: ReadonlySet<string>, b: ReadonlySet<string>): string[] {
  return [...[...a].filter((name) => !b.has(name)), ...[...b].filter((name) => !a.has(name))];
}

function lastName(t: TS, expression: ts.Expression): string | undefined {
  let e = expression;
  while (t.isParenthesizedExpression(e) || t.isNonNullExpression(e) || t.isAsExpression(e)) e = e.expression;
  return t.isIdentifier(e) ? e.text : t.isPropertyAccessExpression(e) ? e.name.text : undefined;
}

/**
 * The names a file's classes extend or implement by (`extends Base`, `implements m.Stoppable`), with
 * the names they are imported under (`import { Base as B }` gives `Base` too); `*` when one is
 * bound to a whole module (a default import, `require`) or is no name.
 */
function heritageNames(t: TS, facts: FileFacts): Set<string> {
  const names = new Set<string>();
  for (const cls of facts.classes)
    for (const clause of cls.heritageClauses ?? [])
      for (const type of clause.types) names.add(lastName(t, type.expression) ?? '*');
  if (names.size === 0) return names;
  for (const name of [...names]) if (facts.names.moduleBindingNames.has(name)) names.add('*');
  for (const [original, aliases] of facts.names.rebindings)
    if ([...aliases].some((alias) => names.has(alias))) names.add(original);
  return names;
}

function reExportsAll(t: TS, file: ts.SourceFile): boolean {
  return file.statements.some((s) => t.isExportDeclaration(s) && !s.exportClause && s.moduleSpecifier !== undefined);
}

/**
 * What a module exports, as TypeScript prints it: each export's name, flags and type, and for a
 * class, interface, type alias or enum the type it declares and its members' types. Compared
 * across two checkers: a difference means the types other files see through it may differ.
 */
function exportShape(t: TS, questions: CountedQuestions, file: ts.SourceFile): Map<string, string> | undefined {
  const moduleSymbol =
    questions.getSymbolAtLocation(file) ?? (file as unknown as { symbol?: ts.Symbol | undefined }).symbol;
  if (!moduleSymbol) return undefined;
  const flags = t.TypeFormatFlags.NoTruncation | t.TypeFormatFlags.UseFullyQualifiedType;
  const print = (type: ts.Type, extra = 0): string => questions.typeToString(type, undefined, flags | extra);
  const shape = new Map<string, string>();
  for (const exported of questions.getExportsOfModule(moduleSymbol)) {
    let symbol = exported;
    const target = aliasTarget(questions, symbol, t.SymbolFlags.Alias);
    if (!target) return undefined;
    symbol = target;
    const parts = [String(symbol.flags)];
    if (symbol.flags & t.SymbolFlags.Value) parts.push(print(questions.getTypeOfSymbol(symbol)));
    if (symbol.flags & (t.SymbolFlags.Class | t.SymbolFlags.Interface | t.SymbolFlags.TypeAlias | t.SymbolFlags.Enum)) {
      const declared = questions.getDeclaredTypeOfSymbol(symbol);
      parts.push(print(declared, t.TypeFormatFlags.InTypeAlias));
      for (const member of questions.getPropertiesOfType(declared))
        parts.push(`${member.name}: ${print(questions.getTypeOfSymbol(member))}`);
    }
    shape.set(exported.name, parts.join('\n'));
  }
  return shape;
}

/**
 * file name -> the program files that import it, type-only imports and `export … from` included:
 * an unchanged file's from its kept loads (the program has the same files, so its imports resolve
 * as before), an edited file's asked anew.
 */
function importersByFile(
  t: TS,
  previous: ClassifiedVersion,
  next: NewVersion,
  changed: ReadonlySet<ts.SourceFile>,
): Map<string, ts.SourceFile[]> {
  const importers = new Map<string, ts.SourceFile[]>();
  const add = (target: string, file: ts.SourceFile): void => {
    const list = importers.get(target);
    if (list) {
      if (!list.includes(file)) list.push(file);
    } else importers.set(target, [file]);
  };
  for (const file of next.ownFiles) {
    const loads = changed.has(file) ? undefined : previous.files.get(file.fileName)?.loads;
    if (loads) {
      for (const target of loads.targets) add(target, file);
      for (const target of loads.typeTargets) add(target, file);
      continue;
    }
    for (const candidate of next.factsOf(file).importCandidates) {
      const specifier = t.isCallExpression(candidate) ? candidate.arguments[0] : candidate.moduleSpecifier;
      if (!specifier) continue;
      const target = next.questions.getSymbolAtLocation(specifier)?.declarations?.[0];
      if (target && t.isSourceFile(target)) add(target.fileName, file);
    }
  }
  return importers;
}
