// From the paths given to programs (issue 14): every config under a folder is found, each file is
// linted once in the program of the nearest config that includes it, one config never stops the
// run, and a file's findings do not depend on the path it was reached from.
//
// Fixtures (fixtures/cli/):
//   workspaces/       npm workspaces, no root tsconfig; packages/api and packages/worker each with a
//                     tsconfig whose path alias connects the entry to the server or the job loop
//   server-beside/    a root tsconfig that includes only src/; server/ has its own tsconfig
//   extends-missing/  a tsconfig extending a package that is not installed, with its own path alias
//   json5-tsconfig/   a tsconfig in JSON5 (unquoted keys, single quotes, comments, trailing commas)
//   variant-config/   tsconfig.app.json and no tsconfig.json
//   subpath-imports/  package.json `imports` (#lib/*) under a jsconfig with moduleResolution node
//   build-output-launcher/  index.js outside the tsconfig loads ./dist/server.js (outDir dist,
//                     rootDir lib, not built) and handles SIGTERM for the server in lib/
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LintResult } from '../../src/cli/results.js';
import { cachedCli, cli, fixture, resultsByFile, stderrLines, type CliRun } from './cli-support.js';

const untracked = 'shutdown/no-untracked-promise';
const closeTimeout = 'shutdown/require-close-timeout';
const signalHandler = 'shutdown/require-signal-handler';

const temporaryDirectories: string[] = [];
function temporaryDirectory(): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'shutdown-lint-projects-'));
  temporaryDirectories.push(directory);
  return directory;
}
afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

function ruleIds(result: LintResult | undefined): (string | null)[] {
  return (result?.messages ?? []).map((message) => message.ruleId);
}

/** The findings of a JSON run as `path:line rule`, relative to `cwd`. */
function findingLines(run: CliRun, cwd: string): string[] {
  return [...resultsByFile(run, cwd)]
    .flatMap(([file, result]) => result.messages.map((m) => `${file}:${m.line} ${m.ruleId}`))
    .sort();
}

/** The programs `--stats` lists, as paths relative to `cwd`. */
function programsOf(run: CliRun): string[] {
  return stderrLines(run)
    .filter((line) => line.startsWith('  '))
    .map((line) => line.trim().split(':')[0]!)
    .sort();
}

describe('sub-projects and monorepos', { timeout: 120_000 }, () => {
  it('a workspace with no root tsconfig: each package is linted with its own tsconfig (its path alias resolves)', () => {
    const directory = fixture('workspaces');
    const run = cachedCli(directory, ['-f', 'json', '--stats']);
    expect(programsOf(run)).toEqual(['packages/api/tsconfig.json', 'packages/worker/tsconfig.json']);
    // The api entry loads the server through `@api/server` and handles SIGTERM: no
    // require-signal-handler on its listen() (one loose program left the alias unresolved).
    expect(findingLines(run, directory)).toEqual([
      `packages/worker/src/jobs.ts:15 ${closeTimeout}`,
      `packages/worker/src/jobs.ts:7 ${untracked}`,
    ]);
    expect(run.code).toBe(1);
  });

  it('a server/ with its own tsconfig beside a root tsconfig that includes only src/ is linted', () => {
    const directory = fixture('server-beside');
    const run = cachedCli(directory, ['-f', 'json', '--stats']);
    expect(programsOf(run)).toEqual(['server/tsconfig.json', 'tsconfig.json']);
    expect([...resultsByFile(run, directory).keys()].sort()).toEqual(['server/index.ts', 'src/page.tsx']);
    expect(ruleIds(resultsByFile(run, directory).get('server/index.ts'))).toEqual([closeTimeout]);
  });

  it("a file's findings do not depend on the path given: the root, its folder, the file, or from elsewhere", () => {
    for (const [name, file] of [
      ['server-beside', 'server/index.ts'],
      ['workspaces', 'packages/worker/src/jobs.ts'],
      ['workspaces', 'packages/api/src/server.ts'],
    ] as const) {
      const directory = fixture(name);
      const fromRoot = findingLines(cachedCli(directory, ['-f', 'json', '--stats']), directory).filter((l) =>
        l.startsWith(`${file}:`),
      );
      for (const target of [path.dirname(file), file]) {
        const run = cli(directory, ['-f', 'json', target]);
        expect(findingLines(run, directory)).toEqual(fromRoot);
      }
      const fromParent = cli(path.dirname(directory), ['-f', 'json', path.join(name, file)]);
      expect(findingLines(fromParent, directory)).toEqual(fromRoot);
    }
  });

  it('a file is linted once, by the nearest config that includes it', () => {
    // A root tsconfig that includes everything, and server/'s own: server files are linted once, in server's.
    const directory = temporaryDirectory();
    cpSync(fixture('server-beside'), directory, { recursive: true });
    writeFileSync(
      path.join(directory, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, types: ['node'] } }),
    );
    const run = cli(directory, ['-f', 'json', '--stats']);
    const results = JSON.parse(run.stdout) as LintResult[];
    expect(results.map((r) => path.relative(directory, r.filePath)).sort()).toEqual([
      'server/index.ts',
      'src/page.tsx',
    ]);
    expect(stderrLines(run).find((l) => l.includes('server/tsconfig.json'))).toMatch(/: 1 of \d+ files linted/);
  });
});

