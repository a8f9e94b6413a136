// The checks of `npm run field -- --migrate` (scripts/field/migrate.js) on a tiny repository written
// here: the diff reading, the parse check, the style checks, and what run 2 changed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

interface Problem {
  line: number;
  kind: string;
  text: string;
}
interface Inspected {
  first: string[];
  second: string[];
  secondDiff: string[];
  parse: { path: string; run: number; errors: string[] }[];
  style: (Problem & { path: string })[];
}

const root = resolve(import.meta.dirname, '..', '..');
const harness = (await import(pathToFileURL(join(root, 'scripts', 'field', 'migrate.js')).href)) as {
  addedLines(diff: string): Map<string, Set<number>>;
  parseErrors(path: string, text: string): string[];
  newParseErrors(path: string, before: string | undefined, after: string): string[];
  styleProblems(path: string, text: string, added?: Set<number>): Problem[];
  readSummary(stdout: string): { rewritten: number; files: number; left: number } | undefined;
  inspect(cwd: string, base: string, run1: string): Inspected;
  newTypeErrors(
    cwd: string,
    base: string,
    changed: string[],
  ): { errors: { path: string; config: string; errors: string[] }[]; checked: number; skipped: string[] };
};

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();

describe('field --migrate: reading a diff', () => {
  it('lists the lines added per file, in the new file', () => {
    const diff = [
      'diff --git a/src/a.ts b/src/a.ts',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -3,0 +4,2 @@',
      '+one',
      '+two',
      '@@ -10 +12 @@',
      '-old',
      '+new',
      'diff --git a/gone.ts b/gone.ts',
      '--- a/gone.ts',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-x',
    ].join('\n');
    const added = harness.addedLines(diff);
    expect([...added.get('src/a.ts')!]).toEqual([4, 5, 12]);
    expect(added.has('gone.ts')).toBe(false);
  });

  it('reads the summary of a run, a negative count too', () => {
    expect(harness.readSummary('shutdown-lint migrate: rewrote 3 findings in 2 files; 1 left for a person.')).toEqual({
      rewritten: 3,
      files: 2,
      left: 1,
    });
    expect(harness.readSummary('shutdown-lint migrate: rewrote -2 findings in 1 file; 0 left for a person.')).toEqual({
      rewritten: -2,
      files: 1,
      left: 0,
    });
  });
});

describe('field --migrate: the parse check', () => {
  it('reports a parse error with its line, and TypeScript syntax in a JavaScript file', () => {
    expect(harness.parseErrors('a.ts', 'const a = 1;\n')).toEqual([]);
    expect(harness.parseErrors('a.ts', 'const a = (1;\n')[0]).toMatch(/^1: /);
    expect(harness.parseErrors('a.js', 'const a: number = 1;\n')).not.toEqual([]);
    expect(harness.parseErrors('a.tsx', 'const a = <div>{x}</div>;\n')).toEqual([]);
  });

  it('blames a run only for the errors it added', () => {
    const broken = 'const a = (1;\n';
    expect(harness.newParseErrors('a.ts', broken, broken)).toEqual([]);
    expect(harness.newParseErrors('a.ts', 'const a = 1;\n', broken)).not.toEqual([]);
    expect(harness.newParseErrors('a.ts', undefined, 'export {};\n')).toEqual([]);
  });
});

describe('field --migrate: style', () => {
  it('finds `void lifecycle.x(…).then(…)` inside an async function, not in a sync one', () => {
    const text = [
      "import { lifecycle } from 'shutdown-lint/lifecycle';",
      'async function stop(server) {',
      '  void lifecycle.closeServer(server).then(() => done(), done);',
      '}',
      'function stopSync(server) {',
      '  void lifecycle.closeServer(server).then(() => done(), done);',
      '}',
      '',
    ].join('\n');
    const problems = harness.styleProblems('a.js', text);
    expect(problems.filter((p) => p.kind === 'void-then-in-async').map((p) => p.line)).toEqual([3]);
  });

  it('finds old lines left at their indentation under a wrapper a run added', () => {
    const text = [
      'async function all(items) {',
      '  await Promise.all(items.map(async (item) => {',
      '  await save(item);', // the callback's body kept the old indentation
      '  }));',
      '}',
      '',
    ].join('\n');
    const problems = harness.styleProblems('a.ts', text, new Set([2, 4]));
    expect(problems).toContainEqual(expect.objectContaining({ line: 3, kind: 'indentation' }));
    // The same lines, not touched by the run: nothing to say about them.
    expect(harness.styleProblems('a.ts', text, new Set([5]))).toEqual([]);
  });

  it('finds an added line indented with tabs in a file indented with spaces', () => {
    const text = ['function f() {', '  a();', '\tb();', '  c();', '}', ''].join('\n');
    expect(harness.styleProblems('a.ts', text, new Set([3]))).toContainEqual(
      expect.objectContaining({ line: 3, kind: 'indentation' }),
    );
    expect(harness.styleProblems('a.ts', text.replace('\tb', '  b'), new Set([3]))).toEqual([]);
  });
});

