// The package's own facts: version and where rule docs live.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageJson(): { version: string; homepage: string } {
  // Works from src/ (tests) and from dist/src/ (the built package).
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version: string;
        homepage: string;
      };
      if (pkg.name === 'shutdown-lint') return pkg;
    } catch {
      // not here; keep climbing
    }
    if (dirname(dir) === dir)
      throw new Error('shutdown-lint: cannot find its own package.json; reinstall the package.');
  }
}

const pkg = findPackageJson();

export const version: string = pkg.version;

export function ruleDocsUrl(ruleId: string): string {
  // `deploy/grace-budget` lives in rules/deploy/grace-budget/grace-budget.md.
  const name = ruleId.split('/').pop()!;
  return `${pkg.homepage.replace(/#.*$/, '').replace(/\/$/, '')}/blob/main/rules/${ruleId}/${name}.md`;
}

/** The ESLint plugin namespace: rules are `shutdown/<id>`. */
export const pluginNamespace = 'shutdown';
