// Helpers for the deploy tests: run the CLI on a fixture under fixtures/deploy/ and keep the deploy
// findings, or run the analysis directly to see the info-level notes the lint report leaves out.
import * as path from 'node:path';
import { deployRules } from '../../rules/deploy/index.js';
import { analyseDeploy, runDeployRules, type DeployAnalysis } from '../../src/core/deploy/analyse.js';
import type { DeployFinding } from '../../src/core/deploy/rule.js';
import { codeSideFrom } from '../../src/cli/deploy.js';
import type { LintResult } from '../../src/cli/results.js';
import { ts } from '../../src/core/typescript.js';
import { cli, repoRoot, type CliRun } from '../cli/cli-support.js';

export { repoRoot };

export function deployFixture(name: string): string {
  return path.join(repoRoot, 'fixtures', 'deploy', name);
}

export interface Reported {
  /** Relative to the fixture. */
  file: string;
  line: number;
  rule: string;
  severity: 1 | 2;
  message: string;
  related: { file: string; line: number }[];
}

const runs = new Map<string, { run: CliRun; reported: Reported[] }>();

/** The deploy findings the CLI reports on a fixture (JSON format), sorted by file and line. */
export function lintDeploy(name: string, args: readonly string[] = []): { run: CliRun; reported: Reported[] } {
  const key = `${name}|${args.join(' ')}`;
  const memo = runs.get(key);
  if (memo) return memo;
  const dir = deployFixture(name);
  const run = cli(dir, ['--format', 'json', ...args]);
  const results = JSON.parse(run.stdout) as LintResult[];
  const reported = results.flatMap((result) =>
    result.messages
      .filter((m) => m.ruleId?.startsWith('shutdown/deploy/'))
      .map((m) => ({
        file: path.relative(dir, result.filePath),
        line: m.line,
        rule: m.ruleId!.slice('shutdown/'.length),
        severity: m.severity,
        message: m.message,
        related: (m.relatedLocations ?? []).map((r) => ({ file: path.relative(dir, r.filePath), line: r.line })),
      })),
  );
  reported.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const result = { run, reported };
  runs.set(key, result);
  return result;
}

/** `file:line severity` of one rule's findings: what a test compares. */
export function shape(reported: readonly Reported[], rule: string): string[] {
  return reported
    .filter((r) => r.rule === rule)
    .map((r) => `${r.file}:${r.line} ${r.severity === 2 ? 'error' : 'warn'}`);
}

/** Every finding of every check, info included, straight from the analysis. */
export function analyseFixture(name: string): { analysis: DeployAnalysis; findings: DeployFinding[] } {
  const dir = deployFixture(name);
  const analysis = analyseDeploy({ cwd: dir, targets: ['.'], codeSide: codeSideFrom(ts, dir) });
  return { analysis, findings: runDeployRules(analysis, deployRules, { cwd: dir }) };
}
