// Loading: from the paths on the command line to TypeScript programs.
//
// Every file is linted once, in the program of the nearest config that includes it: the configs
// (tsconfig.json, jsconfig.json, and variants such as tsconfig.app.json) in its folder and the
// folders above it, and those under a folder given as a path (a monorepo's packages, a server/
// beside a root config that includes only src/), their project references followed. A file no
// config includes gets an inferred allowJs program: one per workspace package (package.json
// `workspaces`, pnpm-workspace.yaml), else one per folder given. So a file's program does not
// depend on the path it was reached from.
//
// One config never stops the run: a config whose JSON is broken is skipped (its files fall to the
// next config or to the inferred program), an `extends` that is not installed is dropped (the
// config's own options and files are used), and each is reported as one warning line.
//
// The programs are planned first (cheap: configs and file lists) and built one at a time when the
// caller reaches them, so a monorepo holds one program in memory, not all of them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type * as ts from 'typescript';

type TS = typeof ts;

/** What a program is built from: a result cache's identity for it. */
export interface ProgramIdentity {
  /** The config, or the folder of an inferred program. */
  project: string;
  rootNames: readonly string[];
  options: object;
  references?: readonly object[];
  /** The files this program lints (the others it holds are linted by a nearer config). */
  lints?: readonly string[];
}

/** Stored results that stand for a program: the files it linted are claimed as if it had run. */
export interface Reusable {
  linted: readonly string[];
}

/** A problem the user can fix: printed as one line, exit code 2. */
export class UsageError extends Error {}

export interface LoadedProject {
  /** The config the program comes from, or undefined for an inferred program. */
  configPath: string | undefined;
  /** What the program is built from: the cache's identity for it. */
  identity: ProgramIdentity;
  program: ts.Program;
  /** The files of this program to lint. */
  files: ts.SourceFile[];
  /** The files this program claimed (linted here, or in another shard), so no later program lints them. */
  claimed: string[];
}

/** A program whose results `reuse` returned: not built. */
export interface ReusedProject<Cached extends Reusable = Reusable> {
  configPath: string | undefined;
  identity: ProgramIdentity;
  cached: Cached;
}

/** A program to build: what it is built from and the files it lints. */
export interface PlannedProject {
  configPath: string | undefined;
  identity: ProgramIdentity;
  options: ts.CompilerOptions;
  references: readonly ts.ProjectReference[] | undefined;
  /** The files it lints (this shard's): each file is in one plan only. */
  lints: readonly string[];
  /** The files it claims: those it lints, and those of other shards. */
  claims: readonly string[];
}

export interface LoadOptions<Cached extends Reusable = Reusable> {
  cwd: string;
  /** Files or directories; empty means the current directory. */
  targets: readonly string[];
  /** Lint only the selected files this accepts (a `--shard`); the programs still hold every file. */
  include?: (file: string) => boolean;
  /** Stored results for a program, when its inputs have not changed (`--cache`): it is not built. */
  reuse?: (identity: ProgramIdentity) => Cached | undefined;
  /** One line about a config that could not be used whole; the run goes on. */
  onWarning?: (line: string) => void;
}

const canonicalConfigs = ['tsconfig.json', 'jsconfig.json'];
const configFile = /^(?:tsconfig|jsconfig)(?:\.[^\\/]+)?\.json$/;
/** Variants that configure tests or tools: they own a file only when no other config of the folder does. */
const testVariant =
  /\.(?:spec|specs|test|tests|e2e|cypress|playwright|storybook|stories|jest|vitest|eslint|lint)\.json$/i;
/** Variants that are shared options to extend, not projects. */
const baseVariant = /\.(?:base|paths|shared|common|options|settings|defaults|root|recommended)\.json$/i;
const sourceExtensions = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const declarationFile = /\.d\.[cm]?ts$/;
const skippedDirectories = new Set([
  'node_modules',
  '.git',
  'dist',
  'build',
  'coverage',
  'out',
  '.next',
  '.turbo',
  '.cache',
]);

function describeDiagnostic(t: TS, diagnostic: ts.Diagnostic): string {
  return t.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\.$/, '');
}

function isUnder(file: string, directory: string): boolean {
  const rel = relative(directory, file);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
}

function depth(path: string): number {
  return resolve(path).split(sep).length;
}

