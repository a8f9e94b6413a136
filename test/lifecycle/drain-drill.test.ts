// The drain drill (issue 17): the fixture services of fixtures/drain have shutdown code of their own
// and start a ~300 ms background write (a line appended to a file) per request. Each is run as it
// is and after `shutdown-lint migrate all`, put under load (40 requests over keep-alive
// connections), then sent SIGTERM. Before migration the service's own handler exits with the
// writes still pending; after it, the handler drains the lifecycle first: nothing lost, no request
// failed, exit code 0 well within the deadline (or, where the library ends the process by sending
// the signal to itself again, that signal: its expected/drill.json says so and why). A second
// `migrate all` changes nothing.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, repoRoot } from '../cli/cli-support.js';

const requests = 40;
/** Inside the repository (ignored by git), so the copies resolve express from its node_modules. */
const work = join(repoRoot, '.drill');
const made: string[] = [];

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the fixture service that resolves `shutdown-lint/lifecycle` as an installed service would (a link). */
function copy(name: string, variant: string): string {
  const dir = join(work, `drain-${name}-${variant}`);
  rmSync(dir, { recursive: true, force: true });
  made.push(dir);
  cpSync(join(repoRoot, 'fixtures', 'drain', name), dir, { recursive: true });
  rmSync(join(dir, 'expected'), { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(repoRoot, join(dir, 'node_modules', 'shutdown-lint'), 'dir');
  return dir;
}

const snapshot = (dir: string): string =>
  readdirSync(join(dir, 'src'))
    .map((file) => `${file}\n${readFileSync(join(dir, 'src', file), 'utf8')}`)
    .join('\n');

interface DrillResult {
  ok: number;
  failed: number;
  written: number;
  lost: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  exitMs: number;
}

function get(agent: http.Agent, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode === 200));
        response.on('error', () => resolve(false));
      })
      .on('error', () => resolve(false));
  });
}

async function drill(dir: string): Promise<DrillResult> {
  const audit = join(dir, 'audit.log');
  rmSync(audit, { force: true });
  const child = spawn(process.execPath, [join(dir, 'src', 'server.js')], {
    cwd: dir,
    env: { ...process.env, PORT: '0', AUDIT_FILE: audit, AUDIT_DELAY_MS: '300' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; port?: number };
      if (event.event === 'listening') resolve(event.port!);
    });
    void exited.then(() => reject(new Error(`the service exited before listening:\n${stderr}`)));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const answers = await Promise.all(Array.from({ length: requests }, (_, i) => get(agent, port, `/orders/${i}`)));
  const sent = Date.now();
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const exit = await exited;
  clearTimeout(killer);
  agent.destroy();
  const written = existsSync(audit) ? readFileSync(audit, 'utf8').split('\n').filter(Boolean).length : 0;
  const ok = answers.filter(Boolean).length;
  return {
    ok,
    failed: requests - ok,
    written,
    lost: ok - written,
    code: exit.code,
    signal: exit.signal,
    exitMs: exit.at - sent,
  };
}

describe('drain drill: services with their own shutdown code, before and after migrate all', () => {
  // Every fixture service: a `process.on('SIGTERM')` handler, a promisified close, and the
  // libraries' hooks (close-with-grace, terminus with and without `useExit0`,
  // http-graceful-shutdown, Fastify's close, lightship's handlers, NestJS's lifecycle hooks).
  for (const name of readdirSync(join(repoRoot, 'fixtures', 'drain')).sort()) {
    it(`${name}: loses the background writes before, none after, and exits as it chose in time`, async () => {
      const before = await drill(copy(name, 'before'));
      const dir = copy(name, 'after');
      const migrated = cli(dir, ['migrate', 'all', '--force']);
      expect(migrated.code).toBe(0);
      // Nothing about the drain is left for a person (a close through `promisify` may be).
      expect(migrated.stdout).not.toMatch(/does not drain the lifecycle|nothing drains/);
      // The drain is where the fixture's expected output has it (migrate-drain.test.ts checks why).
      expect(readFileSync(join(dir, 'src', 'server.js'), 'utf8')).toBe(
        readFileSync(join(repoRoot, 'fixtures', 'drain', name, 'expected', 'server.js'), 'utf8'),
      );
      const once = snapshot(dir);
      expect(cli(dir, ['migrate', 'all', '--force']).stdout).toMatch(/rewrote 0 findings in 0 files/);
      expect(snapshot(dir)).toBe(once);
      const after = await drill(dir);
      console.log(`drain drill ${name}: before ${JSON.stringify(before)}; after ${JSON.stringify(after)}`);
      expect(before.failed).toBe(0);
      expect(before.lost).toBeGreaterThan(0);
      // How the service ends is its own choice, kept by the migration: exit 0, unless the fixture
      // says its library re-raises the signal (terminus without `useExit0`, NestJS's hooks).
      const declared = join(repoRoot, 'fixtures', 'drain', name, 'expected', 'drill.json');
      const exit = existsSync(declared)
        ? (JSON.parse(readFileSync(declared, 'utf8')) as { exit: { code: number | null; signal: string | null } }).exit
        : { code: 0, signal: null };
      expect(after).toMatchObject({ ok: requests, failed: 0, written: requests, lost: 0, ...exit });
      // The writes take ~300 ms; the lifecycle's deadline is 25 s. Generous: the machines are shared.
      expect(after.exitMs).toBeLessThan(5_000);
    });
  }
});
