// What a deployed entry can run in a library package of its monorepo: the package's top-level
// statements that the names the deployed code imports from it reach by reference (a class, a
// function, a variable and everything they name in turn), and every statement that runs when a
// module loads. A class the service never names (atproto's bsky `Redis`, a dev-only data-plane
// server re-exported from the same index) is code of the package no deployed process runs.
//
// The unit is a top-level statement: a reached class counts whole (every method), since a
// method's callers may hold the instance anywhere. Anything we cannot follow (a dynamic import or
// require in the package, an entry module we cannot map to its source, JavaScript) keeps the
// whole package reached.
import type * as ts from 'typescript';
import type { TS } from '../ts-utils.js';
import type { PackageUses } from './deployed.js';
import type { TypeQuestions } from '../type-questions.js';

export interface LibraryPackage {
  /** The package's files in this program (its nested packages' aside). */
  files: readonly ts.SourceFile[];
  /** The source file of the module a subpath (`.`, `./telemetry`) names, when the program has it. */
  moduleOf(subpath: string): ts.SourceFile | undefined;
  uses: PackageUses;
}

/** The top-level statements of the package a deployed entry can run, or undefined when that cannot be told. */
export function reachedStatements(t: TS, checker: TypeQuestions, pkg: LibraryPackage): Set<ts.Statement> | undefined {
  if (pkg.uses === 'all') return undefined;
  // A JSON module (`import pkg from '../package.json'`) holds no code.
  const files = pkg.files.filter((f) => !/\.json$/.test(f.fileName));
  const own = new Set(files);
  if (files.some((f) => !/\.[cm]?tsx?$/.test(f.fileName) || loadsDynamically(t, f))) return undefined;
  const reached = new Set<ts.Statement>();
  const queue: ts.Node[] = [];
  const reach = (statement: ts.Statement | undefined): void => {
    if (!statement || reached.has(statement)) return;
    reached.add(statement);
    queue.push(statement);
  };
  const reachDeclarations = (symbol: ts.Symbol | undefined): void => {
    if (!symbol) return;
    const target = symbol.flags & t.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    for (const declaration of target.declarations ?? []) {
      const file = declaration.getSourceFile();
      if (!own.has(file)) continue;
      // A namespace import's module: all of it.
      if (t.isSourceFile(declaration)) file.statements.forEach(reach);
      else reach(topLevelStatement(t, declaration));
    }
  };

  // The names the deployed code imports, through each subpath's module.
  for (const [subpath, names] of pkg.uses) {
    if (/\.json$/.test(subpath)) continue;
    const module = pkg.moduleOf(subpath);
    if (!module) return undefined;
    const symbol = checker.getSymbolAtLocation(module);
    if (!symbol) return undefined;
    const exports = checker.getExportsOfModule(symbol);
    for (const exported of exports) {
      if (names === 'all' || names.has(exported.name)) reachDeclarations(exported);
    }
    if (names === 'all') module.statements.forEach(reach);
  }
  // What runs when a module loads.
  for (const file of files) for (const statement of file.statements) if (runsOnLoad(t, statement)) reach(statement);

  while (queue.length) {
    const visit = (node: ts.Node): void => {
      if (t.isTypeNode(node) || t.isInterfaceDeclaration(node) || t.isTypeAliasDeclaration(node)) return;
      if (t.isImportDeclaration(node) || t.isExportDeclaration(node)) return;
      if (t.isHeritageClause(node) && node.token === t.SyntaxKind.ImplementsKeyword) return;
      if (t.isShorthandPropertyAssignment(node)) reachDeclarations(checker.getShorthandAssignmentValueSymbol(node));
      if (t.isIdentifier(node) || t.isPrivateIdentifier(node)) reachDeclarations(checker.getSymbolAtLocation(node));
      t.forEachChild(node, visit);
    };
    visit(queue.shift()!);
  }
  return reached;
}

/** The statement of its file a node lies in. */
export function topLevelStatement(t: TS, node: ts.Node): ts.Statement | undefined {
  let current = node;
  while (current.parent && !t.isSourceFile(current.parent)) current = current.parent;
  return current.parent ? (current as ts.Statement) : undefined;
}

/** A statement whose code runs when its module loads (not a declaration that waits to be called). */
function runsOnLoad(t: TS, statement: ts.Statement): boolean {
  if (
    t.isImportDeclaration(statement) ||
    t.isExportDeclaration(statement) ||
    t.isInterfaceDeclaration(statement) ||
    t.isTypeAliasDeclaration(statement) ||
    t.isFunctionDeclaration(statement) ||
    t.isEmptyStatement(statement)
  )
    return false;
  if (t.isClassDeclaration(statement))
    return (
      (t.canHaveDecorators(statement) && (t.getDecorators(statement)?.length ?? 0) > 0) ||
      statement.members.some(
        (m) =>
          t.isClassStaticBlockDeclaration(m) ||
          (t.isPropertyDeclaration(m) &&
            m.initializer !== undefined &&
            (t.getCombinedModifierFlags(m) & t.ModifierFlags.Static) !== 0) ||
          (t.canHaveDecorators(m) && (t.getDecorators(m)?.length ?? 0) > 0),
      )
    );
  if (t.isVariableStatement(statement))
    return statement.declarationList.declarations.some((d) => {
      if (!d.initializer) return false;
      let init: ts.Expression = d.initializer;
      while (t.isParenthesizedExpression(init) || t.isAsExpression(init) || t.isSatisfiesExpression(init))
        init = init.expression;
      return !(t.isArrowFunction(init) || t.isFunctionExpression(init) || t.isLiteralExpression(init));
    });
  // Enums evaluate their initializers; expression statements, blocks, `export default <expr>`...
  return true;
}

/** `import(x)` or `require(x)` with a computed specifier: modules we cannot name are loaded. */
function loadsDynamically(t: TS, file: ts.SourceFile): boolean {
  if (!/\bimport\s*\(|\brequire\s*\(/.test(file.text)) return false;
  const visit = (node: ts.Node): boolean => {
    if (
      t.isCallExpression(node) &&
      (node.expression.kind === t.SyntaxKind.ImportKeyword ||
        (t.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      !(node.arguments[0] && t.isStringLiteralLike(node.arguments[0]))
    )
      return true;
    return t.forEachChild(node, visit) ?? false;
  };
  return visit(file);
}
