// What a package is, as its package.json and its folder declare it: a mobile app, a browser app or
// browser library, a one-shot command-line tool. The places (places.ts) ask this for the files of
// a package; whether one of its files serves is the program's to say, not the manifest's.
//
// A package is a browser's when its own manifest says so (React Native / Expo, Angular without
// NestJS, a Vite app with its index.html, a `browser` entry and no Node one), or when the only
// workspace packages that depend on it are browser packages (a UI package only the client imports).
// Either way, one workspace package that depends on it and is not a browser's (a server, a package
// nothing marks) keeps it a candidate: an isomorphic package a server loads runs in the server.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findWorkspaceRoot, workspacePackages } from '../project.js';
import { workspaceDeploys } from './deployed.js';

interface Manifest {
  name?: unknown;
  main?: unknown;
  browser?: unknown;
  exports?: unknown;
  bin?: unknown;
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  peerDependencies?: Record<string, unknown>;
  optionalDependencies?: Record<string, unknown>;
}

/**
 * What a package's manifest and folder say it runs as, when not as a Node service: an app for a
 * phone or a page (`mobile`, `angular`, `vite`), whose own code runs there whoever depends on it
 * (a server that serves the built bundle); a library for one (`mobile-library`: React Native as a
 * peer, `browser-field`), which a server that depends on it runs too; or a command-line tool.
 */
export type PackageKind = 'mobile' | 'angular' | 'vite' | 'mobile-library' | 'browser-field' | 'cli';

const appKinds = new Set<PackageKind | undefined>(['mobile', 'angular', 'vite']);

/** Scripts that start the package's program: one that runs it under Node makes it a Node program. */
const startScript = /^(start|dev|serve|prod)(:|$)/;
/** Commands that run a Node program (a server, a full-stack framework's server). */
const nodeRunner =
  /(^|[\s;&|(])(node|nodemon|tsx|ts-node|ts-node-dev|bun|deno|nest|next|nuxt|remix-serve|react-router-serve|astro|sveltekit)(\s|$)/;
const viteConfig = ['vite.config.ts', 'vite.config.js', 'vite.config.mts', 'vite.config.mjs', 'vite.config.cjs'];

/**
 * The manifests read in this process, by path, with the size and modification time they were read
 * at: an editor builds the places once per program version (every edit), and a manifest that did
 * not change on disk is not read and parsed again.
 */
const manifestsOnDisk = new Map<string, { mtimeMs: number; size: number; manifest: Manifest | undefined }>();

/** A file's size and modification time as one string, or `absent`: equal stamps, the same file as far as it was read. */
function stampOf(path: string): string {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat ? `${stat.mtimeMs}:${stat.size}:${stat.isFile()}` : 'absent';
}

/** The manifest in `path`, read again only when its size or modification time changed; undefined when none is there. */
function readManifest(path: string): Manifest | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) {
    manifestsOnDisk.delete(path);
    return undefined;
  }
  const kept = manifestsOnDisk.get(path);
  if (kept && kept.mtimeMs === stat.mtimeMs && kept.size === stat.size) return kept.manifest;
  let manifest: Manifest | undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) manifest = parsed as Manifest;
  } catch {
    // Not JSON (or a folder named package.json): no package to read.
  }
  manifestsOnDisk.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, manifest });
  return manifest;
}

export class Packages {
  private readonly manifests = new Map<string, Manifest | undefined>();
  private readonly nearest = new Map<string, string | undefined>();
  private readonly dependents = new Map<string, Map<string, string[]>>();
  private readonly browserOnly = new Map<string, boolean>();
  /**
   * What this instance's answers read from disk, so that a later program version can take them
   * over only while the disk still says the same (`unchangedOnDisk`): each manifest's stamp (by
   * its folder), each file whose existence was asked, the workspace root found from each folder,
   * and each workspace's package folders.
   */
  private readonly stamps = new Map<string, string>();
  private readonly existence = new Map<string, boolean>();
  private readonly workspaceRoots = new Map<string, string | undefined>();
  private readonly workspaceFolders = new Map<string, string>();

