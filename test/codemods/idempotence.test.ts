// `migrate all` twice on the shapes of fixtures/codemods/idempotence (issue 17: idempotent on every
// service of the field corpus): what run 1 writes, and that run 2 writes nothing.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, repoRoot } from '../cli/cli-support.js';
import { commitService, git } from '../support/service-repo.js';

const fixtures = join(repoRoot, 'fixtures', 'codemods', 'idempotence');
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The fixture committed in a fresh repository, migrated once (committed) and then again. */
function twice(name: string): { dir: string; first: string; second: string; changedBySecond: string } {
  const dir = mkdtempSync(join(tmpdir(), `shutdown-lint-idempotence-${name}-`));
  made.push(dir);
  cpSync(join(fixtures, name), dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{\n  "name": "service",\n  "private": true,\n  "type": "module"\n}\n');
  commitService(dir);
  const first = cli(dir, ['migrate', 'all', '.']);
  expect(first.code, first.stderr).toBeLessThan(2);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'migrated');
  const second = cli(dir, ['migrate', 'all', '.']);
  expect(second.code, second.stderr).toBeLessThan(2);
  return { dir, first: first.stdout, second: second.stdout, changedBySecond: git(dir, 'diff') };
}

describe('migrate all, run twice', () => {
  it('tracks a promise dropped inside an interval it names and clears, in the first run', () => {
    const run = twice('interval-inner-promise');
    const service = readFileSync(join(run.dir, 'src', 'service.ts'), 'utf8');
    expect(service).toContain('  lifecycle.track(sweep());\n}, 60_000);');
    expect(service).toContain(
      '  lifecycle.track(removeExpired().catch((error) => console.error(error)));\n}, 30_000);',
    );
    // Two intervals of one file, two handles.
    expect(service.match(/^const (\w+) = setInterval/gm)).toHaveLength(2);
    expect(new Set(service.match(/clearInterval\((\w+)\)/g))).toHaveProperty('size', 2);
    expect(run.first).toContain('rewrote 5 findings in 1 file; 0 left for a person.');
    expect(run.changedBySecond).toBe('');
    expect(run.second).toContain('rewrote 0 findings in 0 files; 0 left for a person.');
  });

  it('does not count a closer it handed to the lifecycle as a service on the second run', () => {
    const run = twice('lifecycle-closer-no-service');
    expect(readFileSync(join(run.dir, 'src', 'main.ts'), 'utf8')).toContain(
      "lifecycle.defer(() => clearInterval(interval), { name: 'interval' });",
    );
    // The pool of the module main.ts imports stays a script's, on both runs.
    const left = /src\/queue\.ts:3:14 no-unclosed-resource: a script is not stopped by a signal/;
    expect(run.first).toMatch(left);
    expect(run.second).toMatch(left);
    expect(readFileSync(join(run.dir, 'src', 'queue.ts'), 'utf8')).not.toContain('lifecycle');
    expect(run.changedBySecond).toBe('');
  });

  it('counts a file two programs hold once: no negative count, one reason left', () => {
    const run = twice('two-programs');
    expect(run.first).toContain('rewrote 0 findings in 1 file; 1 left for a person.');
    expect(run.first.match(/^Rewritten, but nothing drains the lifecycle: 2 findings in 1 file/gm)).toHaveLength(1);
    expect(run.changedBySecond).toBe('');
  });

  it('drains where the service stops, not in a script the rules leave alone', () => {
    const run = twice('script-shutdown-path');
    expect(readFileSync(join(run.dir, 'src', 'server.ts'), 'utf8')).toContain(
      '  await lifecycle.shutdown();\n  process.exit(0);',
    );
    expect(readFileSync(join(run.dir, 'scripts', 'load.ts'), 'utf8')).toBe(
      readFileSync(join(fixtures, 'script-shutdown-path', 'scripts', 'load.ts'), 'utf8'),
    );
    expect(run.first).not.toContain('scripts/load.ts');
    expect(run.changedBySecond).toBe('');
  });

  it('lints as it migrates: no rule reports in the script where migrate drains nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-idempotence-lint-'));
    made.push(dir);
    cpSync(join(fixtures, 'script-shutdown-path'), dir, { recursive: true });
    const run = cli(dir, ['-f', 'json', '.']);
    const results = JSON.parse(run.stdout) as { filePath: string; messages: unknown[] }[];
    expect(results.filter((r) => r.filePath.includes('scripts/')).flatMap((r) => r.messages)).toEqual([]);
    expect(results.find((r) => r.filePath.endsWith('src/server.ts'))?.messages.length).toBeGreaterThan(0);
  });
});
