// The findings a codemod rewrites, when it runs alone under jscodeshift: the CLI's own type-aware
// lint() over the file's project, once per process (jscodeshift calls the transform per file).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { lint, type AnalysedFile, type CodemodFinding } from '../../src/cli/lint.js';
import { ts } from '../../src/cli/typescript.js';

const analysed = new Map<string, AnalysedFile>();
const projectsLinted = new Set<string>();

function projectRootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.json')) || existsSync(join(dir, 'jsconfig.json'))) return dir;
    if (dirname(dir) === dir) return dirname(file);
  }
}

function record(findings: Map<string, AnalysedFile> | undefined): void {
  for (const [file, entry] of findings ?? []) analysed.set(resolve(file), entry);
}

/**
 * The findings of every rule in `path`, whose text is now `source`. The first file of a project
 * lints the whole project; a file whose text changed since (an earlier codemod rewrote it) is
 * linted again on its own.
 */
export function findingsOf(path: string, source: string): CodemodFinding[] {
  const file = resolve(path);
  const root = projectRootOf(file);
  if (!projectsLinted.has(root)) {
    projectsLinted.add(root);
    record(lint(ts, { cwd: root, targets: [root], collectFindings: true }).findings);
  }
  let entry = analysed.get(file);
  if (entry && entry.text !== source) {
    record(lint(ts, { cwd: root, targets: [file], collectFindings: true }).findings);
    entry = analysed.get(file);
  }
  return entry && entry.text === source ? entry.findings : [];
}
