// What an answer consulted: the files whose declarations, modules and nodes the binding, the kind
// inference and the function resolver looked at, and the names they looked up across the whole
// program (`callsNamed`, `assignmentsTo`, the names no program function has). The index records
// them per file while it classifies the file's calls and classes, so that on the next program
// version (an editor's edit) a file's records are kept when nothing they consulted changed
// (kept-classification.ts). Cached answers carry what they consulted, and a question answered
// from a cache adds it to the asker's: a file whose callee another file resolved first still
// depends on the declarations that answer visited.
import type * as ts from 'typescript';
import type { TS } from '../ts-utils.js';
import type { CountedQuestions } from '../type-questions.js';

/** What one computation consulted. Sets are made on first use: most answers consult one or two files. */
export class Consulted {
  files: Set<ts.SourceFile> | undefined;
  /** Whole-program lookups by name: `decl:`, `holder:`, `assign:`, `call:`, `heritage:` and the name. */
  keys: Set<string> | undefined;
  /** The functions whose plugin receiver (`app.register(fn)`) was looked up. */
  plugins: Set<ts.Node> | undefined;

  addFile(file: ts.SourceFile): void {
    (this.files ??= new Set()).add(file);
  }

  addAll(other: Consulted): void {
    if (other.files) for (const file of other.files) this.addFile(file);
    if (other.keys) for (const key of other.keys) (this.keys ??= new Set()).add(key);
    if (other.plugins) for (const fn of other.plugins) (this.plugins ??= new Set()).add(fn);
  }
}

/**
 * The stack of computations under way. Enabled only while the index classifies (rules' questions
 * afterwards need no record); disabled, every method is a no-op.
 */
export class Recorder {
  enabled = false;
  private readonly stack: (Consulted | null)[] = [];
  private readonly filesOfSymbol = new Map<ts.Symbol, readonly ts.SourceFile[]>();

  /** Starts a computation whose consultations are kept (returned) and added to the enclosing one's at `end`. */
  begin(): Consulted | undefined {
    if (!this.enabled) return undefined;
    const consulted = new Consulted();
    this.stack.push(consulted);
    return consulted;
  }

  end(consulted: Consulted | undefined): void {
    if (!consulted) return;
    // An `isolated` frame, or a cleared stack, can sit between: pop to this computation.
    while (this.stack.length && this.stack.pop() !== consulted);
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.addAll(consulted);
  }

  /** Runs `compute` recording nothing into the enclosing computation (a whole-program fact built once). */
  isolated<T>(compute: () => T): T {
    if (!this.enabled) return compute();
    this.stack.push(null);
    try {
      return compute();
    } finally {
      this.stack.pop();
    }
  }

  /** A cached answer is used: what it consulted counts for the asker. */
  replay(consulted: Consulted | undefined): void {
    const top = this.top();
    if (top && consulted) top.addAll(consulted);
  }

  file(file: ts.SourceFile): void {
    this.top()?.addFile(file);
  }

  key(kind: 'decl' | 'holder' | 'assign' | 'call' | 'heritage', name: string): void {
    const top = this.top();
    if (top) (top.keys ??= new Set()).add(`${kind}:${name}`);
  }

  plugin(fn: ts.Node): void {
    const top = this.top();
    if (top) (top.plugins ??= new Set()).add(fn);
  }

  /** The files of a symbol's declarations. */
  symbol(symbol: ts.Symbol | undefined): void {
    const top = this.top();
    if (!top || !symbol) return;
    let files = this.filesOfSymbol.get(symbol);
    if (!files) {
      files = [...new Set((symbol.declarations ?? []).map((d) => d.getSourceFile()))];
      this.filesOfSymbol.set(symbol, files);
    }
    for (const file of files) top.addFile(file);
  }

  private top(): Consulted | null | undefined {
    return this.enabled ? this.stack[this.stack.length - 1] : undefined;
  }
}

/**
 * The questions the index's own modules ask, recording what each answer came from: the file of
 * the node asked about, the files declaring the symbol answered, every step of an alias chain and
 * the module each step names (so a re-export that now points elsewhere is seen), a module's
 * `export *` targets.
 */
