// The `shutdown-lint` command end to end: runCli with a fake io over the projects in fixtures/cli/,
// and the real bin (node bin/shutdown-lint.js, which runs the built dist/) in a child process.
//
// Fixtures (each self-contained, with its own tsconfig.json where it needs one):
//   clean/            a server whose SIGTERM handler bounds close() with a force-close timer
//   findings/         src/receipts.ts: no-untracked-promise; src/server.ts: require-close-timeout
//   broken-tsconfig/  a tsconfig.json that is not valid JSON
//   (the configs and paths of projects: test/cli/projects.test.ts)
//   js-only/          no tsconfig/jsconfig: .js and .cjs files using require('http')
//   solution/         a solution-style tsconfig ("files": []) referencing api/ and worker/
//   parse-error/      src/broken.ts does not parse; src/handler.ts has a finding
//   directives/       one file per inline disable comment
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import type { LintResult } from '../../src/cli/results.js';
import { cachedCli, cli, fixture, repoRoot, resultsByFile, stderrLines, type CliRun } from './cli-support.js';

const untracked = 'shutdown/no-untracked-promise';
const closeTimeout = 'shutdown/require-close-timeout';

const clean = fixture('clean');
const findings = fixture('findings');

const packageVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

const temporaryDirectories: string[] = [];
function temporaryDirectory(): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'shutdown-lint-cli-'));
  temporaryDirectories.push(directory);
  return directory;
}
afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

/** A usage or configuration error: exit code 2, nothing on stdout, one clean line on stderr. */
function expectUsageError(run: CliRun): string {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.endsWith('\n')).toBe(true);
  const lines = stderrLines(run);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^shutdown-lint: \S/);
  expect(run.stderr).not.toContain('    at ');
  return lines[0]!;
}

function ruleIds(result: LintResult | undefined): (string | null)[] {
  return (result?.messages ?? []).map((message) => message.ruleId);
}

// The keys ESLint itself gives a LintResult (source/output/stats only appear in some cases).
let eslintResultKeys: string[];
beforeAll(async () => {
  const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: true });
  const [result] = await eslint.lintText('export {};\n', { filePath: path.join(repoRoot, 'probe.js') });
  eslintResultKeys = Object.keys(result!).sort();
});