interface ParsedConfig {
  path: string;
  fileNames: string[];
  options: ts.CompilerOptions;
  references: readonly ts.ProjectReference[];
  /** The configs it extends (resolved paths): these are bases, not projects. */
  extended: readonly string[];
  /** Its own JSON names its files (`files` or `include`), as a variant that is a project does. */
  namesFiles: boolean;
}

/**
 * Reads configs once each and collects what could not be used whole. A config whose JSON does not
 * parse is unusable (undefined); an option error or an `extends` that is not installed is noted and
 * the rest of the config is used.
 */
class ConfigReader {
  private readonly parsed = new Map<string, ParsedConfig | undefined>();
  /** Problem -> the configs it was met in, for one line per problem. */
  private readonly problems = new Map<string, { configs: string[]; what: (configs: string) => string }>();
  private readonly listings = new Map<string, string[]>();

  constructor(
    private readonly t: TS,
    private readonly cwd: string,
  ) {}

  private shown(path: string): string {
    const rel = relative(this.cwd, path);
    return rel && !rel.startsWith('..') ? rel.split(sep).join('/') : path;
  }

  private note(key: string, config: string, what: (configs: string) => string): void {
    const entry = this.problems.get(key) ?? { configs: [], what };
    if (!entry.configs.includes(config)) entry.configs.push(config);
    this.problems.set(key, entry);
  }

  /** One line per problem, naming the first config it was met in and how many others. */
  warnings(): string[] {
    return [...this.problems.values()].map(({ configs, what }) => {
      const others = configs.length - 1;
      return what(
        `${this.shown(configs[0]!)}${others ? ` (and ${others} other config${others === 1 ? '' : 's'})` : ''}`,
      );
    });
  }

  /** The config files of a folder: tsconfig.json, jsconfig.json, then the variants, tests last. */
  configsIn(directory: string): string[] {
    let listed = this.listings.get(directory);
    if (listed) return listed;
    let names: string[] = [];
    try {
      names = readdirSync(directory).filter((name) => configFile.test(name));
    } catch {
      // Unreadable folder: no configs.
    }
    listed = names
      .sort((a, b) => configRank(a) - configRank(b) || (a < b ? -1 : a > b ? 1 : 0))
      .map((n) => join(directory, n));
    this.listings.set(directory, listed);
    return listed;
  }

  read(path: string): ParsedConfig | undefined {
    const key = resolve(path);
    if (this.parsed.has(key)) return this.parsed.get(key);
    this.parsed.set(key, undefined); // a reference cycle reads it once
    const config = this.parse(key);
    this.parsed.set(key, config);
    return config;
  }

  private parse(path: string): ParsedConfig | undefined {
    const { t } = this;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      this.note(
        `unreadable ${path}`,
        path,
        (c) =>
          `${c}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); its folder is linted without it.`,
      );
      return undefined;
    }
    const source = t.parseJsonText(path, text) as ts.TsConfigSourceFile;
    // TypeScript reads comments, trailing commas and (reporting 1327) unquoted keys or single
    // quotes exactly, as JSON5 does: those are read. Other syntax errors leave a guess: skipped.
    const syntax = ((source as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? []).filter(
      (d) => d.code !== 1327,
    );
    if (syntax.length > 0) {
      const first = syntax[0]!;
      const line = source.getLineAndCharacterOfPosition(first.start ?? 0).line + 1;
      this.note(
        `syntax ${path}`,
        path,
        (c) =>
          `${c}:${line}: ${describeDiagnostic(t, first)}; this config is skipped and its files are linted with the next config up or an inferred program. Fix the JSON.`,
      );
      return undefined;
    }
    const parsed = t.parseJsonSourceFileConfigFileContent(source, t.sys, dirname(path), undefined, path);
    for (const error of parsed.errors) {
      // An empty `files` list (18002) or no inputs (18003) is a solution-style config or a folder
      // with no code: nothing to report. 1327 is JSON5 that was read.
      if (error.category !== t.DiagnosticCategory.Error || [18002, 18003, 1327].includes(error.code)) continue;
      const message = describeDiagnostic(t, error);
      const missing = /^File '(.+)' not found$/.exec(message);
      if (missing) {
        this.note(
          `extends ${missing[1]}`,
          path,
          (c) =>
            `${c}: extends "${missing[1]}", which is not installed; linted with the config's own options and files. Install the dependencies for the full options.`,
        );
      } else {
        this.note(`option ${message}`, path, (c) => `${c}: ${message}; linted without it. Fix the config.`);
      }
    }
    const raw = (parsed.raw ?? {}) as { files?: unknown; include?: unknown };
    return {
      path,
      fileNames: parsed.fileNames.map((f) => resolve(f)),
      options: parsed.options,
      references: (parsed.projectReferences ?? []).filter((reference) => {
        const target = t.resolveProjectReferencePath(reference);
        if (existsSync(target)) return true;
        const named = reference.originalPath ?? reference.path;
        this.note(
          `reference ${path} ${named}`,
          path,
          (c) => `${c}: the project reference "${named}" does not exist; skipped. Fix or remove the reference.`,
        );
        return false;
      }),
      extended: (source.extendedSourceFiles ?? []).map((f) => resolve(f)),
      namesFiles: raw.files !== undefined || raw.include !== undefined,
    };
  }
}

