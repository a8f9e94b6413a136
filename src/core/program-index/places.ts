// Where the code of a file runs, and so whether SIGTERM can reach it: the server process that a
// deploy stops, a browser bundle, a test run, a script that runs once and ends. Every rule asks
// this one question (through the index) before it reports: a hazard needs a Node process that
// receives the signal.
//
// A file's place comes from what the file itself shows (its path, its directives, React), and
// otherwise from the entry modules that load it: a module only browser pages, tests or scripts
// load runs only there. Within a file shared with the server (a Next.js page with
// `getServerSideProps`), the React components, hooks and JSX event handlers still run in the
// browser only; `isBrowserCode` answers for a node.
import type * as ts from 'typescript';
import { isTestFile } from '../files.js';
import { enclosingFunction, isFunctionLikeWithBody, type TS } from '../ts-utils.js';

/**
 * - `server`: loaded by an entry of the long-running service (it creates a server or a resource,
 *   registers request handlers or handles shutdown);
 * - `browser`: a browser bundle's code (client trees, `'use client'`, React UI modules);
 * - `test`: test files and the modules only tests load;
 * - `script`: dev launchers, benchmarks, seeds, migrations and one-shot scripts, and the modules
 *   only they load;
 * - `unknown`: none of these (a library, a worker the index does not recognise).
 */
export type Place = 'server' | 'browser' | 'test' | 'script' | 'unknown';

/** The places SIGTERM never reaches. */
export type OutOfService = Extract<Place, 'browser' | 'test' | 'script'>;

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
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'middleware',
  'loader',
  'action',
]);
/** Next.js files that run on the server: API routes, route handlers, middleware, instrumentation. */
const nextServerFile = /(^|\/)pages\/api\/|(^|\/)(route|middleware|instrumentation)\.[cm]?[jt]sx?$/;
const hookName = /^use[A-Z0-9]/;

export class Places {
  private readonly own = new Map<ts.SourceFile, OutOfService | undefined>();
  private readonly places = new Map<ts.SourceFile, OutOfService | undefined>();
  private readonly reactFiles = new Map<ts.SourceFile, boolean>();
  private readonly browserFunctions = new Map<ts.Node, boolean>();
  private readonly root: string;
  private readonly domLib: boolean;

  constructor(
    private readonly ts: TS,
    program: ts.Program,
    private readonly inputs: PlaceInputs,
  ) {
    const options = program.getCompilerOptions();
    const config = typeof options.configFilePath === 'string' ? options.configFilePath : undefined;
    this.root = normalize(config ? config.replace(/[\\/][^\\/]*$/, '') : program.getCurrentDirectory());
    // No `lib` means the default one, which has the DOM.
    this.domLib = !options.lib || options.lib.some((lib) => /dom/i.test(lib));
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
    return found.has('script') ? 'script' : 'browser';
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
      if (this.isReactFile(file) && !this.exportsServerCode(file) && this.rendersOrUsesHooks(file)) return 'browser';
    }
    // Tooling is an entry of its own (run by hand or by a package script); what it imports from
    // the service stays the service's.
    if (this.inputs.importersOf(file).length === 0) {
      if (folders.some((f) => devFolder.test(f)) || seedFile.test(base)) return 'script';
      if (folders.some((f) => scriptFolder.test(f)) && !this.inputs.serves(file)) return 'script';
    }
    return undefined;
  }

  /**
   * Whether `node` is browser code: its file runs in a browser, or it lies in a React component,
   * a hook, a callback given to a hook (`useEffect(() => …)`) or a JSX event handler, which only
   * a browser runs even in a page the server also renders.
   */
  isBrowserCode(node: ts.Node): boolean {
    const file = node.getSourceFile();
    if (this.outOfService(file) === 'browser') return true;
    if (!this.isReactFile(file)) return false;
    for (let fn = enclosingFunction(this.ts, node); fn; fn = enclosingFunction(this.ts, fn)) {
      if (this.isBrowserFunction(fn)) return true;
    }
    return false;
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
