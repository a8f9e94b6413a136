// `shutdown-lint migrate` end to end, on a copy of a codemod fixture project in a temporary git
// repository: a dirty tree is refused, --force and --dry-run, the summary, errors.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codemods } from '../../codemods/index.js';
import { unifiedDiff } from '../../src/cli/diff.js';
import { cli, repoRoot } from './cli-support.js';
import { commitService, git } from '../support/service-repo.js';

const fixture = join(repoRoot, 'fixtures', 'codemods', 'untracked-promise-to-lifecycle-track');
/** The service's package.json: shutdown-lint only a devDependency, four-space indent, no trailing sort. */
const servicePackage = `{
    "name": "orders",
    "private": true,
    "dependencies": {
        "express": "^5.0.0"
    },
    "devDependencies": {
        "shutdown-lint": "^0.0.9",
        "vitest": "^4.0.0"
    }
}
`;

/** The fixture's inputs (outputs left out), committed in a fresh repository. */
function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-migrate-'));
  cpSync(fixture, dir, { recursive: true });
  for (const file of readdirSync(join(dir, 'src'))) if (file.includes('.output.')) rmSync(join(dir, 'src', file));
  writeFileSync(
    join(dir, 'src', 'service.ts'),
    readFileSync(join(dir, 'src', 'service.ts'), 'utf8').replace(/^.*\.output\..*\n/gm, ''),
  );
  writeFileSync(join(dir, 'package.json'), servicePackage);
  return commitService(dir);
}

const ownRange = `^${(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}`;

/** servicePackage with shutdown-lint moved to dependencies, in name order, at the version running. */
const migratedPackage = (): string =>
  servicePackage
    .replace('"express": "^5.0.0"\n', `"express": "^5.0.0",\n        "shutdown-lint": "${ownRange}"\n`)
    .replace(`        "shutdown-lint": "^0.0.9",\n`, '');

const expectedOutput = (name: string): string =>
  readFileSync(join(fixture, 'src', name.replace('.input.', '.output.')), 'utf8');

