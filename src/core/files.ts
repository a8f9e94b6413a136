// What a file is, from its path (and, for test helpers, from who loads it).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as ts from 'typescript';
import type { ProgramIndex } from './program-index.js';

/**
 * Test files: `*.test.*`, `*.spec.*`, `*.e2e.*`, and anything under `__tests__/`, `test/`, `tests/`
 * or `e2e/`, or a folder named after them (`test-e2e/`, `e2e-tests/`, `integration-tests/`, `test-node/`).
 */
const testFilePattern =
  /(\.(test|spec|e2e)\.[cm]?[jt]sx?$)|([\\/](__tests__|(tests?|e2e)([-_][\w.-]*)?|[\w.-]*[-_](tests?|e2e))[\\/])/;

export function isTestFile(fileName: string): boolean {
  return testFilePattern.test(fileName);
}

/** The schema of the `checkTestFiles` option that rules share. */
export const checkTestFilesSchema = {
  type: 'boolean',
  description:
    'Also lint test files (`*.test.*`, `*.spec.*`, `*.e2e.*`, `__tests__/`, `test/`, `tests/`, `e2e/`, ' +
    '`test-*/`, `*-tests/`) and the modules only they load. A test run gets no SIGTERM, so they are ' +
    'skipped by default.',
} as const;

/** A module only test files load (a test helper outside a test folder): its code runs only under a test runner. */
export function loadedOnlyByTests(index: ProgramIndex, file: ts.SourceFile): boolean {
  return !isTestFile(file.fileName) && index.placeOf(file) === 'test';
}

/** The package.json in `dir` or the nearest folder above it, or undefined. */
export function nearestPackageJson(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(at) === at) return undefined;
  }
}
