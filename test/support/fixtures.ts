// Fixture projects: each scenario is a real project with its own tsconfig that type-checks (a
// meta test holds them to it); rule tests lint its files, with the code read from disk.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = join(repoRoot, 'fixtures');

export interface FixtureProject {
  dir: string;
  tsconfig: string;
  /** A file of the project as a RuleTester case: its code, and its path from the project root. */
  file(name: string): { code: string; filename: string };
  files(): string[];
}

export function fixtureProject(...segments: string[]): FixtureProject {
  const dir = join(fixturesDir, ...segments);
  return {
    dir,
    tsconfig: join(dir, 'tsconfig.json'),
    file(name) {
      return { code: readFileSync(join(dir, 'src', name), 'utf8'), filename: `src/${name}` };
    },
    files() {
      return readdirSync(join(dir, 'src')).filter((f) => /\.[cm]?[jt]sx?$/.test(f));
    },
  };
}

/** Every fixture project: a folder under fixtures/ (any depth) with a tsconfig.json. */
export function allFixtureProjects(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'tsconfig.json')) found.push(dir);
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(join(dir, entry.name));
    }
  };
  walk(fixturesDir);
  return found.sort();
}

/** `code` with `text` inserted at 1-based line/column: the expected output of a suggestion. */
export function insertAt(code: string, line: number, column: number, text: string): string {
  const lines = code.split('\n');
  const target = lines[line - 1]!;
  lines[line - 1] = target.slice(0, column - 1) + text + target.slice(column - 1);
  return lines.join('\n');
}

/** `code` with the text at 1-based line/column replaced. */
export function replaceAt(code: string, line: number, column: number, length: number, text: string): string {
  const lines = code.split('\n');
  const target = lines[line - 1]!;
  lines[line - 1] = target.slice(0, column - 1) + text + target.slice(column - 1 + length);
  return lines.join('\n');
}