describe('--format', { timeout: 120_000 }, () => {
  it('stylish (the default) lists each file with its findings and a summary, uncoloured without a TTY', () => {
    const run = cachedCli(findings);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toContain('\u001b[');
    expect(run.stdout).toMatch(
      /^\nsrc\/receipts\.ts\n {2}\d+:\d+ {2}error {2}.+ {2}shutdown\/no-untracked-promise\n\nsrc\/server\.ts\n {2}\d+:\d+ {2}error {2}.+ {2}shutdown\/require-close-timeout\n\n/,
    );
    expect(run.stdout.endsWith('\u2716 2 problems (2 errors, 0 warnings)\n')).toBe(true);
    expect(cachedCli(findings, ['--format', 'stylish']).stdout).toBe(run.stdout);
  });

  it('json is a parseable array of ESLint LintResults', () => {
    const run = cachedCli(findings, ['--format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const results = JSON.parse(run.stdout) as LintResult[];
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(path.isAbsolute(result.filePath)).toBe(true);
      expect(
        Object.keys(result)
          .filter((key) => key !== 'source')
          .sort(),
      ).toEqual(eslintResultKeys);
      expect(result.errorCount).toBe(1);
      expect(result.warningCount).toBe(0);
      expect(result.fatalErrorCount).toBe(0);
      expect(result.suppressedMessages).toEqual([]);
      for (const message of result.messages) {
        expect(message).toMatchObject({
          severity: 2,
          line: expect.any(Number),
          column: expect.any(Number),
          message: expect.any(String),
        });
        expect(message.line).toBeGreaterThanOrEqual(1);
        expect(message.column).toBeGreaterThanOrEqual(1);
      }
    }
    const byFile = resultsByFile(run, findings);
    expect(ruleIds(byFile.get('src/receipts.ts'))).toEqual([untracked]);
    expect(ruleIds(byFile.get('src/server.ts'))).toEqual([closeTimeout]);
    expect(byFile.get('src/receipts.ts')!.messages[0]!.line).toBe(9);
    expect(byFile.get('src/server.ts')!.messages[0]!.line).toBe(7);
  });

  // ESLint sets `source` on every result with errors or warnings (eslint-helpers.js, verifyText).
  it('json: a result with findings carries its source, as ESLint does', () => {
    const results = JSON.parse(cachedCli(findings, ['--format', 'json']).stdout) as LintResult[];
    for (const result of results) expect(result.source).toBe(readFileSync(result.filePath, 'utf8'));
  });

  it('sarif is a parseable SARIF 2.1.0 log with one result per finding', () => {
    const run = cachedCli(findings, ['--format', 'sarif']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const log = JSON.parse(run.stdout) as {
      version: string;
      runs: {
        tool: { driver: { name: string; version: string; rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        }[];
      }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const [sarifRun] = log.runs;
    expect(sarifRun!.tool.driver.name).toBe('shutdown-lint');
    expect(sarifRun!.tool.driver.version).toBe(packageVersion);
    // The driver lists every rule shutdown-lint has, whether or not it reported.
    expect(sarifRun!.tool.driver.rules.map((rule) => rule.id).sort()).toEqual(
      rules.map((rule) => `shutdown/${rule.meta.id}`).sort(),
    );
    const found = sarifRun!.results.map((result) => [
      result.ruleId,
      result.level,
      result.locations[0]!.physicalLocation.artifactLocation.uri,
    ]);
    expect(found.sort()).toEqual(
      [
        [untracked, 'error', 'src/receipts.ts'],
        [closeTimeout, 'error', 'src/server.ts'],
      ].sort(),
    );
  });

  it('github prints one ::error workflow command per finding', () => {
    const run = cachedCli(findings, ['--format', 'github']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout.endsWith('\n')).toBe(true);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.startsWith('::error ')).toBe(true);
    expect(lines[0]).toMatch(
      /^::error file=src\/receipts\.ts,line=9,col=\d+,endLine=\d+,endColumn=\d+,title=shutdown\/no-untracked-promise::\S/,
    );
    expect(lines[1]).toMatch(
      /^::error file=src\/server\.ts,line=7,col=\d+,endLine=\d+,endColumn=\d+,title=shutdown\/require-close-timeout::\S/,
    );
  });

  it('a clean project prints nothing in stylish, and zero counts in json', () => {
    expect(cachedCli(clean)).toEqual({ code: 0, stdout: '', stderr: '' });
    const run = cachedCli(clean, ['-f', 'json']);
    expect(run.code).toBe(0);
    const results = JSON.parse(run.stdout) as LintResult[];
    expect(results.map((result) => path.relative(clean, result.filePath))).toEqual([path.join('src', 'server.ts')]);
    expect(results[0]).toMatchObject({ messages: [], errorCount: 0, warningCount: 0, fatalErrorCount: 0 });
  });
});

describe('exit codes', { timeout: 120_000 }, () => {
  it('0 on a clean project', () => {
    expect(cachedCli(clean).code).toBe(0);
  });

  it('1 on findings at error severity', () => {
    expect(cachedCli(findings).code).toBe(1);
    expect(cachedCli(findings, ['src/receipts.ts']).code).toBe(1);
  });

  it('1 when warnings exceed --max-warnings, with one line on stderr', () => {
    const run = cachedCli(findings, ['--rule', 'no-untracked-promise=warn', '--max-warnings', '0', 'src/receipts.ts']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ {2}9:\d+ {2}warning {2}.+ {2}shutdown\/no-untracked-promise\n/);
    expect(run.stdout).toContain('\u2716 1 problem (0 errors, 1 warning)');
    const lines = stderrLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^shutdown-lint: .*--max-warnings 0/);
  });

  it('0 when the warnings are within --max-warnings, or there is no --max-warnings', () => {
    expect(
      cachedCli(findings, ['--rule', 'no-untracked-promise=warn', '--max-warnings', '1', 'src/receipts.ts']),
    ).toMatchObject({ code: 0, stderr: '' });
    const noLimit = cachedCli(findings, ['--rule', 'no-untracked-promise=warn', 'src/receipts.ts']);
    expect(noLimit).toMatchObject({ code: 0, stderr: '' });
    expect(noLimit.stdout).toContain('1 warning');
  });

  it('0 when --rule <id>=off turns off the only finding (bare and shutdown/ ids)', () => {
    expect(cachedCli(findings, ['--rule', 'no-untracked-promise=off', 'src/receipts.ts'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(cachedCli(findings, ['--rule', 'shutdown/require-close-timeout=off', 'src/server.ts'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('--rule off leaves the other rules on', () => {
    const run = cachedCli(findings, ['--rule', 'no-untracked-promise=off', '--format', 'json']);
    expect(run.code).toBe(1);
    const byFile = resultsByFile(run, findings);
    expect(ruleIds(byFile.get('src/receipts.ts'))).toEqual([]);
    expect(ruleIds(byFile.get('src/server.ts'))).toEqual([closeTimeout]);
  });

  it.each([
    ['an unknown flag', ['--no-such-flag']],
    ['a bad --format', ['--format', 'xml']],
    ['--format without a value', ['--format']],
    ['a bad --rule severity', ['--rule', 'no-untracked-promise=loud']],
    ['a --rule without =severity', ['--rule', 'no-untracked-promise']],
    ['an unknown rule id', ['--rule', 'no-such-rule=off']],
    ['an unknown shutdown/ rule id', ['--rule', 'shutdown/no-such-rule=warn']],
    ['a path that does not exist', ['does-not-exist']],
    ['--max-warnings abc', ['--max-warnings', 'abc']],
    ['a negative --max-warnings', ['--max-warnings=-1']],
    ['a fractional --max-warnings', ['--max-warnings', '1.5']],
  ])('2 on %s, with one shutdown-lint: line on stderr', (_name, argv) => {
    expectUsageError(cli(findings, argv));
  });

  it('names what is wrong in the usage error line', () => {
    expect(expectUsageError(cli(findings, ['--format', 'xml']))).toContain('xml');
    expect(expectUsageError(cli(findings, ['--rule', 'no-such-rule=off']))).toContain('no-such-rule');
    expect(expectUsageError(cli(findings, ['does-not-exist']))).toContain('does-not-exist');
    expect(expectUsageError(cli(findings, ['--max-warnings', 'abc']))).toContain('abc');
    expect(expectUsageError(cli(findings, ['--no-such-flag']))).toContain('--no-such-flag');
  });

  it('a tsconfig.json that is not valid JSON is one warning line naming it; its folder is still linted', () => {
    // Issue 14: one config never stops the run. Its files get an inferred program.
    const directory = fixture('broken-tsconfig');
    for (const run of [cli(directory, ['-f', 'json']), cli(directory, ['-f', 'json', 'src/server.ts'])]) {
      expect(run.code).toBe(0);
      const lines = stderrLines(run);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^shutdown-lint: tsconfig\.json:\d+: .*skipped.*Fix the JSON\.$/);
      expect([...resultsByFile(run, directory).keys()]).toEqual(['src/server.ts']);
    }
  });
});

describe('projects', { timeout: 120_000 }, () => {
  const jsFindings = (run: CliRun, cwd: string): void => {
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const byFile = resultsByFile(run, cwd);
    expect([...byFile.keys()].sort()).toEqual(['server.cjs', 'worker.js']);
    expect(ruleIds(byFile.get('server.cjs'))).toEqual([closeTimeout]);
    expect(ruleIds(byFile.get('worker.js'))).toEqual([closeTimeout]);
  };

  it('lints a JavaScript project with no tsconfig/jsconfig through an inferred program (in place)', () => {
    // The repository's tsconfig.json is the nearest config, but it does not include fixtures/.
    const directory = fixture('js-only');
    expect(existsSync(path.join(directory, 'tsconfig.json')) || existsSync(path.join(directory, 'jsconfig.json'))).toBe(
      false,
    );
    jsFindings(cachedCli(directory, ['-f', 'json']), directory);
  });

  it('lints a JavaScript project with no config anywhere above it (copied to a temporary directory)', () => {
    const directory = temporaryDirectory();
    cpSync(fixture('js-only'), directory, { recursive: true });
    for (let dir = directory; ; dir = path.dirname(dir)) {
      expect(existsSync(path.join(dir, 'tsconfig.json')) || existsSync(path.join(dir, 'jsconfig.json'))).toBe(false);
      if (path.dirname(dir) === dir) break;
    }
    jsFindings(cli(directory, ['-f', 'json']), directory);
    // A single file as the target: only that file.
    const one = cli(directory, ['-f', 'json', 'worker.js']);
    expect([...resultsByFile(one, directory).keys()]).toEqual(['worker.js']);
  });

  it('lints both sub-projects of a solution-style tsconfig (files: [] + references)', () => {
    const directory = fixture('solution');
    const run = cachedCli(directory, ['-f', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const byFile = resultsByFile(run, directory);
    expect([...byFile.keys()].sort()).toEqual(['api/src/app.ts', 'worker/src/main.ts']);
    expect(ruleIds(byFile.get('api/src/app.ts'))).toEqual([untracked]);
    expect(ruleIds(byFile.get('worker/src/main.ts'))).toEqual([closeTimeout]);
  });

  it('lints the solution config when it is passed as a path', () => {
    const directory = fixture('solution');
    const run = cli(repoRoot, ['-f', 'json', path.join(directory, 'tsconfig.json')]);
    expect(run.code).toBe(1);
    expect([...resultsByFile(run, directory).keys()].sort()).toEqual(['api/src/app.ts', 'worker/src/main.ts']);
  });

  it('reports a file that does not parse as a fatal Parsing error and still lints the others', () => {
    const directory = fixture('parse-error');
    const run = cachedCli(directory, ['-f', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const byFile = resultsByFile(run, directory);
    const broken = byFile.get('src/broken.ts')!;
    expect(broken.messages).toHaveLength(1);
    expect(broken.messages[0]).toMatchObject({ ruleId: null, fatal: true, severity: 2, line: 1 });
    expect(broken.messages[0]!.message).toMatch(/^Parsing error: \S/);
    expect(broken).toMatchObject({ errorCount: 1, fatalErrorCount: 1, warningCount: 0 });
    expect(broken.source).toBe(readFileSync(path.join(directory, 'src', 'broken.ts'), 'utf8'));
    expect(ruleIds(byFile.get('src/handler.ts'))).toEqual([untracked]);
    expect(byFile.get('src/handler.ts')!.fatalErrorCount).toBe(0);
  });

  it('shows the parsing error in the stylish output too', () => {
    const stylish = cachedCli(fixture('parse-error'));
    expect(stylish.code).toBe(1);
    expect(stylish.stdout).toMatch(/src\/broken\.ts\n {2}1:\d+ {2}error {2}Parsing error: /);
    expect(stylish.stdout).toContain('shutdown/no-untracked-promise');
  });
});

describe('inline directives', { timeout: 120_000 }, () => {
  const directory = fixture('directives');
  const run = (): CliRun => cachedCli(directory, ['-f', 'json']);
  const file = (name: string): LintResult => resultsByFile(run(), directory).get(`src/${name}`)!;

  it.each([
    ['next-line.ts', '// shutdown-lint-disable-next-line no-untracked-promise', 10, ''],
    ['same-line.ts', '// shutdown-lint-disable-line', 9, ''],
    [
      'eslint-next-line.ts',
      '// eslint-disable-next-line shutdown/no-untracked-promise -- reason',
      10,
      'receipts are best-effort',
    ],
  ])('%s: %s suppresses the finding', (name, _comment, line, justification) => {
    const result = file(name);
    expect(result.messages).toEqual([]);
    expect(result.errorCount).toBe(0);
    expect(result.suppressedMessages).toHaveLength(1);
    expect(result.suppressedMessages[0]).toMatchObject({
      ruleId: untracked,
      line,
      suppressions: [{ kind: 'directive', justification }],
    });
  });

  it('block.ts: /* shutdown-lint-disable */ … /* shutdown-lint-enable */ suppresses only inside the block', () => {
    const result = file('block.ts');
    expect(result.suppressedMessages.map((m) => [m.ruleId, m.line])).toEqual([[untracked, 10]]);
    expect(result.messages.map((m) => [m.ruleId, m.line])).toEqual([[untracked, 16]]);
    expect(result.errorCount).toBe(1);
  });

  it('other-rule.ts: // eslint-disable-next-line some-other/rule does not suppress ours', () => {
    const result = file('other-rule.ts');
    expect(result.suppressedMessages).toEqual([]);
    expect(result.messages.map((m) => [m.ruleId, m.line])).toEqual([[untracked, 10]]);
  });

  it('the run fails only for the findings that are not suppressed', () => {
    expect(run().code).toBe(1);
    const results = [...resultsByFile(run(), directory).values()];
    expect(results.reduce((n, result) => n + result.errorCount, 0)).toBe(2);
    expect(results.reduce((n, result) => n + result.suppressedMessages.length, 0)).toBe(4);
  });
});

describe('--output-file', { timeout: 120_000 }, () => {
  it('writes the report to the file, creating parent directories, and nothing to stdout', () => {
    const target = path.join(temporaryDirectory(), 'reports', 'nested', 'shutdown-lint.json');
    const run = cli(findings, ['--format', 'json', '--output-file', target]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: '' });
    const written = readFileSync(target, 'utf8');
    expect(written.endsWith('\n')).toBe(true);
    expect(written).toBe(cachedCli(findings, ['--format', 'json']).stdout);
    expect((JSON.parse(written) as LintResult[]).length).toBe(2);
  });

  it('-o resolves a relative path against the working directory, and writes stylish uncoloured even on a TTY', () => {
    const directory = temporaryDirectory();
    cpSync(fixture('js-only'), directory, { recursive: true });
    const run = cli(directory, ['-o', 'out/report.txt'], { isTTY: true });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const written = readFileSync(path.join(directory, 'out', 'report.txt'), 'utf8');
    expect(written).toContain('shutdown/require-close-timeout');
    expect(written).not.toContain('\u001b[');
  });
});

describe('--quiet', { timeout: 120_000 }, () => {
  it('drops warnings and keeps errors', () => {
    const run = cachedCli(findings, ['--rule', 'no-untracked-promise=warn', '--quiet', '--format', 'json']);
    expect(run.code).toBe(1);
    const byFile = resultsByFile(run, findings);
    expect(byFile.get('src/receipts.ts')).toMatchObject({ messages: [], warningCount: 0, errorCount: 0 });
    expect(ruleIds(byFile.get('src/server.ts'))).toEqual([closeTimeout]);
    // Without --quiet the warning is there.
    const loud = resultsByFile(
      cachedCli(findings, ['--rule', 'no-untracked-promise=warn', '--format', 'json']),
      findings,
    );
    expect(loud.get('src/receipts.ts')).toMatchObject({
      warningCount: 1,
      messages: [{ ruleId: untracked, severity: 1 }],
    });
  });

  it('prints nothing when only warnings were found', () => {
    expect(cachedCli(findings, ['--rule', 'no-untracked-promise=warn', '--quiet', 'src/receipts.ts'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });
});

describe('progress line', { timeout: 120_000 }, () => {
  /** A clock that advances 2 s per reading: every file finishes "after" the 1 s threshold. */
  const slowClock = (): (() => number) => {
    let time = 0;
    return () => (time += 2000);
  };

  it('on a TTY, a long run writes a \\r progress line to stderr and clears it at the end', () => {
    const run = cli(clean, [], { isTTY: true, now: slowClock() });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^\rshutdown-lint: 1\/1 files/);
    expect(run.stderr.endsWith('\r\u001b[K')).toBe(true);
    expect(run.stderr).not.toContain('\n');
  });

  it('counts the files of the run', () => {
    const run = cli(findings, ['--format', 'json'], { isTTY: true, now: slowClock() });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('\rshutdown-lint: 1/2 files\rshutdown-lint: 2/2 files\r\u001b[K');
    expect(JSON.parse(run.stdout)).toHaveLength(2);
  });

  it('on a TTY, a fast run writes nothing to stderr', () => {
    const run = cli(clean, [], { isTTY: true, now: () => 0 });
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('without a TTY nothing is written to stderr on a successful run, however long', () => {
    expect(cli(clean, [], { isTTY: false, now: slowClock() })).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('--help and --version', () => {
  it.each([['--help'], ['-h']])('%s prints the usage and exits 0', (flag) => {
    const run = cli(findings, [flag]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: shutdown-lint /);
    for (const option of ['--format', '--output-file', '--rule', '--max-warnings', '--quiet', '--help', '--version']) {
      expect(run.stdout).toContain(option);
    }
  });

  it.each([['--version'], ['-v']])('%s prints the package version and exits 0', (flag) => {
    expect(cli(findings, [flag])).toEqual({ code: 0, stdout: `${packageVersion}\n`, stderr: '' });
  });

  it('--help wins over the other arguments (no lint run)', () => {
    const run = cli(findings, ['--help', 'does-not-exist']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: /);
  });
});

describe('the real bin (node bin/shutdown-lint.js, built dist/)', { timeout: 120_000 }, () => {
  const bin = path.join(repoRoot, 'bin', 'shutdown-lint.js');
  const run = (cwd: string, argv: string[]) =>
    spawnSync(process.execPath, [bin, ...argv], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1' },
    });

  beforeAll(() => {
    if (existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'))) return;
    const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8', timeout: 240_000 });
    if (build.status !== 0 || !existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'))) {
      throw new Error(`npm run build failed (status ${build.status}): ${build.stdout}\n${build.stderr}`);
    }
  }, 300_000);

  it('lints the project in its working directory: JSON on stdout, exit status 1', () => {
    const child = run(findings, ['--format', 'json']);
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(1);
    const results = JSON.parse(child.stdout) as LintResult[];
    const byFile = new Map(
      results.map((result) => [path.relative(findings, result.filePath).split(path.sep).join('/'), result]),
    );
    expect(ruleIds(byFile.get('src/receipts.ts'))).toEqual([untracked]);
    expect(ruleIds(byFile.get('src/server.ts'))).toEqual([closeTimeout]);
  });

  it('exits 2 on a usage error with one line on stderr and no stack trace', () => {
    const child = run(findings, ['--format', 'xml']);
    expect(child.status).toBe(2);
    expect(child.stdout).toBe('');
    const lines = child.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^shutdown-lint: /);
    expect(child.stderr).not.toContain('    at ');
  });

  it('--version exits 0', () => {
    const child = run(findings, ['--version']);
    expect(child.status).toBe(0);
    expect(child.stdout).toBe(`${packageVersion}\n`);
  });
});
