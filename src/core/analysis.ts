// The analysis as the CLI and the codemods run it: load the programs the targets select, run the
// enabled rules over every selected file, and read the suppression comments. One entry point,
// analyzeProject(); the CLI's lint turns its findings into reports, migrate hands them to the
// codemods. (The ESLint face runs the same rules per file through its own adapter.)
import type * as ts from 'typescript';
import { readDirectives } from './directives.js';
import { runRulesOnFile, type RuleFinding, type RuleRun } from './engine.js';
import { loadProjects, type LoadedProject, type LoadOptions, type Reusable, type ReusedProject } from './project.js';
import type { AnyRule, DataOf, FindingData, MessageIdOf } from './rule.js';
import type { TS } from './ts-utils.js';
import { pluginNamespace } from '../meta.js';

/** A finding as plain data: what a codemod rewrites and a report prints. */
export interface AnalyzedFinding<
  MessageId extends string = string,
  Data extends FindingData = FindingData,
> extends RuleFinding<MessageId, Data> {
  /** What the rule reported with it (`{}` when nothing). */
  data: Data;
  /** 1-based, of `start` and `end`. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Set when a comment suppresses it (`shutdown-lint-disable-next-line …`, `eslint-disable …`). */
  suppression?: { justification: string };
}

/** A finding's plain data, without its syntax node: what a codemod reads and a test can write. */
export type FindingFacts<MessageId extends string = string, Data extends FindingData = FindingData> = Pick<
  AnalyzedFinding<MessageId, Data>,
  'ruleId' | 'messageId' | 'start' | 'end' | 'line' | 'column' | 'data'
>;

/** The findings of one rule, typed by that rule's message ids and data. */
export type FindingOf<R extends AnyRule> = FindingFacts<MessageIdOf<R>, DataOf<R>>;

export interface FileAnalysis {
  sourceFile: ts.SourceFile;
  /** The first syntax error of a file that does not parse: its rules did not run. */
  parseError?: { message: string; line: number; column: number };
  /** In source order; suppressed ones included, marked. */
  findings: AnalyzedFinding[];
}

export interface ProgramAnalysis {
  project: LoadedProject;
  files: FileAnalysis[];
  analysisMs: number;
}

export interface AnalysisOptions<Cached extends Reusable = Reusable> extends LoadOptions<Cached> {
  /** The enabled rules with their options. */
  rules: readonly RuleRun[];
  /** Called after each file, for a progress line. */
  onFile?: (file: FileAnalysis) => void;
}

function position(sourceFile: ts.SourceFile, offset: number): { line: number; column: number } {
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(offset);
  return { line: line + 1, column: character + 1 };
}

/** Runs the rules over one file of a program: its findings with positions and suppressions. */
export function analyzeFile(
  t: TS,
  program: ts.Program,
  sourceFile: ts.SourceFile,
  rules: readonly RuleRun[],
): FileAnalysis {
  const syntaxErrors = program.getSyntacticDiagnostics(sourceFile);
  if (syntaxErrors.length > 0) {
    const first = syntaxErrors[0]!;
    return {
      sourceFile,
      parseError: {
        message: t.flattenDiagnosticMessageText(first.messageText, ' '),
        ...position(sourceFile, first.start ?? 0),
      },
      findings: [],
    };
  }
  const found = runRulesOnFile(t, program, sourceFile, rules);
  if (found.length === 0) return { sourceFile, findings: [] };
  const suppressedAt = readDirectives(t, sourceFile, pluginNamespace);
  const findings = found.map((finding): AnalyzedFinding => {
    const start = position(sourceFile, finding.start);
    const end = position(sourceFile, finding.end);
    const analyzed: AnalyzedFinding = {
      ...finding,
      data: finding.data ?? {},
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
    };
    const suppression = suppressedAt(finding.ruleId, start.line - 1);
    if (suppression) analyzed.suppression = { justification: suppression.justification };
    return analyzed;
  });
  return { sourceFile, findings };
}

export interface ProjectAnalysis<Cached extends Reusable = Reusable> {
  /** Finding the configs and building every program (parse and module resolution). */
  loadMs: number;
  /** The files selected in every program (a reused program counts the files it linted). */
  total: number;
  /** Each program analysed when it is reached, one at a time; a reused one passed through unbuilt. */
  programs: Iterable<ProgramAnalysis | ReusedProject<Cached>>;
}

/**
 * Loads the programs the targets select (now), and analyses each selected file of a program when
 * the caller reaches it. A program whose stored results `reuse` returns is not built.
 */
export function analyzeProject<Cached extends Reusable = Reusable>(
  t: TS,
  options: AnalysisOptions<Cached>,
): ProjectAnalysis<Cached> {
  const started = performance.now();
  const projects = loadProjects(t, options);
  return {
    loadMs: performance.now() - started,
    total: projects.reduce((n, p) => n + ('cached' in p ? p.cached.linted.length : p.files.length), 0),
    programs: analyzePrograms(t, projects, options),
  };
}

function* analyzePrograms<Cached extends Reusable>(
  t: TS,
  projects: readonly (LoadedProject | ReusedProject<Cached>)[],
  options: AnalysisOptions<Cached>,
): Generator<ProgramAnalysis | ReusedProject<Cached>> {
  for (const project of projects) {
    if ('cached' in project) {
      yield project;
      continue;
    }
    const started = performance.now();
    const files: FileAnalysis[] = [];
    for (const sourceFile of project.files) {
      const analysis = analyzeFile(t, project.program, sourceFile, options.rules);
      files.push(analysis);
      options.onFile?.(analysis);
    }
    yield { project, files, analysisMs: performance.now() - started };
  }
}
