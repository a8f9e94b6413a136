// The type questions sit behind one interface: no rule or core module reaches a ts.TypeChecker, so
// a second backend can answer them, and every question asked is counted in one place.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ts } from '../../src/core/typescript.js';
import { runRulesOnFile } from '../../src/core/engine.js';
import { ProgramIndex } from '../../src/core/program-index.js';
import { rules } from '../../rules/index.js';
import { repoRoot } from '../support/fixtures.js';
import { inMemoryOptions, programWithFile } from '../support/programs.js';

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'lifecycle' ? [] : sourcesUnder(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('TypeQuestions', () => {
  it('is the only way the analysis reaches the checker', () => {
    const offenders = [
      ...sourcesUnder(join(repoRoot, 'src')),
      ...sourcesUnder(join(repoRoot, 'rules')),
      ...sourcesUnder(join(repoRoot, 'codemods')),
    ]
      .filter((file) => !file.endsWith(join('src', 'core', 'type-questions.ts')))
      .filter((file) => /\bgetTypeChecker\b|\bTypeChecker\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(repoRoot, file));
    expect(offenders).toEqual([]);
  });

  it('counts every question the rules ask', () => {
    const fileName = join(repoRoot, 'fixtures', 'core', `questions-${Math.random().toString(36).slice(2)}.ts`);
    const program = programWithFile(
      fileName,
      `
      const total = [1, 2, 3].reduce((a, b) => a + b, 0);
      export function double(n: number): number { return n * 2 + total; }
      export async function save(): Promise<void> {}
      export function handler(): void { save(); }
    `,
      inMemoryOptions,
    );
    const index = ProgramIndex.for(ts, program);
    const file = program.getSourceFile(fileName)!;
    const before = { ...index.types.counts };
    const findings = runRulesOnFile(
      ts,
      program,
      file,
      rules.map((rule) => ({ rule })),
    );
    const asked = Object.entries(index.types.counts).reduce(
      (n, [name, count]) => n + count - ((before as Record<string, number>)[name] ?? 0),
      0,
    );
    expect(findings.map((f) => f.ruleId)).toEqual(['no-untracked-promise']);
    expect(asked).toBeGreaterThan(0);
    expect(index.types.counts.getTypeAtLocation).toBeGreaterThan(0);
  });
});
