// One root cause reported once (src/cli/group.ts, src/core/causes.ts): findings of one rule and
// message at `--group-at` or more call sites of one function or class of the program are one
// finding at its declaration, with every site as a related location.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupByCause } from '../../src/cli/group.js';
import { emptyLintResult, type LintMessage, type LintResult } from '../../src/cli/results.js';
import { cachedCli, fixture, resultsByFile } from './cli-support.js';

const cwd = fixture('grouped-cause');
const cachePath = path.join(cwd, 'src', 'cache.ts');

function lines(result: LintResult | undefined): number[] {
  return (result?.messages ?? []).map((m) => m.line);
}

describe('the CLI reports one cause at many call sites once (fixtures/cli/grouped-cause)', () => {
  it('groups the five dropped `cache.clear()` at the helper, with every site listed', () => {
    const run = cachedCli(cwd, ['--format', 'json']);
    expect(run.code).toBe(1);
    const byFile = resultsByFile(run, cwd);
    const helper = byFile.get('src/cache.ts');
    expect(helper?.messages).toHaveLength(1);
    const grouped = helper!.messages[0]!;
    expect(grouped).toMatchObject({
      ruleId: 'shutdown/no-untracked-promise',
      messageId: 'untrackedInHandler',
      line: 3,
      column: 9,
      severity: 2,
      cause: { filePath: cachePath, name: 'clear', line: 3 },
    });
    expect(grouped.message).toMatch(/^`clear` is the one cause of 5 findings, at src\/routes\/companies\.ts:5, /);
    expect(grouped.message).toMatch(/and 2 more\. The first: `cache\.clear\(…\)` starts work/);
    expect(
      grouped.relatedLocations!.map((r) => `${path.relative(cwd, r.filePath)}:${r.line}`.split(path.sep).join('/')),
    ).toEqual([
      'src/routes/companies.ts:5',
      'src/routes/companies.ts:11',
      'src/routes/companies.ts:16',
      'src/routes/goals.ts:5',
      'src/routes/goals.ts:11',
    ]);
    expect(helper!.errorCount).toBe(1);
    // The sites of `clear` are gone from their files; `audit`, dropped at three sites, stays per site.
    expect(lines(byFile.get('src/routes/companies.ts'))).toEqual([6, 17]);
    expect(lines(byFile.get('src/routes/goals.ts'))).toEqual([6]);
    expect(byFile.get('src/routes/companies.ts')!.errorCount).toBe(2);
  });

  it('reports every site with --group-at 0, and groups the three `audit` sites with --group-at 3', () => {
    const every = resultsByFile(cachedCli(cwd, ['--format', 'json', '--group-at', '0']), cwd);
    expect(every.get('src/cache.ts')?.messages ?? []).toEqual([]);
    expect(lines(every.get('src/routes/companies.ts'))).toEqual([5, 6, 11, 16, 17]);
    expect(lines(every.get('src/routes/goals.ts'))).toEqual([5, 6, 11]);

    const three = resultsByFile(cachedCli(cwd, ['--format', 'json', '--group-at', '3']), cwd);
    expect(three.get('src/cache.ts')!.messages.map((m) => m.cause?.name)).toEqual(['clear', 'audit']);
    expect(lines(three.get('src/routes/companies.ts'))).toEqual([]);
  });

  it('reports every site under --shard, which sees only its part of the sites', () => {
    const sharded = resultsByFile(cachedCli(cwd, ['--format', 'json', '--shard', '1/1']), cwd);
    expect(sharded.get('src/cache.ts')?.messages ?? []).toEqual([]);
    expect(lines(sharded.get('src/routes/goals.ts'))).toEqual([5, 6, 11]);
  });

  it('puts every site in SARIF relatedLocations', () => {
    const sarif = JSON.parse(cachedCli(cwd, ['--format', 'sarif']).stdout) as {
      runs: {
        results: {
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
          relatedLocations?: unknown[];
        }[];
      }[];
    };
    const atHelper = sarif.runs[0]!.results.filter((r) =>
      r.locations[0]!.physicalLocation.artifactLocation.uri.endsWith('src/cache.ts'),
    );
    expect(atHelper).toHaveLength(1);
    expect(atHelper[0]!.relatedLocations).toHaveLength(5);
  });

  it('rejects a threshold of 1 or a word with one line', () => {
    for (const value of ['1', 'many', '-2']) {
      const run = cachedCli(cwd, [`--group-at=${value}`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `shutdown-lint: --group-at ${value}: expected 0 (every site) or a whole number of 2 or more.\n`,
      );
    }
  });
});

describe('groupByCause', () => {
  const cause = { filePath: '/s/helper.ts', line: 2, column: 3, name: 'flush' };
  function site(line: number, extra: Partial<LintMessage> = {}): LintMessage {
    return {
      ruleId: 'shutdown/no-untracked-promise',
      severity: 1,
      message: `site ${line}`,
      line,
      column: 1,
      messageId: 'untracked',
      nodeType: 'CallExpression',
      cause,
      ...extra,
    };
  }
  function resultWith(filePath: string, messages: LintMessage[]): LintResult {
    const result = emptyLintResult(filePath);
    result.messages = messages;
    result.warningCount = messages.length;
    result.source = 'text';
    return result;
  }

  it('adds a result for the helper file when it had none, and keeps apart other messages and rules', () => {
    const a = resultWith('/s/a.ts', [site(1), site(2), site(3, { messageId: 'unusedLocal' })]);
    const b = resultWith('/s/b.ts', [site(4), site(5, { ruleId: 'shutdown/require-flush', severity: 2 })]);
    const results = groupByCause([b, a], 3, '/s');
    expect(results.map((r) => r.filePath)).toEqual(['/s/a.ts', '/s/b.ts', '/s/helper.ts']);
    expect(results[2]!.messages).toHaveLength(1);
    expect(results[2]!.messages[0]!.relatedLocations!.map((r) => `${r.filePath}:${r.line}`)).toEqual([
      '/s/a.ts:1',
      '/s/a.ts:2',
      '/s/b.ts:4',
    ]);
    expect(results[2]!.warningCount).toBe(1);
    expect(lines(a)).toEqual([3]);
    expect(lines(b)).toEqual([5]);
    expect(b.errorCount).toBe(1);
    expect(b.warningCount).toBe(0);
  });

  it('takes the highest severity of the sites, and drops the source of a result left empty', () => {
    const a = resultWith('/s/a.ts', [site(1), site(2, { severity: 2 })]);
    const results = groupByCause([a], 2, '/s');
    expect(results.find((r) => r.filePath === '/s/helper.ts')!.messages[0]!.severity).toBe(2);
    expect(a.messages).toEqual([]);
    expect(a.source).toBeUndefined();
  });

  it('leaves everything as it is below 2, and messages without a cause always', () => {
    const withoutCause = resultWith('/s/a.ts', [site(1, { cause: undefined }), site(2, { cause: undefined })]);
    expect(groupByCause([withoutCause], 2, '/s')).toHaveLength(1);
    expect(lines(withoutCause)).toEqual([1, 2]);
    const a = resultWith('/s/a.ts', [site(1), site(2)]);
    expect(groupByCause([a], 0, '/s')).toEqual([a]);
    expect(lines(a)).toEqual([1, 2]);
  });
});
