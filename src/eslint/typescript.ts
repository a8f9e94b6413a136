// The TypeScript instance typescript-eslint uses, so the core reads its AST with its SyntaxKinds.
// typescript-eslint resolves `typescript` from @typescript-eslint/typescript-estree; we resolve it
// the same way, and fall back to our own (the usual, deduplicated case).
import { createRequire } from 'node:module';
import * as ownTypeScript from 'typescript';

type TS = typeof ownTypeScript;

let cached: TS | undefined;

function fromEstree(): TS | undefined {
  for (const base of [`${process.cwd()}/`, import.meta.url]) {
    try {
      const requireFromBase = createRequire(base);
      const parser = requireFromBase.resolve('@typescript-eslint/parser');
      const estree = createRequire(parser).resolve('@typescript-eslint/typescript-estree');
      return createRequire(estree)('typescript') as TS;
    } catch {
      // not resolvable from here; try the next base
    }
  }
  return undefined;
}

export function typescriptForEslint(): TS {
  cached ??= fromEstree() ?? (ownTypeScript as unknown as { default?: TS }).default ?? ownTypeScript;
  return cached;
}
