// Which packages of a monorepo a deployed process runs. The repository's deploy files (Dockerfile
// CMD, compose, Kubernetes, Procfile, PM2, systemd, Fly, Render, ECS: the deploy side's units)
// name the entry files the platform starts and stops; a workspace package runs in a process that
// gets SIGTERM only when one of those entries reaches it, through the package.json dependencies
// between workspace packages and the workspace packages their source imports (or a `--import`
// preload). A package only clients, tests or dev tooling depend on (a published client library, a
// dev environment) is no part of any deployed process.
//
// Only a repository whose deploy units all resolve is judged: when a unit that runs the
// repository's own code (an image built here, a Procfile line, a container of an image not known
// to be a database or a broker) has no entry file we can map, or no unit has one, we do not know
// what is deployed and every package stays in scope, as before. A package `start` script or `bin`
// is no deployable entry here: a dev environment has both.
import { readFileSync } from 'node:fs';
import type * as ts from 'typescript';
import { join, relative, resolve, sep } from 'node:path';
import { analyseDeploy } from '../deploy/analyse.js';
import { isThirdPartyImage } from '../deploy/images.js';
import { signalHandlers } from '../catalogue.js';
import type { Platform } from '../deploy/platforms.js';
import { isTestFile, nearestPackageJson } from '../files.js';
import { findWorkspaceRoot, listSourceFiles, workspacePackages } from '../project.js';
import type { TS } from '../ts-utils.js';
import type { ShutdownRoot } from './records.js';

export interface WorkspaceDeploys {
  /** The entry files the deploy units start. */
  entries: string[];
  /** The workspace package folders a deployed entry reaches (the entries' own among them). */
  reached: Set<string>;
  /** Every workspace package folder. */
  packages: Set<string>;
  /** The packages an entry is in: their own code is the service's, whatever it references. */
  entryPackages: Set<string>;
  /** The workspace packages by name. */
  byName: Map<string, string>;
  /** Bare specifiers the entries preload (`--import @acme/server/telemetry`). */
  preloads: string[];
  /** The workspace package folders one entry file reaches. */
  reachedFrom(entry: string): Set<string>;
}

/**
 * What the deployed code takes from a workspace package: per subpath (`.`, `./telemetry`), the
 * names it imports, or `all` (a namespace import, `export *`, `require`, a dynamic import, a
 * preload); `all` for the whole package when that cannot be read.
 */
export type PackageUses = Map<string, Set<string> | 'all'> | 'all';

interface Manifest {
  name?: unknown;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  peerDependencies?: Record<string, unknown>;
  optionalDependencies?: Record<string, unknown>;
}

