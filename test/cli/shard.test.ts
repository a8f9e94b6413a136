// --shard i/n: the parts of a run together are the unsharded run, each file in exactly one part,
// chosen by its path alone; bad values are a one-line usage error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lint } from '../../src/cli/lint.js';
import type { LintResult } from '../../src/cli/results.js';
import { inShard, shardOfPath } from '../../src/cli/shard.js';
import { ts } from '../../src/core/typescript.js';
import { cli, fixture, repoRoot, stderrLines } from './cli-support.js';

const synthetic = (await import(pathToFileURL(resolve(import.meta.dirname, '../../bench/synthetic.js')).href)) as {
  writeService(dir: string, options: { files: number; seed: number }): Map<string, string>;
};

/** A run's results as comparable lines: file, position, rule, message. */
function lines(results: readonly LintResult[], cwd: string): string[] {
  return results.flatMap((r) => [
    `${relative(cwd, r.filePath)}`,
    ...r.messages.map((m) => `${relative(cwd, r.filePath)}:${m.line}:${m.column} ${m.ruleId} ${m.message}`),
  ]);
}

describe('shardOfPath', () => {
  it('puts each path in one part from 1 to n, the same one on every call', () => {
    for (const path of ['src/main.ts', 'src/a/b.ts', 'x.js']) {
      const part = shardOfPath(path, 4);
      expect(part).toBeGreaterThanOrEqual(1);
      expect(part).toBeLessThanOrEqual(4);
      expect(shardOfPath(path, 4)).toBe(part);
    }
    expect(shardOfPath('src/main.ts', 1)).toBe(1);
  });

  it('spreads files about evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[shardOfPath(`src/domains/d${i}/d${i}.service.ts`, 4) - 1]!++;
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(120);
  });

  it('decides by the path relative to the working directory, with / separators', () => {
    const shard = { index: shardOfPath('src/lib/x.ts', 3), count: 3 };
    expect(inShard(shard, '/repo')('/repo/src/lib/x.ts')).toBe(true);
    expect(inShard(shard, '/elsewhere/checkout')('/elsewhere/checkout/src/lib/x.ts')).toBe(true);
  });
});

describe('sharded runs', { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-shard-'));
    synthetic.writeService(dir, { files: 100, seed: 11 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('together report exactly what the unsharded run reports, each file once', () => {
    const whole = lint(ts, { cwd: dir, targets: ['.'] }).results;
    const parts = [1, 2, 3].map((index) => lint(ts, { cwd: dir, targets: ['.'], shard: { index, count: 3 } }).results);
    for (const part of parts) expect(part.length).toBeGreaterThan(0);
    const files = parts.flatMap((part) => part.map((r) => r.filePath));
    expect(new Set(files).size).toBe(files.length);
    const merged = parts.flat().sort((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));
    expect(lines(merged, dir)).toEqual(lines(whole, dir));
    // The cross-file findings (a pool no shutdown path closes, a close with no deadline) need the
    // whole program in every part: they are among them.
    expect(lines(merged, dir).some((l) => l.includes('no-unclosed-resource'))).toBe(true);
    expect(lines(merged, dir).some((l) => l.includes('require-close-timeout'))).toBe(true);
  });

  it('covers a solution-style config and its references the same way', () => {
    const cwd = fixture('solution');
    const whole = lint(ts, { cwd, targets: ['.'] }).results;
    const merged = [1, 2]
      .flatMap((index) => lint(ts, { cwd, targets: ['.'], shard: { index, count: 2 } }).results)
      .sort((a, b) => (a.filePath < b.filePath ? -1 : 1));
    expect(lines(merged, cwd)).toEqual(lines(whole, cwd));
  });

  it('--shard on the command line lints only its part', () => {
    const demo = join(repoRoot, 'fixtures', 'demo-service');
    const run = cli(demo, ['--format', 'json', '--shard', '2/2']);
    const results = JSON.parse(run.stdout) as LintResult[];
    for (const result of results) expect(shardOfPath(relative(demo, result.filePath), 2)).toBe(2);
  });
});

describe('--shard usage errors', () => {
  it.each([['0/2'], ['3/2'], ['x'], ['1/0'], ['1/'], ['1.5/2'], ['1/2/3']])(
    '--shard %s exits 2 with one line',
    (value) => {
      const run = cli(fixture('clean'), ['--shard', value]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(stderrLines(run)).toEqual([
        `shutdown-lint: --shard ${value}: expected i/n with 1 <= i <= n, such as 1/4.`,
      ]);
    },
  );
});
