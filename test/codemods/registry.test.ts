// Completeness: every codemod in codemods/ is in the registry, with its doc (a diff example and a
// Caveats section), its fixture project and its test; each rewrites a rule that exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codemods } from '../../codemods/index.js';
import { rules } from '../../rules/index.js';
import { repoRoot } from '../support/fixtures.js';

const files = readdirSync(join(repoRoot, 'codemods'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

describe('codemods', () => {
  it('the registry lists every codemod file, once', () => {
    expect(codemods.map((c) => c.codemod.name).sort()).toEqual(files);
  });

  it.each(codemods.map((c) => [c.codemod.name, c] as const))(
    '%s has a rule, a doc, fixtures and a test',
    (name, transform) => {
      expect(rules).toContain(transform.codemod.rule);
      const doc = readFileSync(join(repoRoot, 'codemods', `${name}.md`), 'utf8');
      expect(doc.startsWith(`# ${name}\n`)).toBe(true);
      expect(doc).toContain('```diff\n');
      expect(doc).toContain('## Caveats\n');
      expect(doc).toContain(`dist/codemods/${name}.js`);
      expect(existsSync(join(repoRoot, 'fixtures', 'codemods', name, 'tsconfig.json'))).toBe(true);
      expect(existsSync(join(repoRoot, 'test', 'codemods', `${name}.test.ts`))).toBe(true);
    },
  );
});
