// Dogfood: shutdown-lint's own ESLint plugin, type-aware, on this repository's TypeScript.
// (fixtures/ carry hazards on purpose; dist/ is built output.)
import parser from '@typescript-eslint/parser';
import shutdown from './dist/src/eslint/plugin.js';

export default [
  { ignores: ['dist/', 'fixtures/', 'node_modules/', 'coverage/', '.drill/'] },
  {
    ...shutdown.configs.recommended,
    files: ['**/*.ts'],
    languageOptions: {
      parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
];
