// Name facts: which names can denote a program function, how names are re-bound, and where each
// name is assigned. They let the analysis find the uses of a value, or the functions a callee can
// be, without asking the checker about every identifier. Each file's are collected from its syntax
// alone (`FileNameFacts`, kept per SourceFile across program versions by file-facts.ts); a
// program's `NameFacts` is their union, in program order.
import type * as ts from 'typescript';
import { mayHoldProcess } from '../binding.js';
import { skipOuterExpressions, type TS } from '../ts-utils.js';
import { Recorder } from './dependencies.js';
import { changedFiles, CountedNames, ListsByName, sameNames, SetsByName, type FileChange } from './file-unions.js';

/** What one file says about names, from its syntax alone (see `NameFacts` for what each means). */
export class FileNameFacts {
  readonly declaredNames = new Set<string>();
  readonly rebindings = new Map<string, Set<string>>();
  readonly moduleBindingNames = new Set<string>();
  readonly namesByAnnotation = new Map<string, Set<string>>();
  readonly namesByInitializerCall = new Map<string, Set<string>>();
  readonly assignmentsByName = new Map<string, ts.BinaryExpression[]>();
  /** Undefined once a computed name makes any name a possible process holder. */
  processHolders: Set<string> | undefined = new Set();

  constructor(private readonly ts: TS) {}

  /** Records what `node` says about names: one call per node of the program's own files. */
  visit(node: ts.Node): void {
    const t = this.ts;
    this.addDeclaredName(node);
    this.addNameFacts(node);
    this.addProcessHolder(node);
    if (t.isBinaryExpression(node) && node.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      const name = t.isIdentifier(node.left)
        ? node.left.text
        : t.isPropertyAccessExpression(node.left)
          ? node.left.name.text
          : undefined;
      if (name !== undefined) {
        const list = this.assignmentsByName.get(name);
        if (list) list.push(node);
        else this.assignmentsByName.set(name, [node]);
      }
    }
  }

  /** Records only the declared names of a file (JavaScript the program loads from node_modules). */
  visitDeclaredNames(file: ts.SourceFile): void {
    const visit = (node: ts.Node): void => {
      this.addDeclaredName(node);
      this.addProcessHolder(node);
      this.ts.forEachChild(node, visit);
    };
    visit(file);
  }

  /**
   * Records the process holders of a declaration file. Only a file that says `NodeJS` or
   * `typeof process` can declare one, so the others are not walked.
   */
  visitDeclarationFile(file: ts.SourceFile): void {
    if (!/NodeJS|typeof\s+process/.test(file.text)) return;
    const visit = (node: ts.Node): void => {
      this.addProcessHolder(node);
      this.ts.forEachChild(node, visit);
    };
    visit(file);
  }

  private addProcessHolder(node: ts.Node): void {
    const t = this.ts;
    if (!this.processHolders || !mayHoldProcess(t, node)) return;
    const name = node.name;
    if (t.isIdentifier(name) || t.isPrivateIdentifier(name) || t.isStringLiteral(name) || t.isNumericLiteral(name))
      this.processHolders.add(name.text);
    else if (t.isComputedPropertyName(name)) this.processHolders = undefined;
  }

