#!/usr/bin/env node
// `npm run drill`: a SIGTERM drill on the demo service, before and after `shutdown-lint migrate all`.
//
// Each variant is compiled, started against a throwaway PostgreSQL on loopback and a local mail
// service, and put under load: clients post orders over keep-alive connections and keep WebSocket
// feeds open. Then SIGTERM, as an orchestrator sends it, and after the grace period SIGKILL.
// Clients behave as real ones do during a rollout: they open no new connection once the service
// stops accepting (the load balancer sends them elsewhere: a refused connection is not a failure),
// but they keep using the keep-alive connections they have for as long as the service keeps them
// open (runtime-facts §1.1: `server.close()` alone serves them on). A request reset on a reused
// idle socket is retried once, as Node's docs advise (`request.reusedSocket`): the server closed
// that connection before reading the request. Afterwards the drill counts, for the orders the
// service acknowledged, the audit rows and receipts that really landed.
//
// Before migration the service must lose work (requests cut off, rows or receipts lost, or a kill at
// the end of the grace period); after it, it must lose nothing, fail no request and
// exit on its own within the grace period. The exit code says whether both held.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import { startThrowawayPostgres } from './postgres.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const demo = join(root, 'fixtures', 'demo-service');
// Inside the repository, so that the copies resolve `shutdown-lint/lifecycle` and the
// dependencies the way an installed service would; ignored by git.
const work = join(root, '.drill');

const settings = {
  clients: Number(process.env.DRILL_CLIENTS ?? 16),
  sockets: Number(process.env.DRILL_SOCKETS ?? 4),
  loadMs: Number(process.env.DRILL_LOAD_MS ?? 1500),
  graceMs: Number(process.env.DRILL_GRACE_MS ?? 10_000),
  mailDelayMs: Number(process.env.DRILL_MAIL_DELAY_MS ?? 300),
};

const schema = `
  drop table if exists orders, audit, receipts;
  create table orders (id serial primary key, customer text not null, total numeric not null);
  create table audit (id serial primary key, action text not null, order_id int not null);
  create table receipts (order_id int primary key);
`;

function fail(message) {
  console.error(`drill: ${message}`);
  process.exitCode = 2;
}

function tsc(project, outDir) {
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      project,
      '--noEmit',
      'false',
      '--rootDir',
      join(dirname(project), 'src'),
      '--outDir',
      outDir,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`${project} does not compile:\n${result.stdout}${result.stderr}`);
}

