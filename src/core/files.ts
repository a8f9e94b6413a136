// What a file is, from its path (and, for test helpers, from who loads it).
import type * as ts from 'typescript';
import type { ProgramIndex } from './program-index.js';

/** Test files: `*.test.*`, `*.spec.*`, `*.e2e.*`, and anything under `__tests__/`, `test/`, `tests/` or `e2e/`. */
const testFilePattern = /(\.(test|spec|e2e)\.[cm]?[jt]sx?$)|([\\/](__tests__|tests?|e2e)[\\/])/;

export function isTestFile(fileName: string): boolean {
  return testFilePattern.test(fileName);
}

/** The schema of the `checkTestFiles` option that rules share. */
export const checkTestFilesSchema = {
  type: 'boolean',
  description:
    'Also lint test files (`*.test.*`, `*.spec.*`, `*.e2e.*`, `__tests__/`, `test/`, `tests/`, ' +
    '`e2e/`). A test run gets no SIGTERM, so they are skipped by default.',
} as const;

/** A module only test files load (a test helper outside a test folder): its code runs only under a test runner. */
export function loadedOnlyByTests(index: ProgramIndex, file: ts.SourceFile): boolean {
  if (isTestFile(file.fileName)) return false;
  return index.entriesOf(file).every((entry) => entry !== file && isTestFile(entry.fileName));
}