  private addNameFacts(node: ts.Node): void {
    const t = this.ts;
    const add = (map: Map<string, Set<string>>, key: string, name: string): void => {
      const set = map.get(key);
      if (set) set.add(name);
      else map.set(key, new Set([name]));
    };
    const lastName = (e: ts.Expression): string | undefined => {
      const x = skipOuterExpressions(t, e);
      return t.isIdentifier(x) ? x.text : t.isPropertyAccessExpression(x) ? x.name.text : undefined;
    };
    if ((t.isPropertySignature(node) || t.isGetAccessorDeclaration(node)) && t.isIdentifier(node.name)) {
      // `featureGates: FeatureGatesClient` in an options type, `get featureGates(): FeatureGatesClient`.
      if (node.type && t.isTypeReferenceNode(node.type))
        add(
          this.namesByAnnotation,
          t.isIdentifier(node.type.typeName) ? node.type.typeName.text : node.type.typeName.right.text,
          node.name.text,
        );
    } else if (
      (t.isVariableDeclaration(node) || t.isParameter(node) || t.isPropertyDeclaration(node)) &&
      t.isIdentifier(node.name)
    ) {
      const name = node.name.text;
      if (node.type && t.isTypeReferenceNode(node.type)) {
        add(
          this.namesByAnnotation,
          t.isIdentifier(node.type.typeName) ? node.type.typeName.text : node.type.typeName.right.text,
          name,
        );
      }
      if (!t.isParameter(node) && node.initializer) {
        const init = skipOuterExpressions(t, node.initializer);
        const from = lastName(init);
        if (from !== undefined) add(this.rebindings, from, name);
        else if (t.isCallExpression(init) || t.isNewExpression(init)) {
          const callee = lastName(init.expression);
          if (callee === 'require') this.moduleBindingNames.add(name);
          else if (callee !== undefined) add(this.namesByInitializerCall, callee, name);
        }
      }
    } else if (
      t.isBindingElement(node) &&
      node.propertyName &&
      t.isIdentifier(node.propertyName) &&
      t.isIdentifier(node.name)
    ) {
      add(this.rebindings, node.propertyName.text, node.name.text);
    } else if ((t.isImportSpecifier(node) || t.isExportSpecifier(node)) && node.propertyName) {
      add(this.rebindings, node.propertyName.text, node.name.text);
    } else if (t.isImportClause(node) && node.name) {
      this.moduleBindingNames.add(node.name.text);
    } else if (t.isImportEqualsDeclaration(node)) {
      this.moduleBindingNames.add(node.name.text);
    }
  }

  /** Records `node` when it names something a callee can resolve to (see `declaredNames`). */
  private addDeclaredName(node: ts.Node): void {
    const t = this.ts;
    if (!(
      t.isIdentifier(node) ||
      t.isPrivateIdentifier(node) ||
      t.isStringLiteralLike(node) ||
      t.isNumericLiteral(node)
    ))
      return;
    const parent = node.parent;
    if (!parent) return;
    let named = false;
    if (t.isComputedPropertyName(parent)) named = true;
    else if (t.isImportSpecifier(parent) || t.isExportSpecifier(parent))
      named = true; // name and propertyName
    else if (
      t.isFunctionDeclaration(parent) ||
      t.isFunctionExpression(parent) ||
      t.isMethodDeclaration(parent) ||
      t.isGetAccessorDeclaration(parent) ||
      t.isSetAccessorDeclaration(parent) ||
      t.isVariableDeclaration(parent) ||
      t.isPropertyDeclaration(parent) ||
      t.isPropertyAssignment(parent) ||
      t.isShorthandPropertyAssignment(parent) ||
      t.isImportClause(parent) ||
      t.isNamespaceImport(parent) ||
      t.isNamespaceExport(parent) ||
      t.isImportEqualsDeclaration(parent) ||
      t.isBindingElement(parent)
    ) {
      named =
        (parent as ts.NamedDeclaration).name === node || (t.isBindingElement(parent) && parent.propertyName === node);
    } else if (t.isPropertyAccessExpression(parent) || t.isElementAccessExpression(parent)) {
      // `exports.x = …`, `this.handler = function () {}`: a JavaScript expando declaration.
      const target = t.isPropertyAccessExpression(parent) ? parent.name : parent.argumentExpression;
      const assignment = parent.parent;
      named =
        target === node &&
        assignment !== undefined &&
        t.isBinaryExpression(assignment) &&
        assignment.left === parent &&
        assignment.operatorToken.kind >= t.SyntaxKind.FirstAssignment &&
        assignment.operatorToken.kind <= t.SyntaxKind.LastAssignment;
    }
    if (named) this.declaredNames.add(node.text);
  }
}

/** A set of names asked only whether it holds one. */
export interface NameSet {
  has(name: string): boolean;
}

