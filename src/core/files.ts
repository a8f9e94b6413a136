// What a file is, from its path.

/** Test files: `*.test.*`, `*.spec.*`, and anything under `__tests__/`, `test/` or `tests/`. */
const testFilePattern = /(\.(test|spec)\.[cm]?[jt]sx?$)|([\\/](__tests__|tests?)[\\/])/;

export function isTestFile(fileName: string): boolean {
  return testFilePattern.test(fileName);
}

/** The schema of the `checkTestFiles` option that rules share. */
export const checkTestFilesSchema = {
  type: 'boolean',
  description:
    'Also lint test files (`*.test.*`, `*.spec.*`, `__tests__/`, `test/`, `tests/`). A test run gets no SIGTERM, so they are skipped by default.',
} as const;