export function recordingQuestions(t: TS, questions: CountedQuestions, recorder: Recorder): CountedQuestions {
  const starTargets = new Map<ts.Symbol, readonly ts.Symbol[]>();
  const moduleOfSpecifier = (specifier: ts.Expression | undefined): void => {
    if (specifier && t.isStringLiteralLike(specifier)) recorder.symbol(questions.getSymbolAtLocation(specifier));
  };
  /** The module an alias declaration names: `import { a } from './b'` names b. */
  const aliasModule = (declaration: ts.Declaration): void => {
    if (t.isImportSpecifier(declaration)) moduleOfSpecifier(declaration.parent.parent.parent.moduleSpecifier);
    else if (t.isImportClause(declaration)) moduleOfSpecifier(declaration.parent.moduleSpecifier);
    else if (t.isNamespaceImport(declaration)) moduleOfSpecifier(declaration.parent.parent.moduleSpecifier);
    else if (t.isExportSpecifier(declaration)) moduleOfSpecifier(declaration.parent.parent.moduleSpecifier);
    else if (t.isNamespaceExport(declaration)) moduleOfSpecifier(declaration.parent.moduleSpecifier);
    else if (t.isImportEqualsDeclaration(declaration) && t.isExternalModuleReference(declaration.moduleReference))
      moduleOfSpecifier(declaration.moduleReference.expression);
  };
  const aliasChain = (symbol: ts.Symbol): void => {
    const seen = new Set<ts.Symbol>();
    for (let s: ts.Symbol | undefined = symbol; s && !seen.has(s) && seen.size < 16;) {
      seen.add(s);
      recorder.symbol(s);
      if (!(s.flags & t.SymbolFlags.Alias)) break;
      for (const declaration of s.declarations ?? []) aliasModule(declaration);
      s = questions.getImmediateAliasedSymbol(s);
    }
  };
  /** The modules `export * from` brings into a module, at any depth. */
  const stars = (moduleSymbol: ts.Symbol): readonly ts.Symbol[] => {
    let found = starTargets.get(moduleSymbol);
    if (found) return found;
    const list: ts.Symbol[] = [];
    starTargets.set(moduleSymbol, list);
    for (const declaration of moduleSymbol.declarations ?? []) {
      if (!t.isSourceFile(declaration)) continue;
      for (const statement of declaration.statements) {
        if (!t.isExportDeclaration(statement) || statement.exportClause || !statement.moduleSpecifier) continue;
        const target = questions.getSymbolAtLocation(statement.moduleSpecifier);
        if (target && !list.includes(target)) list.push(target, ...stars(target).filter((s) => !list.includes(s)));
      }
    }
    return list;
  };
  const recording = Object.create(questions) as CountedQuestions;
  Object.assign(recording, {
    getSymbolAtLocation(node: ts.Node): ts.Symbol | undefined {
      const symbol = questions.getSymbolAtLocation(node);
      if (recorder.enabled) {
        recorder.file(node.getSourceFile());
        recorder.symbol(symbol);
      }
      return symbol;
    },
    getAliasedSymbol(symbol: ts.Symbol): ts.Symbol {
      if (recorder.enabled) aliasChain(symbol);
      const target = questions.getAliasedSymbol(symbol);
      recorder.symbol(target);
      return target;
    },
    getShorthandAssignmentValueSymbol(node: ts.Node): ts.Symbol | undefined {
      const symbol = questions.getShorthandAssignmentValueSymbol(node);
      if (recorder.enabled) {
        recorder.file(node.getSourceFile());
        recorder.symbol(symbol);
      }
      return symbol;
    },
    getExportSpecifierLocalTargetSymbol(node: ts.ExportSpecifier | ts.Identifier): ts.Symbol | undefined {
      const symbol = questions.getExportSpecifierLocalTargetSymbol(node);
      if (recorder.enabled) {
        recorder.file(node.getSourceFile());
        if (symbol) aliasChain(symbol);
      }
      return symbol;
    },
    getExportsOfModule(moduleSymbol: ts.Symbol): ts.Symbol[] {
      const exports = questions.getExportsOfModule(moduleSymbol);
      if (recorder.enabled) {
        recorder.symbol(moduleSymbol);
        for (const star of stars(moduleSymbol)) recorder.symbol(star);
        for (const exported of exports) recorder.symbol(exported);
      }
      return exports;
    },
    getTypeAtLocation(node: ts.Node): ts.Type {
      if (recorder.enabled) recorder.file(node.getSourceFile());
      return questions.getTypeAtLocation(node);
    },
  });
  return recording;
}