  /**
   * Whether everything this instance read from disk reads the same now: then its answers (and
   * whatever was computed from them) are what a new instance would give.
   */
  unchangedOnDisk(): boolean {
    for (const [dir, stamp] of this.stamps) if (stampOf(join(dir, 'package.json')) !== stamp) return false;
    for (const [path, exists] of this.existence) if (existsSync(path) !== exists) return false;
    for (const [dir, root] of this.workspaceRoots) if (findWorkspaceRoot(dir) !== root) return false;
    for (const [root, folders] of this.workspaceFolders)
      if (workspacePackages(root).join('\0') !== folders) return false;
    return true;
  }

  private exists(path: string): boolean {
    let exists = this.existence.get(path);
    if (exists === undefined) {
      exists = existsSync(path);
      this.existence.set(path, exists);
    }
    return exists;
  }

  private workspaceRootOf(dir: string): string | undefined {
    if (this.workspaceRoots.has(dir)) return this.workspaceRoots.get(dir);
    const root = findWorkspaceRoot(dir);
    this.workspaceRoots.set(dir, root);
    return root;
  }

  /**
   * The folder of the package.json nearest to `dir`, looking no higher than `bound` (the program's
   * root): a package.json above the project being linted is not its own.
   */
  packageDirOf(dir: string, bound: string): string | undefined {
    const key = `${dir}\0${bound}`;
    if (this.nearest.has(key)) return this.nearest.get(key);
    let found: string | undefined;
    for (let current = dir; ; current = dirname(current)) {
      if (this.manifest(current)) {
        found = current;
        break;
      }
      if (current === bound || !isUnder(current, bound) || dirname(current) === current) break;
    }
    this.nearest.set(key, found);
    return found;
  }

  /** What the package at `dir` declares itself to be, from its manifest and folder alone. */
  kindOf(dir: string): PackageKind | undefined {
    const manifest = this.manifest(dir);
    if (!manifest) return undefined;
    const runtime = record(manifest.dependencies);
    const peers = record(manifest.peerDependencies);
    const all = {
      ...runtime,
      ...peers,
      ...record(manifest.devDependencies),
      ...record(manifest.optionalDependencies),
    };
    const scripts = Object.entries(record(manifest.scripts)).filter(([, v]) => typeof v === 'string') as [
      string,
      string,
    ][];
    const startsNode = scripts.some(([name, command]) => startScript.test(name) && nodeRunner.test(command));
    if ('react-native' in runtime || 'expo' in runtime || manifest.main === 'expo-router/entry') return 'mobile';
    if ('react-native' in peers || 'expo' in peers) return 'mobile-library';
    if (!startsNode) {
      if ('@angular/core' in all && !Object.keys(all).some((d) => d.startsWith('@nestjs/'))) return 'angular';
      if (
        this.exists(join(dir, 'index.html')) &&
        (viteConfig.some((f) => this.exists(join(dir, f))) ||
          scripts.some(([name, command]) => startScript.test(name) && /(^|\s)vite(\s|$)/.test(command)))
      )
        return 'vite';
      if (manifest.browser !== undefined && manifest.main === undefined && !servesNode(manifest.exports))
        return 'browser-field';
    }
    if (hasBin(manifest.bin)) return 'cli';
    return undefined;
  }

  /**
   * Whether the package at `dir` runs only in browsers (and mobile apps): it is such an app, or it
   * says it is a library for them (`ownEvidence`, or its manifest) or every workspace package that
   * depends on it is a browser's; and then no workspace package that depends on it is anything else.
   */
  isBrowserPackage(dir: string, ownEvidence = false): boolean {
    const kind = this.kindOf(dir);
    if (appKinds.has(kind)) return true;
    const own = ownEvidence || (kind !== undefined && kind !== 'cli');
    const dependents = this.dependentsOf(dir);
    if (!own && dependents.length === 0) return false;
    return dependents.every((d) => this.isBrowserDependent(d));
  }

  /** Whether a package is a command-line tool no workspace server depends on. */
  isCliPackage(dir: string): boolean {
    return this.kindOf(dir) === 'cli' && this.dependentsOf(dir).every((d) => this.isBrowserDependent(d));
  }

