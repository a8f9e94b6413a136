// The project's own import graph, read from its sources: which file imports which (repo-relative
// paths, `.js` specifiers mapped back to the `.ts` files they name). The house tests read it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from './fixtures.js';

const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

function sourcesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

export function importGraph(folders: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of folders.flatMap((folder) => sourcesUnder(join(repoRoot, folder)))) {
    const imports = new Set<string>();
    for (const match of readFileSync(file, 'utf8').matchAll(specifier)) {
      const target = resolve(dirname(file), match[2]!.replace(/\.js$/, '.ts'));
      if (existsSync(target)) imports.add(relative(repoRoot, target).split('\\').join('/'));
    }
    graph.set(relative(repoRoot, file).split('\\').join('/'), imports);
  }
  return graph;
}
