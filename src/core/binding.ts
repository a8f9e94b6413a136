// Module binding: resolves an expression to the module export it names, whatever the import form.
// `createServer`, `http.createServer`, `require('node:http').createServer` and
// `const { createServer: cs } = require('http')` all resolve to { module: 'http', path: ['createServer'] }.
// Resolution is syntactic plus symbol lookup (name binding, no type checking), so it works when the
// project's node_modules are missing; re-exports inside the program are followed file to file.
import { posix } from 'node:path';
import type * as ts from 'typescript';
import type { ApiRef } from './catalogue.js';
import { isInDeclarationFileOrNodeModules, skipOuterExpressions, staticPropertyName, type TS } from './ts-utils.js';
import { type TypeQuestions } from './type-questions.js';
import { Recorder, type Consulted } from './program-index/dependencies.js';

const MAX_DEPTH = 12;

/** EventEmitter methods that return the emitter, so that calls chain. */
const chainingListenerMethods = new Set([
  'on',
  'once',
  'addListener',
  'prependListener',
  'prependOnceListener',
  'off',
  'removeListener',
  'removeAllListeners',
  'setMaxListeners',
]);

/** `node:http` -> `http`; `node:test` stays `test`; `process` and `globalThis` live under `global`. */
export function normalizeModuleName(name: string): string {
  return name.startsWith('node:') ? name.slice(5) : name;
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/');
}

/** Packages whose code is generated into another folder of node_modules, by that folder. */
const generatedPackages: ReadonlyMap<string, string> = new Map([
  // `prisma generate` writes the client `@prisma/client` re-exports into node_modules/.prisma/client.
  ['.prisma/client', '@prisma/client'],
]);

/**
 * The package a relative path into node_modules names (`../../node_modules/.prisma/client/index.d`
 * in a workspace package's shim): the folder after the last `node_modules/`, scoped or not.
 */
function packageInNodeModules(specifier: string): string | undefined {
  const at = specifier.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const rest = specifier.slice(at + 'node_modules/'.length);
  for (const [folder, name] of generatedPackages) if (rest === folder || rest.startsWith(`${folder}/`)) return name;
  const parts = rest.split('/');
  return (parts[0]?.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]) || undefined;
}

/** A module namespace after CJS/ESM interop: a leading `default` names module.exports itself. */
function makeRef(module: string, path: readonly string[]): ApiRef {
  const normalized = normalizeModuleName(module);
  let rest = path[0] === 'default' ? path.slice(1) : path;
  // `import process from 'node:process'` and `import { exit } from 'process'` are the global.
  if (normalized === 'process') return { module: 'global', path: ['process', ...rest] };
  if (normalized === 'global') {
    while (rest[0] === 'globalThis' || rest[0] === 'global') rest = rest.slice(1);
  }
  return { module: normalized, path: rest };
}

/**
 * Whether a declaration has the shape of one `handedInProcess` reads as the process: a parameter,
 * field or variable annotated `typeof process` or `NodeJS.Process`, or a parameter or field with
 * a default and no annotation. Syntax only: the index collects the names such declarations have.
 */
export function mayHoldProcess(
  t: TS,
  declaration: ts.Node,
): declaration is ts.ParameterDeclaration | ts.PropertyDeclaration | ts.VariableDeclaration {
  if (!t.isParameter(declaration) && !t.isPropertyDeclaration(declaration) && !t.isVariableDeclaration(declaration))
    return false;
  const annotation = declaration.type;
  if (!annotation) return !t.isVariableDeclaration(declaration) && declaration.initializer !== undefined;
  if (t.isTypeQueryNode(annotation))
    return t.isIdentifier(annotation.exprName) && annotation.exprName.text === 'process';
  return (
    t.isTypeReferenceNode(annotation) &&
    t.isQualifiedName(annotation.typeName) &&
    t.isIdentifier(annotation.typeName.left) &&
    annotation.typeName.left.text === 'NodeJS' &&
    annotation.typeName.right.text === 'Process'
  );
}

export class ModuleBinding {
  private readonly symbolCache = new Map<ts.Symbol, ApiRef | null>();
  /** What each cached answer consulted (see dependencies.ts), while the recorder is enabled. */
  private readonly symbolConsulted = new Map<ts.Symbol, Consulted>();
  private readonly resolvedConsulted = new Map<ts.Node, Consulted>();
  private readonly moduleConsulted = new Map<ts.SourceFile, Map<string, Consulted>>();
  /** The names of the declarations `mayHoldProcess` accepts; undefined: not known, any name may be one. */
  private processHolderNames: { has(name: string): boolean } | undefined;