describe('shutdown-lint migrate', () => {
  let dir: string;
  beforeEach(() => {
    dir = repository();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('rewrites the findings, writes the fixture outputs, and summarises what it left', () => {
    const run = cli(dir, ['migrate', 'all']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const name of ['orders.input.ts', 'notify.input.cjs', 'already-imported.input.ts']) {
      expect(readFileSync(join(dir, 'src', name), 'utf8')).toBe(expectedOutput(name));
    }
    // The entry listens with no SIGTERM handler: `all` includes handing its server to the lifecycle.
    expect(readFileSync(join(dir, 'src', 'service.ts'), 'utf8')).toContain(
      'lifecycle.handleSignals();\n\nlifecycle.addServer(app.listen(3000));\n',
    );
    expect(run.stdout).toContain('shutdown-lint migrate: rewrote 9 findings in 4 files; 3 left for a person.');
    expect(run.stdout).toContain('  changed src/orders.input.ts (6)');
    // The migrated code imports shutdown-lint/lifecycle: a production install must have it.
    expect(run.stdout).toContain(
      `  moved shutdown-lint@${ownRange} from devDependencies to dependencies of package.json\n`,
    );
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(migratedPackage());
    expect(run.stdout).toMatch(/^ {2}src\/left\.input\.ts:4:3 no-untracked-promise: `setTimeout` drops the promise/m);
    expect(run.stdout).toMatch(/^ {2}src\/left\.input\.ts:10:3 no-untracked-promise: a branch of this expression/m);
    expect(readdirSync(join(dir, 'src')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // A second run finds nothing more to rewrite.
    git(dir, 'commit', '-q', '-am', 'migrated');
    expect(cli(dir, ['migrate', 'untracked-promise-to-lifecycle-track']).stdout).toMatch(
      /rewrote 0 findings in 0 files; 3 left/,
    );
  });

  it('runs every codemod on one parse of a file, and adds the import once', () => {
    writeFileSync(
      join(dir, 'src', 'multi.ts'),
      [
        "import http from 'node:http';",
        "import { writeAudit } from './work.js';",
        '',
        'const server = http.createServer((req, res) => {',
        '  writeAudit(req.url);',
        "  res.end('ok');",
        '});',
        'server.listen(3001);',
        '',
        "process.on('SIGTERM', () => {",
        '  server.close();',
        '  process.exit(0);',
        '});',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'src', 'service.ts'),
      `${readFileSync(join(dir, 'src', 'service.ts'), 'utf8')}import './multi.js';\n`,
    );
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'multi');
    const run = cli(dir, ['migrate', 'all', 'src/multi.ts']);
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, 'src', 'multi.ts'), 'utf8')).toBe(
      [
        "import http from 'node:http';",
        "import { writeAudit } from './work.js';",
        "import { lifecycle } from 'shutdown-lint/lifecycle';",
        '',
        'const server = http.createServer((req, res) => {',
        '  lifecycle.track(writeAudit(req.url));',
        "  res.end('ok');",
        '});',
        'server.listen(3001);',
        '',
        // The service's own handler drains the lifecycle, after the server stops accepting.
        "process.on('SIGTERM', async () => {",
        '  await lifecycle.closeServer(server, { timeoutMs: 10_000 });',
        '  process.exitCode = 0;',
        '  await lifecycle.shutdown();',
        '});',
        '',
      ].join('\n'),
    );
    expect(run.stdout).toContain('rewrote 3 findings in 1 file; 0 left for a person.');
  });

  it('refuses a dirty tree, and runs on it with --force', () => {
    writeFileSync(join(dir, 'src', 'work.ts'), `${readFileSync(join(dir, 'src', 'work.ts'), 'utf8')}// edited\n`);
    const refused = cli(dir, ['migrate', 'all']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^shutdown-lint: the git tree has uncommitted changes \(1 file, first src\/work\.ts\): commit or stash them first.*--force\.\n$/,
    );
    expect(readFileSync(join(dir, 'src', 'orders.input.ts'), 'utf8')).not.toContain('lifecycle');
    const forced = cli(dir, ['migrate', 'all', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'src', 'orders.input.ts'), 'utf8')).toBe(expectedOutput('orders.input.ts'));
  });

  it('refuses to run outside git unless forced', () => {
    rmSync(join(dir, '.git'), { recursive: true, force: true });
    const refused = cli(dir, ['migrate', 'all']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is not in a git work tree .*commit it first.*or pass --force\.\n$/);
  });

  it('--dry-run prints a unified diff and writes nothing', () => {
    const before = readFileSync(join(dir, 'src', 'orders.input.ts'), 'utf8');
    const run = cli(dir, ['migrate', 'all', '--dry-run', 'src/orders.input.ts']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(unifiedDiff('src/orders.input.ts', before, expectedOutput('orders.input.ts')));
    expect(run.stdout).toContain('--- a/src/orders.input.ts\n+++ b/src/orders.input.ts\n@@ -3,26 +3,27 @@\n');
    expect(run.stdout).toContain('-  writeAudit(req.body).catch(log);\n');
    expect(run.stdout).toContain('+  lifecycle.track(writeAudit(req.body).catch(log));\n');
    // Only this file is migrated: the service's entry does not get `handleSignals()`, so nothing
    // drains what this file now tracks, and its findings are not counted as fixed.
    expect(run.stdout).toContain('would rewrite 0 findings in 1 file; 1 left for a person.');
    expect(run.stdout).toContain(
      'Rewritten, but nothing drains the lifecycle: 6 findings in 1 file not counted as fixed',
    );
    expect(run.stdout).toMatch(/^ {2}src\/[\w.]+:\d+:1 drain-lifecycle: work is handed to the lifecycle/m);
    // The rewritten file imports the runtime, so the service still needs it to boot.
    expect(run.stdout).toContain(unifiedDiff('package.json', servicePackage, migratedPackage()));
    expect(run.stdout).toContain('-        "shutdown-lint": "^0.0.9",\n');
    expect(run.stdout).toContain(
      `  would have moved shutdown-lint@${ownRange} from devDependencies to dependencies of package.json`,
    );
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('leaves shutdown-lint where dependencies already has it, and names a changed file with no package.json', () => {
    const kept = servicePackage.replace(
      '"express": "^5.0.0"',
      '"express": "^5.0.0",\n        "shutdown-lint": "^0.1.0"',
    );
    writeFileSync(join(dir, 'package.json'), kept);
    git(dir, 'commit', '-q', '-am', 'depends');
    const run = cli(dir, ['migrate', 'all', 'src/orders.input.ts']);
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(kept);
    expect(run.stdout).not.toContain('to dependencies of');

    git(dir, 'checkout', '-q', '--', '.');
    git(dir, 'rm', '-q', 'package.json');
    git(dir, 'commit', '-q', '-m', 'no package');
    const orphan = cli(dir, ['migrate', 'all', 'src/orders.input.ts']);
    expect(orphan.code).toBe(0);
    // One file alone: nothing drains what it tracks (left for a person), and it has no package.json.
    expect(orphan.stdout).toContain('rewrote 0 findings in 1 file; 2 left for a person.');
    expect(orphan.stdout).toMatch(
      /^ {2}src\/orders\.input\.ts:1:1 dependencies: no package\.json above it: add shutdown-lint@\^\d+\.\d+\.\d+\S* to the dependencies of the package that runs it/m,
    );
  });

  it('lists every finding left, whatever its rule, and counts them', () => {
    // Two buffering clients: the codemod adopts the one nobody flushes, and leaves the one flushed
    // off the shutdown path for a person (a second flush at shutdown may flush it twice).
    writeFileSync(
      join(dir, 'src', 'telemetry.ts'),
      [
        "import { Analytics } from '@segment/analytics-node';",
        "import { PostHog } from 'posthog-node';",
        '',
        "export const analytics = new PostHog(process.env.POSTHOG_KEY ?? '');",
        "export const audit = new Analytics({ writeKey: process.env.SEGMENT_KEY ?? '' });",
        '',
        'export async function flushAudit(): Promise<void> {',
        '  await audit.closeAndFlush();',
        '}',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'src', 'service.ts'),
      `${readFileSync(join(dir, 'src', 'service.ts'), 'utf8')}import './telemetry.js';\n`,
    );
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'telemetry');
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, 'src', 'telemetry.ts'), 'utf8')).toContain(
      "export const analytics = lifecycle.adopt(new PostHog(process.env.POSTHOG_KEY ?? ''), (a) => a.shutdown(2000));",
    );
    expect(run.stdout).not.toMatch(/telemetry\.ts:4:/);
    expect(run.stdout).toMatch(
      /^ {2}src\/telemetry\.ts:5:\d+ require-flush: `audit\.closeAndFlush\(\)` already runs off the shutdown path: \S.*$/m,
    );
    const listed = run.stdout.split('Left for a person:\n')[1]!.trimEnd().split('\n');
    expect(run.stdout).toContain(`; ${listed.length} left for a person.`);
    expect(listed.length).toBe(4);

    // One codemod alone: the findings of the others are left too, naming the codemod that rewrites them.
    git(dir, 'checkout', '-q', '--', '.');
    const one = cli(dir, ['migrate', 'untracked-promise-to-lifecycle-track', 'src/service.ts']);
    expect(one.stdout).toMatch(
      /^ {2}src\/service\.ts:\d+:\d+ require-signal-handler: not in this run \(`migrate no-signal-handler-to-lifecycle-handle-signals` rewrites it\): \S/m,
    );
    expect(one.stdout).not.toMatch(/ 0 left for a person/);
  });

  it('names an unknown codemod and the known ones, exit code 2', () => {
    const run = cli(dir, ['migrate', 'no-such-codemod']);
    expect(run.code).toBe(2);
    // Every codemod of the registry, in its order: the message cannot fall behind a new one.
    const names = codemods.map((transform) => transform.codemod.name).join(', ');
    expect(run.stderr).toBe(
      `shutdown-lint: migrate no-such-codemod: no such codemod. Known codemods: ${names}, or all.\n`,
    );
    expect(names).toContain('websocket-server-to-lifecycle-add-server');
  });

  it('names a file it cannot parse, writes nothing, exit code 2', () => {
    writeFileSync(
      join(dir, 'src', 'orders.input.ts'),
      readFileSync(join(dir, 'src', 'orders.input.ts'), 'utf8').replace('export const app', 'export const app: <'),
    );
    git(dir, 'commit', '-q', '-am', 'broken');
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^shutdown-lint: src\/orders\.input\.ts:7: Parsing error: .* Fix it .*nothing was written\.\n$/,
    );
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });
});
