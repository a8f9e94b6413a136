// The unit's main process followed down to the Node entry file (research §1.3, §5.2): inits
// stripped, shells read with the shell parser, package-manager scripts followed through
// package.json, dist/ mapped back to src/.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { BaseImage, ShellFamily } from './base-image.js';
import { parseShellScript, type ShellCommand, type ShellScript } from './shell.js';
import type { Launch } from './units.js';
import { nearestPackageJson } from '../files.js';

export type PackageManager = 'npm' | 'yarn' | 'pnpm' | 'bun' | 'npx';

/** A shell between the platform and the app: `/bin/sh -c '…'`, `bash -c`, an entrypoint script. */
export interface ShellStep {
  kind: 'shell';
  /** `sh -c`, `bash -c`, `docker-entrypoint.sh`. */
  how: string;
  family: ShellFamily;
  script: ShellScript;
  text: string;
  /** The command the shell runs that leads to the app. */
  next: ShellCommand | undefined;
  /** `exec node …`: the shell is replaced. */
  execs: boolean;
  /** The shell replaces itself with `next` without an `exec`: busybox ash or bash, and `next` is the last simple command, not piped, backgrounded, redirected or nested. */
  implicitExec: boolean;
  /** `trap … TERM` and `wait`: the shell forwards the signal itself. */
  forwards: boolean;
}

export interface WrapperStep {
  kind: 'wrapper';
  /** npm, yarn, pnpm, nodemon, `tsx watch`, `node --watch`, pm2, concurrently, npm-run-all, ts-node, `next dev`, vite, dotenv, cross-env, env-cmd. */
  name: string;
  words: string[];
  /** The package.json script it runs, when it runs one. */
  script?: { name: string; text: string; packageJson: string };
  /** The package manager's version when the project pins it (`packageManager`), for the verdict of §2.2. */
  version?: string;
  /** yarn berry with `yarnPath` set. */
  yarnPath?: boolean;
}

export interface InitStep {
  kind: 'init';
  name: string;
}

export interface NodeStep {
  kind: 'node';
  words: string[];
  /** The entry file as written. */
  written?: string;
  /** The source file on disk it maps to. */
  entry?: string;
  /**
   * The package whose framework build the entry file is, when no source file maps to it: Nitro's
   * server output `.output/server/index.mjs` (Nuxt, TanStack Start, SolidStart, Analog) is built
   * from the package in the folder it is started from, and runs that package's code.
   */
  builtFrom?: string;
}

export type ChainStep = ShellStep | WrapperStep | InitStep | NodeStep;

export interface ProcessChain {
  steps: ChainStep[];
  /** The node step, when the chain reaches one. */
  node?: NodeStep;
}

const inits = new Set(['tini', 'dumb-init', 'docker-init', 'catatonit']);
const shells = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
const nodeBinaries = new Set(['node', 'nodejs']);

/** Follows the launch to the node process, as deep as it can be read. */
export function resolveChain(launch: Launch, image: BaseImage | undefined): ProcessChain {
  const chain: ProcessChain = { steps: [] };
  const family = image?.shellFamily ?? 'unknown';
  let argv = [...launch.argv];
  // distroless nodejs: the image's ENTRYPOINT is node, so `CMD ["dist/server.js"]` runs node.
  if (!launch.shellForm && image?.nodeEntrypoint && argv[0] && !nodeBinaries.has(basename(argv[0])))
    argv = ['node', ...argv];
  follow(chain, argv, launch, family, image, 0);
  return chain;
}