describe('field --migrate: a repository migrated twice', () => {
  it('lists what run 1 changed, what run 2 changed with its lines, and a file run 1 broke', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-field-migrate-test-'));
    made.push(dir);
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'src', 'b.ts'), 'export const b = 2;\n');
    writeFileSync(join(dir, 'package.json'), '{}\n');
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    const base = git(dir, 'rev-parse', 'HEAD');
    // "Run 1": a.ts rewritten into something that does not parse, package.json edited.
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = track(1;\n');
    writeFileSync(join(dir, 'package.json'), '{ "dependencies": {} }\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'run 1');
    const run1 = git(dir, 'rev-parse', 'HEAD');
    // "Run 2", left in the work tree: b.ts wrapped only now.
    writeFileSync(join(dir, 'src', 'b.ts'), 'export const b = track(2);\n');
    const inspected = harness.inspect(dir, base, run1);
    expect(inspected.first.sort()).toEqual(['package.json', 'src/a.ts']);
    expect(inspected.parse).toEqual([{ path: 'src/a.ts', run: 1, errors: [expect.stringMatching(/^1: /)] }]);
    expect(inspected.second).toEqual(['src/b.ts']);
    expect(inspected.secondDiff).toEqual(['-export const b = 2;', '+export const b = track(2);']);
  });
});

describe('field --migrate: the type check', () => {
  // A before/after pair written by hand (not through migrate): the check compares, it does not rewrite.
  const repo = (files: Record<string, string>): { dir: string; base: string } => {
    const dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-field-migrate-types-'));
    made.push(dir);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    return { dir, base: git(dir, 'rev-parse', 'HEAD') };
  };
  const tsconfig = JSON.stringify({ compilerOptions: { strict: true, target: 'es2022', module: 'nodenext' } });

  it('reports an error the rewrite introduced, with its line, and not the errors that were there before', () => {
    const { dir, base } = repo({
      'tsconfig.json': tsconfig,
      'src/store.ts': [
        "import { Pool } from 'pg';", // not installed: TS2307 before and after
        'export function save(id: number): Promise<void> {',
        '  return Promise.resolve();',
        '}',
        'export const broken: number = "already";', // TS2322 before and after
        '',
      ].join('\n'),
      'src/handler.ts': [
        "import { save } from './store.js';",
        'export function handle(id: number): void {',
        '  save(id);',
        '}',
        '',
      ].join('\n'),
    });
    // "Run 1": the call wrapped in the runtime, and its result used where a number is expected.
    writeFileSync(
      join(dir, 'src', 'handler.ts'),
      [
        "import { lifecycle } from 'shutdown-lint/lifecycle';",
        "import { save } from './store.js';",
        'export function handle(id: number): number {',
        '  return lifecycle.track(save(id));',
        '}',
        '',
      ].join('\n'),
    );
    // store.ts: lines move (a line added on top), its old errors stay; they are not the run's.
    writeFileSync(join(dir, 'src', 'store.ts'), '// touched\n' + git(dir, 'show', `${base}:src/store.ts`) + '\n');
    const result = harness.newTypeErrors(dir, base, ['src/handler.ts', 'src/store.ts']);
    expect(result.checked).toBe(2);
    expect(result.errors).toEqual([
      {
        path: 'src/handler.ts',
        config: 'tsconfig.json',
        errors: [expect.stringMatching(/^4: TS2322: Type 'Promise<void>' is not assignable to type 'number'/)],
      },
    ]);
  });

  it('resolves shutdown-lint/lifecycle to this package, so a rewrite that type-checks reports nothing', () => {
    const { dir, base } = repo({
      'tsconfig.json': tsconfig,
      'src/handler.ts': [
        'export async function handle(work: () => Promise<void>): Promise<void> {',
        '  void work();',
        '}',
        '',
      ].join('\n'),
    });
    writeFileSync(
      join(dir, 'src', 'handler.ts'),
      [
        "import { lifecycle } from 'shutdown-lint/lifecycle';",
        'export async function handle(work: () => Promise<void>): Promise<void> {',
        '  lifecycle.track(work());',
        '}',
        '',
      ].join('\n'),
    );
    expect(harness.newTypeErrors(dir, base, ['src/handler.ts']).errors).toEqual([]);
    // The same rewrite calling a function the runtime does not have is new.
    writeFileSync(
      join(dir, 'src', 'handler.ts'),
      "import { lifecycle } from 'shutdown-lint/lifecycle';\nexport function f(): void {\n  lifecycle.trackk(1);\n}\n",
    );
    expect(harness.newTypeErrors(dir, base, ['src/handler.ts']).errors[0]?.errors).toEqual([
      expect.stringMatching(/^3: TS2\d+: Property 'trackk' does not exist/),
    ]);
  });

  it("knows Node's own types without the service's node_modules", () => {
    const { dir, base } = repo({
      'tsconfig.json': tsconfig,
      'src/stop.ts': 'export function stop(): void {\n  process.exitCode = 1;\n}\n',
    });
    writeFileSync(
      join(dir, 'src', 'stop.ts'),
      "import { lifecycle } from 'shutdown-lint/lifecycle';\nexport function stop(): void {\n  process.exitCode = lifecycle.shutdown();\n}\n",
    );
    // Without @types/node, `process` is unknown before and after and the misuse would hide behind it.
    expect(harness.newTypeErrors(dir, base, ['src/stop.ts']).errors[0]?.errors).toEqual([
      expect.stringMatching(/^3: TS2322: Type 'Promise<void>' is not assignable to type/),
    ]);
  });

  it('skips JavaScript files unless their program checks JavaScript', () => {
    const { dir, base } = repo({ 'src/a.js': 'export const a = 1;\n' });
    writeFileSync(join(dir, 'src', 'a.js'), 'export const a = 1;\na.b.c = 2;\n');
    expect(harness.newTypeErrors(dir, base, ['src/a.js'])).toEqual({ errors: [], checked: 0, skipped: ['src/a.js'] });
  });
});