export class NameFacts {
  /** Records the whole-program lookups by name (see dependencies.ts) while the index classifies. */
  recorder = new Recorder();

  /**
   * The union of the files' facts, `files` in program order. Each fact's own description:
   * - `declaredNames`: every name a function of the program's own code can be reached by: the
   *   names of its declarations, import and export specifiers, and assignment targets
   *   (`exports.x = …`). A callee whose name is not here cannot resolve to program code, so the
   *   checker is not asked (`default` and `export=` always can).
   * - syntactic name facts for finding the uses of a value without asking the checker about every
   *   identifier: `rebindings`, name -> the names it is re-bound as (`const db = deps.pool`,
   *   `import { pool as db }`, `export { pool as db }`); `moduleBindingNames`, the names a default
   *   import, `import x = require()` or a JavaScript `require()` binds (they alias whatever the
   *   module exports, under any name); `namesByAnnotation`, declarations by their type
   *   annotation's name (`private prisma: PrismaService`); `namesByInitializerCall`, variables by
   *   the last name of the call that initialises them (`const User = mongoose.model(...)`).
   * - `assignmentsByName`: assignments (`x = …`, `this.x = …`) by the name assigned, in program order.
   * - `processHolders`: the names of parameters, fields and variables that may hold the process
   *   handed in (see `mayHoldProcess`), in the program, the JavaScript it loads and its
   *   declaration files; undefined once a computed name makes any name possible.
   */
  private constructor(
    private readonly files: readonly FileNameFacts[],
    private readonly declaredNames: CountedNames,
    private readonly rebindings: SetsByName,
    private readonly moduleBindingNames: ReadonlySet<string>,
    private readonly namesByAnnotation: SetsByName,
    private readonly namesByInitializerCall: SetsByName,
    private readonly assignmentsByName: ListsByName<ts.BinaryExpression>,
    private readonly processHolders: CountedNames | undefined,
  ) {}

  /**
   * The union of the files' facts, `files` in program order: `previous`'s (the previous version
   * of the program) with the files that changed patched, when the files are the same but for a few.
   */
  static of(files: readonly FileNameFacts[], previous?: NameFacts): NameFacts {
    const changes = previous && changedFiles(previous.files, files);
    if (!previous || !changes) {
      return new NameFacts(
        files,
        CountedNames.of(files.map((file) => file.declaredNames)),
        SetsByName.of(files.map((file) => file.rebindings)),
        unionOf(files.map((file) => file.moduleBindingNames)),
        SetsByName.of(files.map((file) => file.namesByAnnotation)),
        SetsByName.of(files.map((file) => file.namesByInitializerCall)),
        ListsByName.of(files.map((file) => file.assignmentsByName)),
        processHoldersOf(files),
      );
    }
    if (!changes.length) return previous.withFiles(files);
    const of = <F>(fact: (file: FileNameFacts) => F): FileChange<F>[] =>
      changes.map(({ pos, before, after }) => ({ pos, before: fact(before), after: fact(after) }));
    const holders = changes.every((change) => change.before.processHolders && change.after.processHolders);
    return new NameFacts(
      files,
      previous.declaredNames.patched(of((file) => file.declaredNames)),
      previous.rebindings.patched(of((file) => file.rebindings)),
      changes.every((change) => sameNames(change.before.moduleBindingNames, change.after.moduleBindingNames))
        ? previous.moduleBindingNames
        : unionOf(files.map((file) => file.moduleBindingNames)),
      previous.namesByAnnotation.patched(of((file) => file.namesByAnnotation)),
      previous.namesByInitializerCall.patched(of((file) => file.namesByInitializerCall)),
      previous.assignmentsByName.patched(of((file) => file.assignmentsByName)),
      holders && previous.processHolders
        ? previous.processHolders.patched(of((file) => file.processHolders!))
        : processHoldersOf(files),
    );
  }