  /**
   * Whether the package at `dir` is a workspace package no deployed entry of its monorepo reaches
   * (see deployed.ts): a client library, a dev environment. False when the deploy files do not say
   * what is deployed.
   */
  isUndeployedPackage(dir: string): boolean {
    const root = this.workspaceRootOf(dir);
    if (!root) return false;
    const deploys = workspaceDeploys(root);
    const key = resolve(dir);
    return deploys !== undefined && deploys.packages.has(key) && !deploys.reached.has(key);
  }

  /**
   * Whether a package that depends on another runs it in a browser: it is a browser's app or
   * library itself (a Vite app bundles what it depends on for the page, whoever serves the bundle),
   * or only such packages depend on it.
   */
  private isBrowserDependent(dir: string): boolean {
    const known = this.browserOnly.get(dir);
    if (known !== undefined) return known;
    // A cycle of dependents: none of them is known to be a browser's.
    this.browserOnly.set(dir, false);
    const kind = this.kindOf(dir);
    const answer = (kind !== undefined && kind !== 'cli') || this.isBrowserPackage(dir);
    this.browserOnly.set(dir, answer);
    return answer;
  }

  /** The workspace packages (and the workspace root) whose manifest depends on the package at `dir`. */
  private dependentsOf(dir: string): string[] {
    const name = this.manifest(dir)?.name;
    if (typeof name !== 'string') return [];
    const root = this.workspaceRootOf(dir);
    if (!root) return [];
    let byName = this.dependents.get(root);
    if (!byName) {
      byName = new Map();
      const folders = workspacePackages(root);
      this.workspaceFolders.set(root, folders.join('\0'));
      for (const pkg of [resolve(root), ...folders]) {
        const manifest = this.manifest(pkg);
        if (!manifest) continue;
        const names = new Set(
          [
            manifest.dependencies,
            manifest.devDependencies,
            manifest.peerDependencies,
            manifest.optionalDependencies,
          ].flatMap((deps) => Object.keys(record(deps))),
        );
        for (const dependency of names) {
          const list = byName.get(dependency) ?? [];
          list.push(pkg);
          byName.set(dependency, list);
        }
      }
      this.dependents.set(root, byName);
    }
    return (byName.get(name) ?? []).filter((d) => d !== resolve(dir));
  }

  /**
   * The file a subpath of the package at `dir` (`.`, `./telemetry`) resolves to for Node, as its
   * manifest writes it (`./dist/index.js`): `exports`, else `main`, else `index.js`.
   */
  exportTarget(dir: string, subpath: string): string | undefined {
    const manifest = this.manifest(dir);
    if (!manifest) return undefined;
    const exports = manifest.exports;
    if (exports === undefined || exports === null) {
      if (subpath !== '.') return undefined;
      return typeof manifest.main === 'string' ? manifest.main : 'index.js';
    }
    const entries = record(exports);
    const bySubpath =
      typeof exports === 'string' || Object.keys(entries).some((k) => !k.startsWith('.'))
        ? subpath === '.'
          ? exports
          : undefined
        : entries[subpath];
    return conditionTarget(bySubpath);
  }

  private manifest(dir: string): Manifest | undefined {
    if (this.manifests.has(dir)) return this.manifests.get(dir);
    const path = join(dir, 'package.json');
    this.stamps.set(dir, stampOf(path));
    const manifest = readManifest(path);
    this.manifests.set(dir, manifest);
    return manifest;
  }
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The path an `exports` value gives Node: a string, or the first of its Node conditions that is one. */
function conditionTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(conditionTarget).find((v) => v !== undefined);
  if (!value || typeof value !== 'object') return undefined;
  const conditions = record(value);
  for (const condition of ['node', 'import', 'require', 'default', 'types']) {
    const target = conditionTarget(conditions[condition]);
    if (target !== undefined) return target;
  }
  return undefined;
}

function hasBin(bin: unknown): boolean {
  return (typeof bin === 'string' && bin !== '') || Object.keys(record(bin)).length > 0;
}

/** Whether package.json `exports` offers Node an entry: a path, or a condition other than `browser`/`types`. */
function servesNode(exports: unknown): boolean {
  if (exports === undefined || exports === null) return false;
  if (typeof exports === 'string' || Array.isArray(exports)) return true;
  return Object.entries(record(exports)).some(([key, value]) =>
    key.startsWith('.') ? servesNode(value) : !/^(browser|types|typings|style|worker|react-native)$/.test(key),
  );
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}