  constructor(
    private readonly t: TS,
    private readonly types: TypeQuestions,
    private readonly recorder: Recorder = new Recorder(),
  ) {}

  /** Answers for whole expressions, by node: every rule asks about the same callees. */
  private readonly resolved = new Map<ts.Node, ApiRef | null>();
  private readonly modulesByFile = new Map<ts.SourceFile, Map<string, ts.SourceFile | null>>();

  /**
   * Tells the binding every name a declaration `mayHoldProcess` accepts has, in the program and
   * in the declaration files it loads (undefined: a computed name, any name may be one). A
   * member of another name is no process handed in, and its symbol is not asked.
   */
  knowProcessHolderNames(names: { has(name: string): boolean } | undefined): void {
    this.processHolderNames = names;
  }

  private mayNameProcessHolder(name: string): boolean {
    const may = this.processHolderNames === undefined || this.processHolderNames.has(name);
    if (!may) this.recorder.key('holder', name);
    return may;
  }

  /** What module export `expression` denotes, or undefined when it is local or unknown. */
  resolve(expression: ts.Expression, depth = 0): ApiRef | undefined {
    if (depth > 0) return this.resolveUncached(expression, depth);
    const cached = this.resolved.get(expression);
    if (cached !== undefined) {
      this.recorder.replay(this.resolvedConsulted.get(expression));
      return cached ?? undefined;
    }
    const consulted = this.recorder.begin();
    const ref = this.resolveUncached(expression, 0);
    this.recorder.end(consulted);
    if (consulted) this.resolvedConsulted.set(expression, consulted);
    this.resolved.set(
      expression,
      ref ? (Object.freeze({ ...ref, path: Object.freeze([...ref.path]) }) as ApiRef) : null,
    );
    return this.resolved.get(expression) ?? undefined;
  }

  private resolveUncached(expression: ts.Expression, depth: number): ApiRef | undefined {
    const t = this.t;
    if (depth > MAX_DEPTH) return undefined;
    const node = skipOuterExpressions(t, expression);
    if (t.isIdentifier(node)) return this.resolveIdentifier(node, depth);
    if (t.isPropertyAccessExpression(node) || t.isElementAccessExpression(node)) {
      const name = t.isPropertyAccessExpression(node) ? node.name.text : staticPropertyName(t, node.argumentExpression);
      if (name === undefined) return undefined;
      const base = this.resolve(node.expression, depth + 1);
      if (base) return makeRef(base.module, [...base.path, name]);
      // `import * as lib from './lib'; lib.createServer`: a member of a module of this program.
      const local = this.localModuleOf(node.expression);
      if (local) return this.resolveExportOfFile(local, name, [], depth + 1);
      // `this.process`: a field that holds the process handed in. Asking a member's symbol types
      // its object (`res` in `res.json`), so only a name some declaration of that shape has is asked.
      const member =
        t.isPropertyAccessExpression(node) && this.mayNameProcessHolder(node.name.text)
          ? this.types.getSymbolAtLocation(node.name)
          : undefined;
      const declaration = member?.declarations?.[0];
      return declaration ? this.handedInProcess(declaration, depth) : undefined;
    }
    if (t.isCallExpression(node)) {
      const specifier = this.requireSpecifier(node);
      if (specifier !== undefined) return this.resolveModuleMember(specifier, [], node, depth);
      // `process.on('SIGINT', f).on('SIGTERM', g)`: an emitter's listener methods return the emitter.
      const callee = skipOuterExpressions(t, node.expression);
      if (t.isPropertyAccessExpression(callee) && chainingListenerMethods.has(callee.name.text)) {
        const emitter = this.resolve(callee.expression, depth + 1);
        if (emitter && emitter.module === 'global' && emitter.path.length === 1 && emitter.path[0] === 'process')
          return emitter;
      }
      return undefined;
    }
    if (t.isAwaitExpression(node) && t.isCallExpression(skipOuterExpressions(t, node.expression))) {
      // `await import('m')`
      const call = skipOuterExpressions(t, node.expression) as ts.CallExpression;
      if (
        call.expression.kind === t.SyntaxKind.ImportKeyword &&
        call.arguments[0] &&
        t.isStringLiteralLike(call.arguments[0])
      ) {
        return this.resolveModuleMember(call.arguments[0].text, [], call, depth);
      }
    }
    return undefined;
  }

