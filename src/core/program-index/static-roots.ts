// The folders the service serves as static files: `express.static(dir)`, `serveStatic(dir)`,
// `koa-static`, `sirv`, `@fastify/static`'s `root`, `serve-handler`'s `public`, Hono's
// `serveStatic({ root })`, NestJS's `ServeStaticModule.forRoot({ rootPath })` and
// `app.useStaticAssets(dir)`. A module in such a folder is what a browser downloads and runs, even
// when the server imports it too, for the data it exports (a tool's name, a message schema): no
// SIGTERM reaches the code it runs there (places.ts).
//
// The folder is evaluated from the argument as far as its syntax and its constants say:
// `path.join(__dirname, '..', 'public')`, `path.resolve(dirname(fileURLToPath(import.meta.url)),
// '../client')`, a `const` that holds one (in this module or imported), and a parameter of a
// function of the module, through the arguments its calls in the module pass. A path relative to
// the working directory, or built on a base that cannot be evaluated (`config.root`), is the
// nearest folder of that name at or above the calling module that holds program files.
import { posix } from 'node:path';
import type * as ts from 'typescript';
import { sameRef, type ApiRef } from '../catalogue.js';
import type { ModuleBinding } from '../binding.js';
import { aliasTarget, type TypeQuestions } from '../type-questions.js';
import { isTestFile } from '../files.js';
import { skipOuterExpressions, type TS } from '../ts-utils.js';
import type { AnyCall } from './call-index.js';

/** Where a static server takes its folder: an argument, or an option of the object at an argument. */
interface StaticApi {
  ref: ApiRef;
  argument: number;
  option?: string;
}

const staticApis: readonly StaticApi[] = [
  { ref: { module: 'express', path: ['static'] }, argument: 0 },
  { ref: { module: 'serve-static', path: [] }, argument: 0 },
  { ref: { module: 'koa-static', path: [] }, argument: 0 },
  { ref: { module: 'sirv', path: [] }, argument: 0 },
  { ref: { module: 'serve-handler', path: [] }, argument: 2, option: 'public' },
  { ref: { module: '@hono/node-server/serve-static', path: ['serveStatic'] }, argument: 0, option: 'root' },
  { ref: { module: '@nestjs/serve-static', path: ['ServeStaticModule', 'forRoot'] }, argument: 0, option: 'rootPath' },
];

/** Fastify plugins registered with the folder as their `root` option: `app.register(fastifyStatic, { root })`. */
const staticPlugins: readonly ApiRef[] = [
  { module: '@fastify/static', path: [] },
  { module: 'fastify-static', path: [] },
];

/** The modules whose default or named export serves a folder: their local names are looked up as callees. */
const staticModules = new Set([
  ...staticApis.map((a) => a.ref.module).filter((m) => m !== 'express'),
  ...staticPlugins.map((p) => p.module),
]);

/** Method names that serve a folder whatever their receiver is called (`express.static`, Nest's `useStaticAssets`). */
const staticMethodNames = ['static', 'useStaticAssets', 'forRoot'];

/** A path as far as it can be evaluated: a file or folder, or the literal tail of one under a base we cannot name. */
type PathValue = { exact: string } | { tail: readonly string[] };

export interface StaticRootInputs {
  binding: ModuleBinding;
  types: TypeQuestions;
  callsNamed(name: string): readonly AnyCall[];
  callsWithArgumentNamed(name: string): readonly AnyCall[];
  /** The program's own files (their folders decide where a tail is). */
  files: readonly ts.SourceFile[];
  /** `staticCalleeNames(files)`, when the caller has it already. */
  names?: ReadonlySet<string>;
}

const MAX_DEPTH = 6;

/** A static root: the folder, and the module that serves it. */
export interface StaticRoot {
  folder: string;
  servedBy: ts.SourceFile;
}

/** The folders the program's files serve as static files (see the head of this module). */
export function staticRoots(t: TS, inputs: StaticRootInputs): StaticRoot[] {
  const folders = new Set(inputs.files.map((f) => posix.dirname(normalize(f.fileName))));
  const holdsProgramFiles = (folder: string): boolean =>
    [...folders].some((f) => f === folder || f.startsWith(`${folder}/`));
  const found = new Map<string, StaticRoot>();
  for (const { call, root } of staticCalls(t, inputs)) {
    const from = call.getSourceFile();
    // A test serving its fixtures says nothing about where the service's modules run.
    if (isTestFile(from.fileName)) continue;
    for (const value of evaluate(t, inputs, root, 0)) {
      const folder = locate(value, from, holdsProgramFiles);
      if (folder === undefined) continue;
      // A server that serves its own folder (or one above it) serves no browser's folder alone.
      if (isUnder(normalize(from.fileName), folder)) continue;
      if (!found.has(folder)) found.set(folder, { folder, servedBy: from });
    }
  }
  return [...found.values()];
}