function follow(
  chain: ProcessChain,
  argv: string[],
  launch: Launch,
  family: ShellFamily,
  image: BaseImage | undefined,
  depth: number,
): void {
  if (depth > 6 || argv.length === 0) return;
  const [first = '', ...rest] = argv;
  const name = basename(first);
  if (inits.has(name)) {
    chain.steps.push({ kind: 'init', name });
    const after = rest.indexOf('--');
    const firstWord = rest.findIndex((w) => !w.startsWith('-'));
    const args = after >= 0 ? rest.slice(after + 1) : firstWord >= 0 ? rest.slice(firstWord) : [];
    follow(chain, args, launch, family, image, depth + 1);
    return;
  }
  if (shells.has(name)) {
    const c = rest.findIndex((w) => /^-[a-z]*c[a-z]*$/.test(w));
    if (c >= 0 && rest[c + 1] !== undefined) {
      const shellFamily: ShellFamily =
        name === 'bash' ? 'bash' : name === 'dash' ? 'dash' : name === 'ash' ? 'busybox' : family;
      followShell(chain, `${name} -c`, shellFamily, rest[c + 1]!, launch, image, depth, rest.slice(c + 2));
      return;
    }
    const script = rest.find((w) => !w.startsWith('-'));
    if (script) return followScriptFile(chain, script, name === 'bash' ? 'bash' : family, [], launch, image, depth);
    return;
  }
  if (/\.(sh|bash)$/.test(first)) return followScriptFile(chain, first, family, rest, launch, image, depth);
  // The official node image's entrypoint prepends node when the first word is a file (nodejs/docker-node#1687).
  if (nodeBinaries.has(name) || (/\.(c|m)?js$/.test(first) && image?.reference.toLowerCase().includes('node'))) {
    const words = nodeBinaries.has(name) ? argv : ['node', ...argv];
    if (words.includes('--watch') || words.some((w) => w.startsWith('--watch-path')))
      chain.steps.push({ kind: 'wrapper', name: 'node --watch', words });
    const step = nodeStep(words, launch);
    chain.steps.push(step);
    chain.node = step;
    return;
  }
  const wrapper = wrapperOf(argv);
  if (wrapper) {
    resolveWrapperScript(wrapper, launch.cwd);
    chain.steps.push(wrapper);
    if (wrapper.script) {
      // npm, pnpm and yarn 1 run the script with /bin/sh -c; yarn berry with its own JS shell.
      const berry = wrapper.name === 'yarn' && isBerry(dirname(wrapper.script.packageJson));
      followShell(
        chain,
        berry ? 'yarn shell' : 'sh -c',
        berry ? 'bash' : family,
        wrapper.script.text,
        { ...launch, cwd: dirname(wrapper.script.packageJson) },
        image,
        depth,
        [],
      );
      return;
    }
    const inner = innerCommand(wrapper);
    if (inner) follow(chain, inner, launch, family, image, depth + 1);
  }
}

