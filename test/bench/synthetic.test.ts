// The benchmark's synthetic service: deterministic for a seed, type-checks cleanly, and the CLI
// reports exactly the hazards it plants (each marked `// HAZARD <rule-id>` above the reported line).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lint } from '../../src/cli/lint.js';
import { ts } from '../../src/core/typescript.js';
import { programOf } from '../support/programs.js';

interface Synthetic {
  generateFiles(options: { files: number; seed: number }): Map<string, string>;
  writeService(dir: string, options: { files: number; seed: number }): Map<string, string>;
  hazardKinds: { kind: string; rule: string; rate: number }[];
}

// bench/ is plain JavaScript run by node; a computed specifier keeps it out of the type check.
const synthetic = (await import(
  pathToFileURL(resolve(import.meta.dirname, '../../bench/synthetic.js')).href
)) as Synthetic;

const typeScriptFiles = (files: Map<string, string>): string[] =>
  [...files.keys()].filter((path) => path.endsWith('.ts'));

describe('synthetic service generator', () => {
  it('gives the same files, byte for byte, for the same seed and size', () => {
    const first = synthetic.generateFiles({ files: 150, seed: 42 });
    const second = synthetic.generateFiles({ files: 150, seed: 42 });
    expect([...second.entries()]).toEqual([...first.entries()]);
    const other = synthetic.generateFiles({ files: 150, seed: 43 });
    expect([...other.entries()]).not.toEqual([...first.entries()]);
  });

  it('makes exactly the number of TypeScript files asked for', () => {
    for (const files of [100, 101, 137, 999, 5000]) {
      expect(typeScriptFiles(synthetic.generateFiles({ files, seed: 7 }))).toHaveLength(files);
    }
  });

  it('refuses sizes outside 100..5000', () => {
    expect(() => synthetic.generateFiles({ files: 99, seed: 1 })).toThrow(/100 to 5000/);
    expect(() => synthetic.generateFiles({ files: 5001, seed: 1 })).toThrow(/100 to 5000/);
  });

  it('builds a dependency graph, not a star: services import other domains', () => {
    const files = synthetic.generateFiles({ files: 500, seed: 3 });
    const crossImports = [...files.entries()]
      .filter(([path]) => path.endsWith('.service.ts'))
      .flatMap(([, text]) => [...text.matchAll(/from '\.\.\/([\w]+)\/\1\.service\.js'/g)]);
    expect(crossImports.length).toBeGreaterThan(80);
  });

  it('plants hazards at a low rate, every kind at least once', () => {
    const files = synthetic.generateFiles({ files: 1000, seed: 5 });
    const markers = [...files.values()].flatMap((text) =>
      [...text.matchAll(/\/\/ HAZARD ([a-z-]+)/g)].map((m) => m[1]),
    );
    expect(new Set(markers)).toEqual(new Set(synthetic.hazardKinds.map((h) => h.rule)));
    expect(markers.length).toBeLessThan(files.size * 0.05);
  });
});

describe('a generated 100-file service', () => {
  let dir: string;
  let files: Map<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-synthetic-'));
    files = synthetic.writeService(dir, { files: 100, seed: 1 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('type-checks with no errors against the installed express, fastify, pg and node types', () => {
    const program = programOf(dir);
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    expect(diagnostics).toEqual([]);
    // The types come from the packages, not from `any`: an Express router and a pg pool resolve.
    const checker = program.getTypeChecker();
    const pool = program.getSourceFile(join(dir, 'src/db/pool.ts'))!;
    const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(pool)!).find((s) => s.name === 'pool')!;
    expect(checker.typeToString(checker.getTypeOfSymbol(exported))).toBe('Pool');
  });

  it('reports exactly the planted hazards', () => {
    const run = lint(ts, { cwd: dir, targets: ['.'] });
    const found = run.results
      .flatMap((result) => result.messages.map((m) => `${relative(dir, result.filePath)}:${m.line} ${m.ruleId}`))
      .sort();
    const expected = typeScriptFiles(files)
      .flatMap((path) =>
        readFileSync(join(dir, path), 'utf8')
          .split('\n')
          .flatMap((line, i) => {
            const marker = /\/\/ HAZARD ([a-z-]+)/.exec(line);
            return marker ? [`${path}:${i + 2} shutdown/${marker[1]}`] : [];
          }),
      )
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(synthetic.hazardKinds.length);
    expect(found).toEqual(expected);
  });
});
