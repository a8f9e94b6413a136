// A migrated file imports `shutdown-lint/lifecycle`, so the package that runs it must depend on
// shutdown-lint at run time: a devDependency (or nothing) boots in development and fails in a
// production install with MODULE_NOT_FOUND. `migrate` plans these package.json edits with the
// code and writes them in the same atomic write set.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nearestPackageJson } from '../../src/core/files.js';

export const packageName = 'shutdown-lint';

/** `^` + the version this copy of shutdown-lint runs as, from its own package.json. */
export function runningVersionRange(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === packageName && manifest.version) return `^${manifest.version}`;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find ${packageName}'s own package.json above ${import.meta.url}`);
  }
}

export interface DependencyEdit {
  path: string;
  before: string;
  after: string;
  /** What was done, for the summary: `added shutdown-lint@^0.1.0 to dependencies` (the caller adds the path). */
  action: string;
}

export interface DependencyProblem {
  /** The changed file (no package.json) or the package.json that cannot be edited. */
  path: string;
  reason: string;
}

export interface DependencyPlan {
  edits: DependencyEdit[];
  problems: DependencyProblem[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The file's indentation unit: the leading whitespace of its first indented line (two spaces if none). */
function indentOf(text: string): string {
  return /^[{[][^\n]*\n([ \t]+)\S/.exec(text)?.[1] ?? /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
}

/** `object` with `key: value` inserted: in name order when its keys are in name order, else last. */
function withKey(object: Json, key: string, value: unknown): Json {
  const keys = Object.keys(object);
  const sorted = keys.every((k, i) => i === 0 || keys[i - 1]! <= k);
  const at = sorted ? keys.findIndex((k) => k > key) : -1;
  const entries = Object.entries(object);
  entries.splice(at === -1 ? entries.length : at, 0, [key, value]);
  return Object.fromEntries(entries);
}

/**
 * The edit that makes `manifest` depend on shutdown-lint at run time, or undefined when it already
 * does (or is shutdown-lint itself). Moves it out of devDependencies; otherwise keeps every key
 * where it was, and the file's indentation, line ends and final newline.
 */
export function addRuntimeDependency(
  text: string,
  range: string,
): { after: string; action: string } | undefined | { error: string } {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    return { error: `is not valid JSON (${(error as Error).message})` };
  }
  if (!isObject(manifest)) return { error: 'is not a JSON object' };
  if (manifest.name === packageName) return undefined;
  const dependencies = manifest.dependencies;
  if (dependencies !== undefined && !isObject(dependencies)) return { error: '"dependencies" is not an object' };
  if (dependencies && packageName in dependencies) return undefined;
  const dev = manifest.devDependencies;
  const moved = isObject(dev) && packageName in dev;
  const entries: [string, unknown][] = [];
  for (const [key, value] of Object.entries(manifest)) {
    if (key === 'devDependencies' && moved) {
      const rest = Object.fromEntries(Object.entries(dev).filter(([name]) => name !== packageName));
      if (!dependencies) entries.push(['dependencies', { [packageName]: range }]);
      if (Object.keys(rest).length > 0) entries.push([key, rest]);
    } else if (key === 'dependencies') entries.push([key, withKey(dependencies!, packageName, range)]);
    else entries.push([key, value]);
  }
  if (!dependencies && !moved) {
    // Before devDependencies when there are some, as npm writes them; else last.
    const at = entries.findIndex(([key]) => key === 'devDependencies');
    entries.splice(at === -1 ? entries.length : at, 0, ['dependencies', { [packageName]: range }]);
  }
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  let after = JSON.stringify(Object.fromEntries(entries), null, indentOf(text.replace(/\r\n/g, '\n')));
  if (newline !== '\n') after = after.replace(/\n/g, newline);
  if (/\r?\n$/.test(text)) after += newline;
  const action = `${moved ? 'moved' : 'added'} ${packageName}@${range} ${moved ? 'from devDependencies ' : ''}to dependencies`;
  return { after, action };
}

/** The package.json edits for the files `migrate` changes, one per package. */
export function planDependencies(changedFiles: readonly string[], range = runningVersionRange()): DependencyPlan {
  const edits: DependencyEdit[] = [];
  const problems: DependencyProblem[] = [];
  const seen = new Set<string>();
  for (const file of changedFiles) {
    const manifest = nearestPackageJson(dirname(file));
    if (!manifest) {
      problems.push({
        path: file,
        reason: `no package.json above it: add ${packageName}@${range} to the dependencies of the package that runs it, or it fails to boot with MODULE_NOT_FOUND`,
      });
      continue;
    }
    if (seen.has(manifest)) continue;
    seen.add(manifest);
    let before: string;
    try {
      before = readFileSync(manifest, 'utf8');
    } catch (error) {
      problems.push({
        path: manifest,
        reason: `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}): add ${packageName}@${range} to its dependencies by hand`,
      });
      continue;
    }
    const result = addRuntimeDependency(before, range);
    if (result === undefined) continue;
    if ('error' in result) {
      problems.push({
        path: manifest,
        reason: `${result.error}: add ${packageName}@${range} to its dependencies by hand`,
      });
      continue;
    }
    edits.push({ path: manifest, before, after: result.after, action: result.action });
  }
  return { edits, problems };
}
