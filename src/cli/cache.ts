// `--cache`: a program's results, reused while nothing they can depend on has changed.
//
// The unit is the program (one tsconfig project), not the file. The rules are whole-program: a
// finding in one file can depend on another file with no import between them (a SIGTERM listener
// added in the entry silences a `listen()` elsewhere; a shutdown function closes a pool another
// file creates). A per-file cache keyed on the file's own content, as ESLint's, would return stale
// findings here; this one never does. Its key covers everything a program's results are a function
// of: this tool's code and version, TypeScript's version, the rules and their options, the shard,
// the compiler options and root files (so a config, `extends` or include change shows), the content
// of every source file of the program outside node_modules, and the package manifests and lockfiles
// that decide node_modules. A warm run reads the config and hashes the files, and reuses the
// results without building the program. An edit re-lints exactly the programs that hold the file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgramIdentity } from '../core/project.js';
import type { LintResult } from './results.js';

/** Bumped when the stored shape changes: an older file is ignored and rewritten. */
const cacheFormat = 1;
/** Programs kept: the least recently used beyond this are dropped. */
const maxEntries = 64;

const lockfiles = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'bun.lockb',
];

export interface CachedProgram {
  /** Everything but the file contents: tool, rules, shard, options, roots, lockfiles. */
  key: string;
  /** Absolute path and SHA-256 of every source file of the program outside node_modules. */
  files: [string, string][];
  /** The files this program linted (claimed, so no later program lints them again). */
  linted: string[];
  results: LintResult[];
  usedAt: number;
}

interface CacheFile {
  format: number;
  entries: Record<string, CachedProgram>;
}

/**
 * The default place: `node_modules/.cache/shutdown-lint` of the nearest directory at or above
 * `cwd` that has a package.json (the find-cache-dir convention), else of `cwd`.
 */
export function defaultCacheLocation(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'node_modules', '.cache', 'shutdown-lint');
    if (dirname(dir) === dir) return join(resolve(cwd), 'node_modules', '.cache', 'shutdown-lint');
  }
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

let toolFingerprint: string | undefined;

/**
 * This tool's own code: the analysis and the CLI as installed (or as built while developing, when
 * the version number does not change with every edit).
 */
function tool(): string {
  if (toolFingerprint) return toolFingerprint;
  const hash = createHash('sha256');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.[cm]?[jt]s$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
        hash.update(entry.name).update(readFileSync(path));
    }
  };
  for (const dir of ['rules', join('src', 'core'), join('src', 'cli')]) walk(join(root, dir));
  toolFingerprint = hash.digest('hex');
  return toolFingerprint;
}

/** The manifests and lockfiles of `dirs` and their ancestors: what decides node_modules. */
function dependencyManifests(dirs: readonly string[]): string[] {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const start of dirs) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (!seen.has(dir)) {
        seen.add(dir);
        for (const name of lockfiles) {
          const path = join(dir, name);
          if (existsSync(path)) parts.push(`${path}:${sha256(readFileSync(path))}`);
        }
      }
      if (dirname(dir) === dir) break;
    }
  }
  return parts.sort();
}

export class ResultCache {
  private entries: Record<string, CachedProgram> = {};
  private dirty = false;
  readonly file: string;

  /**
   * @param context what the results depend on besides the program: rules, options, shard, versions.
   * @param warn called with one line when the cache cannot be read or written; the run goes on.
   */
  constructor(
    location: string,
    private readonly cwd: string,
    private readonly context: object,
    private readonly warn: (line: string) => void,
  ) {
    this.file = join(location, 'results.json');
    if (!existsSync(this.file)) return;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<CacheFile>;
      if (parsed.format !== cacheFormat || typeof parsed.entries !== 'object' || parsed.entries === null) {
        throw new Error(`format ${String(parsed.format)}, expected ${cacheFormat}`);
      }
      this.entries = parsed.entries;
    } catch (error) {
      this.warn(`ignoring the cache at ${this.file}: ${(error as Error).message.split('\n')[0]}; it will be rewritten`);
      this.entries = {};
      this.dirty = true;
    }
  }

  private slot(identity: ProgramIdentity): string {
    return sha256(JSON.stringify([identity.project, this.context]));
  }

  private key(identity: ProgramIdentity): string {
    return sha256(
      JSON.stringify({
        tool: tool(),
        context: this.context,
        project: identity.project,
        roots: [...identity.rootNames].map((f) => resolve(f)).sort(),
        options: identity.options,
        references: identity.references ?? [],
        lints: identity.lints ? [...identity.lints].map((f) => resolve(f)).sort() : null,
        manifests: dependencyManifests([identity.project, this.cwd]),
      }),
    );
  }

  /** The stored results of this program, when none of its inputs changed. */
  lookup(identity: ProgramIdentity): CachedProgram | undefined {
    const entry = this.entries[this.slot(identity)];
    if (!entry || entry.key !== this.key(identity)) return undefined;
    for (const [path, hash] of entry.files) {
      let text: Buffer;
      try {
        if (!statSync(path).isFile()) return undefined;
        text = readFileSync(path);
      } catch {
        return undefined; // deleted or unreadable: the program changed
      }
      if (sha256(text) !== hash) return undefined;
    }
    entry.usedAt = Date.now();
    this.dirty = true;
    return entry;
  }

  store(
    identity: ProgramIdentity,
    files: readonly { fileName: string; text: string }[],
    linted: readonly string[],
    results: readonly LintResult[],
  ): void {
    this.entries[this.slot(identity)] = {
      key: this.key(identity),
      files: files.map((f) => [resolve(f.fileName), sha256(f.text)]),
      linted: [...linted],
      results: [...results],
      usedAt: Date.now(),
    };
    this.dirty = true;
  }

  /** Writes the cache atomically: a reader never sees half a file. Failure is a warning. */
  save(): void {
    if (!this.dirty) return;
    const kept = Object.entries(this.entries)
      .filter(([, entry]) => entry.files.length === 0 || existsSync(entry.files[0]![0]))
      .sort((a, b) => b[1].usedAt - a[1].usedAt)
      .slice(0, maxEntries);
    const content: CacheFile = { format: cacheFormat, entries: Object.fromEntries(kept) };
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(temporary, JSON.stringify(content));
      renameSync(temporary, this.file);
      this.dirty = false;
    } catch (error) {
      this.warn(
        `could not write the cache at ${this.file}: ${(error as Error).message.split('\n')[0]}; results are not cached`,
      );
    }
  }
}