function followShell(
  chain: ProcessChain,
  how: string,
  family: ShellFamily,
  text: string,
  launch: Launch,
  image: BaseImage | undefined,
  depth: number,
  positional: string[],
): void {
  const script = parseShellScript(text);
  const candidates = script.commands.filter(
    (c) =>
      c.words.length > 0 &&
      !/^(cd|set|export|echo|trap|wait|test|\[|true|:|source|\.|printf|mkdir|chown|chmod|sleep|rm|cp|mv|ln)$/.test(
        c.words[0]!,
      ),
  );
  const next =
    script.last && candidates.includes(script.last)
      ? script.last
      : (candidates.find(isAppCommand) ?? candidates[candidates.length - 1]);
  const execs = next !== undefined && next.words[0] === 'exec';
  const implicitExec =
    !execs &&
    next !== undefined &&
    next === script.last &&
    !next.background &&
    !next.piped &&
    !next.redirected &&
    !next.nested &&
    (family === 'busybox' || family === 'bash');
  chain.steps.push({
    kind: 'shell',
    how,
    family,
    script,
    text,
    next,
    execs,
    implicitExec,
    forwards: script.trapsTerm && script.waits,
  });
  if (!next) return;
  let words = execs ? next.words.slice(1) : next.words;
  // `exec "$@"` hands over to the arguments the script was given.
  if (words.length === 1 && /^"?\$[@*]"?$/.test(words[0]!)) words = positional;
  follow(
    chain,
    words.map((w) => w.replace(/^"(.*)"$/, '$1')),
    launch,
    family,
    image,
    depth + 1,
  );
}

function followScriptFile(
  chain: ProcessChain,
  script: string,
  family: ShellFamily,
  args: string[],
  launch: Launch,
  image: BaseImage | undefined,
  depth: number,
): void {
  const path = hostPath(launch, script);
  if (!path || !existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  followShell(chain, basename(script), /^#!.*\bbash\b/.test(text) ? 'bash' : family, text, launch, image, depth, args);
}

export function isAppCommand(command: ShellCommand): boolean {
  const words = command.words[0] === 'exec' ? command.words.slice(1) : command.words;
  return words[0] !== undefined && (nodeBinaries.has(basename(words[0])) || wrapperOf(words) !== undefined);
}

/** npm start, yarn run x, pnpm --filter api start, nodemon x, tsx watch x, pm2 start x, ts-node x, dotenv -e .env x. */
export function wrapperOf(words: readonly string[]): WrapperStep | undefined {
  const [first = '', ...rest] = words;
  const name = basename(first);
  const positional = rest.filter((w) => !w.startsWith('-'));
  if (name === 'npm' || name === 'pnpm' || name === 'yarn' || name === 'bun') {
    const [verb = name === 'yarn' ? 'install' : '', arg] = positional;
    let scriptName: string | undefined;
    if (verb === 'start' || verb === 'test') scriptName = verb;
    else if (verb === 'run' || verb === 'run-script') scriptName = arg;
    else if ((name === 'yarn' || name === 'pnpm' || name === 'bun') && verb !== 'exec' && verb !== 'dlx')
      scriptName = verb;
    return {
      kind: 'wrapper',
      name,
      words: [...words],
      ...(scriptName ? { script: { name: scriptName, text: '', packageJson: '' } } : {}),
    };
  }
  if (name === 'npx') return { kind: 'wrapper', name: 'npx', words: [...words] };
  if (name === 'nodemon') return { kind: 'wrapper', name: 'nodemon', words: [...words] };
  if (name === 'tsx' && positional[0] === 'watch') return { kind: 'wrapper', name: 'tsx watch', words: [...words] };
  if (name === 'tsx' || name === 'ts-node' || name === 'ts-node-dev')
    return { kind: 'wrapper', name, words: [...words] };
  if (name === 'pm2') return { kind: 'wrapper', name: 'pm2', words: [...words] };
  if (name === 'pm2-runtime' || name === 'pm2-docker')
    return { kind: 'wrapper', name: 'pm2-runtime', words: [...words] };
  if (name === 'next' && positional[0] === 'dev') return { kind: 'wrapper', name: 'next dev', words: [...words] };
  if (name === 'vite' && (positional[0] === undefined || positional[0] === 'dev' || positional[0] === 'serve'))
    return { kind: 'wrapper', name: 'vite', words: [...words] };
  if (name === 'concurrently' || name === 'npm-run-all' || name === 'run-p' || name === 'run-s')
    return { kind: 'wrapper', name, words: [...words] };
  if (envLoaders.has(name)) return { kind: 'wrapper', name, words: [...words] };
  return undefined;
}

/**
 * Environment loaders that spawn the command they are given with variables set and pass the stop
 * signals on to it: `dotenv -e ../../.env node dist/index.js` (dotenv-cli 11 forwards SIGTERM and
 * SIGINT to its child and exits with its code), `cross-env NODE_ENV=production node x`,
 * `env-cmd -f .env node x`. The app is the command they run.
 */
const envLoaders = new Set(['dotenv', 'cross-env', 'env-cmd']);

/** env-cmd's options that take a value (commander); its other options are flags. */
const envCmdValues = new Set(['-f', '--file', '-e', '--environments', '-r', '--rc-file']);

/**
 * The command an environment loader runs: what follows `--`, else the first word that is not an
 * option, an option's value or (cross-env) a `NAME=value` assignment. dotenv-cli reads its
 * arguments with minimist, which gives an option written without `=` the next word as its value
 * unless that word is an option itself (`dotenv -e .env -c node x` loads `.env.node`): the command
 * is the first word that no option takes.
 */
function loadedCommand(loader: string, args: readonly string[]): string[] | undefined {
  const end = args.indexOf('--');
  if (end >= 0) return end + 1 < args.length ? args.slice(end + 1) : undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word.startsWith('-')) {
      const next = args[i + 1];
      const takesValue =
        loader === 'dotenv'
          ? !word.includes('=') && next !== undefined && !next.startsWith('-')
          : envCmdValues.has(word);
      if (takesValue) i++;
      continue;
    }
    if (loader === 'cross-env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    return args.slice(i);
  }
  return undefined;
}

/** The command a runner starts: `npx tsx src/x.ts` -> `tsx src/x.ts`, `nodemon dist/x.js` -> `node dist/x.js`. */
function innerCommand(wrapper: WrapperStep): string[] | undefined {
  const args = wrapper.words.slice(1);
  if (envLoaders.has(wrapper.name)) return loadedCommand(wrapper.name, args);
  const files = args.filter((w) => !w.startsWith('-') && w !== 'watch' && w !== 'start');
  switch (wrapper.name) {
    case 'npx':
      return files.length ? args.slice(args.indexOf(files[0]!)) : undefined;
    case 'nodemon':
    case 'tsx':
    case 'tsx watch':
    case 'ts-node':
    case 'ts-node-dev':
    case 'pm2':
    case 'pm2-runtime': {
      const file = files.find((w) => /\.(c|m)?[jt]sx?$/.test(w));
      return file ? ['node', file] : undefined;
    }
    default:
      return undefined;
  }
}

function nodeStep(words: string[], launch: Launch): NodeStep {
  const withValue = new Set([
    '-r',
    '--require',
    '--import',
    '--loader',
    '--experimental-loader',
    '-e',
    '--eval',
    '--env-file',
    '--title',
    '--inspect-port',
  ]);
  let written: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (withValue.has(w)) {
      i++;
      continue;
    }
    if (w.startsWith('-')) continue;
    written = w;
    break;
  }
  const step: NodeStep = { kind: 'node', words };
  if (written) {
    step.written = written;
    const entry = mapEntry(launch, written);
    if (entry) step.entry = entry;
    else {
      const builtFrom = frameworkBuildOf(launch, written);
      if (builtFrom) step.builtFrom = builtFrom;
    }
  }
  return step;
}

/** Nitro's server entry, relative to the package it builds: `.output/server/index.mjs`. */
const nitroServerEntry = /^(\.\/)?\.output\/server\/index\.mjs$/;

/**
 * The package folder a framework's build output is started from (`node .output/server/index.mjs`
 * in `apps/web`): the folder holds the package.json of the app, and the output is Nitro's. Such a
 * build is never in the checkout, and no source file maps to it.
 */
function frameworkBuildOf(launch: Launch, written: string): string | undefined {
  const path = hostPath(launch, written);
  if (!path) return undefined;
  const rel = relative(launch.cwd, path).split('\\').join('/');
  if (!nitroServerEntry.test(rel) || !existsSync(join(launch.cwd, 'package.json'))) return undefined;
  return launch.cwd;
}

/** A path as the container sees it -> the path in the checkout. */
function hostPath(launch: Launch, path: string): string | undefined {
  let p = path;
  if (isAbsolute(p)) {
    const workdir = launch.workdir?.replace(/\/$/, '');
    if (workdir && (p === workdir || p.startsWith(`${workdir}/`))) p = p.slice(workdir.length + 1);
    else if (existsSync(p)) return p;
    else p = p.replace(/^\/(app|usr\/src\/app|srv|opt\/app|home\/node\/app|workspace)\//, '');
    if (isAbsolute(p)) return undefined;
  }
  return resolve(launch.cwd, p);
}

/** `dist/server.js` -> `src/server.ts` when the built file is not in the checkout, or is built from it. */
export function mapEntry(launch: Launch, written: string): string | undefined {
  const path = hostPath(launch, written);
  if (!path) return undefined;
  const rel = relative(launch.cwd, path);
  const candidates: string[] = [];
  const stem = rel.replace(/\.(c|m)?js$/, '');
  const sourceStem = stem.replace(/^(dist|build|lib|out)\//, 'src/');
  for (const s of [sourceStem, stem.replace(/^(dist|build|lib|out)\//, '')]) {
    for (const ext of ['.ts', '.mts', '.cts', '.tsx']) candidates.push(s + ext);
    if (s !== stem) for (const ext of ['.js', '.mjs', '.cjs']) candidates.push(s + ext);
  }
  candidates.push(rel);
  for (const ext of ['.ts', '.js', '/index.ts', '/index.js']) if (!/\.[a-z]+$/.test(rel)) candidates.push(rel + ext);
  for (const candidate of candidates) {
    const full = join(launch.cwd, candidate);
    if (existsSync(full) && !full.includes('/node_modules/')) return full;
  }
  return undefined;
}

export interface PackageJson {
  name?: string;
  scripts?: Record<string, string>;
  packageManager?: string;
  main?: string;
}

// Keyed by path, and kept only while the file's mtime and size are unchanged: a long-lived
// process (an editor, the test runner) sees a package.json edited between two runs.
const packageCache = new Map<string, { stamp: string; pkg: PackageJson | undefined }>();

/** The package.json at `path`, parsed (undefined when it is missing or not JSON). */
export function readPackageJson(path: string): PackageJson | undefined {
  let stamp: string;
  try {
    const stat = statSync(path);
    stamp = `${stat.mtimeMs}:${stat.size}`;
  } catch {
    packageCache.delete(path);
    return undefined;
  }
  const cached = packageCache.get(path);
  if (cached?.stamp === stamp) return cached.pkg;
  let pkg: PackageJson | undefined;
  try {
    pkg = JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
  } catch {
    pkg = undefined;
  }
  packageCache.set(path, { stamp, pkg });
  return pkg;
}

function isBerry(dir: string): boolean {
  return existsSync(join(dir, '.yarnrc.yml'));
}

/** Reads the script a package-manager wrapper runs, and the version it is pinned to. */
export function resolveWrapperScript(wrapper: WrapperStep, cwd: string): void {
  const packageJson = nearestPackageJson(cwd);
  const pkg = packageJson ? readPackageJson(packageJson) : undefined;
  if (!packageJson || !pkg) {
    delete wrapper.script;
    return;
  }
  // In a workspace, the root's package.json pins the package manager.
  let pinnedBy: string | undefined;
  for (let dir = dirname(packageJson); !pinnedBy; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && readPackageJson(candidate)?.packageManager)
      pinnedBy = readPackageJson(candidate)!.packageManager;
    if (dirname(dir) === dir) break;
  }
  const pinned = pinnedBy?.match(/^(npm|yarn|pnpm|bun)@(\d+[^+]*)/);
  if (pinned && pinned[1] === wrapper.name) wrapper.version = pinned[2];
  if (wrapper.name === 'yarn' && existsSync(join(dirname(packageJson), '.yarnrc.yml'))) {
    wrapper.version ??= '2+';
    wrapper.yarnPath = /^yarnPath:/m.test(readFileSync(join(dirname(packageJson), '.yarnrc.yml'), 'utf8'));
  }
  if (!wrapper.script) return;
  const name = wrapper.script.name;
  // npm runs `node server.js` for a start script that is not there, when server.js exists.
  const text =
    pkg.scripts?.[name] ??
    (name === 'start' && existsSync(join(dirname(packageJson), 'server.js')) ? 'node server.js' : undefined);
  if (text === undefined) {
    delete wrapper.script;
    return;
  }
  wrapper.script = { name, text, packageJson };
}

/** The steps after any init: the first is the process the platform (or its init) signals. */
export function signalledSteps(chain: ProcessChain): { init: InitStep | undefined; steps: ChainStep[] } {
  const index = chain.steps.findIndex((s) => s.kind !== 'init');
  const init = chain.steps.find((s): s is InitStep => s.kind === 'init');
  return { init, steps: index < 0 ? [] : chain.steps.slice(index) };
}

/**
 * Node is the process the platform signals, with no init in front: first in the chain, or
 * reached through shells that exec (explicitly, or busybox/bash implicitly).
 */
export function nodeIsMainProcess(chain: ProcessChain): boolean {
  if (chain.steps[0]?.kind === 'init') return false;
  for (const step of chain.steps) {
    if (step.kind === 'node') return true;
    if (step.kind === 'shell' && (step.execs || step.implicitExec)) continue;
    return false;
  }
  return false;
}

/** The process the platform (or its init) signals, past shells that exec: a wrapper, node, a shell that stays. */
export function mainStep(chain: ProcessChain): { step: ChainStep | undefined; index: number } {
  const { steps } = signalledSteps(chain);
  let index = 0;
  while (
    steps[index]?.kind === 'shell' &&
    ((steps[index] as ShellStep).execs || (steps[index] as ShellStep).implicitExec)
  )
    index++;
  return { step: steps[index], index: chain.steps.indexOf(steps[index]!) };
}

/** `node dist/server.js`, `npm start`: the command as a person would write it. */
export function commandText(words: readonly string[]): string {
  return words.map((w) => (/\s/.test(w) ? JSON.stringify(w) : w)).join(' ');
}

/** The exec form of a command, for fix texts: `["node","dist/server.js"]`. */
export function execForm(words: readonly string[]): string {
  return `[${words.map((w) => JSON.stringify(w)).join(', ')}]`;
}

/** The folder of the nearest package.json above `dir` (or `dir`): where a platform file's relative commands most likely run. */
export function projectRoot(dir: string): string {
  const packageJson = nearestPackageJson(dir);
  return packageJson ? dirname(packageJson) : dir;
}