function configRank(name: string): number {
  if (name === 'tsconfig.json') return 0;
  if (name === 'jsconfig.json') return 1;
  return testVariant.test(name) ? 3 : 2;
}

/** A config that is a project: a canonical one, or a variant that names its files and is not a base. */
function isProject(config: ParsedConfig, bases: ReadonlySet<string>): boolean {
  const name = basename(config.path);
  if (canonicalConfigs.includes(name)) return true;
  return config.namesFiles && !baseVariant.test(name) && !bases.has(config.path);
}

/** The source files under `directory` (no declaration files, no node_modules, dist, build output), sorted. */
export function listSourceFiles(directory: string, found: (directory: string) => void = () => {}): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    found(dir);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (!skippedDirectories.has(entry.name)) walk(join(dir, entry.name));
      } else if (sourceExtensions.test(entry.name) && !declarationFile.test(entry.name)) {
        files.push(join(dir, entry.name));
      }
    }
  };
  walk(directory);
  return files.sort();
}

function inferredOptions(t: TS): ts.CompilerOptions {
  return {
    allowJs: true,
    checkJs: false,
    noEmit: true,
    skipLibCheck: true,
    target: t.ScriptTarget.ES2022,
    module: t.ModuleKind.NodeNext,
    moduleResolution: t.ModuleResolutionKind.NodeNext,
    jsx: t.JsxEmit.Preserve,
    esModuleInterop: true,
    resolveJsonModule: true,
  };
}

