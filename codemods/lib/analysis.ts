// The findings the codemods rewrite: every rule with its defaults, through the core's
// analyzeProject(), the same analysis the CLI's lint runs. `shutdown-lint migrate` analyses its
// paths once; a codemod run alone under jscodeshift analyses the file's project, once per process.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { rules } from '../../rules/index.js';
import { analyzeProject, type AnalyzedFinding, type FindingFacts } from '../../src/core/analysis.js';
import { ts } from '../../src/core/typescript.js';

/** A file as it was analysed: the text the findings' offsets refer to, and its unsuppressed findings. */
export interface AnalysedFile {
  text: string;
  findings: AnalyzedFinding[];
}

export interface CodemodAnalysis {
  files: Map<string, AnalysedFile>;
  /** The first file (by path) that does not parse, if any: a codemod must not rewrite around it. */
  unparsed?: { path: string; line: number; message: string };
}

/** Analyses the targets with every rule at its defaults, keeping what is not suppressed. */
export function analyseForCodemods(
  cwd: string,
  targets: readonly string[],
  onWarning?: (line: string) => void,
): CodemodAnalysis {
  const files = new Map<string, AnalysedFile>();
  let unparsed: CodemodAnalysis['unparsed'];
  const analysis = analyzeProject(ts, { cwd, targets, rules: rules.map((rule) => ({ rule })), onWarning });
  for (const program of analysis.programs) {
    if ('cached' in program) continue; // no reuse is asked for
    for (const file of program.files) {
      const path = file.sourceFile.fileName;
      // The first by path, as the CLI's report lists files.
      if (file.parseError && (!unparsed || path < unparsed.path)) {
        unparsed = { path, line: file.parseError.line, message: `Parsing error: ${file.parseError.message}` };
      }
      files.set(path, { text: file.sourceFile.text, findings: file.findings.filter((f) => !f.suppression) });
    }
  }
  return unparsed ? { files, unparsed } : { files };
}

const analysed = new Map<string, AnalysedFile>();
const projectsAnalysed = new Set<string>();

function projectRootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.json')) || existsSync(join(dir, 'jsconfig.json'))) return dir;
    if (dirname(dir) === dir) return dirname(file);
  }
}

function record(files: Map<string, AnalysedFile>): void {
  for (const [file, entry] of files) analysed.set(resolve(file), entry);
}

/**
 * The findings of every rule in `path`, whose text is now `source`. The first file of a project
 * analyses the whole project; a file whose text changed since (an earlier codemod rewrote it) is
 * analysed again on its own.
 */
export function findingsOf(path: string, source: string): FindingFacts[] {
  const file = resolve(path);
  const root = projectRootOf(file);
  if (!projectsAnalysed.has(root)) {
    projectsAnalysed.add(root);
    record(analyseForCodemods(root, [root]).files);
  }
  let entry = analysed.get(file);
  if (entry && entry.text !== source) {
    record(analyseForCodemods(root, [file]).files);
    entry = analysed.get(file);
  }
  return entry && entry.text === source ? entry.findings : [];
}