  private withFiles(files: readonly FileNameFacts[]): NameFacts {
    return new NameFacts(
      files,
      this.declaredNames,
      this.rebindings,
      this.moduleBindingNames,
      this.namesByAnnotation,
      this.namesByInitializerCall,
      this.assignmentsByName,
      this.processHolders,
    );
  }

  /** See `processHolders`: the names `ModuleBinding.knowProcessHolderNames` is told. */
  processHolderNames(): NameSet | undefined {
    return this.processHolders;
  }

  /** The assignments to a name, `x = …` or `o.x = …`, in program order. */
  assignmentsTo(name: string): readonly ts.BinaryExpression[] {
    this.recorder.key('assign', name);
    return this.assignmentsByName.get(name);
  }

  /** Whether a callee written as `name` can denote a function of the program (see `declaredNames`). */
  mayNameProgramFunction(name: string): boolean {
    const may = name === 'default' || name === 'export=' || this.declaredNames.has(name);
    // A name no file declares: a file that declares it later can change the answer.
    if (!may) this.recorder.key('decl', name);
    return may;
  }

  /**
   * Whether `namesThatCanDenote([name])` holds one of `targets`, without building that set (it
   * starts with every name a module binding binds): asked per base class name when an edit
   * changes what a file's classes extend.
   */
  canDenoteAnyOf(name: string, targets: ReadonlySet<string>): boolean {
    for (const target of targets) if (this.moduleBindingNames.has(target)) return true;
    const seen = new Set<string>();
    const queue: string[] = [];
    const push = (alias: string): void => {
      if (this.moduleBindingNames.has(alias) || seen.has(alias)) return;
      seen.add(alias);
      queue.push(alias);
    };
    push(name);
    while (queue.length) {
      const next = queue.pop()!;
      if (targets.has(next)) return true;
      for (const alias of this.rebindings.get(next) ?? []) push(alias);
    }
    return false;
  }

  /**
   * The identifier texts that can denote a value known by `names` (and, with `annotatedWith`,
   * declarations annotated with those type names, and variables initialised by calls to
   * `initializedBy`), through re-bindings; a superset, never missing one. An identifier whose text
   * is not in it cannot resolve to such a value, so its symbol need not be asked.
   */
  namesThatCanDenote(
    names: Iterable<string>,
    options: { annotatedWith?: Iterable<string>; initializedBy?: Iterable<string> } = {},
  ): Set<string> {
    const result = new Set<string>(this.moduleBindingNames);
    const queue: string[] = [];
    const push = (name: string): void => {
      if (!result.has(name)) {
        result.add(name);
        queue.push(name);
      }
    };
    for (const name of names) push(name);
    for (const callee of options.initializedBy ?? [])
      for (const name of this.namesByInitializerCall.get(callee) ?? []) push(name);
    // Type names re-bound by imports (`import { PrismaService as Db }`) annotate under those names too.
    const typeNames = new Set<string>(options.annotatedWith ?? []);
    const typeQueue = [...typeNames];
    while (typeQueue.length) {
      for (const alias of this.rebindings.get(typeQueue.pop()!) ?? []) {
        if (!typeNames.has(alias)) {
          typeNames.add(alias);
          typeQueue.push(alias);
        }
      }
    }
    for (const typeName of typeNames) for (const name of this.namesByAnnotation.get(typeName) ?? []) push(name);
    while (queue.length) for (const alias of this.rebindings.get(queue.pop()!) ?? []) push(alias);
    return result;
  }
}

/** The union of sets of names, in order. */
function unionOf(sets: readonly ReadonlySet<string>[]): Set<string> {
  const union = new Set<string>();
  for (const set of sets) for (const name of set) union.add(name);
  return union;
}

/** The files' process holders, undefined when one file's are (a computed name: any name may be one). */
function processHoldersOf(files: readonly FileNameFacts[]): CountedNames | undefined {
  const holders: ReadonlySet<string>[] = [];
  for (const file of files) {
    if (!file.processHolders) return undefined;
    holders.push(file.processHolders);
  }
  return CountedNames.of(holders);
}
