// A scratch service that `migrate` may write to: the tests that run migrate (or a field check)
// on a copy of a fixture link the project's node_modules into it and commit it in a fresh git
// repository, since migrate refuses a dirty tree.
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** `git …` in `cwd` with a fixed identity; its stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

/** Links the project's node_modules into `dir`, ignores it, and commits the rest in a fresh repository. */
export function commitService(dir: string): string {
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'service');
  return dir;
}
