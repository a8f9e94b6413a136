// Codemod fixtures: fixtures/codemods/<name>/ is a project (its own tsconfig; `shutdown-lint/lifecycle`
// resolves to this package by self-reference) holding `<case>.input.<ext>` / `<case>.output.<ext>`
// pairs. The project is linted once, so inputs and outputs are analysed as the CLI would.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jscodeshift from 'jscodeshift';
import { applyCodemods, type AppliedCodemods, type CodemodTransform } from '../../codemods/lib/codemod.js';
import { analyseForCodemods, type AnalysedFile } from '../../codemods/lib/analysis.js';
import { ts } from '../../src/core/typescript.js';
import { fixturesDir } from '../support/fixtures.js';

export interface CodemodCase {
  /** `orders.ts`, `notify.cjs` */
  name: string;
  inputPath: string;
  input: string;
  outputPath: string | undefined;
  expected: string | undefined;
}

export interface CodemodFixture {
  dir: string;
  cases: CodemodCase[];
  analysed(path: string): AnalysedFile;
  apply(transform: CodemodTransform, path: string, source?: string): AppliedCodemods;
}

export function codemodFixture(name: string): CodemodFixture {
  const dir = join(fixturesDir, 'codemods', name);
  const src = join(dir, 'src');
  const run = analyseForCodemods(dir, [dir]);
  const cases = readdirSync(src)
    .filter((f) => /\.input\.[cm]?[jt]s$/.test(f))
    .sort()
    .map((file) => {
      const inputPath = join(src, file);
      const outputPath = join(src, file.replace('.input.', '.output.'));
      const hasOutput = existsSync(outputPath);
      return {
        name: file.replace('.input', ''),
        inputPath,
        input: readFileSync(inputPath, 'utf8'),
        outputPath: hasOutput ? outputPath : undefined,
        expected: hasOutput ? readFileSync(outputPath, 'utf8') : undefined,
      };
    });
  const analysed = (path: string): AnalysedFile => {
    const found = run.files.get(path);
    if (!found) throw new Error(`${path} is not part of the fixture project`);
    return found;
  };
  return {
    dir,
    cases,
    analysed,
    apply(transform, path, source) {
      const file = analysed(path);
      return applyCodemods([transform.codemod], { path, source: source ?? file.text }, file.findings, jscodeshift);
    },
  };
}

/** jscodeshift's API as its runner hands it to a transform, with reports collected. */
export function jscodeshiftApi(reports: string[] = []) {
  return { jscodeshift, j: jscodeshift, stats: () => {}, report: (message: string) => reports.push(message) };
}

/** Comments of a file, each of which a rewrite must keep. */
export function commentsOf(source: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, source);
  const comments: string[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia)
      comments.push(scanner.getTokenText());
  }
  return comments;
}

/** The fixture project's type errors, as `file:line message`. */
export function typeErrors(dir: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(dir, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  if (!config) return ['tsconfig.json does not parse'];
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
