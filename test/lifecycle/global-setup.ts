// The drills run the BUILT runtime (dist/, through the package's `exports`), as users do. So that a
// developer editing src/lifecycle never drills a stale build, rebuild the runtime (only the
// runtime: a few seconds) when any of its sources is newer than its output.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const sources = [
  ...readdirSync(join(root, 'src', 'lifecycle'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(root, 'src', 'lifecycle', file)),
  join(root, 'tsconfig.json'),
  join(root, 'tsconfig.build.json'),
  join(root, 'tsconfig.lifecycle.json'),
  join(root, 'tsconfig.lifecycle-cjs.json'),
];
const outputs = [
  join(root, 'dist', 'src', 'lifecycle', 'index.js'),
  join(root, 'dist', 'cjs', 'lifecycle', 'index.js'),
  join(root, 'dist', 'cjs', 'package.json'),
];

export function runtimeIsStale(): boolean {
  if (!outputs.every((file) => existsSync(file))) return true;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  return sources.some((file) => statSync(file).mtimeMs > built);
}

export function buildRuntime(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  for (const project of ['tsconfig.lifecycle.json', 'tsconfig.lifecycle-cjs.json']) {
    execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
  }
  execFileSync(process.execPath, [join(root, 'scripts', 'build-lifecycle-cjs.js')], { stdio: 'inherit' });
}

export default function setup(): void {
  if (runtimeIsStale()) buildRuntime();
}
