// A throwaway PostgreSQL cluster for the drills: created in a temporary folder, listening on
// loopback only (a free port and a private socket folder), trusted local auth, removed on stop.
// Uses the server binaries Debian's `postgresql` package installs; `.ci/run` installs it when
// missing. Set DRILL_DATABASE_URL to use a server you already run instead.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folder holding initdb/pg_ctl, or undefined. */
export function findPostgresBin() {
  const initdb = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (initdb && existsSync(initdb.replace(/initdb$/, 'pg_ctl'))) return initdb.replace(/\/initdb$/, '');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: run its binaries as the `postgres` user then. */
function runner() {
  if (process.getuid?.() !== 0) return { prefix: [], uid: undefined, gid: undefined };
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid === 0)
    throw new Error("running as root needs a `postgres` user to run PostgreSQL; install Debian's postgresql package");
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid, gid: id('-g') };
}

function run(as, command, args) {
  const [file, ...rest] = [...as.prefix, command, ...args];
  const result = spawnSync(file, rest, { encoding: 'utf8', cwd: tmpdir() });
  if (result.status !== 0) {
    throw new Error(
      `${command} failed (exit ${result.status}): ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  return result.stdout;
}

/**
 * Starts a cluster and returns `{ url, stop }`. `stop()` is synchronous so that it can run from an
 * 'exit' listener too; calling it twice is harmless.
 */
export async function startThrowawayPostgres() {
  if (process.env.DRILL_DATABASE_URL) return { url: process.env.DRILL_DATABASE_URL, stop() {} };
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      "no PostgreSQL server binaries (initdb, pg_ctl) found: install Debian's `postgresql` package (apt-get install -y postgresql) or set DRILL_DATABASE_URL",
    );
  }
  const as = runner();
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-pg-'));
  if (as.uid !== undefined) chownSync(dir, as.uid, as.gid);
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const port = await freePort();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    const [file, ...rest] = [...as.prefix, join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'];
    spawnSync(file, rest, { stdio: 'ignore', cwd: tmpdir() });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run(as, join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=200`;
    run(as, join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (error) {
    stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
