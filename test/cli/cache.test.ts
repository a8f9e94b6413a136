// `--cache`: results reused per program while none of its inputs changed, and never stale. The
// rules are whole-program, so the test that matters most edits one file and checks that another
// file's finding, which depended on it, changes.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCacheLocation } from '../../src/cli/cache.js';
import { cli, fixture, resultsByFile, stderrLines, type CliRun } from './cli-support.js';

const temporaryDirectories: string[] = [];
function copyOf(name: string): { dir: string; cache: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'shutdown-lint-cache-'));
  temporaryDirectories.push(root);
  const dir = path.join(root, name);
  cpSync(fixture(name), dir, { recursive: true });
  return { dir, cache: path.join(root, 'results-cache') };
}
afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

function run(dir: string, cache: string, extra: string[] = []): CliRun & { built: number; reused: number } {
  const result = cli(dir, ['--format', 'json', '--cache', '--cache-location', cache, '--stats', ...extra]);
  const summary = /(\d+) program\(s\) built(?:, (\d+) reused from the cache)?/.exec(result.stderr);
  if (!summary) throw new Error(`no --stats line in: ${result.stderr}`);
  return { ...result, built: Number(summary[1]), reused: Number(summary[2] ?? 0) };
}

function findings(result: CliRun, dir: string): string[] {
  return [...resultsByFile(result, dir)]
    .flatMap(([file, r]) => r.messages.map((m) => `${file}:${m.line}:${m.ruleId}`))
    .sort();
}

const signalHandled = `// The entry, now handling SIGTERM.
import { start } from './server.js';

const server = start();
process.once('SIGTERM', () => {
  server.close();
  setTimeout(() => server.closeAllConnections(), 10_000).unref();
});
`;

describe('--cache', () => {
  it('reuses a program whose files did not change, with the same output in every format', () => {
    const { dir, cache } = copyOf('cache');
    for (const format of ['json', 'sarif', 'stylish']) {
      const cold = run(dir, path.join(cache, format), ['--format', format]);
      const warm = run(dir, path.join(cache, format), ['--format', format]);
      expect([cold.built, cold.reused]).toEqual([1, 0]);
      expect([warm.built, warm.reused]).toEqual([0, 1]);
      expect(warm.stdout).toBe(cold.stdout);
      expect(warm.code).toBe(cold.code);
    }
  });

  it('re-lints after an edit, and a finding that depended on the edited file changes, though its own file did not', () => {
    const { dir, cache } = copyOf('cache');
    const cold = run(dir, cache);
    expect(findings(cold, dir)).toEqual(['src/server.ts:6:shutdown/require-signal-handler']);
    writeFileSync(path.join(dir, 'src', 'main.ts'), signalHandled);
    const warm = run(dir, cache);
    expect([warm.built, warm.reused]).toEqual([1, 0]);
    expect(findings(warm, dir)).toEqual([]);
    // And back: the old results are not resurrected either.
    cpSync(fixture('cache'), dir, { recursive: true });
    expect(findings(run(dir, cache), dir)).toEqual(['src/server.ts:6:shutdown/require-signal-handler']);
  });

  it('re-lints after an edit to a leaf file nothing imports', () => {
    const { dir, cache } = copyOf('cache');
    run(dir, cache);
    writeFileSync(
      path.join(dir, 'src', 'util.ts'),
      `${readFileSync(path.join(dir, 'src', 'util.ts'), 'utf8')}\nexport async function save(): Promise<void> {}\nexport function handler(): void {\n  void 0;\n}\n`,
    );
    expect(run(dir, cache).built).toBe(1);
  });

  it('in a solution with two projects, an edit rebuilds only the project that holds the file', () => {
    const { dir, cache } = copyOf('solution');
    const cold = run(dir, cache);
    expect([cold.built, cold.reused]).toEqual([2, 0]);
    const main = path.join(dir, 'worker', 'src', 'main.ts');
    writeFileSync(main, `${readFileSync(main, 'utf8')}\nexport const edited = 1;\n`);
    const warm = run(dir, cache);
    expect([warm.built, warm.reused]).toEqual([1, 1]);
    expect(findings(warm, dir)).toEqual(findings(cold, dir));
  });

  it('misses when a rule severity, the tsconfig, a lockfile or the set of files changes', () => {
    const { dir, cache } = copyOf('cache');
    run(dir, cache);
    expect(run(dir, cache, ['--rule', 'require-signal-handler=warn']).built).toBe(1);
    expect(run(dir, cache, ['--rule', 'require-signal-handler=warn']).built).toBe(0);
    // Each rule set keeps its own entry: back to the defaults, theirs is still valid.
    expect(run(dir, cache).built).toBe(0);
    const tsconfig = path.join(dir, 'tsconfig.json');
    writeFileSync(tsconfig, readFileSync(tsconfig, 'utf8').replace('"strict": true', '"strict": false'));
    expect(run(dir, cache).built).toBe(1);
    writeFileSync(path.join(dir, 'package-lock.json'), '{"lockfileVersion": 3}\n');
    expect(run(dir, cache).built).toBe(1);
    expect(run(dir, cache).built).toBe(0);
    writeFileSync(path.join(dir, 'src', 'added.ts'), 'export const added = 1;\n');
    expect(run(dir, cache).built).toBe(1);
    rmSync(path.join(dir, 'src', 'util.ts'));
    expect(run(dir, cache).built).toBe(1);
  });

  it('ignores a corrupt cache with one line on stderr and rewrites it', () => {
    const { dir, cache } = copyOf('cache');
    const cold = run(dir, cache);
    writeFileSync(path.join(cache, 'results.json'), '{"format": 1, "entries": ');
    const warm = run(dir, cache);
    expect(warm.built).toBe(1);
    expect(warm.stdout).toBe(cold.stdout);
    expect(stderrLines(warm).filter((l) => l.includes('ignoring the cache'))).toHaveLength(1);
    expect(run(dir, cache).reused).toBe(1);
  });

  it('still lints, with one line on stderr, when the cache cannot be written', () => {
    const { dir, cache } = copyOf('cache');
    mkdirSync(path.dirname(cache), { recursive: true });
    writeFileSync(cache, 'a file where the cache folder should be');
    const result = run(dir, cache);
    expect(result.code).toBe(1);
    expect(findings(result, dir)).toEqual(['src/server.ts:6:shutdown/require-signal-handler']);
    expect(stderrLines(result).filter((l) => /could not write the cache/.test(l))).toHaveLength(1);
  });

  it('needs --cache for --cache-location', () => {
    const result = cli(fixture('cache'), ['--cache-location', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('shutdown-lint: --cache-location needs --cache as well.\n');
  });

  it('keeps its cache under node_modules/.cache of the nearest package by default', () => {
    const { dir } = copyOf('cache');
    writeFileSync(path.join(dir, 'package.json'), '{}\n');
    mkdirSync(path.join(dir, 'src', 'deep'), { recursive: true });
    expect(defaultCacheLocation(path.join(dir, 'src', 'deep'))).toBe(
      path.join(dir, 'node_modules', '.cache', 'shutdown-lint'),
    );
  });
});