/** The callee names `staticRoots` looks calls up by: the method names, and the names the files give the static servers they import. */
export function staticCalleeNames(t: TS, files: readonly ts.SourceFile[]): Set<string> {
  const names = new Set(staticMethodNames);
  for (const file of files) for (const name of localNamesOfStaticModules(t, file)) names.add(name);
  return names;
}

/**
 * Whether one version of a file can bear on the static roots found under `names` (kept-places.ts
 * asks it of an edited file, before and after): it imports a static server, or one of its calls
 * has such a callee or argument name. Besides these, the roots depend only on what their
 * evaluation consulted (recorded by the index).
 */
export function bearsOnStaticRoots(
  t: TS,
  file: ts.SourceFile,
  calls: readonly AnyCall[],
  names: ReadonlySet<string>,
): boolean {
  if (localNamesOfStaticModules(t, file).length > 0) return true;
  const named = (e: ts.Expression): boolean => {
    const x = skipOuterExpressions(t, e);
    const name = t.isIdentifier(x) ? x.text : t.isPropertyAccessExpression(x) ? x.name.text : undefined;
    return name !== undefined && names.has(name);
  };
  return calls.some((call) => named(call.expression) || (call.arguments ?? []).some(named));
}

/** The calls that serve a folder, each with the expression that names it. */
function staticCalls(t: TS, inputs: StaticRootInputs): { call: AnyCall; root: ts.Expression }[] {
  const found: { call: AnyCall; root: ts.Expression }[] = [];
  const seen = new Set<AnyCall>();
  const names = inputs.names ?? staticCalleeNames(t, inputs.files);
  const rootOf = (call: AnyCall, api: { argument: number; option?: string }): ts.Expression | undefined => {
    const arg = call.arguments?.[api.argument];
    if (!arg || api.option === undefined) return arg;
    const options = skipOuterExpressions(t, arg);
    if (!t.isObjectLiteralExpression(options)) return undefined;
    for (const p of options.properties) {
      if (t.isPropertyAssignment(p) && t.isIdentifier(p.name) && p.name.text === api.option) return p.initializer;
      if (t.isShorthandPropertyAssignment(p) && p.name.text === api.option) return p.name;
    }
    return undefined;
  };
  for (const name of names) {
    for (const call of inputs.callsNamed(name)) {
      if (seen.has(call)) continue;
      const callee = skipOuterExpressions(t, call.expression);
      const ref = inputs.binding.resolve(call.expression);
      const api = ref ? staticApis.find((a) => sameRef(a.ref, ref)) : undefined;
      // `app.useStaticAssets(dir)`: a method of NestJS's Express application, whatever the app is called.
      const nest = !api && t.isPropertyAccessExpression(callee) && callee.name.text === 'useStaticAssets';
      const root = api ? rootOf(call, api) : nest ? call.arguments?.[0] : undefined;
      if (root) {
        seen.add(call);
        found.push({ call, root });
      }
    }
    for (const call of inputs.callsWithArgumentNamed(name)) {
      if (seen.has(call) || !t.isCallExpression(call) || call.arguments.length < 2) continue;
      const plugin = inputs.binding.resolve(call.arguments[0]!);
      if (!plugin || !staticPlugins.some((p) => sameRef(p, plugin))) continue;
      const root = rootOf(call, { argument: 1, option: 'root' });
      if (root) {
        seen.add(call);
        found.push({ call, root });
      }
    }
  }
  return found;
}

/** Each file's `localNamesOfStaticModules`, a fact of its syntax alone (asked of every file on every program version). */
const localNamesOfFile = new WeakMap<ts.SourceFile, readonly string[]>();

/** The names a module gives the static servers it imports (`import serveStatic from 'serve-static'`, `const sirv = require('sirv')`). */
function localNamesOfStaticModules(t: TS, file: ts.SourceFile): readonly string[] {
  let names = localNamesOfFile.get(file);
  if (!names) {
    names = computeLocalNamesOfStaticModules(t, file);
    localNamesOfFile.set(file, names);
  }
  return names;
}

