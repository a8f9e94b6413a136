// The analysis as the CLI and the codemods run it: load the programs the targets select, run the
// enabled rules over every selected file, and read the suppression comments. One entry point,
// analyzeProject(); the CLI's lint turns its findings into reports, migrate hands them to the
// codemods. (The ESLint face runs the same rules per file through its own adapter.)
import type * as ts from 'typescript';
import { causeOf, type FindingCause } from './causes.js';
import { readDirectives } from './directives.js';
import { runRulesOnFile, type RuleFinding, type RuleRun } from './engine.js';
import {
  buildProject,
  planProjects,
  type LoadedProject,
  type LoadOptions,
  type PlannedProject,
  type Reusable,
  type ReusedProject,
} from './project.js';
import type { AnyRule, DataOf, FindingData, MessageIdOf } from './rule.js';
import type { TS } from './ts-utils.js';
import { pluginNamespace } from '../meta.js';
import { ProgramIndex } from './program-index.js';
import { UsageError } from './project.js';

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
  /** The program's own function or class the reported call runs (see causes.ts). */
  cause?: FindingCause;
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
  /** Building the program (parse and module resolution). */
  buildMs: number;
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
    const cause = causeOf(t, ProgramIndex.for(t, program), finding.node);
    if (cause) analyzed.cause = cause;
    return analyzed;
  });
  return { sourceFile, findings };
}

export interface ProjectAnalysis<Cached extends Reusable = Reusable> {
  /** Finding the configs and planning every program (the programs are built when reached). */
  loadMs: number;
  /** The files selected in every program (a reused program counts the files it linted). */
  total: number;
  /** Each program built and analysed when it is reached, one at a time; a reused one passed through unbuilt. */
  programs: Iterable<ProgramAnalysis | ReusedProject<Cached>>;
}

/**
 * Plans the programs the targets select (now), and builds and analyses each when the caller
 * reaches it: one program is held at a time. A program whose stored results `reuse` returns is not
 * built. Throws UsageError when the targets hold no JavaScript or TypeScript file.
 */
export function analyzeProject<Cached extends Reusable = Reusable>(
  t: TS,
  options: AnalysisOptions<Cached>,
): ProjectAnalysis<Cached> {
  const started = performance.now();
  const plans = planProjects(t, options);
  if (plans.length === 0) {
    const paths = options.targets.length ? options.targets.join(', ') : '.';
    throw new UsageError(
      `${paths}: no JavaScript or TypeScript files found (node_modules, dist and build are skipped). Pass the folder of your service.`,
    );
  }
  // A program none of whose files is in this shard is not built: its files are claimed elsewhere.
  const steps = plans
    .filter((plan) => plan.lints.length > 0)
    .map((plan) => ({ plan, cached: options.reuse?.(plan.identity) }));
  return {
    loadMs: performance.now() - started,
    total: steps.reduce((n, s) => n + (s.cached ? s.cached.linted.length : s.plan.lints.length), 0),
    programs: analyzePrograms(t, steps, options),
  };
}

function* analyzePrograms<Cached extends Reusable>(
  t: TS,
  steps: readonly { plan: PlannedProject; cached: Cached | undefined }[],
  options: AnalysisOptions<Cached>,
): Generator<ProgramAnalysis | ReusedProject<Cached>> {
  for (const { plan, cached } of steps) {
    if (cached) {
      yield { configPath: plan.configPath, identity: plan.identity, cached };
      continue;
    }
    const building = performance.now();
    const project = buildProject(t, plan);
    const started = performance.now();
    const files: FileAnalysis[] = [];
    for (const sourceFile of project.files) {
      const analysis = analyzeFile(t, project.program, sourceFile, options.rules);
      files.push(analysis);
      options.onFile?.(analysis);
    }
    yield { project, files, buildMs: started - building, analysisMs: performance.now() - started };
  }
}