function git(cwd, ...args) {
  const result = spawnSync('git', ['-c', 'user.name=drill', '-c', 'user.email=drill@localhost', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim()}`);
}

/** Copies the demo service, migrates it if asked, and compiles it; returns the entry file. */
function prepare(name, migrate) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(demo, dir, { recursive: true });
  // The demo has a package.json of its own (the deploy side follows its `npm start`), so
  // `shutdown-lint/lifecycle` no longer resolves by self-reference: install this package into the
  // copy as npm would, as a link.
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', 'shutdown-lint'), 'dir');
  if (migrate) {
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'demo service before migration');
    const migrated = spawnSync(process.execPath, [join(root, 'bin', 'shutdown-lint.js'), 'migrate', 'all', '.'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (migrated.status !== 0)
      throw new Error(
        `shutdown-lint migrate all failed (exit ${migrated.status}):\n${migrated.stdout}${migrated.stderr}`,
      );
    process.stdout.write(migrated.stdout.replace(/^/gm, `  [migrate] `));
  }
  tsc(join(dir, 'tsconfig.json'), join(dir, 'dist'));
  return join(dir, 'dist', 'main.js');
}

/** The mail service the demo sends receipts to: answers after a delay, records what it got. */
function startMailService() {
  const received = new Set();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      setTimeout(() => {
        try {
          received.add(Number(JSON.parse(body).orderId));
        } catch {
          // a malformed receipt is simply not counted
        }
        res.end('ok');
      }, settings.mailDelayMs);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, received, server }),
    );
  });
}

function postOnce(agent, port, body) {
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        const closing = res.headers.connection === 'close';
        res.on('end', () =>
          resolve(
            res.statusCode === 201
              ? { ok: true, id: JSON.parse(text).id, closing }
              : { ok: false, why: `HTTP ${res.statusCode}`, closing },
          ),
        );
        res.on('error', (error) => resolve({ ok: false, why: error.code ?? error.message }));
      },
    );
    req.on('error', (error) => {
      const unread = req.reusedSocket && error.code === 'ECONNRESET';
      resolve({ ok: false, why: error.code ?? error.message, refused: error.code === 'ECONNREFUSED', unread });
    });
    req.end(JSON.stringify(body));
  });
}

/** A reset on a reused socket is retried while the service still runs; if it died, it was cut off. */
async function post(agent, port, body, running) {
  const first = await postOnce(agent, port, body);
  if (!first.unread) return first;
  await sleep(100);
  return running() ? postOnce(agent, port, body) : first;
}

async function waitForHealth(port, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited during start-up (code ${child.exitCode})`);
    const ok = await new Promise((resolve) => {
      http
        .get({ port, host: '127.0.0.1', path: '/healthz' }, (res) => resolve(res.statusCode === 200))
        .on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error('the service did not answer /healthz within 10 s');
}

async function drill(name, entry, database, mail) {
  const db = new pg.Client({ connectionString: database });
  await db.connect();
  await db.query(schema);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      PORT: String(port),
      LIVE_PORT: String(port + 1),
      DATABASE_URL: database,
      SESSIONS_URL: database,
      MAIL_URL: mail.url,
      FLAGS_FILE: join(work, 'flags.json'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  await waitForHealth(port, child);

  const sockets = [];
  for (let i = 0; i < settings.sockets; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port + 1}`);
    const state = { opened: false, closeCode: undefined };
    ws.on('open', () => (state.opened = true));
    ws.on('close', (code) => (state.closeCode = code));
    ws.on('error', () => {});
    sockets.push(state);
  }

  const acked = [];
  const failed = [];
  let signalledAt;
  let exitedYet = false;
  void exited.then(() => (exitedYet = true));
  // One keep-alive connection per client: the client stops when it would need a new one.
  const clients = Array.from({ length: settings.clients }, async (_, i) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let n = 0; !exitedYet; n++) {
      const result = await post(agent, port, { customer: `c${i}`, total: n + 1 }, () => !exitedYet);
      if (result.ok) acked.push(result.id);
      else if (result.refused) break;
      else failed.push(result.why);
      // The service said it closes this connection: the next request would need a new one.
      if (signalledAt !== undefined && result.closing) break;
    }
    agent.destroy();
  });

  await sleep(settings.loadMs);
  signalledAt = performance.now();
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), settings.graceMs);
  await Promise.all(clients);
  const exit = await exited;
  clearTimeout(killer);

  const landed = await db.query('select count(distinct order_id)::int as n from audit where order_id = any($1)', [
    acked,
  ]);
  const receipts = await db.query('select count(*)::int as n from receipts where order_id = any($1)', [acked]);
  await db.end();
  const mailed = acked.filter((id) => mail.received.has(id)).length;
  mail.received.clear();
  return {
    name,
    acked: acked.length,
    audited: landed.rows[0].n,
    mailed,
    receiptsRecorded: receipts.rows[0].n,
    failed: failed.length,
    failures: [...new Set(failed)],
    websockets: sockets.filter((s) => s.opened).length,
    websocketCloseCodes: [...new Set(sockets.map((s) => s.closeCode ?? 'open'))],
    exitMs: Math.round(exit.at - signalledAt),
    exit: exit.signal ? exit.signal : `code ${exit.code}`,
    killed: exit.signal === 'SIGKILL',
    output,
  };
}

function lost(row) {
  return row.acked - row.audited + (row.acked - row.mailed);
}

function table(rows) {
  const lines = [
    '| variant | acknowledged orders | audit rows landed | receipts sent | failed requests | WebSocket close codes | exit after SIGTERM | exit |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.name} | ${row.acked} | ${row.audited} | ${row.mailed} | ${row.failed} | ${row.websocketCloseCodes.join(', ')} | ${row.exitMs} ms | ${row.killed ? 'SIGKILL (grace ran out)' : row.exit} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'flags.json'), JSON.stringify({ receipts: true }));
  const database = await startThrowawayPostgres();
  process.once('exit', () => database.stop());
  const mail = await startMailService();
  try {
    const rows = [];
    for (const [name, migrate] of [
      ['before migration', false],
      ['after `migrate all`', true],
    ]) {
      const entry = prepare(name.startsWith('before') ? 'before' : 'after', migrate);
      rows.push(await drill(name, entry, database.url, mail));
    }
    console.log(
      `\nSIGTERM drill on fixtures/demo-service: ${settings.clients} clients, ${settings.sockets} WebSocket feeds, SIGTERM after ${settings.loadMs} ms, SIGKILL after ${settings.graceMs} ms of grace\n`,
    );
    console.log(table(rows));
    const [before, after] = rows;
    if (lost(before) === 0 && before.failed === 0 && !before.killed)
      fail(
        'before migration the demo service lost nothing, cut off no request and exited in time: the drill no longer shows the hazards',
      );
    const problems = [];
    if (after.acked === 0) problems.push('no order was acknowledged');
    if (lost(after) > 0)
      problems.push(`${after.acked - after.audited} audit rows and ${after.acked - after.mailed} receipts lost`);
    if (after.failed > 0) problems.push(`${after.failed} requests failed (${after.failures.join(', ')})`);
    if (after.killed) problems.push('it did not exit within the grace period');
    else if (after.exit !== 'code 0') problems.push(`it exited with ${after.exit}`);
    if (problems.length > 0) {
      fail(`after migration: ${problems.join('; ')}`);
      console.error(after.output);
    } else if (!process.exitCode) {
      const losses = [
        before.failed > 0 && `${before.failed} requests cut off`,
        before.acked > before.audited && `${before.acked - before.audited} audit rows lost`,
        before.acked > before.mailed && `${before.acked - before.mailed} receipts lost`,
        before.killed && 'killed by SIGKILL after the grace period',
      ].filter(Boolean);
      console.log(
        `\ndrill: before migration: ${losses.join(', ')}. After \`shutdown-lint migrate all\`: nothing lost, no request failed, exit ${after.exit.replace('code ', '')} ${after.exitMs} ms after SIGTERM.`,
      );
    }
  } finally {
    mail.server.close();
    database.stop();
  }
}

main().catch((error) => fail(error.message));