function computeLocalNamesOfStaticModules(t: TS, file: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const statement of file.statements) {
    if (t.isImportDeclaration(statement) && t.isStringLiteral(statement.moduleSpecifier)) {
      if (!staticModules.has(statement.moduleSpecifier.text)) continue;
      const clause = statement.importClause;
      if (clause?.name) names.push(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && t.isNamedImports(bindings)) for (const e of bindings.elements) names.push(e.name.text);
      if (bindings && t.isNamespaceImport(bindings)) names.push(bindings.name.text);
    } else if (t.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer && skipOuterExpressions(t, d.initializer);
        if (
          t.isIdentifier(d.name) &&
          init &&
          t.isCallExpression(init) &&
          t.isIdentifier(init.expression) &&
          init.expression.text === 'require' &&
          init.arguments[0] &&
          t.isStringLiteralLike(init.arguments[0]) &&
          staticModules.has(init.arguments[0].text)
        )
          names.push(d.name.text);
      }
    }
  }
  return names;
}

/** The values a path expression can have, as far as its syntax and its constants say. */
function evaluate(t: TS, inputs: StaticRootInputs, expression: ts.Expression, depth: number): PathValue[] {
  if (depth > MAX_DEPTH) return [];
  const e = skipOuterExpressions(t, expression);
  const file = e.getSourceFile();
  const fileName = normalize(file.fileName);
  if (t.isStringLiteralLike(e)) return [literal(e.text)];
  if (t.isIdentifier(e)) {
    if (e.text === '__dirname') return [{ exact: posix.dirname(fileName) }];
    if (e.text === '__filename') return [{ exact: fileName }];
    return valuesOfName(t, inputs, e, depth);
  }
  if (t.isPropertyAccessExpression(e) && isImportMeta(t, e.expression)) {
    const name = e.name.text;
    if (name === 'dirname') return [{ exact: posix.dirname(fileName) }];
    if (name === 'filename' || name === 'url') return [{ exact: fileName }];
    return [];
  }
  if (t.isConditionalExpression(e))
    return [...evaluate(t, inputs, e.whenTrue, depth + 1), ...evaluate(t, inputs, e.whenFalse, depth + 1)];
  if (t.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === t.SyntaxKind.BarBarToken || op === t.SyntaxKind.QuestionQuestionToken)
      return [...evaluate(t, inputs, e.left, depth + 1), ...evaluate(t, inputs, e.right, depth + 1)];
    // `__dirname + '/public'`
    if (op === t.SyntaxKind.PlusToken && t.isStringLiteralLike(skipOuterExpressions(t, e.right)))
      return evaluate(t, inputs, e.left, depth + 1).flatMap((base) =>
        appendText(base, (skipOuterExpressions(t, e.right) as ts.StringLiteralLike).text),
      );
    return [];
  }
  // `${__dirname}/public`
  if (t.isTemplateExpression(e) && e.head.text === '' && e.templateSpans.length === 1) {
    const span = e.templateSpans[0]!;
    return evaluate(t, inputs, span.expression, depth + 1).flatMap((base) => appendText(base, span.literal.text));
  }
  // `new URL('../public', import.meta.url)`
  if (t.isNewExpression(e) && t.isIdentifier(e.expression) && e.expression.text === 'URL') return urlValues(t, e);
  // `new URL('../public', import.meta.url).pathname`
  if (t.isPropertyAccessExpression(e) && e.name.text === 'pathname')
    return evaluate(t, inputs, e.expression, depth + 1);
  if (!t.isCallExpression(e)) return [];
  const ref = inputs.binding.resolve(e.expression);
  if (!ref) return [];
  const args = e.arguments.map((a) => skipOuterExpressions(t, a));
  if (ref.module === 'global' && ref.path.join('.') === 'process.cwd') return [{ tail: [] }];
  if (ref.module === 'url' && ref.path.join('.') === 'fileURLToPath' && args[0])
    return evaluate(t, inputs, args[0], depth + 1);
  if (ref.module !== 'path' || ref.path.length !== 1) return [];
  const method = ref.path[0];
  if (method === 'dirname' && args[0])
    return evaluate(t, inputs, args[0], depth + 1).flatMap((v): PathValue[] =>
      'exact' in v ? [{ exact: posix.dirname(v.exact) }] : v.tail.length > 0 ? [{ tail: v.tail.slice(0, -1) }] : [],
    );
  if ((method === 'join' || method === 'resolve') && args.length > 0) {
    const [base, ...rest] = args;
    if (!rest.every((a) => t.isStringLiteralLike(a))) return [];
    const texts = rest.map((a) => (a as ts.StringLiteralLike).text);
    return evaluate(t, inputs, base!, depth + 1).flatMap((v) => {
      let value: PathValue = v;
      for (const text of texts) {
        // `path.resolve(base, '/srv/public')`: an absolute segment starts over.
        const next: PathValue[] =
          method === 'resolve' && text.startsWith('/')
            ? [{ exact: posix.normalize(text) }]
            : appendText(value, `/${text}`);
        if (next.length === 0) return [];
        value = next[0]!;
      }
      return [value];
    });
  }
  return [];
}