/** Platforms whose units run what the repository builds. */
const ownCodePlatforms = new Set<Platform>(['docker', 'heroku', 'pm2', 'systemd', 'fly', 'render']);
/** Launchers that run the repository's own code (a unit that runs one of them and maps to no entry is unknown). */
const ownCodeLauncher = /^(node|nodejs|npm|npx|pnpm|yarn|bun|bunx|deno|tsx|ts-node|nodemon|pm2|pm2-runtime)$/;
/** Bare module specifiers in source: `from 'x'`, `import 'x'`, `import('x')`, `require('x')`. */
const specifierPattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"./][^'"]*)['"]/g;
/** Relative ones, which may reach into another workspace package's folder (`../../packages/db/src`). */
const relativePattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.\.?\/[^'"]*)['"]/g;

const cache = new Map<string, WorkspaceDeploys | undefined>();

/**
 * What the deploy files of the workspace at `root` run, or undefined when they do not say (no
 * deploy unit maps to an entry file, or one that runs the repository's code maps to none).
 * Computed once per workspace root and run.
 */
export function workspaceDeploys(root: string): WorkspaceDeploys | undefined {
  const key = resolve(root);
  if (cache.has(key)) return cache.get(key);
  const found = computeWorkspaceDeploys(key);
  cache.set(key, found);
  return found;
}

function computeWorkspaceDeploys(root: string): WorkspaceDeploys | undefined {
  const packages = new Set(workspacePackages(root));
  if (packages.size === 0) return undefined;
  let units;
  try {
    units = analyseDeploy({ cwd: root, targets: ['.'] }).units;
  } catch {
    return undefined; // deploy files we cannot read: nothing is known about what is deployed
  }
  const entries: string[] = [];
  const preloads: string[] = [];
  for (const { unit, chain } of units) {
    if (!unit.production || unit.runsToCompletion) continue;
    // A framework's server build (Nitro's `.output/server/index.mjs`) runs the package it is built
    // from: that package is the entry's, though no source file maps to the built one.
    const node = chain?.node;
    const entry = node?.entry ?? (node?.builtFrom && node.written ? resolve(node.builtFrom, node.written) : undefined);
    if (entry) {
      entries.push(entry);
      const words = node!.words;
      words.forEach((word, i) => {
        const inline = /^--(?:import|require|loader|experimental-loader)=(.+)$/.exec(word)?.[1];
        const next = /^(--import|--require|-r|--loader|--experimental-loader)$/.test(word) ? words[i + 1] : undefined;
        if (inline ?? next) preloads.push((inline ?? next)!);
      });
      continue;
    }
    const runsOwnCode =
      // Platforms that run what the repository builds: a Dockerfile here, a Procfile line, a PM2
      // app, a systemd unit, a Fly or Render service.
      ownCodePlatforms.has(unit.platform) ||
      unit.imageFile !== undefined ||
      chain?.node !== undefined ||
      (unit.launch?.argv.some((arg) => arg.split(/\s+/).some((w) => ownCodeLauncher.test(w.split('/').pop()!))) ??
        false) ||
      // A container with no command of its own runs its image's: ours unless the image is a
      // database's or a broker's. A compose service needs `image:` or `build:`; one we read with
      // neither (a YAML merge key we do not follow) builds nothing here.
      (unit.launch === undefined &&
        unit.platform !== 'compose' &&
        !(unit.image && isThirdPartyImage(unit.image.reference)));
    if (runsOwnCode) return undefined;
  }
  if (entries.length === 0) return undefined;

  const manifests = new Map<string, Manifest>();
  const byName = new Map<string, string>();
  for (const dir of [root, ...packages]) {
    const manifest = readManifest(dir);
    if (!manifest) continue;
    manifests.set(dir, manifest);
    if (typeof manifest.name === 'string' && dir !== root) byName.set(manifest.name, dir);
  }
  const packageOf = (file: string): string => {
    const json = nearestPackageJson(file.replace(/[\\/][^\\/]*$/, ''));
    const dir = json ? resolve(json, '..') : root;
    return packages.has(dir) ? dir : root;
  };
  const workspaceName = (specifier: string): string | undefined => {
    const name = packageName(specifier);
    return byName.has(name) ? name : undefined;
  };

  // The entries' own packages, and what they preload; then what those depend on and import.
  const entryPackages = new Set(entries.map(packageOf));
  const preloaded = preloads.flatMap((preload) => {
    const name = workspaceName(preload);
    return name ? [byName.get(name)!] : [];
  });
  const edges = new Map<string, string[]>();
  const edgesOf = (dir: string): string[] => {
    let found = edges.get(dir);
    if (found) return found;
    found = [];
    const manifest = manifests.get(dir);
    // A deployed app's devDependencies may be bundled into it; a library's are its test tools.
    const lists = [manifest?.dependencies, manifest?.optionalDependencies, manifest?.peerDependencies];
    if (entryPackages.has(dir)) lists.push(manifest?.devDependencies);
    for (const list of lists) for (const name of Object.keys(record(list))) found.push(byName.get(name)!);
    // An import of a workspace package the manifest does not declare (hoisting lets it resolve).
    for (const file of sourceFilesOf(dir, packages)) {
      if (isTestFile(file)) continue;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const match of text.matchAll(specifierPattern)) {
        const name = workspaceName(match[1]!);
        if (name) found.push(byName.get(name)!);
      }
      for (const match of text.matchAll(relativePattern)) {
        const into = packageAt(resolve(file, '..', match[1]!), packages);
        if (into !== undefined) found.push(into);
      }
    }
    found = found.filter((d) => d !== undefined);
    edges.set(dir, found);
    return found;
  };
  const reachFrom = (starts: readonly string[]): Set<string> => {
    const reached = new Set<string>();
    const queue: string[] = [];
    const reach = (dir: string | undefined): void => {
      if (dir === undefined || reached.has(dir)) return;
      reached.add(dir);
      queue.push(dir);
    };
    for (const dir of starts) reach(dir);
    while (queue.length) for (const next of edgesOf(queue.shift()!)) reach(next);
    return reached;
  };
  const reached = reachFrom([...entryPackages, ...preloaded]);
  const byEntry = new Map<string, Set<string>>();
  const reachedFrom = (entry: string): Set<string> => {
    let found = byEntry.get(entry);
    if (!found) byEntry.set(entry, (found = reachFrom([packageOf(entry), ...preloaded])));
    return found;
  };
  return { entries, reached, packages, entryPackages, byName, preloads, reachedFrom };
}

/** `process.on('SIGTERM', …)` and its sibling methods, as written. */
const sigtermListener =
  /\bprocess\s*\.\s*(?:on|once|addListener|prependListener|prependOnceListener)\s*\(\s*['"`]SIGTERM['"`]/;
/** The libraries that install SIGTERM listeners (catalogue `signalHandlers`), imported by name. */
const signalLibraries = [
  ...new Set(signalHandlers.flatMap((spec) => [spec.call?.module, spec.method?.on?.module]).filter((m) => m)),
] as string[];
const handlesSigtermCache = new Map<string, boolean>();

/**
 * Whether a deployed entry of another workspace package that reaches the library package at `dir`
 * handles SIGTERM in its own package's code: `services/bsky/api.ts` starting `@atproto/bsky`'s
 * server and calling its `destroy()` from `process.on('SIGTERM', …)`. That code is another
 * program's, so it is read as text: a SIGTERM listener, or an import of a library that installs
 * one. False for a package an entry is in (its own program sees its listeners), and when the
 * deploy files do not say what runs.
 */
export function deployedEntryHandlesSigterm(root: string, dir: string): boolean {
  const deploys = workspaceDeploys(root);
  const key = resolve(dir);
  if (!deploys || deploys.entryPackages.has(key) || !deploys.reached.has(key)) return false;
  return deploys.entries.some((entry) => {
    if (!deploys.reachedFrom(entry).has(key)) return false;
    const json = nearestPackageJson(entry.replace(/[\\/][^\\/]*$/, ''));
    const own = json ? resolve(json, '..') : resolve(root);
    let handles = handlesSigtermCache.get(own);
    if (handles === undefined) {
      handles = sourceFilesOf(own, deploys.packages).some((file) => {
        if (isTestFile(file)) return false;
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          return false;
        }
        return (
          sigtermListener.test(text) ||
          [...text.matchAll(specifierPattern)].some((m) => signalLibraries.includes(packageName(m[1]!)))
        );
      });
      handlesSigtermCache.set(own, handles);
    }
    return handles;
  });
}

const usesCache = new Map<string, Map<string, PackageUses>>();

/**
 * What the files of every reached package (tests aside) import from the workspace package at
 * `dir`: the seeds of what a deployed entry can run in it. Undefined when the deploy files do not
 * say what is deployed, or `dir` is not a reached library package.
 */
export function usesOfPackage(t: TS, root: string, dir: string): PackageUses | undefined {
  const deploys = workspaceDeploys(root);
  const key = resolve(dir);
  if (!deploys || !deploys.reached.has(key) || deploys.entryPackages.has(key)) return undefined;
  let all = usesCache.get(resolve(root));
  if (!all) {
    all = collectUses(t, deploys);
    usesCache.set(resolve(root), all);
  }
  return all.get(key) ?? new Map();
}

function collectUses(t: TS, deploys: WorkspaceDeploys): Map<string, PackageUses> {
  const uses = new Map<string, PackageUses>();
  const use = (specifier: string, names: readonly string[] | 'all'): void => {
    const parts = specifier.split('/');
    const nameLength = specifier.startsWith('@') ? 2 : 1;
    const dir = deploys.byName.get(parts.slice(0, nameLength).join('/'));
    if (!dir) return;
    const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join('/')}` : '.';
    let byPath = uses.get(dir);
    if (byPath === 'all') return;
    if (!byPath) uses.set(dir, (byPath = new Map()));
    const current = byPath.get(subpath);
    if (current === 'all') return;
    if (names === 'all') byPath.set(subpath, 'all');
    else byPath.set(subpath, new Set([...(current ?? []), ...names]));
  };
  for (const preload of deploys.preloads) use(preload, 'all');
  for (const dir of deploys.reached) {
    for (const file of sourceFilesOf(dir, deploys.packages)) {
      if (isTestFile(file)) continue;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      // A relative import into another package's folder: all of that package (we do not map the file).
      for (const match of text.matchAll(relativePattern)) {
        const into = packageAt(resolve(file, '..', match[1]!), deploys.packages);
        if (into !== undefined && into !== dir) uses.set(into, 'all');
      }
      if (![...text.matchAll(specifierPattern)].some((m) => deploys.byName.has(packageName(m[1]!)))) continue;
      const source = t.createSourceFile(file, text, t.ScriptTarget.Latest, false);
      const visit = (node: ts.Node): void => {
        if (t.isImportDeclaration(node) && t.isStringLiteral(node.moduleSpecifier)) {
          const clause = node.importClause;
          if (clause?.isTypeOnly) return;
          if (!clause) use(node.moduleSpecifier.text, []);
          else if (clause.namedBindings && t.isNamespaceImport(clause.namedBindings))
            use(node.moduleSpecifier.text, 'all');
          else {
            const names: string[] = clause.name ? ['default'] : [];
            if (clause.namedBindings && t.isNamedImports(clause.namedBindings))
              for (const element of clause.namedBindings.elements)
                if (!element.isTypeOnly) names.push((element.propertyName ?? element.name).text);
            use(node.moduleSpecifier.text, names);
          }
          return;
        }
        if (t.isExportDeclaration(node) && node.moduleSpecifier && t.isStringLiteral(node.moduleSpecifier)) {
          if (node.isTypeOnly) return;
          if (!node.exportClause || t.isNamespaceExport(node.exportClause)) use(node.moduleSpecifier.text, 'all');
          else
            use(
              node.moduleSpecifier.text,
              node.exportClause.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text),
            );
          return;
        }
        // require('x'), import('x'): all it exports (a name in any other call, such as
        // `trace.getTracer('@acme/server')`, loads nothing).
        if (
          t.isCallExpression(node) &&
          (node.expression.kind === t.SyntaxKind.ImportKeyword ||
            (t.isIdentifier(node.expression) && node.expression.text === 'require')) &&
          node.arguments.length > 0 &&
          t.isStringLiteralLike(node.arguments[0]!)
        )
          use(node.arguments[0].text, 'all');
        t.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return uses;
}

/** The workspace package whose folder holds `path` (the deepest). */
function packageAt(path: string, packages: ReadonlySet<string>): string | undefined {
  for (let at = path; ; at = resolve(at, '..')) {
    if (packages.has(at)) return at;
    if (resolve(at, '..') === at) return undefined;
  }
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The source files of the package at `dir`, without those of the workspace packages nested in it. */
function sourceFilesOf(dir: string, packages: ReadonlySet<string>): string[] {
  return listSourceFiles(dir).filter((file) => {
    for (let at = resolve(file, '..'); at.length > dir.length; at = resolve(at, '..')) {
      if (packages.has(at)) return false;
    }
    return true;
  });
}

function readManifest(dir: string): Manifest | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Manifest) : undefined;
  } catch {
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A method a deployed entry calls on a value of a library package when a signal arrives. */
export interface DeployedShutdownCall {
  /** The name the package exports the value's class (or factory's class) under: `BskyAppView`. */
  exported: string;
  /** The method called: `destroy`. */
  method: string;
  /** The entry package's file that listens: `services/bsky/api.ts`, and the workspace root. */
  file: string;
  root: string;
  signal: string;
}

const shutdownCallsCache = new Map<string, DeployedShutdownCall[]>();
const listenerMethods = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);
const stopSignals = new Set(['SIGTERM', 'SIGINT']);

/**
 * The methods the deployed entries of other workspace packages call, in their own signal
 * listeners, on values of the library package at `dir`: `process.on('SIGTERM', shutdown)` where
 * `shutdown` runs `await bsky.destroy()` and `bsky = BskyAppView.create(…)` of `@atproto/bsky`.
 * That code is another program's, so each file of the entry's package that has a SIGTERM listener
 * is parsed on its own (no types): the listener, the functions of the file it calls by name, the
 * calls `value.method()` in them, and the class a value comes from (the leftmost name of its
 * initialiser, `BskyAppView` in `await BskyAppView.create(cfg)`, imported from the package).
 * Empty for a package an entry is in, and when the deploy files do not say what runs.
 */
export function deployedShutdownCalls(t: TS, root: string, dir: string): DeployedShutdownCall[] {
  const deploys = workspaceDeploys(root);
  const key = resolve(dir);
  if (!deploys || deploys.entryPackages.has(key) || !deploys.reached.has(key)) return [];
  const cached = shutdownCallsCache.get(key);
  if (cached) return cached;
  const found: DeployedShutdownCall[] = [];
  const seen = new Set<string>();
  for (const entry of deploys.entries) {
    if (!deploys.reachedFrom(entry).has(key)) continue;
    const json = nearestPackageJson(entry.replace(/[\\/][^\\/]*$/, ''));
    const own = json ? resolve(json, '..') : resolve(root);
    for (const file of sourceFilesOf(own, deploys.packages)) {
      if (seen.has(file) || isTestFile(file)) continue;
      seen.add(file);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      if (!sigtermListener.test(text)) continue;
      found.push(
        ...shutdownCallsIn(t, file, resolve(root), text, (s) => deploys.byName.get(packageName(s)) === key, own),
      );
    }
  }
  shutdownCallsCache.set(key, found);
  return found;
}

/** What one file of an entry's package declares, as `shutdownCallsIn` reads it (no types). */
interface EntryFile {
  /** The names the file imports from the library package: local name -> exported name ('*' for a namespace). */
  imported: Map<string, string>;
  /** The names it imports from another file by a relative path: local name -> that file and the name it exports. */
  relativeImports: Map<string, { file: string; name: string }>;
  functions: Map<string, ts.Node>;
  initializers: Map<string, ts.Expression>;
  listeners: { signal: string; handler: ts.Node }[];
}

function readEntryFile(t: TS, file: string, text: string, fromPackage: (specifier: string) => boolean): EntryFile {
  const source = t.createSourceFile(file, text, t.ScriptTarget.Latest, true);
  const parsed: EntryFile = {
    imported: new Map(),
    relativeImports: new Map(),
    functions: new Map(),
    initializers: new Map(),
    listeners: [],
  };
  const visit = (node: ts.Node): void => {
    if (t.isImportDeclaration(node) && t.isStringLiteral(node.moduleSpecifier)) {
      const specifier = node.moduleSpecifier.text;
      const bindings = node.importClause?.namedBindings;
      if (fromPackage(specifier)) {
        if (bindings && t.isNamespaceImport(bindings)) parsed.imported.set(bindings.name.text, '*');
        else if (bindings)
          for (const s of bindings.elements) parsed.imported.set(s.name.text, (s.propertyName ?? s.name).text);
      } else if (/^\.\.?\//.test(specifier) && bindings && t.isNamedImports(bindings)) {
        const target = moduleFile(resolve(file, '..', specifier));
        if (target)
          for (const s of bindings.elements)
            parsed.relativeImports.set(s.name.text, { file: target, name: (s.propertyName ?? s.name).text });
      }
    } else if (t.isFunctionDeclaration(node) && node.name && node.body) {
      parsed.functions.set(node.name.text, node);
    } else if (t.isVariableDeclaration(node) && t.isIdentifier(node.name) && node.initializer) {
      const init = stripped(t, node.initializer);
      if (t.isArrowFunction(init) || t.isFunctionExpression(init)) parsed.functions.set(node.name.text, init);
      else parsed.initializers.set(node.name.text, init);
    } else if (t.isCallExpression(node) && t.isPropertyAccessExpression(node.expression)) {
      const receiver = node.expression.expression;
      // `App.create(port).then((app) => …)`: the callback's parameter is what the receiver resolves to.
      const callback = node.arguments[0] && stripped(t, node.arguments[0]);
      const parameter =
        callback && (t.isArrowFunction(callback) || t.isFunctionExpression(callback))
          ? callback.parameters[0]?.name
          : undefined;
      if (node.expression.name.text === 'then' && parameter && t.isIdentifier(parameter))
        parsed.initializers.set(parameter.text, receiver);
      const signal = node.arguments[0];
      const handler = node.arguments[1];
      if (
        t.isIdentifier(receiver) &&
        receiver.text === 'process' &&
        listenerMethods.has(node.expression.name.text) &&
        signal &&
        t.isStringLiteralLike(signal) &&
        stopSignals.has(signal.text) &&
        handler
      )
        parsed.listeners.push({ signal: signal.text, handler });
    }
    t.forEachChild(node, visit);
  };
  visit(source);
  return parsed;
}

/** The source file a relative specifier names: `./utils/shutdown` -> `./utils/shutdown.ts`. */
function moduleFile(path: string): string | undefined {
  const stem = path.replace(/\.[cm]?js$/, '');
  for (const candidate of [
    path,
    ...['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'].map((ext) => stem + ext),
    ...['index.ts', 'index.js'].map((name) => join(path, name)),
  ]) {
    try {
      if (readFileSync(candidate, 'utf8') !== undefined) return candidate;
    } catch {
      // Not this one.
    }
  }
  return undefined;
}

/**
 * The calls `value.method()` on values of the library package that the file's signal listeners
 * make, through the functions they call by name: those of the file, and those the file imports by
 * a relative path from another file of the entry's package (`import { shutdown } from
 * './utils/graceful-shutdown'`), read the same way.
 */
function shutdownCallsIn(
  t: TS,
  file: string,
  root: string,
  text: string,
  fromPackage: (specifier: string) => boolean,
  own: string,
): DeployedShutdownCall[] {
  const files = new Map<string, EntryFile | undefined>([[file, readEntryFile(t, file, text, fromPackage)]]);
  const fileOf = (path: string): EntryFile | undefined => {
    if (files.has(path)) return files.get(path);
    let parsed: EntryFile | undefined;
    // Only the entry package's own files: a relative path out of it is another package's code.
    if (path.startsWith(own + sep) && !isTestFile(path)) {
      try {
        parsed = readEntryFile(t, path, readFileSync(path, 'utf8'), fromPackage);
      } catch {
        parsed = undefined;
      }
    }
    files.set(path, parsed);
    return parsed;
  };
  const found: DeployedShutdownCall[] = [];
  const classOf = (parsed: EntryFile, name: string): string | undefined => {
    const init = parsed.initializers.get(name);
    let e: ts.Expression | undefined = init;
    let last: string | undefined;
    for (let depth = 0; e && depth < 10; depth++) {
      e = stripped(t, e);
      if (t.isIdentifier(e)) {
        const exported = parsed.imported.get(e.text);
        return exported === '*' ? last : exported;
      }
      if (t.isPropertyAccessExpression(e)) {
        last = e.name.text;
        e = e.expression;
      } else if (t.isCallExpression(e) || t.isNewExpression(e)) e = e.expression;
      else return undefined;
    }
    return undefined;
  };
  const entry = files.get(file)!;
  for (const { signal, handler } of entry.listeners) {
    const visited = new Set<ts.Node>();
    const walk = (fn: ts.Node | undefined, parsed: EntryFile, depth: number): void => {
      if (!fn || visited.has(fn) || depth > 3) return;
      visited.add(fn);
      const inner = (node: ts.Node): void => {
        if (t.isCallExpression(node)) {
          const callee = stripped(t, node.expression);
          if (t.isIdentifier(callee)) {
            const local = parsed.functions.get(callee.text);
            const imported = parsed.relativeImports.get(callee.text);
            if (local) walk(local, parsed, depth + 1);
            else if (imported) {
              const other = fileOf(imported.file);
              if (other) walk(other.functions.get(imported.name), other, depth + 1);
            }
          } else if (t.isPropertyAccessExpression(callee) && t.isIdentifier(callee.expression)) {
            const value = callee.expression.text;
            const exported =
              classOf(parsed, value) ?? (parsed.imported.get(value) !== '*' ? parsed.imported.get(value) : undefined);
            if (exported) found.push({ exported, method: callee.name.text, file, root, signal });
          }
        }
        t.forEachChild(node, inner);
      };
      inner(fn);
    };
    const target = stripped(t, handler as ts.Expression);
    walk(t.isIdentifier(target) ? entry.functions.get(target.text) : target, entry, 0);
  }
  return found;
}

function stripped(t: TS, e: ts.Expression): ts.Expression {
  let x = e;
  while (t.isParenthesizedExpression(x) || t.isAwaitExpression(x) || t.isAsExpression(x) || t.isNonNullExpression(x))
    x = x.expression;
  return x;
}

/**
 * The shutdown roots of a library package's own program that its deployed entries start: the
 * methods of the package's classes those entries call from their signal listeners (see
 * `deployedShutdownCalls`), when the entry is not in this program (a program that has it sees the
 * listener itself). `BskyAppView.destroy` in `packages/bsky`'s program, called by
 * `services/bsky/api.ts` on SIGTERM.
 */
export function deployedShutdownRoots(
  t: TS,
  program: ts.Program,
  classes: readonly ts.ClassLikeDeclaration[],
): ShutdownRoot[] {
  const config = program.getCompilerOptions().configFilePath;
  if (typeof config !== 'string' || findWorkspaceRoot(resolve(config, '..')) === undefined) return [];
  const callsByDir = new Map<string, DeployedShutdownCall[]>();
  const callsOfFile = (fileName: string): DeployedShutdownCall[] => {
    const folder = resolve(fileName, '..');
    let calls = callsByDir.get(folder);
    if (!calls) {
      calls = deployedCallsOnPackageOf(t, fileName);
      callsByDir.set(folder, calls);
    }
    return calls;
  };
  const roots: ShutdownRoot[] = [];
  for (const cls of classes) {
    const name = cls.name?.text;
    const fileName = cls.getSourceFile().fileName;
    if (!name || isTestFile(fileName)) continue;
    for (const call of callsOfFile(fileName)) {
      if (call.exported !== name || program.getSourceFile(call.file)) continue;
      const method = cls.members.find(
        (m): m is ts.MethodDeclaration =>
          t.isMethodDeclaration(m) &&
          m.body !== undefined &&
          t.isIdentifier(m.name) &&
          m.name.text === call.method &&
          !(t.getCombinedModifierFlags(m) & t.ModifierFlags.Static),
      );
      if (!method || roots.some((r) => r.fn === method)) continue;
      const entry = relative(call.root, call.file).split(sep).join('/');
      roots.push({
        fn: method,
        trigger: `process.on('${call.signal}') in ${entry}`,
        registration: method,
        bounded: false,
        signals: [call.signal],
      });
    }
  }
  return roots;
}

/**
 * The methods the deployed entries of other workspace packages call from their signal listeners on
 * values of the library package that holds `fileName` (see `deployedShutdownCalls`):
 * `sessionsQueue.close()` in apps/api's shutdown, on the `sessionsQueue` that `@acme/queue`
 * exports. Empty for a file of an entry's package, and when the deploy files do not say what runs.
 */
export function deployedCallsOnPackageOf(t: TS, fileName: string): DeployedShutdownCall[] {
  const json = nearestPackageJson(resolve(fileName, '..'));
  const dir = json ? resolve(json, '..') : undefined;
  const root = dir === undefined ? undefined : findWorkspaceRoot(dir);
  return dir !== undefined && root !== undefined && root !== dir ? deployedShutdownCalls(t, root, dir) : [];
}
