// Helpers for the CLI tests: run `runCli` with a fake io, read its JSON report, find fixtures.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type Io } from '../../src/cli/main.js';
import type { LintResult } from '../../src/cli/results.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A fixture project under fixtures/cli/. */
export function fixture(name: string): string {
  return path.join(repoRoot, 'fixtures', 'cli', name);
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export type IoOverrides = Partial<Pick<Io, 'isTTY' | 'now'>>;

/** Runs the CLI in `cwd` and collects what it writes. isTTY is false unless overridden. */
export function cli(cwd: string, argv: readonly string[] = [], io: IoOverrides = {}): CliRun {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, {
    cwd,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: false,
    ...io,
  });
  return { code, stdout, stderr };
}

const memo = new Map<string, CliRun>();

/**
 * `cli` with the default io, run once per (cwd, argv): each run builds a TypeScript program
 * (about a second), so tests that look at the same run share it.
 */
export function cachedCli(cwd: string, argv: readonly string[] = []): CliRun {
  const key = JSON.stringify([cwd, argv]);
  let run = memo.get(key);
  if (!run) {
    run = cli(cwd, argv);
    memo.set(key, run);
  }
  return run;
}

/** The `--format json` report of a run, keyed by the file's path relative to `cwd` (with `/`). */
export function resultsByFile(run: CliRun, cwd: string): Map<string, LintResult> {
  const results = JSON.parse(run.stdout) as LintResult[];
  return new Map(results.map((result) => [path.relative(cwd, result.filePath).split(path.sep).join('/'), result]));
}

/** stderr as lines, without the final newline's empty tail. */
export function stderrLines(run: CliRun): string[] {
  return run.stderr.split('\n').filter((line, index, all) => !(line === '' && index === all.length - 1));
}