function isImportMeta(t: TS, e: ts.Expression): boolean {
  return t.isMetaProperty(e) && e.keywordToken === t.SyntaxKind.ImportKeyword && e.name.text === 'meta';
}

/** `new URL(relative, import.meta.url)`: the path relative to the module's folder. */
function urlValues(t: TS, e: ts.NewExpression): PathValue[] {
  const [relative, base] = (e.arguments ?? []).map((a) => skipOuterExpressions(t, a));
  if (!relative || !base || !t.isStringLiteralLike(relative)) return [];
  if (!(t.isPropertyAccessExpression(base) && isImportMeta(t, base.expression) && base.name.text === 'url')) return [];
  const folder = posix.dirname(normalize(e.getSourceFile().fileName));
  return [{ exact: posix.normalize(posix.join(folder, relative.text)) }];
}

/** A literal path: absolute, or relative to the working directory (a base we cannot name). */
function literal(text: string): PathValue {
  if (text.startsWith('/')) return { exact: posix.normalize(text) };
  return { tail: segmentsOf(text) };
}

/** `base` + `text` (`'/public'`, `'../client'`). */
function appendText(base: PathValue, text: string): PathValue[] {
  if ('exact' in base) return [{ exact: posix.normalize(`${base.exact}/${text}`).replace(/\/$/, '') }];
  const segments = [...base.tail];
  for (const segment of text.split('/')) {
    if (segment === '' || segment === '.') continue;
    // Above a base we cannot name: only what follows is known.
    if (segment === '..') {
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return [{ tail: segments }];
}

function segmentsOf(text: string): string[] {
  return appendText({ tail: [] }, text).flatMap((v) => ('tail' in v ? [...v.tail] : []));
}

/** The values a name holds: a constant's initializer, or the arguments a parameter is given by the module's calls. */
function valuesOfName(t: TS, inputs: StaticRootInputs, name: ts.Identifier, depth: number): PathValue[] {
  let symbol = inputs.types.getSymbolAtLocation(name);
  if (symbol) {
    const target = aliasTarget(inputs.types, symbol, t.SymbolFlags.Alias);
    if (!target) return [];
    symbol = target;
  }
  const declaration = symbol?.valueDeclaration;
  if (!declaration) return [];
  if (t.isVariableDeclaration(declaration) && declaration.initializer)
    return evaluate(t, inputs, declaration.initializer, depth + 1);
  if (!t.isParameter(declaration) || !t.isIdentifier(declaration.name)) return [];
  const fn = declaration.parent;
  const index = fn.parameters.indexOf(declaration);
  const fnName =
    t.isFunctionDeclaration(fn) && fn.name
      ? fn.name.text
      : (t.isArrowFunction(fn) || t.isFunctionExpression(fn)) &&
          t.isVariableDeclaration(fn.parent) &&
          t.isIdentifier(fn.parent.name)
        ? fn.parent.name.text
        : undefined;
  if (fnName === undefined || index < 0 || declaration.dotDotDotToken) return [];
  const values: PathValue[] = [];
  for (const call of inputs.callsNamed(fnName)) {
    if (call.getSourceFile() !== fn.getSourceFile()) continue;
    const callee = skipOuterExpressions(t, call.expression);
    const arg = call.arguments?.[index];
    if (!t.isIdentifier(callee) || !arg) continue;
    values.push(...evaluate(t, inputs, arg, depth + 1));
  }
  return values;
}

/**
 * The folder a value names: itself when exact; for a tail under a base we cannot name, the nearest
 * folder at or above the calling module where the tail holds program files (a folder without them
 * decides no file's place).
 */
function locate(
  value: PathValue,
  from: ts.SourceFile,
  holdsProgramFiles: (folder: string) => boolean,
): string | undefined {
  if ('exact' in value) return value.exact;
  if (value.tail.length === 0) return undefined;
  for (let dir = posix.dirname(normalize(from.fileName)); ; dir = posix.dirname(dir)) {
    const candidate = posix.join(dir, ...value.tail);
    if (holdsProgramFiles(candidate)) return candidate;
    if (dir === posix.dirname(dir)) return undefined;
  }
}

function normalize(path: string): string {
  return path.replace(/\\/g, '/').replace(/\/$/, '');
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}
