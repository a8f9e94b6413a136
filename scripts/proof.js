#!/usr/bin/env node
// `npm run proof -- --mirrors DIR`: real services nobody here wrote, before and after
// `shutdown-lint migrate all` (issue 17, "Proof").
//
// Each service (scripts/proof/<name>.js) is read at its pinned commit out of its bare git mirror (as
// `npm run field` does), its production dependencies installed from the registry once (`npm ci
// --omit=dev --ignore-scripts`, kept between runs), and then run twice: as it is, and after
// `shutdown-lint migrate all .` with this package installed into it from a packed tarball (migrate
// adds the dependency; `npm install <tarball>` installs it as a production install would). Each run
// migrates the service's database or storage, boots it on loopback with its own start command
// (`npm start`'s `node …`, spawned directly so that the signal reaches the service as in a container),
// puts load on the work SIGTERM puts at risk, sends SIGTERM, SIGKILL after the grace period, and then
// reads the data back: what the service acknowledged and lost, what the clients saw (failed requests,
// close codes), how and when it exited. No fetched code is committed: the checkouts and installs
// live under --work.
//
// Exit code 0 when every service ran (the table is the result, whatever it says), 1 when one could
// not be prepared or run, 2 on a usage error.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { checkout, findMirror } from './field/checkout.js';
import kutt from './proof/kutt.js';
import whitebophir from './proof/whitebophir.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const services = [kutt, whitebophir];

const usage = `Usage: npm run proof -- --mirrors DIR [options]

Runs real services before and after \`shutdown-lint migrate all\`: load, SIGTERM, and what was lost.
Services: ${services.map((s) => s.repo).join(', ')}.

Options:
  --mirrors DIR     where the bare git mirrors are: DIR/<owner>+<name>/repo or DIR/<owner>+<name>
  --work DIR        checkouts, installs and runs (default: ${join(tmpdir(), 'shutdown-lint-proof')})
  --only OWNER/NAME run this service only; repeatable
  --grace MS        SIGKILL this long after SIGTERM (default 10000)
  -h, --help        show this help`;

function parseArgs(argv) {
  const options = { only: [], work: join(tmpdir(), 'shutdown-lint-proof'), graceMs: 10_000 };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--mirrors') options.mirrors = resolve(value());
    else if (arg === '--work') options.work = resolve(value());
    else if (arg === '--only') options.only.push(value());
    else if (arg === '--grace') options.graceMs = Number(value());
    else if (arg === '-h' || arg === '--help') options.help = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.help && options.mirrors === undefined) throw new Error('--mirrors DIR is required');
  for (const repo of options.only)
    if (!services.some((s) => s.repo === repo))
      throw new Error(`--only ${repo}: not a proof service (${services.map((s) => s.repo).join(', ')})`);
  if (!(options.graceMs > 0)) throw new Error('--grace needs a positive number of milliseconds');
  return options;
}

const log = (message) => process.stderr.write(`proof: ${message}\n`);

function run(command, args, cwd, env = process.env) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 2 ** 28 });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd} (exit ${result.status ?? result.signal}):\n${(result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n')}`,
    );
  return result.stdout;
}

const npm = (args, cwd) => run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);

/** The service at its commit with its production dependencies, installed once and kept. */
function installed(service, options) {
  const gitDir = findMirror(options.mirrors, service.repo);
  if (!gitDir) throw new Error(`no mirror of ${service.repo} in ${options.mirrors}: fetch it first`);
  const extracted = checkout(gitDir, service, join(options.work, 'checkouts'));
  if (extracted.error) throw new Error(`${service.repo}: ${extracted.error}`);
  const name = `${service.repo.replace('/', '+')}@${service.commit.slice(0, 12)}`;
  const dir = join(options.work, 'installed', name);
  const marker = `${dir}.complete`;
  if (existsSync(marker) && existsSync(dir)) return dir;
  rmSync(dir, { recursive: true, force: true });
  cpSync(extracted.dir, dir, { recursive: true });
  log(`${service.repo}: npm ci --omit=dev (from the registry, once)…`);
  // Install scripts stay off: native builds fetch prebuilt binaries from GitHub, which this
  // machine cannot reach, and the services run here without them (kutt on PostgreSQL, not SQLite).
  npm(['ci', '--omit=dev', '--ignore-scripts'], dir);
  writeFileSync(marker, `${service.commit}\n`);
  return dir;
}

/** A fresh copy of the installed service: its files copied, its node_modules hard-linked (fast, no space). */
function variant(service, base, options, name) {
  const dir = join(options.work, 'runs', service.repo.replace('/', '+'), name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(base)) {
    if (entry === 'node_modules') run('cp', ['-al', join(base, entry), join(dir, entry)], dir);
    else cpSync(join(base, entry), join(dir, entry), { recursive: true });
  }
  // npm rewrites its hidden lockfile in place: a copy of its own, so that the install keeps it.
  const hidden = join(dir, 'node_modules', '.package-lock.json');
  if (existsSync(hidden)) {
    rmSync(hidden);
    cpSync(join(base, 'node_modules', '.package-lock.json'), hidden);
  }
  return dir;
}

function git(cwd, ...args) {
  run('git', ['-c', 'user.name=proof', '-c', 'user.email=proof@localhost', ...args], cwd);
}

