// A module's default export loaded through a table of dynamic imports: outline's
// `const services = { web: () => import('./web'), worker: () => import('./worker') }`, then
// `const { default: init } = await services[name]()` and `init(app, server)` in the start. The calls
// of the loaded function are the calls of every default export the table can load: startup.ts
// asks them to tell a function only the start calls.
import type * as ts from 'typescript';
import { factKey, type ProgramIndex } from './program-index.js';
import { referencesWithin, skipOuterExpressions, type TS } from './ts-utils.js';
import { aliasTarget } from './type-questions.js';

/**
 * The calls of `fn`, an export of its module, made through dynamic imports of that module:
 * `init(app, server)` where `const { default: init } = await services[name]()` and `services` is a
 * `const` object of thunks `() => import('./web')`, and `start(id)` in
 * `import('./main').then(({ start }) => start(id))`. Empty when no import loads the module so.
 * Undefined when such a table, or the loaded function, is also used some other way, or when the
 * module is also loaded some way not followed here, since its callers are then unknown. `skip`
 * leaves out files (test support).
 */
export function dynamicImportSites(
  index: ProgramIndex,
  fn: ts.Node,
  skip: (file: ts.SourceFile) => boolean,
): ts.Node[] | undefined {
  const t = index.ts;
  const exported = exportedName(index, fn);
  if (exported === undefined) return [];
  const module = fn.getSourceFile();
  const sites: ts.Node[] = [];
  let unknown = false;
  for (const load of dynamicImportsOf(index, module)) {
    if (skip(load.getSourceFile())) continue;
    const continuation = continuationOf(t, load);
    if (continuation) {
      const found = bindingCalls(index, continuation.parameters[0]!.name, exported, continuation);
      if (!found) return undefined;
      sites.push(...found);
      continue;
    }
    const thunk = load.parent;
    // `web: () => import('./web')` in `const services = { … }` (`as const` allowed).
    const property = t.isArrowFunction(thunk) && thunk.body === load && !thunk.parameters.length && thunk.parent;
    let literal: ts.Node | undefined =
      property && t.isPropertyAssignment(property) && t.isObjectLiteralExpression(property.parent)
        ? property.parent
        : undefined;
    while (literal && (t.isAsExpression(literal.parent) || t.isParenthesizedExpression(literal.parent)))
      literal = literal.parent;
    const declaration = literal?.parent;
    const list = declaration?.parent;
    if (
      !property ||
      !t.isPropertyAssignment(property) ||
      !declaration ||
      !t.isVariableDeclaration(declaration) ||
      !t.isIdentifier(declaration.name) ||
      !list ||
      !t.isVariableDeclarationList(list) ||
      !(list.flags & t.NodeFlags.Const)
    ) {
      unknown = true;
      continue;
    }
    const key = t.isIdentifier(property.name) || t.isStringLiteral(property.name) ? property.name.text : undefined;
    const found = tableCalls(index, declaration, key, exported, skip);
    if (!found) return undefined;
    sites.push(...found);
  }
  // A load not followed here may call the function anywhere: only a module loaded no other way gains calls.
  if (unknown) return sites.length > 0 ? undefined : [];
  return sites;
}

/** `(({ start }) => …)` in `import('./main').then(…)`: the continuation, when it destructures the module. */
function continuationOf(t: TS, load: ts.CallExpression): (ts.ArrowFunction | ts.FunctionExpression) | undefined {
  let e: ts.Node = load;
  while (t.isParenthesizedExpression(e.parent)) e = e.parent;
  const access = e.parent;
  if (!t.isPropertyAccessExpression(access) || access.name.text !== 'then') return undefined;
  const call = access.parent;
  if (!t.isCallExpression(call) || call.expression !== access) return undefined;
  const handler = call.arguments[0];
  if (!handler || (!t.isArrowFunction(handler) && !t.isFunctionExpression(handler))) return undefined;
  const parameter = handler.parameters[0];
  return parameter && t.isObjectBindingPattern(parameter.name) ? handler : undefined;
}

/** The name `fn` is exported under: `default` for `export default function`, or its own name. */
function exportedName(index: ProgramIndex, fn: ts.Node): string | undefined {
  const t = index.ts;
  if (t.isExportAssignment(fn.parent) && !fn.parent.isExportEquals) return 'default';
  if (!t.isFunctionDeclaration(fn)) return undefined;
  const modifiers = fn.modifiers ?? [];
  if (!modifiers.some((m) => m.kind === t.SyntaxKind.ExportKeyword)) return undefined;
  if (modifiers.some((m) => m.kind === t.SyntaxKind.DefaultKeyword)) return 'default';
  return fn.name?.text;
}

const dynamicImports = factKey<Map<ts.SourceFile, ts.CallExpression[]>>('dynamic imports by module loaded');