  /** The program's own module an expression names as a namespace (`import * as lib from './lib'`). */
  private localModuleOf(expression: ts.Expression): ts.SourceFile | undefined {
    const t = this.t;
    const e = skipOuterExpressions(t, expression);
    if (t.isCallExpression(e)) {
      const specifier = this.requireSpecifier(e);
      return specifier !== undefined ? this.ownModule(e.getSourceFile(), specifier) : undefined;
    }
    if (!t.isIdentifier(e)) return undefined;
    const declaration = this.types.getSymbolAtLocation(e)?.declarations?.[0];
    if (!declaration) return undefined;
    if (t.isNamespaceImport(declaration)) {
      const specifier = moduleSpecifierText(t, declaration.parent.parent.moduleSpecifier);
      return specifier !== undefined ? this.ownModule(e.getSourceFile(), specifier) : undefined;
    }
    if (t.isVariableDeclaration(declaration) && declaration.initializer)
      return this.localModuleOf(declaration.initializer);
    return undefined;
  }

  /** `require('m')` (the global require, not a local function named require). */
  requireSpecifier(call: ts.CallExpression): string | undefined {
    const t = this.t;
    const callee = skipOuterExpressions(t, call.expression);
    if (!t.isIdentifier(callee) || callee.text !== 'require') return undefined;
    const arg = call.arguments[0];
    if (!arg || !t.isStringLiteralLike(arg)) return undefined;
    const symbol = this.types.getSymbolAtLocation(callee);
    if (symbol?.declarations?.some((d) => !d.getSourceFile().isDeclarationFile)) return undefined;
    return arg.text;
  }