/** This package as npm would install it: `npm pack` of the built worktree, once per run. */
function packed(options) {
  if (!existsSync(join(root, 'dist', 'src', 'lifecycle', 'index.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  const dir = join(options.work, 'pack');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root);
  return join(dir, JSON.parse(out)[0].filename);
}

/** Runs `migrate all .` on the copy, then installs the dependency it added. Returns its summary. */
function migrate(dir, tarball) {
  git(dir, 'init', '-q');
  writeFileSync(join(dir, '.git', 'info', 'exclude'), 'node_modules\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'service as fetched');
  const result = spawnSync(process.execPath, [join(root, 'bin', 'shutdown-lint.js'), 'migrate', 'all', '.'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 2 ** 28,
  });
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`shutdown-lint migrate all failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  const added = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies?.['shutdown-lint'];
  if (added === undefined) throw new Error('migrate did not add shutdown-lint to the dependencies of package.json');
  npm(['install', '--omit=dev', '--ignore-scripts', tarball], dir);
  const diff = spawnSync('git', ['diff', '--stat', '--', '.', ':!package.json', ':!package-lock.json'], {
    cwd: dir,
    encoding: 'utf8',
  }).stdout;
  // Idempotence: a second run on the migrated service changes nothing.
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'migrated');
  const again = spawnSync(process.execPath, [join(root, 'bin', 'shutdown-lint.js'), 'migrate', 'all', '.'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 2 ** 28,
  });
  const second = spawnSync('git', ['diff', '--stat'], { cwd: dir, encoding: 'utf8' }).stdout.trim();
  if (second) git(dir, 'checkout', '-q', '--', '.');
  const secondRun = again.status !== 0 && again.status !== 1 ? `failed (exit ${again.status})` : second || 'no change';
  return { summary: result.stdout.trim(), diff: diff.trim(), added, secondRun };
}

/** The service's own `npm start`, as argv for a direct spawn: `node server/server.js --production`. */
function startCommand(dir) {
  const start = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.start ?? '';
  const words = start.trim().split(/\s+/);
  if (words[0] !== 'node')
    throw new Error(`npm start is not \`node …\` (${start}): add a start command to the service`);
  return words.slice(1);
}

/**
 * Boots the service, waits until `ready(port)` answers, runs `load`, sends SIGTERM after `loadMs`,
 * SIGKILL after the grace period; returns what the load returns with the exit, its time and the
 * service's output.
 */
async function boot(dir, { env, ready, load }, options) {
  const child = spawn(process.execPath, startCommand(dir), {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((done) =>
    child.once('exit', (code, signal) => done({ code, signal, at: performance.now() })),
  );
  let exitedYet = false;
  void exited.then(() => (exitedYet = true));
  const started = performance.now();
  while (!(await ready())) {
    if (exitedYet) throw new Error(`the service exited during start-up:\n${output.slice(-3000)}`);
    if (performance.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`the service did not answer within 30 s:\n${output.slice(-3000)}`);
    }
    await sleep(100);
  }
  let signalledAt;
  const measured = await load({
    running: () => !exitedYet,
    signal() {
      signalledAt = performance.now();
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), options.graceMs);
      void exited.then(() => clearTimeout(killer));
    },
    exited,
  });
  const exit = await exited;
  return {
    ...measured,
    exit: exit.signal ?? `code ${exit.code}`,
    killed: exit.signal === 'SIGKILL',
    exitMs: Math.round(exit.at - signalledAt),
    output,
  };
}

function table(service, rows) {
  const lines = [
    `| ${service.columns.map((c) => c.title).join(' | ')} | exit | exit after SIGTERM |`,
    `| ${service.columns.map(() => '---').join(' | ')} | --- | --- |`,
  ];
  for (const row of rows)
    lines.push(
      `| ${service.columns.map((c) => c.value(row)).join(' | ')} | ${row.killed ? 'SIGKILL (grace ran out)' : row.exit} | ${row.exitMs} ms |`,
    );
  return lines.join('\n');
}

async function prove(service, options, tarball) {
  const base = installed(service, options);
  const rows = [];
  for (const name of ['before', 'after']) {
    const dir = variant(service, base, options, name);
    let migrated;
    if (name === 'after') {
      log(`${service.repo}: shutdown-lint migrate all …`);
      migrated = migrate(dir, tarball);
    }
    log(`${service.repo}: ${name}: boot, load, SIGTERM…`);
    const result = await service.drill(dir, { boot: (spec) => boot(dir, spec, options), run, log });
    rows.push({ variant: name === 'before' ? 'as fetched' : 'after `migrate all`', ...result, migrated });
  }
  return rows;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`proof: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const chosen = services.filter((s) => options.only.length === 0 || options.only.includes(s.repo));
  const tarball = packed(options);
  let failed = false;
  for (const service of chosen) {
    let rows;
    try {
      rows = await prove(service, options, tarball);
    } catch (error) {
      console.error(`proof: ${service.repo}: ${error.message}`);
      failed = true;
      continue;
    }
    const after = rows.find((row) => row.migrated);
    console.log(`\n## ${service.repo} @ ${service.commit.slice(0, 12)}\n\n${service.load}\n`);
    console.log(table(service, rows));
    console.log(`\n\`migrate all\` said:\n\n${after.migrated.summary.replace(/^/gm, '    ')}\n`);
    console.log(`Files it changed:\n\n${after.migrated.diff.replace(/^/gm, '    ')}\n`);
    console.log(`A second \`migrate all\`: ${after.migrated.secondRun.replace(/\n/g, '\n    ')}\n`);
    for (const row of rows) if (row.notes?.length) console.log(`${row.variant}: ${row.notes.join('; ')}`);
    if (process.env.PROOF_OUTPUT) for (const row of rows) console.log(`\n${row.variant} output:\n${row.output}`);
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