/** The package folders of the npm/yarn/bun (`workspaces`) or pnpm (pnpm-workspace.yaml) workspace at `root`. */
export function workspacePackages(root: string): string[] {
  const patterns: string[] = [];
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      workspaces?: string[] | { packages?: string[] };
    };
    const workspaces = Array.isArray(manifest.workspaces) ? manifest.workspaces : manifest.workspaces?.packages;
    if (Array.isArray(workspaces)) patterns.push(...workspaces.filter((p) => typeof p === 'string'));
  } catch {
    // No manifest, or not JSON: no npm workspaces.
  }
  try {
    // The `packages:` list of pnpm-workspace.yaml: `  - 'glob'` lines up to the next top-level key.
    const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
    const block = /^packages:\s*\n((?:[ \t]+.*\n?|\s*\n)*)/m.exec(yaml)?.[1] ?? '';
    for (const match of block.matchAll(/^[ \t]*-[ \t]*['"]?([^'"#\n]+?)['"]?[ \t]*(?:#.*)?$/gm))
      patterns.push(match[1]!);
  } catch {
    // No pnpm workspace.
  }
  const folders = new Set<string>();
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) continue;
    // `a/*`, `a/**`, `a`: the folders one level (or any level) under `a` that hold a package.json.
    const parts = pattern.replace(/\/+$/, '').split('/');
    const expand = (dir: string, rest: string[]): void => {
      if (rest.length === 0) {
        if (existsSync(join(dir, 'package.json'))) folders.add(resolve(dir));
        return;
      }
      const [head, ...tail] = rest;
      if (head === '**') {
        expand(dir, tail);
        for (const child of subfolders(dir)) expand(child, rest);
      } else if (head!.includes('*')) {
        const match = new RegExp(`^${head!.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
        for (const child of subfolders(dir)) if (match.test(basename(child))) expand(child, tail);
      } else {
        expand(join(dir, head!), tail);
      }
    };
    expand(root, parts);
  }
  return [...folders];
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !skippedDirectories.has(e.name))
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

/** The nearest folder at or above `start` that declares a workspace. */
export function findWorkspaceRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown }).workspaces) return dir;
      } catch {
        // Not JSON: not a workspace root.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The programs the targets need, not built: each file the targets select is in one plan, that of
 * the nearest config including it, else an inferred program. Throws UsageError for a path that does
 * not exist.
 */
export function planProjects(
  t: TS,
  { cwd, targets, include, onWarning }: Omit<LoadOptions, 'reuse'>,
): PlannedProject[] {
  const wanted = (targets.length ? targets : ['.']).map((target) => {
    const absolute = resolve(cwd, target);
    if (!existsSync(absolute)) {
      throw new UsageError(`${target}: no such file or directory. Pass files or directories that exist.`);
    }
    const isDirectory = statSync(absolute).isDirectory();
    return { absolute, isDirectory, isConfig: !isDirectory && /\.json$/.test(absolute) };
  });
  const reader = new ConfigReader(t, cwd);

  // The configs to consider, in order: those given as paths, those of the folders above each path,
  // those under each folder given, and every config they reference.
  const candidates: ParsedConfig[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    const key = resolve(path);
    if (seen.has(key)) return;
    seen.add(key);
    const config = reader.read(key);
    if (!config) return;
    candidates.push(config);
    for (const reference of config.references) add(t.resolveProjectReferencePath(reference));
  };
  // The files each folder given selects, found while looking for its configs.
  const walked = new Map<string, string[]>();
  for (const target of wanted) {
    if (target.isConfig) {
      add(target.absolute);
      continue;
    }
    // The folders above, up to the first with a tsconfig.json or jsconfig.json (every config of
    // each: a variant such as tsconfig.app.json can be the one that includes the file).
    const start = target.isDirectory ? target.absolute : dirname(target.absolute);
    for (let dir = start; ; dir = dirname(dir)) {
      const found = reader.configsIn(dir);
      for (const config of found) add(config);
      if (found.some((c) => canonicalConfigs.includes(basename(c))) || dirname(dir) === dir) break;
    }
    if (target.isDirectory) {
      const folders: string[] = [];
      walked.set(
        target.absolute,
        listSourceFiles(target.absolute, (dir) => folders.push(dir)),
      );
      for (const dir of folders) for (const config of reader.configsIn(dir)) add(config);
    }
  }
  const bases = new Set(candidates.flatMap((c) => c.extended));
  const projects = candidates.filter((config) => isProject(config, bases));

  const selects = (file: string): boolean =>
    wanted.some((target) =>
      target.isConfig ? true : target.isDirectory ? isUnder(file, target.absolute) : file === target.absolute,
    );

  // Each selected file's owner: the nearest config including it (the deepest folder above the
  // file; then tsconfig.json, jsconfig.json, the variants, the test variants; then the order found).
  const owner = new Map<string, ParsedConfig>();
  const nearness = (config: ParsedConfig, file: string): number =>
    isUnder(file, dirname(config.path)) ? depth(dirname(config.path)) : 0;
  for (const config of projects) {
    for (const file of config.fileNames) {
      if (declarationFile.test(file) || !selects(file)) continue;
      const current = owner.get(file);
      if (!current) owner.set(file, config);
      else {
        const [mine, theirs] = [nearness(config, file), nearness(current, file)];
        if (
          mine > theirs ||
          (mine === theirs && configRank(basename(config.path)) < configRank(basename(current.path)))
        ) {
          owner.set(file, config);
        }
      }
    }
  }
  // A config given as a path lints its own files, as before: it is the owner the user chose.
  for (const target of wanted.filter((w) => w.isConfig)) {
    const config = reader.read(target.absolute);
    for (const file of config?.fileNames ?? []) if (!declarationFile.test(file)) owner.set(file, config!);
  }

  adoptLaunchers(projects, owner, [...walked.values()].flat());

  const plans: PlannedProject[] = [];
  const plan = (
    configPath: string | undefined,
    project: string,
    rootNames: string[],
    options: ts.CompilerOptions,
    references: readonly ts.ProjectReference[] | undefined,
    selected: string[],
  ): void => {
    if (selected.length === 0) return;
    const lints = include ? selected.filter((f) => include(f)) : selected;
    const identity: ProgramIdentity = { project, rootNames, options, references, lints };
    plans.push({ configPath, identity, options, references, lints, claims: selected });
  };
  for (const config of projects) {
    const selected = config.fileNames.filter((f) => owner.get(f) === config).sort();
    plan(config.path, config.path, config.fileNames, config.options, config.references, selected);
  }

  // The selected files no config includes: an inferred program per workspace package, else per
  // folder given (a file given alone: its folder's files, linting that file).
  const groups = new Map<string, { rootNames: string[]; lints: string[] }>();
  const inferred = new Set<string>();
  for (const target of wanted) {
    if (target.isConfig) continue;
    const root = target.isDirectory ? target.absolute : dirname(target.absolute);
    const files = target.isDirectory ? walked.get(target.absolute)! : [target.absolute];
    const workspaceRoot = target.isDirectory ? findWorkspaceRoot(root) : undefined;
    const packages = workspaceRoot
      ? workspacePackages(workspaceRoot)
          .filter((dir) => isUnder(dir, root) && dir !== root)
          .sort((a, b) => depth(b) - depth(a))
      : [];
    for (const file of files) {
      if (owner.has(file) || inferred.has(file) || declarationFile.test(file)) continue;
      inferred.add(file);
      const key = packages.find((dir) => isUnder(file, dir)) ?? root;
      let group = groups.get(key);
      if (!group) {
        const rootNames = target.isDirectory ? [] : listSourceFiles(root).filter((f) => !owner.has(f));
        group = { rootNames, lints: [] };
        groups.set(key, group);
      }
      group.lints.push(file);
      if (target.isDirectory) group.rootNames.push(file);
    }
  }
  for (const [root, group] of groups) {
    plan(undefined, root, group.rootNames.sort(), inferredOptions(t), undefined, group.lints.sort());
  }

  if (onWarning) for (const line of reader.warnings()) onWarning(line);
  return plans;
}

/** Relative module specifiers a file's text names: `import … from`, `import()`, `require()`, JSDoc `import()` types. */
const relativeSpecifier = /(?:\bimport\s*\(|\brequire\s*\(|\bfrom)\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/**
 * A launcher outside every config that loads a config's build output (`index.js` running
 * `await import('./dist/controller.js')`, `require('./build/server')`) is the entry of that
 * config's sources: the build output is not in the checkout (or not linted), so in a program of
 * its own the launcher's SIGTERM listener and its shutdown path reach nothing. Such a file is
 * linted in the program of the config whose `outDir` it loads from (JavaScript allowed), where
 * its build-output specifiers resolve to the sources (`outDir` mapped back to `rootDir`).
 */
function adoptLaunchers(projects: ParsedConfig[], owner: Map<string, ParsedConfig>, files: readonly string[]): void {
  // An outDir that holds the config's own folder (`"outDir": "."`) names no separate build output.
  const built = projects.filter((c) => c.options.outDir !== undefined && !isUnder(dirname(c.path), c.options.outDir));
  if (built.length === 0) return;
  for (const file of files) {
    if (owner.has(file) || declarationFile.test(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const targets = [...text.matchAll(relativeSpecifier)].map((m) => resolve(dirname(file), m[1]!));
    const config = built.find((c) => targets.some((target) => isUnder(target, c.options.outDir!)));
    if (!config) continue;
    owner.set(file, config);
    config.fileNames.push(file);
    if (!config.options.allowJs) config.options = { ...config.options, allowJs: true, checkJs: false };
  }
}

/** The source a build-output path was compiled from: `<outDir>/x/y.js` -> `<rootDir>/x/y.ts`, when it exists. */
function sourceOfBuildOutput(options: ts.CompilerOptions, configDir: string, target: string): string | undefined {
  const outDir = options.outDir;
  if (!outDir || !isUnder(target, outDir)) return undefined;
  const rel = relative(outDir, target);
  const stem = join(options.rootDir ?? configDir, rel).replace(/\.(?:[cm]?js|jsx)$/, '');
  const extensions = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];
  const candidates = [...extensions.map((ext) => stem + ext), ...extensions.map((ext) => join(stem, `index${ext}`))];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/**
 * A compiler host for the options, which resolves package.json subpath imports (`#lib/db.js`) as
 * Node does also when the config's moduleResolution predates them (node10, classic): those configs
 * are common, Node honours `imports` whatever the config says, and an unresolved import cuts the
 * import graph the rules follow from the entry. A specifier into the config's `outDir` that does
 * not resolve (the build output is not there) resolves to its source (see `adoptLaunchers`).
 * Other specifiers resolve as the config says.
 */
function hostResolvingSubpathImports(
  t: TS,
  options: ts.CompilerOptions,
  configPath: string | undefined,
): ts.CompilerHost | undefined {
  // Since TypeScript 6 an unset moduleResolution is bundler or node16/nodenext, which read `imports`.
  const kind = options.moduleResolution;
  const oldResolution = kind === t.ModuleResolutionKind.Node10 || kind === t.ModuleResolutionKind.Classic;
  const mapsBuildOutput = options.outDir !== undefined && configPath !== undefined;
  const workspaceRoot = configPath !== undefined ? findWorkspaceRoot(dirname(configPath)) : undefined;
  const packages = workspaceRoot !== undefined ? workspacePackageNames(workspaceRoot) : new Map<string, string>();
  if (!oldResolution && !mapsBuildOutput && packages.size === 0) return undefined;
  const host = t.createCompilerHost(options);
  const cache = t.createModuleResolutionCache(host.getCurrentDirectory(), host.getCanonicalFileName, options);
  const withImports: ts.CompilerOptions = { ...options, moduleResolution: t.ModuleResolutionKind.Bundler };
  host.resolveModuleNameLiterals = (
    literals,
    containingFile,
    redirectedReference,
    compilerOptions,
    containingSourceFile,
  ) =>
    literals.map((literal) => {
      const mode = t.getModeForUsageLocation(containingSourceFile, literal, compilerOptions);
      const resolved = t.resolveModuleName(
        literal.text,
        containingFile,
        compilerOptions,
        host,
        cache,
        redirectedReference,
        mode,
      );
      if (resolved.resolvedModule) return resolved;
      const workspaceFile = packages.size > 0 ? workspaceModuleFile(packages, literal.text) : undefined;
      if (workspaceFile) {
        return {
          resolvedModule: {
            resolvedFileName: workspaceFile,
            extension: (/\.d\.[cm]?ts$/.test(workspaceFile)
              ? workspaceFile.replace(/^.*(\.d\.[cm]?ts)$/, '$1')
              : extname(workspaceFile)) as ts.Extension,
            isExternalLibraryImport: false,
          },
        };
      }
      if (mapsBuildOutput && /^\.{1,2}\//.test(literal.text)) {
        const source = sourceOfBuildOutput(
          options,
          dirname(configPath),
          resolve(dirname(containingFile), literal.text),
        );
        if (source) {
          return {
            resolvedModule: {
              resolvedFileName: source,
              extension: extname(source) as ts.Extension,
              isExternalLibraryImport: false,
            },
          };
        }
      }
      if (!oldResolution || !literal.text.startsWith('#')) return resolved;
      const imported = t.resolveModuleName(
        literal.text,
        containingFile,
        withImports,
        host,
        undefined,
        redirectedReference,
        mode,
      );
      return imported.resolvedModule ? imported : resolved;
    });
  return host;
}

// ── Workspace packages without node_modules ──

const packageNamesByRoot = new Map<string, Map<string, string>>();

/** The workspace's packages by their package.json `name`: name -> folder. */
export function workspacePackageNames(root: string): Map<string, string> {
  let names = packageNamesByRoot.get(root);
  if (!names) {
    names = new Map();
    for (const dir of workspacePackages(root)) {
      const manifest = readManifest(dir);
      if (typeof manifest?.name === 'string' && !names.has(manifest.name)) names.set(manifest.name, dir);
    }
    packageNamesByRoot.set(root, names);
  }
  return names;
}

interface Manifest {
  name?: unknown;
  main?: unknown;
  module?: unknown;
  types?: unknown;
  typings?: unknown;
  exports?: unknown;
}

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/**
 * The file of a workspace package that a bare specifier names (`@acme/db`, `@acme/db/client`) when
 * nothing resolves it (a checkout before `npm install`: no node_modules symlink to the package).
 * Resolved as Node and a bundler would, preferring the source: the package.json `exports` (its
 * `source`, `development`, `types`, `import`, `require`, `node` and `default` conditions, `./*`
 * patterns), else `main`/`module`/`types` for the package itself and the subpath's own file or
 * folder for a subpath; a `.js` target is looked for as `.ts` first, and one under a missing
 * `dist/`, `build/`, `lib/` or `out/` folder under `src/`.
 */
export function workspaceModuleFile(packages: ReadonlyMap<string, string>, specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const dir = packages.get(name);
  if (!dir) return undefined;
  const subpath = `.${specifier.slice(name.length)}`;
  const manifest = readManifest(dir) ?? {};
  const targets: string[] = [];
  if (manifest.exports !== undefined && manifest.exports !== null) {
    targets.push(...exportTargets(manifest.exports, subpath));
  }
  if (subpath === '.') {
    for (const field of [manifest.main, manifest.module, manifest.types, manifest.typings])
      if (typeof field === 'string') targets.push(field);
    targets.push('index');
  } else {
    targets.push(subpath);
  }
  for (const target of targets) {
    const found = sourceFileAt(resolve(dir, target));
    if (found) return found;
  }
  return undefined;
}

const conditionOrder = ['source', 'development', 'types', 'import', 'require', 'node', 'default'];

/** The paths `exports` maps `subpath` to, the preferred conditions first. */
function exportTargets(exports: unknown, subpath: string): string[] {
  if (typeof exports === 'string' || Array.isArray(exports)) return subpath === '.' ? conditionTargets(exports) : [];
  if (typeof exports !== 'object' || exports === null) return [];
  const map = exports as Record<string, unknown>;
  const keys = Object.keys(map);
  // `{ "import": …, "require": … }`: conditions of the package itself.
  if (!keys.some((k) => k.startsWith('.'))) return subpath === '.' ? conditionTargets(map) : [];
  if (subpath in map) return conditionTargets(map[subpath]);
  for (const key of keys) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (!subpath.startsWith(prefix) || !subpath.endsWith(suffix) || subpath.length < key.length - 1) continue;
    const match = subpath.slice(prefix.length, subpath.length - suffix.length);
    return conditionTargets(map[key]).map((target) => target.split('*').join(match));
  }
  return [];
}

function conditionTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(conditionTargets);
  if (typeof value !== 'object' || value === null) return [];
  const map = value as Record<string, unknown>;
  const keys = [
    ...conditionOrder.filter((k) => k in map),
    ...Object.keys(map).filter((k) => !conditionOrder.includes(k)),
  ];
  return keys.flatMap((k) => conditionTargets(map[k]));
}

const moduleExtensions = ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.jsx', '.mjs', '.cjs'];

/** The program file at `path`: the source of a `.js` path, the path with an extension, or its folder's index. */
function sourceFileAt(path: string): string | undefined {
  const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();
  const stems: string[] = [path];
  // Build output that is not there: its source under src/.
  const built = /([\\/])(?:dist|build|lib|out)([\\/])/.exec(path);
  if (built)
    stems.push(path.slice(0, built.index) + built[1] + 'src' + built[2] + path.slice(built.index + built[0].length));
  for (const stem of stems) {
    const js = /\.(?:[cm]?js|jsx)$/.exec(stem);
    const base = js ? stem.slice(0, -js[0].length) : stem;
    if (js) for (const ext of ['.ts', '.tsx', '.mts', '.cts']) if (isFile(base + ext)) return base + ext;
    if (/\.(?:d\.)?[cm]?tsx?$|\.(?:[cm]?js|jsx)$/.test(stem) && isFile(stem)) return stem;
    for (const ext of moduleExtensions) if (isFile(stem + ext)) return stem + ext;
    for (const ext of moduleExtensions) if (isFile(join(stem, `index${ext}`))) return join(stem, `index${ext}`);
  }
  return undefined;
}

/** Builds a planned program: its files to lint, and those it claims. */
export function buildProject(t: TS, plan: PlannedProject): LoadedProject {
  const options = { ...plan.options, noEmit: true };
  const program = t.createProgram({
    rootNames: plan.identity.rootNames,
    options,
    projectReferences: plan.references,
    host: hostResolvingSubpathImports(t, options, plan.configPath),
  });
  const files = plan.lints.map((name) => program.getSourceFile(name)).filter((f): f is ts.SourceFile => !!f);
  return { configPath: plan.configPath, identity: plan.identity, program, files, claimed: [...plan.claims] };
}
