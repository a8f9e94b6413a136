// The deploy side in the CLI run: the platform files under the targets, checked against the code
// facts of the programs lint built, reported as LintResults of the platform files.
import { dirname } from 'node:path';
import type * as ts from 'typescript';
import { deployRules } from '../../rules/deploy/index.js';
import { analyseDeploy, runDeployRules, type CodeSide } from '../core/deploy/analyse.js';
import type { DeployFinding, DeployRule } from '../core/deploy/rule.js';
import { positionOf } from '../core/deploy/source.js';
import { ProgramIndex } from '../core/program-index.js';
import type { Severity } from '../core/rule.js';
import { pluginNamespace } from '../meta.js';
import { buildProject, planProjects, UsageError } from '../core/project.js';
import { emptyLintResult, type LintMessage, type LintResult } from './results.js';

type TS = typeof ts;

/**
 * The code side: the program of the config that lints the entry, built once per folder. Lint does
 * not keep its own programs for this: all of a monorepo's at once do not fit in the heap.
 */
export function codeSideFrom(t: TS, cwd: string): CodeSide {
  const built = new Map<string, ts.Program | undefined>();
  return (entry) => {
    const dir = dirname(entry);
    if (!built.has(dir)) {
      try {
        const plan = planProjects(t, { cwd, targets: [entry] }).find((p) => p.lints.includes(entry));
        built.set(dir, plan && buildProject(t, plan).program);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        built.set(dir, undefined);
      }
    }
    const program = built.get(dir);
    const sourceFile = program?.getSourceFile(entry);
    return program && sourceFile ? { index: ProgramIndex.for(t, program), sourceFile } : undefined;
  };
}

export function toLintMessage(finding: DeployFinding): LintMessage {
  const start = positionOf(finding.span.file, finding.span.start);
  const end = positionOf(finding.span.file, finding.span.end);
  return {
    ruleId: `${pluginNamespace}/${finding.ruleId}`,
    severity: finding.severity === 'error' ? 2 : 1,
    message: finding.message,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    nodeType: null,
    ...(finding.related.length
      ? {
          relatedLocations: finding.related.map((r) => ({
            filePath: r.path,
            line: r.line,
            column: r.column,
            message: r.message,
          })),
        }
      : {}),
  };
}

/**
 * Runs the deploy checks and adds their findings to `results` (a platform file linted as code,
 * like ecosystem.config.js, gets one result). Returns the checks that ran: none when the targets
 * hold no platform file.
 */
export function addDeployResults(
  t: TS,
  results: LintResult[],
  options: {
    cwd: string;
    targets: readonly string[];
    severities: ReadonlyMap<string, Severity>;
    /** `--shard`: report only the platform files of this part. */
    include?: (file: string) => boolean;
  },
): readonly DeployRule[] {
  const enabled = deployRules.filter((rule) => options.severities.get(rule.meta.id) !== 'off');
  if (enabled.length === 0) return [];
  const analysis = analyseDeploy({
    cwd: options.cwd,
    targets: options.targets,
    codeSide: codeSideFrom(t, options.cwd),
  });
  // A run over code alone reports (and lists in SARIF) the code rules only.
  if (analysis.files.length === 0) return [];
  const findings = runDeployRules(analysis, enabled, { cwd: options.cwd, severities: options.severities });
  for (const finding of findings) {
    // Info notes belong to `plan`; the lint report carries errors and warnings, as ESLint's does.
    if (finding.severity === 'info' || (options.include && !options.include(finding.span.file.path))) continue;
    let result = results.find((r) => r.filePath === finding.span.file.path);
    if (!result) {
      result = emptyLintResult(finding.span.file.path);
      results.push(result);
    }
    const message = toLintMessage(finding);
    result.messages.push(message);
    if (message.severity === 2) result.errorCount++;
    else result.warningCount++;
    result.source ??= finding.span.file.text;
  }
  for (const result of results) result.messages.sort((a, b) => a.line - b.line || a.column - b.column);
  return enabled;
}
