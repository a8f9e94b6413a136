// The premise of the deploy checks, shown on this machine's kernel: in a PID namespace (what a
// container is), a shell-form CMD run by dash as PID 1 never passes SIGTERM on, so the app's
// handler never runs; with node itself as PID 1 (the exec form), the handler runs and drains.
// Run under `unshare -p -f --mount-proc`, as research/deploy-budget.md §2 did; skipped where the
// kernel or the sandbox does not allow a PID namespace.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const probe = spawnSync('unshare', ['-p', '-f', '--mount-proc', 'true'], { encoding: 'utf8' });
const dash = spawnSync('dash', ['-c', 'true']).status === 0;
const permitted = probe.status === 0 && dash;
const why = probe.error
  ? `unshare not found (${probe.error.message})`
  : probe.status !== 0
    ? `unshare -p not permitted: ${String(probe.stderr).trim()}`
    : 'dash not installed';

const dir = mkdtempSync(join(tmpdir(), 'pid1-premise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A service that writes `drained` when its SIGTERM handler runs. */
function app(name: string): { script: string; marker: string } {
  const script = join(dir, `${name}.js`);
  const marker = join(dir, `${name}.drained`);
  writeFileSync(
    script,
    `const { writeFileSync } = require('node:fs');
process.once('SIGTERM', () => { writeFileSync(${JSON.stringify(marker)}, 'drained'); process.exit(0); });
setInterval(() => {}, 1000);
console.log('ready');
`,
  );
  return { script, marker };
}

/** The process whose parent is `pid`: the namespace's PID 1, which `unshare -f` forks. */
function childOf(pid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the app did not start within 10 s')), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function exited(child: ChildProcess, withinMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `argv` as PID 1 of a new PID namespace, sends SIGTERM to that PID 1, and reports what happened. */
async function stopAsPid1(argv: string[], marker: string): Promise<{ drained: boolean; stoppedBySigterm: boolean }> {
  const child = spawn('unshare', ['-p', '-f', '--mount-proc', ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await ready(child);
    const pid1 = childOf(child.pid!);
    if (pid1 === undefined) throw new Error('could not find the namespace PID 1');
    process.kill(pid1, 'SIGTERM');
    const stoppedBySigterm = await exited(child, 2_000);
    if (!stoppedBySigterm) {
      // What the platform does at the end of its grace period.
      process.kill(pid1, 'SIGKILL');
      await exited(child, 5_000);
    }
    return { drained: existsSync(marker), stoppedBySigterm };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

describe.skipIf(!permitted)(`SIGTERM to PID 1 of a PID namespace${permitted ? '' : ` (skipped: ${why})`}`, () => {
  it('dash -c "node app.js" (a shell-form CMD on a Debian image): SIGTERM is not heard, the stop ends in SIGKILL, nothing drains', async () => {
    const { script, marker } = app('shell-form');
    const result = await stopAsPid1(['dash', '-c', `${process.execPath} ${script}`], marker);
    expect(result).toEqual({ drained: false, stoppedBySigterm: false });
  }, 20_000);

  it('node app.js (the exec form): node is PID 1, its handler runs and it drains', async () => {
    const { script, marker } = app('exec-form');
    const result = await stopAsPid1([process.execPath, script], marker);
    expect(result).toEqual({ drained: true, stoppedBySigterm: true });
  }, 20_000);

  it('dash -c "exec node app.js": the shell is replaced, and it drains', async () => {
    const { script, marker } = app('exec-in-shell');
    const result = await stopAsPid1(['dash', '-c', `exec ${process.execPath} ${script}`], marker);
    expect(result).toEqual({ drained: true, stoppedBySigterm: true });
  }, 20_000);
});

it.runIf(!permitted)(`the PID-namespace premise test is skipped here: ${why}`, () => {
  expect(permitted).toBe(false);
});