  /**
   * The file a `require` of a path built from the module's folder loads: `require(path.resolve(__dirname,
   * 'visit.js'))`, `require(path.join(__dirname, 'jobs', 'mail'))` (kutt loads its visit processor so).
   * The checker sees no module there; the absolute path, without resolving extensions, is returned.
   * Also a relative `require('./PadManager')` in a TypeScript file: TypeScript follows such a call
   * only in JavaScript (in a `.ts` file `const m = require('./m')` is `any`), so the call's module
   * is unknown to the checker there though the program holds it.
   */
  requiredPath(call: ts.CallExpression): string | undefined {
    const t = this.t;
    const callee = skipOuterExpressions(t, call.expression);
    if (!t.isIdentifier(callee) || callee.text !== 'require' || call.arguments.length !== 1) return undefined;
    const symbol = this.types.getSymbolAtLocation(callee);
    if (symbol?.declarations?.some((d) => !d.getSourceFile().isDeclarationFile)) return undefined;
    const arg = skipOuterExpressions(t, call.arguments[0]!);
    const file = call.getSourceFile();
    if (t.isStringLiteralLike(arg)) {
      if (file.flags & t.NodeFlags.JavaScriptFile || !/^\.\.?\//.test(arg.text)) return undefined;
      return posix.join(file.fileName.replace(/[\\/][^\\/]*$/, ''), arg.text);
    }
    if (!t.isCallExpression(arg) || arg.arguments.length < 2) return undefined;
    const ref = this.resolve(arg.expression);
    if (ref?.module !== 'path' || ref.path.length !== 1 || (ref.path[0] !== 'resolve' && ref.path[0] !== 'join'))
      return undefined;
    const [folder, ...segments] = arg.arguments.map((a) => skipOuterExpressions(t, a));
    if (!folder || !t.isIdentifier(folder) || folder.text !== '__dirname') return undefined;
    if (!segments.every((segment) => t.isStringLiteralLike(segment))) return undefined;
    const base = call.getSourceFile().fileName.replace(/[\\/][^\\/]*$/, '');
    return posix.join(base, ...segments.map((segment) => (segment as ts.StringLiteralLike).text));
  }

  private resolveIdentifier(id: ts.Identifier, depth: number): ApiRef | undefined {
    const symbol = this.types.getSymbolAtLocation(id);
    if (!symbol) {
      // No declaration anywhere (no @types/node, say): a free name is a global.
      return makeRef('global', [id.text]);
    }
    return this.resolveSymbol(symbol, id.text, depth);
  }

  resolveSymbol(symbol: ts.Symbol, name: string, depth = 0): ApiRef | undefined {
    const cached = this.symbolCache.get(symbol);
    if (cached !== undefined) {
      this.recorder.replay(this.symbolConsulted.get(symbol));
      return cached ?? undefined;
    }
    this.symbolCache.set(symbol, null); // cycle guard
    const consulted = this.recorder.begin();
    this.recorder.symbol(symbol);
    const result = this.resolveSymbolUncached(symbol, name, depth);
    this.recorder.end(consulted);
    if (consulted) this.symbolConsulted.set(symbol, consulted);
    this.symbolCache.set(symbol, result ?? null);
    return result;
  }

  private resolveSymbolUncached(symbol: ts.Symbol, name: string, depth: number): ApiRef | undefined {
    const t = this.t;
    const declarations = symbol.declarations ?? [];
    if (declarations.length === 0) return makeRef('global', [name]);
    // JavaScript: `process.title = 'x'` makes the checker "declare" `process` at that identifier;
    // it is still the global.
    if (
      declarations.every(
        (d) => t.isIdentifier(d) && t.isPropertyAccessExpression(d.parent) && d.parent.expression === d,
      )
    ) {
      return makeRef('global', [name]);
    }
    const declaration = declarations[0]!;
    if (declarations.every((d) => d.getSourceFile().isDeclarationFile)) {
      // A name declared only in lib or @types files, in global scope, is a global.
      if (declarations.some((d) => isGlobalDeclaration(t, d))) return makeRef('global', [name]);
      // An export of `declare module 'net' { … }` reached through `export * from 'node:net'`.
      const ambient = ambientModuleOf(t, declaration);
      if (
        ambient &&
        (t.isFunctionDeclaration(declaration) ||
          t.isClassDeclaration(declaration) ||
          t.isVariableDeclaration(declaration))
      ) {
        return makeRef(ambient, [symbol.name]);
      }
    }
    if (t.isImportSpecifier(declaration)) {
      const specifier = importSpecifierModule(t, declaration);
      const imported = (declaration.propertyName ?? declaration.name).text;
      return specifier === undefined ? undefined : this.resolveModuleMember(specifier, [imported], declaration, depth);
    }
    if (t.isImportClause(declaration)) {
      const specifier = moduleSpecifierText(t, declaration.parent.moduleSpecifier);
      return specifier === undefined ? undefined : this.resolveModuleMember(specifier, ['default'], declaration, depth);
    }
    if (t.isNamespaceImport(declaration)) {
      const specifier = moduleSpecifierText(t, declaration.parent.parent.moduleSpecifier);
      return specifier === undefined ? undefined : this.resolveModuleMember(specifier, [], declaration, depth);
    }
    if (t.isImportEqualsDeclaration(declaration)) {
      const ref = declaration.moduleReference;
      if (t.isExternalModuleReference(ref) && t.isStringLiteralLike(ref.expression)) {
        return this.resolveModuleMember(ref.expression.text, [], declaration, depth);
      }
      return undefined;
    }
    if (t.isVariableDeclaration(declaration) && declaration.initializer && t.isIdentifier(declaration.name)) {
      // An alias (`const h = require('http')`, `const cs = http.createServer`). A reassigned `let`
      // alias is rare enough not to chase.
      return this.resolve(declaration.initializer, depth + 1);
    }
    if (t.isBindingElement(declaration)) {
      return this.resolveBindingElement(declaration, depth);
    }
    if (t.isExportSpecifier(declaration)) {
      return this.resolveExportSpecifier(declaration, depth);
    }
    return this.handedInProcess(declaration, depth);
  }

  /**
   * The process handed in rather than named: a parameter, field or variable declared
   * `NodeJS.Process` or `typeof process` (`constructor(private readonly process: NodeJS.Process)`,
   * then `this.process.on('SIGTERM', …)`), or defaulting to it (`proc = process`). Read from the
   * declaration, so it holds without the node types installed.
   */
  private handedInProcess(declaration: ts.Declaration, depth: number): ApiRef | undefined {
    const t = this.t;
    if (!mayHoldProcess(t, declaration)) return undefined;
    const annotation = declaration.type;
    if (annotation && t.isTypeQueryNode(annotation) && t.isIdentifier(annotation.exprName)) {
      return annotation.exprName.text === 'process' ? makeRef('global', ['process']) : undefined;
    }
    if (
      annotation &&
      t.isTypeReferenceNode(annotation) &&
      t.isQualifiedName(annotation.typeName) &&
      t.isIdentifier(annotation.typeName.left) &&
      annotation.typeName.left.text === 'NodeJS' &&
      annotation.typeName.right.text === 'Process'
    ) {
      return makeRef('global', ['process']);
    }
    if (!annotation && !t.isVariableDeclaration(declaration) && declaration.initializer) {
      const ref = this.resolve(declaration.initializer, depth + 1);
      return ref && ref.module === 'global' && ref.path.length === 1 && ref.path[0] === 'process' ? ref : undefined;
    }
    return undefined;
  }

  /** `const { a: { b } } = require('m')` -> m.a.b */
  private resolveBindingElement(element: ts.BindingElement, depth: number): ApiRef | undefined {
    const t = this.t;
    const path: string[] = [];
    let current: ts.Node = element;
    while (t.isBindingElement(current)) {
      const pattern: ts.BindingPattern = current.parent;
      if (!t.isObjectBindingPattern(pattern)) return undefined;
      const key = current.propertyName
        ? staticPropertyName(t, current.propertyName)
        : staticPropertyName(t, current.name);
      if (key === undefined) return undefined;
      path.unshift(key);
      current = pattern.parent;
    }
    if (!t.isVariableDeclaration(current) || !current.initializer) return undefined;
    const base = this.resolve(current.initializer, depth + 1);
    return base ? makeRef(base.module, [...base.path, ...path]) : undefined;
  }

  private resolveExportSpecifier(specifier: ts.ExportSpecifier, depth: number): ApiRef | undefined {
    const t = this.t;
    const exportDeclaration = specifier.parent.parent;
    const localName = (specifier.propertyName ?? specifier.name).text;
    if (exportDeclaration.moduleSpecifier) {
      const module = moduleSpecifierText(t, exportDeclaration.moduleSpecifier);
      return module === undefined ? undefined : this.resolveModuleMember(module, [localName], specifier, depth);
    }
    const local = this.types.getExportSpecifierLocalTargetSymbol(specifier);
    return local ? this.resolveSymbol(local, localName, depth + 1) : undefined;
  }

  /**
   * A member of a module by specifier. External modules resolve to themselves; a module of this
   * program is followed to the declaration of its export (re-exports and `export *` included).
   */
  private resolveModuleMember(
    specifier: string,
    path: readonly string[],
    from: ts.Node,
    depth: number,
  ): ApiRef | undefined {
    const target = this.ownModule(from.getSourceFile(), specifier);
    if (!target)
      return (
        this.throughDeclarationShim(from, specifier, path) ??
        (isRelative(specifier) ? undefined : makeRef(specifier, path))
      );
    if (path.length === 0) return undefined; // a local module namespace: members resolve one by one
    return this.resolveExportOfFile(target, path[0]!, path.slice(1), depth + 1);
  }

  /**
   * A declaration file of the program's own, outside node_modules (a workspace package's hand-written
   * `client/index.d.ts`: `export * from '@prisma/client'`), that re-exports an external module with
   * `export *` and declares nothing of that name itself: the member is the external module's.
   */
  private throughDeclarationShim(from: ts.Node, specifier: string, path: readonly string[]): ApiRef | undefined {
    const t = this.t;
    if (path.length === 0) return undefined;
    const shim = this.programModule(from.getSourceFile(), specifier);
    if (!shim || !shim.isDeclarationFile || /[\\/]node_modules[\\/]/.test(shim.fileName)) return undefined;
    // Declared in the shim itself: the shim's own API, not the external module's.
    const moduleSymbol = this.types.getSymbolAtLocation(shim) ?? (shim as unknown as { symbol?: ts.Symbol }).symbol;
    const exported = moduleSymbol && this.types.getExportsOfModule(moduleSymbol).find((s) => s.name === path[0]);
    if (exported?.declarations?.some((d) => d.getSourceFile() === shim)) return undefined;
    for (const statement of shim.statements) {
      if (t.isExportDeclaration(statement) && !statement.exportClause && statement.moduleSpecifier) {
        const module = moduleSpecifierText(t, statement.moduleSpecifier);
        const external = module && (isRelative(module) ? packageInNodeModules(module) : module);
        if (external) return makeRef(external, path);
      }
    }
    return undefined;
  }

  /**
   * The module of this program a specifier names: relative, or through a path alias
   * (`@server/utils` mapped by tsconfig `paths`); never a package's declaration files.
   */
  ownModule(fromFile: ts.SourceFile, specifier: string): ts.SourceFile | undefined {
    const target = this.programModule(fromFile, specifier);
    return target && !isInDeclarationFileOrNodeModules(target) ? target : undefined;
  }

  private programModule(fromFile: ts.SourceFile, specifier: string): ts.SourceFile | undefined {
    let byFile = this.modulesByFile.get(fromFile);
    if (!byFile) {
      byFile = new Map();
      this.modulesByFile.set(fromFile, byFile);
    }
    let found = byFile.get(specifier);
    if (found === undefined) {
      const consulted = this.recorder.begin();
      this.recorder.file(fromFile);
      found = this.findProgramModule(fromFile, specifier) ?? null;
      this.recorder.end(consulted);
      if (consulted) {
        const byFileConsulted = this.moduleConsulted.get(fromFile) ?? new Map<string, Consulted>();
        this.moduleConsulted.set(fromFile, byFileConsulted.set(specifier, consulted));
      }
      byFile.set(specifier, found);
    } else if (this.recorder.enabled) this.recorder.replay(this.moduleConsulted.get(fromFile)?.get(specifier));
    return found ?? undefined;
  }

  private findProgramModule(fromFile: ts.SourceFile, specifier: string): ts.SourceFile | undefined {
    const t = this.t;
    for (const statement of fromFile.statements) {
      // The checker resolves module specifiers it has seen in this file's imports.
      const moduleSpecifier =
        t.isImportDeclaration(statement) || t.isExportDeclaration(statement) ? statement.moduleSpecifier : undefined;
      if (moduleSpecifier && t.isStringLiteralLike(moduleSpecifier) && moduleSpecifier.text === specifier) {
        return this.moduleFileOf(moduleSpecifier);
      }
    }
    // require('./x') in JavaScript: find the literal among the file's requires.
    let found: ts.SourceFile | undefined;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (t.isCallExpression(node) && this.requireSpecifier(node) === specifier) {
        found = this.moduleFileOf(node.arguments[0]!);
        return;
      }
      t.forEachChild(node, visit);
    };
    visit(fromFile);
    return found;
  }

