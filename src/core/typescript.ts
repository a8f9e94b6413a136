// The CLI's own TypeScript (the CommonJS module object is the namespace). The ESLint face uses
// typescript-eslint's instead; the core only ever uses the instance it is handed.
import typescript from 'typescript';
import type * as TypeScript from 'typescript';

export const ts = typescript as unknown as typeof TypeScript;
