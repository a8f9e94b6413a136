// Loading: from the paths on the command line to TypeScript programs. The nearest tsconfig.json
// (or jsconfig.json) of each path, its project references followed; a plain JavaScript project
// with neither gets an inferred allowJs program over its files.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type * as ts from 'typescript';

type TS = typeof ts;

/** What a program is built from: a result cache's identity for it. */
export interface ProgramIdentity {
  /** The config, or the folder of an inferred program. */
  project: string;
  rootNames: readonly string[];
  options: object;
  references?: readonly object[];
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

const configNames = ['tsconfig.json', 'jsconfig.json'];
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

function findNearestConfig(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    for (const name of configNames) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function describeDiagnostic(t: TS, diagnostic: ts.Diagnostic): string {
  return t.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\.$/, '');
}

interface ParsedConfig {
  path: string;
  fileNames: string[];
  options: ts.CompilerOptions;
  references: readonly ts.ProjectReference[];
}

function parseConfig(t: TS, configPath: string): ParsedConfig {
  const read = t.readConfigFile(configPath, t.sys.readFile);
  if (read.error) {
    throw new UsageError(
      `${configPath}: ${describeDiagnostic(t, read.error)}. Fix the file, or pass a directory without it.`,
    );
  }
  const parsed = t.parseJsonConfigFileContent(read.config, t.sys, dirname(configPath), undefined, configPath);
  // An empty `files` list (18002) or no inputs (18003) is a solution-style config: its references
  // hold the code, or no config covers the folder and it gets an inferred program.
  const errors = parsed.errors.filter(
    (d) => d.category === t.DiagnosticCategory.Error && d.code !== 18002 && d.code !== 18003,
  );
  if (errors.length > 0) {
    throw new UsageError(`${configPath}: ${describeDiagnostic(t, errors[0]!)}. Fix the config.`);
  }
  return {
    path: configPath,
    fileNames: parsed.fileNames,
    options: parsed.options,
    references: parsed.projectReferences ?? [],
  };
}

/** The config and every config it references, each once. */
function collectConfigs(t: TS, configPath: string, seen: Map<string, ParsedConfig>): void {
  const key = resolve(configPath);
  if (seen.has(key)) return;
  const config = parseConfig(t, key);
  seen.set(key, config);
  for (const reference of config.references) {
    const target = t.resolveProjectReferencePath(reference);
    if (!existsSync(target)) {
      throw new UsageError(
        `${key}: the project reference "${reference.path}" does not exist. Fix or remove the reference.`,
      );
    }
    collectConfigs(t, target, seen);
  }
}

function listSourceFiles(directory: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
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

function isUnder(file: string, directory: string): boolean {
  const rel = relative(directory, file);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
}

/** A program whose results `reuse` returned: not built. */
export interface ReusedProject<Cached extends Reusable = Reusable> {
  configPath: string | undefined;
  identity: ProgramIdentity;
  cached: Cached;
}

export interface LoadOptions<Cached extends Reusable = Reusable> {
  cwd: string;
  /** Files or directories; empty means the current directory. */
  targets: readonly string[];
  /** Lint only the selected files this accepts (a `--shard`); the programs still hold every file. */
  include?: (file: string) => boolean;
  /** Stored results for a program, when its inputs have not changed (`--cache`): it is not built. */
  reuse?: (identity: ProgramIdentity) => Cached | undefined;
}

/**
 * One program per config (references included), each with the files the targets select.
 * A file that belongs to several configs is linted once, in the first.
 */
export function loadProjects<Cached extends Reusable = Reusable>(
  t: TS,
  { cwd, targets, include, reuse }: LoadOptions<Cached>,
): (LoadedProject | ReusedProject<Cached>)[] {
  const wanted = (targets.length ? targets : ['.']).map((target) => {
    const absolute = resolve(cwd, target);
    if (!existsSync(absolute)) {
      throw new UsageError(`${target}: no such file or directory. Pass files or directories that exist.`);
    }
    return { absolute, isDirectory: statSync(absolute).isDirectory() };
  });

  const configs = new Map<string, ParsedConfig>();
  const inferredRoots: string[] = [];
  for (const target of wanted) {
    if (!target.isDirectory && /\.json$/.test(target.absolute)) {
      collectConfigs(t, target.absolute, configs);
      continue;
    }
    const config = findNearestConfig(target.isDirectory ? target.absolute : dirname(target.absolute));
    if (config) collectConfigs(t, config, configs);
    else inferredRoots.push(target.isDirectory ? target.absolute : dirname(target.absolute));
  }

  const selects = (file: string): boolean =>
    wanted.some((target) =>
      /\.json$/.test(target.absolute) && !target.isDirectory
        ? true
        : target.isDirectory
          ? isUnder(file, target.absolute)
          : resolve(file) === target.absolute,
    );

  const linted = new Set<string>();
  const projects: (LoadedProject | ReusedProject<Cached>)[] = [];
  const build = (
    configPath: string | undefined,
    rootNames: string[],
    options: ts.CompilerOptions,
    references?: readonly ts.ProjectReference[],
    inferredRoot?: string,
  ): void => {
    const selected = rootNames.filter((f) => !declarationFile.test(f) && selects(f) && !linted.has(resolve(f)));
    if (selected.length === 0) return;
    if (include && !selected.some((f) => include(resolve(f)))) {
      // None of this program's files is in the shard: claim them, as a build would, and build nothing.
      for (const name of selected) linted.add(resolve(name));
      return;
    }
    const identity: ProgramIdentity = { project: configPath ?? inferredRoot!, rootNames, options, references };
    const cached = reuse?.(identity);
    if (cached) {
      for (const name of cached.linted) linted.add(name);
      projects.push({ configPath, identity, cached });
      return;
    }
    const program = t.createProgram({
      rootNames,
      options: { ...options, noEmit: true },
      projectReferences: references,
    });
    const files: ts.SourceFile[] = [];
    const claimed: string[] = [];
    for (const name of selected) {
      const sourceFile = program.getSourceFile(name);
      if (!sourceFile) continue;
      linted.add(resolve(name));
      claimed.push(resolve(name));
      if (!include || include(resolve(name))) files.push(sourceFile);
    }
    projects.push({ configPath, identity, program, files, claimed });
  };

  for (const config of configs.values()) build(config.path, config.fileNames, config.options, config.references);
  // A target that no config covers (a folder outside the config's `include`) gets an inferred
  // program, as typescript-eslint's project service gives such files a default project.
  for (const target of wanted) {
    if (/\.json$/.test(target.absolute) && !target.isDirectory) continue;
    const covered = [...linted].some((file) =>
      target.isDirectory ? isUnder(file, target.absolute) : file === target.absolute,
    );
    if (!covered) inferredRoots.push(target.isDirectory ? target.absolute : dirname(target.absolute));
  }
  for (const root of [...new Set(inferredRoots)])
    build(undefined, listSourceFiles(root), inferredOptions(t), undefined, root);
  return projects;
}