describe('configs that cannot be used whole', { timeout: 120_000 }, () => {
  it('an `extends` of a package that is not installed: one warning line, linted with the config’s own options', () => {
    const directory = fixture('extends-missing');
    const run = cachedCli(directory, ['-f', 'json']);
    const lines = stderrLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      'shutdown-lint: tsconfig.json: extends "@fixture/tsconfig-not-installed/tsconfig.json", which is not installed; linted with the config\'s own options and files. Install the dependencies for the full options.',
    );
    // The config's own path alias connects the entry (SIGTERM handled) to the server: no
    // require-signal-handler; its unbounded close is reported.
    expect(findingLines(run, directory)).toEqual([`src/main.ts:6 ${closeTimeout}`]);
    expect(run.code).toBe(1);
  });

  it('one warning line per missing package, however many configs extend it', () => {
    const directory = temporaryDirectory();
    for (const name of ['a', 'b', 'c']) {
      cpSync(fixture('extends-missing'), path.join(directory, name), { recursive: true });
    }
    const run = cli(directory, ['-f', 'json']);
    const lines = stderrLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^shutdown-lint: a\/tsconfig\.json \(and 2 other configs\): extends "@fixture\//);
    expect(findingLines(run, directory)).toHaveLength(3);
  });

  it('a tsconfig in JSON5 (unquoted keys, single quotes) is read, with no warning', () => {
    const directory = fixture('json5-tsconfig');
    const run = cachedCli(directory, ['-f', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Its path alias was read: the server is loaded by the entry that handles SIGTERM.
    expect(findingLines(run, directory)).toEqual([]);
    expect([...resultsByFile(run, directory).keys()].sort()).toEqual(['src/lib/server.ts', 'src/main.ts']);
  });

  it('a project reference that does not exist: one warning line, the rest linted', () => {
    const directory = temporaryDirectory();
    cpSync(fixture('solution'), directory, { recursive: true });
    writeFileSync(
      path.join(directory, 'tsconfig.json'),
      JSON.stringify({ files: [], references: [{ path: './api' }, { path: './worker' }, { path: './gone' }] }),
    );
    const run = cli(directory, ['-f', 'json']);
    expect(stderrLines(run)).toEqual([
      'shutdown-lint: tsconfig.json: the project reference "./gone" does not exist; skipped. Fix or remove the reference.',
    ]);
    expect([...resultsByFile(run, directory).keys()].sort()).toEqual(['api/src/app.ts', 'worker/src/main.ts']);
  });
});

describe('module resolution', { timeout: 120_000 }, () => {
  it('a variant config (tsconfig.app.json, no tsconfig.json) is used: its path alias resolves', () => {
    const directory = fixture('variant-config');
    const run = cachedCli(directory, ['-f', 'json', '--stats']);
    expect(programsOf(run)).toEqual(['tsconfig.app.json']);
    expect(findingLines(run, directory)).toEqual([]);
  });

  it('package.json subpath imports (#lib/*) resolve under a config with moduleResolution node', () => {
    const directory = fixture('subpath-imports');
    const run = cachedCli(directory, ['-f', 'json']);
    expect(run.stderr).toBe('');
    expect([...resultsByFile(run, directory).keys()].sort()).toEqual(['lib/server.js', 'main.js']);
    expect(findingLines(run, directory)).not.toContain(`lib/server.js:6 ${signalHandler}`);
    expect(findingLines(run, directory)).toEqual([]);
  });

  it("a launcher that imports the build output (./dist) is linted with the config's sources", () => {
    const directory = fixture('build-output-launcher');
    const run = cachedCli(directory, ['-f', 'json', '--stats']);
    expect(stderrLines(run).filter((line) => !/^\s|built|took/.test(line))).toEqual([]);
    // One program: the launcher joins the tsconfig's, where ./dist/server.js resolves to lib/server.ts.
    expect(programsOf(run)).toEqual(['tsconfig.json']);
    expect([...resultsByFile(run, directory).keys()].sort()).toEqual(['index.js', 'lib/server.ts']);
    // The launcher's SIGTERM listener reaches the server's stop().
    expect(findingLines(run, directory)).not.toContain(`lib/server.ts:6 ${signalHandler}`);
    expect(findingLines(run, directory)).toEqual([]);
  });
});

describe('as a new user meets it', { timeout: 120_000 }, () => {
  it('a folder with no JavaScript or TypeScript file: one line naming it, exit 2', () => {
    const directory = temporaryDirectory();
    mkdirSync(path.join(directory, 'docs'));
    writeFileSync(path.join(directory, 'docs', 'README.md'), '# nothing to lint\n');
    const run = cli(directory, ['docs']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(stderrLines(run)).toEqual([
      'shutdown-lint: docs: no JavaScript or TypeScript files found (node_modules, dist and build are skipped). Pass the folder of your service.',
    ]);
  });

  it('an --output-file that cannot be written: one usage line naming the path, exit 2', () => {
    const directory = fixture('clean');
    // A path under a file: no one can create it (permissions do not stop root, this does).
    const target = path.join('src', 'server.ts', 'report.json');
    const run = cli(directory, ['-o', target]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = stderrLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^shutdown-lint: --output-file ${target.replace(/[.\\/]/g, '\\$&')}: cannot write the report there \\(E[A-Z]+\\)\\. `,
      ),
    );
    expect(lines[0]).not.toContain('internal error');
  });

  it.runIf(process.platform === 'linux')('an --output-file under /proc: a usage line, not a hang', () => {
    // Node's recursive mkdir never returns on /proc/<missing>/…; the CLI creates folders itself.
    const run = cli(fixture('clean'), ['-o', '/proc/shutdown-lint-missing/report.json']);
    expect(run.code).toBe(2);
    expect(stderrLines(run)).toEqual([
      expect.stringMatching(
        /^shutdown-lint: --output-file \/proc\/shutdown-lint-missing\/report\.json: cannot write the report there \(E[A-Z]+\)\. /,
      ),
    ]);
  });

  it('an --output-file in folders that do not exist yet: they are created', () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'shutdown-lint-output-'));
    try {
      cpSync(fixture('clean'), directory, { recursive: true });
      const run = cli(directory, ['-f', 'json', '-o', path.join('reports', 'ci', 'shutdown.json')]);
      expect(run.code).toBe(0);
      const report: unknown = JSON.parse(readFileSync(path.join(directory, 'reports', 'ci', 'shutdown.json'), 'utf8'));
      expect(Array.isArray(report)).toBe(true);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
