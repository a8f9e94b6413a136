// typescript-eslint's RuleTester on vitest, typed against a fixture project's tsconfig.
import { RuleTester } from '@typescript-eslint/rule-tester';
import * as vitest from 'vitest';
import type { FixtureProject } from './fixtures.js';

RuleTester.afterAll = vitest.afterAll;
RuleTester.describe = vitest.describe;
RuleTester.it = vitest.it;
RuleTester.itOnly = vitest.it.only;

export function ruleTesterFor(project: FixtureProject): RuleTester {
  return new RuleTester({
    languageOptions: {
      parserOptions: {
        project: './tsconfig.json',
        tsconfigRootDir: project.dir,
      },
    },
  });
}