/** The `import('./x')` calls of the program that load `module` (all of them found in one pass). */
function dynamicImportsOf(index: ProgramIndex, module: ts.SourceFile): readonly ts.CallExpression[] {
  const t = index.ts;
  const byModule = index.fact(dynamicImports, () => {
    const map = new Map<ts.SourceFile, ts.CallExpression[]>();
    for (const file of index.sourceFiles) {
      if (file.isDeclarationFile || !file.text.includes('import(')) continue;
      const visit = (node: ts.Node): void => {
        if (t.isCallExpression(node) && node.expression.kind === t.SyntaxKind.ImportKeyword && node.arguments[0]) {
          const loaded = index.binding.moduleFileOf(node.arguments[0]);
          if (loaded) map.set(loaded, [...(map.get(loaded) ?? []), node]);
        }
        t.forEachChild(node, visit);
      };
      visit(file);
    }
    return map;
  });
  return byModule.get(module) ?? [];
}

/**
 * The calls of what the table's thunks load, through every use of the table: `services[name]()` or
 * `services.web()` awaited into `const { default: init }`, then `init(…)`. `Object.keys(services)`,
 * `name in services`, types (`keyof typeof services`) and exporting it are no calls. Undefined for
 * any other use.
 */
function tableCalls(
  index: ProgramIndex,
  declaration: ts.VariableDeclaration,
  key: string | undefined,
  exported: string,
  skip: (file: ts.SourceFile) => boolean,
): ts.Node[] | undefined {
  const t = index.ts;
  const symbolOf = (node: ts.Node): ts.Symbol | undefined => {
    const symbol = index.types.getSymbolAtLocation(node);
    return symbol && aliasTarget(index.types, symbol, t.SymbolFlags.Alias);
  };
  const table = symbolOf(declaration.name);
  if (!table) return undefined;
  const home = declaration.getSourceFile();
  const files = [home, ...index.importersOf(home)];
  const sites: ts.Node[] = [];
  let other = false;
  for (const file of files) {
    if (skip(file)) continue;
    const visit = (node: ts.Node): void => {
      if (other) return;
      if (t.isTypeQueryNode(node) || t.isImportDeclaration(node) || t.isExportAssignment(node)) return;
      if (t.isIdentifier(node) && node !== declaration.name && symbolOf(node) === table) {
        const found = useOfTable(index, node, key, exported);
        if (found === undefined) other = true;
        else sites.push(...found);
        return;
      }
      t.forEachChild(node, visit);
    };
    visit(file);
    if (other) return undefined;
  }
  return sites;
}

function useOfTable(
  index: ProgramIndex,
  ref: ts.Identifier,
  key: string | undefined,
  exported: string,
): ts.Node[] | undefined {
  const t = index.ts;
  let use: ts.Node = ref;
  while (t.isParenthesizedExpression(use.parent)) use = use.parent;
  const parent = use.parent;
  // `Object.keys(services)`, `name in services`: the keys, not the modules.
  if (t.isCallExpression(parent) && parent.arguments.includes(use as ts.Expression)) {
    const callee = parent.expression;
    return t.isPropertyAccessExpression(callee) && callee.getText() === 'Object.keys' ? [] : undefined;
  }
  if (t.isBinaryExpression(parent) && parent.right === use && parent.operatorToken.kind === t.SyntaxKind.InKeyword)
    return [];
  // `services[name]` or `services.web`, called at once.
  let access: ts.Node;
  if (t.isElementAccessExpression(parent) && parent.expression === use) access = parent;
  else if (t.isPropertyAccessExpression(parent) && parent.expression === use) {
    if (key !== undefined && parent.name.text !== key) return [];
    access = parent;
  } else return undefined;
  const call = access.parent;
  if (!t.isCallExpression(call) || call.expression !== access) return undefined;
  // `const { default: init } = await services[name]()`.
  const awaited = call.parent;
  if (!t.isAwaitExpression(awaited)) return undefined;
  const holder = awaited.parent;
  if (!t.isVariableDeclaration(holder) || !t.isObjectBindingPattern(holder.name)) return undefined;
  return bindingCalls(index, holder.name, exported, holder.getSourceFile());
}

/**
 * The calls of the local that `pattern` binds to the module's export `exported`
 * (`{ default: init }`, `{ start }`), within `scope`; undefined when the local is used otherwise.
 */
function bindingCalls(
  index: ProgramIndex,
  pattern: ts.BindingName,
  exported: string,
  scope: ts.Node,
): ts.Node[] | undefined {
  const t = index.ts;
  if (!t.isObjectBindingPattern(pattern)) return undefined;
  const sites: ts.Node[] = [];
  for (const element of pattern.elements) {
    if (element.dotDotDotToken) return undefined;
    const name = element.propertyName ?? element.name;
    if (!t.isIdentifier(name) || name.text !== exported) continue;
    if (!t.isIdentifier(element.name)) return undefined;
    const references = referencesWithin(t, element.name, scope, (n) => index.types.getSymbolAtLocation(n));
    if (references === undefined) return undefined;
    for (const n of references) {
      let e: ts.Node = n;
      while (t.isParenthesizedExpression(e.parent)) e = e.parent;
      if (!t.isCallExpression(e.parent) || skipOuterExpressions(t, e.parent.expression) !== n) return undefined;
      sites.push(e.parent);
    }
  }
  return sites;
}
