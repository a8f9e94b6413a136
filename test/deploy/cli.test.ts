// The deploy findings in every CLI format, with their locations: the platform file's line and
// column, and the code side as related locations (SARIF relatedLocations, JSON relatedLocations,
// file:line in the message for GitHub and stylish).
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shardOfPath } from '../../src/cli/shard.js';
import type { LintResult } from '../../src/cli/results.js';
import { cli } from '../cli/cli-support.js';
import { deployFixture } from './support.js';

const dir = deployFixture('budget');

describe('the CLI reports deploy findings', () => {
  it('json: ESLint results of the platform files, with relatedLocations', () => {
    const run = cli(dir, ['--format', 'json']);
    expect(run.code).toBe(1);
    const results = JSON.parse(run.stdout) as LintResult[];
    const api = results.find((r) => r.filePath.endsWith('k8s/api.yaml'))!;
    expect(api.errorCount).toBe(1);
    expect(api.source).toContain('kind: Deployment');
    const [message] = api.messages.filter((m) => m.ruleId === 'shutdown/deploy/grace-budget');
    expect(message).toMatchObject({
      ruleId: 'shutdown/deploy/grace-budget',
      severity: 2,
      line: 9,
      column: 11,
      endLine: 9,
      nodeType: null,
    });
    expect(message!.relatedLocations).toEqual([
      {
        filePath: `${dir}/src/server.js`,
        line: 7,
        column: 1,
        message: 'http-graceful-shutdown timeout defaults to 30000 ms',
      },
    ]);
  });

  it('sarif: the result on the platform file, relatedLocations on the code, the check in the driver rules', () => {
    const run = cli(dir, ['--format', 'sarif']);
    const log = JSON.parse(run.stdout);
    const [sarifRun] = log.runs;
    const result = sarifRun.results.find(
      (r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.ruleId === 'shutdown/deploy/grace-budget' &&
        r.locations[0]!.physicalLocation.artifactLocation.uri === 'k8s/api.yaml',
    );
    expect(result.level).toBe('error');
    expect(result.locations[0].physicalLocation.region).toMatchObject({ startLine: 9, startColumn: 11 });
    expect(result.relatedLocations).toEqual([
      {
        id: 0,
        physicalLocation: {
          artifactLocation: { uri: 'src/server.js', uriBaseId: '%SRCROOT%' },
          region: { startLine: 7, startColumn: 1 },
        },
        message: { text: 'http-graceful-shutdown timeout defaults to 30000 ms' },
      },
    ]);
    const rule = sarifRun.tool.driver.rules[result.ruleIndex];
    expect(rule.id).toBe('shutdown/deploy/grace-budget');
    expect(rule.helpUri).toMatch(/rules\/deploy\/grace-budget\/grace-budget\.md$/);
  });

  it('github: an annotation on the platform file, the code location in its text', () => {
    const run = cli(dir, ['--format', 'github']);
    const line = run.stdout.split('\n').find((l) => l.includes('file=k8s/api.yaml'))!;
    expect(line).toMatch(
      /^::error file=k8s\/api.yaml,line=9,col=11,endLine=9,endColumn=\d+,title=shutdown\/deploy\/grace-budget::Shutdown budget exceeds/,
    );
    expect(line).toContain('src/server.js:7');
  });

  it('stylish: the platform file with its findings', () => {
    const run = cli(dir, []);
    expect(run.stdout).toContain('k8s/api.yaml\n  9:11  error  Shutdown budget exceeds the grace period: preStop 10 s');
  });

  it('--shard reports each platform file in one part only', () => {
    const parts = [1, 2].map(
      (index) => JSON.parse(cli(dir, ['--format', 'json', '--shard', `${index}/2`]).stdout) as LintResult[],
    );
    parts.forEach((results, i) => {
      for (const result of results)
        if (result.messages.some((m) => m.ruleId?.startsWith('shutdown/deploy/')))
          expect(shardOfPath(relative(dir, result.filePath), 2)).toBe(i + 1);
    });
    const whole = (JSON.parse(cli(dir, ['--format', 'json']).stdout) as LintResult[]).flatMap((r) =>
      r.messages.filter((m) => m.ruleId?.startsWith('shutdown/deploy/')),
    );
    expect(parts.flat().flatMap((r) => r.messages.filter((m) => m.ruleId?.startsWith('shutdown/deploy/'))).length).toBe(
      whole.length,
    );
  });

  it('--rule rejects an unknown deploy check and accepts a known one', () => {
    expect(cli(dir, ['--rule', 'deploy/no-such-check=off']).code).toBe(2);
    const off = cli(dir, ['--format', 'json', '--rule', 'shutdown/deploy/grace-budget=off']);
    expect(
      (JSON.parse(off.stdout) as LintResult[])
        .flatMap((r) => r.messages)
        .some((m) => m.ruleId === 'shutdown/deploy/grace-budget'),
    ).toBe(false);
  });
});