  moduleFileOf(moduleSpecifier: ts.Expression): ts.SourceFile | undefined {
    const symbol = this.types.getSymbolAtLocation(moduleSpecifier);
    const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
    return declaration && this.t.isSourceFile(declaration) ? declaration : undefined;
  }

  private resolveExportOfFile(
    file: ts.SourceFile,
    name: string,
    rest: readonly string[],
    depth: number,
  ): ApiRef | undefined {
    const t = this.t;
    if (depth > MAX_DEPTH) return undefined;
    const moduleSymbol = this.types.getSymbolAtLocation(file) ?? (file as unknown as { symbol?: ts.Symbol }).symbol;
    if (moduleSymbol) {
      const exported = this.types.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
      if (exported) {
        const base = this.resolveSymbol(exported, name, depth);
        if (base) return rest.length ? makeRef(base.module, [...base.path, ...rest]) : base;
      }
    }
    // `export * from 'external'` that the checker cannot see into (types missing).
    for (const statement of file.statements) {
      if (t.isExportDeclaration(statement) && !statement.exportClause && statement.moduleSpecifier) {
        const module = moduleSpecifierText(t, statement.moduleSpecifier);
        if (module && !isRelative(module)) return makeRef(module, [name, ...rest]);
      }
    }
    return undefined;
  }
}

function moduleSpecifierText(t: TS, node: ts.Expression | undefined): string | undefined {
  return node && t.isStringLiteralLike(node) ? node.text : undefined;
}

function importSpecifierModule(t: TS, specifier: ts.ImportSpecifier): string | undefined {
  return moduleSpecifierText(t, specifier.parent.parent.parent.moduleSpecifier);
}

/** The name of the `declare module 'x' { }` block a declaration sits directly in. */
function ambientModuleOf(t: TS, node: ts.Node): string | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (t.isModuleDeclaration(p)) return t.isStringLiteral(p.name) ? p.name.text : undefined;
  }
  return undefined;
}

/** Declared in global scope: a script .d.ts (lib.dom.d.ts), or a `declare global { }` block. */
function isGlobalDeclaration(t: TS, node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (t.isModuleDeclaration(p)) {
      if (t.isIdentifier(p.name) && p.name.text === 'global') return true;
      if (t.isStringLiteral(p.name)) return false;
    }
  }
  return !t.isExternalModule(node.getSourceFile());
}
