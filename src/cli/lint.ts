// run(): load, analyse, present as separate steps, programmatic and testable. It never touches
// process.exit, stdout or stderr: main.ts does that.
import { relative } from 'node:path';
import type * as ts from 'typescript';
import { rules as allRules } from '../../rules/index.js';
import { analyzeProject, type AnalyzedFinding, type FileAnalysis } from '../core/analysis.js';
import { ProgramIndex } from '../core/program-index.js';
import { formatMessage, type AnyRule, type Severity } from '../core/rule.js';
import type { QuestionCounts } from '../core/type-questions.js';
import { deployRules } from '../../rules/deploy/index.js';
import type { DeployRule } from '../core/deploy/rule.js';
import { pluginNamespace, ruleDocsUrl, version } from '../meta.js';
import { ResultCache } from './cache.js';
import { UsageError } from '../core/project.js';
import { addDeployResults } from './deploy.js';
import { groupByCause } from './group.js';
import { reporters, type FormatName } from './reporters/index.js';
import { emptyLintResult, type LintMessage, type LintResult, type ReportContext } from './results.js';
import { inShard, type Shard } from './shard.js';

type TS = typeof ts;

export interface LintOptions {
  cwd: string;
  targets: readonly string[];
  /** `id` or `shutdown/id` -> severity; rules not named keep their recommended severity. */
  ruleSeverities?: Readonly<Record<string, Severity>>;
  /** `id` -> options object (merged over the rule's defaults). */
  ruleOptions?: Readonly<Record<string, object>>;
  /** Lint only this part of the files; every program is still built and analysed whole. */
  shard?: Shard;
  /**
   * Reuse the results of programs whose inputs have not changed, stored in this directory
   * (`--cache`; see cache.ts for what the key covers).
   */
  cacheLocation?: string;
  /** One line about a config that could not be used whole, or the cache; the run goes on. */
  onWarning?: (line: string) => void;
  /** Called after each file, for a progress line. */
  onProgress?: (done: number, total: number) => void;
  /** Leave out the deploy checks (the parity test compares the code rules only). */
  skipDeploy?: boolean;
  /**
   * Report the findings of one rule and message at this many call sites or more of one function or
   * class of the program once, at its declaration (group.ts). Unset or below 2: every site. Not
   * with `shard`, which sees only its part of the sites.
   */
  groupAt?: number;
}

/** Where one program's time went, and the type questions its analysis asked. */
export interface ProgramStats {
  /** The config (or directory) the program was built from. */
  project: string;
  files: number;
  /** Files linted (all of them, or this shard's). */
  linted: number;
  analysisMs: number;
  typeQuestions: QuestionCounts;
  /** Its results came from the cache: the program was not built. */
  cached: boolean;
}

export interface LintStats {
  /** Finding the configs and building every program (parse and module resolution). */
  loadMs: number;
  programs: ProgramStats[];
}

export interface LintRun {
  results: LintResult[];
  stats: LintStats;
  rules: readonly AnyRule[];
  /** The deploy checks that ran (rules/deploy). */
  deployRules?: readonly DeployRule[];
}

function nodeTypeName(t: TS, kind: ts.SyntaxKind): string {
  // SyntaxKind has aliases (FirstStatement = VariableStatement); prefer the real name.
  const names = Object.keys(t.SyntaxKind).filter(
    (name) => (t.SyntaxKind as unknown as Record<string, number>)[name] === kind,
  );
  return names.find((n) => !/^(First|Last)/.test(n)) ?? names[0] ?? 'Unknown';
}

export function resolveSeverities(
  rules: readonly { meta: { id: string; recommended: Exclude<Severity, 'off'> } }[],
  overrides: Readonly<Record<string, Severity>> = {},
): Map<string, Severity> {
  const severities = new Map<string, Severity>(rules.map((r) => [r.meta.id, r.meta.recommended]));
  for (const [name, severity] of Object.entries(overrides)) {
    const id = name.startsWith(`${pluginNamespace}/`) ? name.slice(pluginNamespace.length + 1) : name;
    if (!severities.has(id)) {
      throw new UsageError(`--rule ${name}: no such rule. Known rules: ${rules.map((r) => r.meta.id).join(', ')}.`);
    }
    severities.set(id, severity);
  }
  return severities;
}

function toMessage(
  t: TS,
  sourceFile: ts.SourceFile,
  finding: AnalyzedFinding,
  rule: AnyRule,
  severity: 1 | 2,
): LintMessage {
  const start = { line: finding.line, column: finding.column };
  const end = { line: finding.endLine, column: finding.endColumn };
  const message: LintMessage = {
    ruleId: `${pluginNamespace}/${rule.meta.id}`,
    severity,
    message: formatMessage(rule.meta.messages[finding.messageId] ?? finding.messageId, finding.data),
    line: start.line,
    column: start.column,
    nodeType: nodeTypeName(t, finding.node.kind),
    messageId: finding.messageId,
    endLine: end.line,
    endColumn: end.column,
  };
  if (finding.cause) {
    const { fileName, line, column, name } = finding.cause;
    message.cause = { filePath: fileName, line, column, name };
  }
  if (finding.suggestions?.length) {
    message.suggestions = finding.suggestions.map((s) => {
      // ESLint merges a suggestion's edits into one replacement over the covered range.
      const sorted = [...s.edits].sort((a, b) => a.start - b.start);
      const rangeStart = sorted[0]!.start;
      const rangeEnd = sorted[sorted.length - 1]!.end;
      let text = '';
      let cursor = rangeStart;
      for (const edit of sorted) {
        text += sourceFile.text.slice(cursor, edit.start) + edit.text;
        cursor = edit.end;
      }
      return {
        desc: formatMessage(rule.meta.messages[s.messageId] ?? s.messageId, s.data),
        messageId: s.messageId,
        fix: { range: [rangeStart, rangeEnd] as [number, number], text },
      };
    });
  }
  return message;
}

function countResult(result: LintResult): LintResult {
  result.errorCount = result.messages.filter((m) => m.severity === 2).length;
  result.warningCount = result.messages.filter((m) => m.severity === 1).length;
  result.fatalErrorCount = result.messages.filter((m) => m.fatal).length;
  return result;
}

/** Lints the targets with every enabled rule. Throws UsageError for what the user must fix. */
export function lint(t: TS, options: LintOptions): LintRun {
  const severities = resolveSeverities([...allRules, ...deployRules], options.ruleSeverities);
  const enabled = allRules.filter((rule) => severities.get(rule.meta.id) !== 'off');
  const runs = enabled.map((rule) => ({ rule, options: options.ruleOptions?.[rule.meta.id] }));
  const byId = new Map(enabled.map((rule) => [rule.meta.id, rule]));
  const cache =
    options.cacheLocation !== undefined
      ? new ResultCache(
          options.cacheLocation,
          options.cwd,
          {
            version,
            typescript: t.version,
            rules: runs.map((r) => [r.rule.meta.id, severities.get(r.rule.meta.id), r.options ?? null]),
            shard: options.shard ?? null,
          },
          options.onWarning ?? (() => {}),
        )
      : undefined;
  let done = 0;
  const include = options.shard && inShard(options.shard, options.cwd);
  const analysis = analyzeProject(t, {
    cwd: options.cwd,
    targets: options.targets,
    include,
    reuse: cache && ((identity) => cache.lookup(identity)),
    rules: runs,
    onWarning: options.onWarning,
    onFile: () => options.onProgress?.(++done, analysis.total),
  });
  const stats: LintStats = { loadMs: analysis.loadMs, programs: [] };
  const results: LintResult[] = [];
  for (const program of analysis.programs) {
    if ('cached' in program) {
      results.push(...program.cached.results);
      done += program.cached.results.length;
      options.onProgress?.(done, analysis.total);
      stats.programs.push({
        project: program.identity.project,
        files: program.cached.files.length,
        linted: program.cached.results.length,
        analysisMs: 0,
        typeQuestions: {},
        cached: true,
      });
      continue;
    }
    const { project } = program;
    stats.loadMs += program.buildMs;
    const programResults = program.files.map((file) => resultOf(t, file, byId, severities));
    stats.programs.push({
      project: project.configPath ?? project.program.getCurrentDirectory(),
      files: project.program.getSourceFiles().length,
      linted: project.files.length,
      analysisMs: program.analysisMs,
      typeQuestions: project.files.length > 0 ? { ...ProgramIndex.for(t, project.program).types.counts } : {},
      cached: false,
    });
    results.push(...programResults);
    // No next version of this program comes in a CLI run: keep none alive for one.
    ProgramIndex.forgetVersions();
    cache?.store(
      project.identity,
      project.program.getSourceFiles().filter((f) => !/[\\/]node_modules[\\/]/.test(f.fileName)),
      project.claimed,
      programResults,
    );
  }
  cache?.save();
  const deploy = !options.skipDeploy
    ? addDeployResults(t, results, {
        cwd: options.cwd,
        targets: options.targets,
        severities,
        ...(include ? { include } : {}),
      })
    : [];
  results.sort((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));
  if (options.groupAt !== undefined && !options.shard) groupByCause(results, options.groupAt, options.cwd);
  return { results, rules: enabled, stats, deployRules: deploy };
}

/** One file's analysis as ESLint's result shape. */
function resultOf(
  t: TS,
  file: FileAnalysis,
  rules: ReadonlyMap<string, AnyRule>,
  severities: ReadonlyMap<string, Severity>,
): LintResult {
  const { sourceFile } = file;
  const result = emptyLintResult(sourceFile.fileName);
  if (file.parseError) {
    // A file that does not parse is reported as such; the others are still linted.
    result.messages.push({
      ruleId: null,
      fatal: true,
      severity: 2,
      message: `Parsing error: ${file.parseError.message}`,
      line: file.parseError.line,
      column: file.parseError.column,
      nodeType: null,
    });
    result.source = sourceFile.text;
    return countResult(result);
  }
  if (file.findings.length === 0) return result;
  for (const finding of file.findings) {
    const rule = rules.get(finding.ruleId)!;
    const severity = severities.get(rule.meta.id) === 'warn' ? 1 : 2;
    const message = toMessage(t, sourceFile, finding, rule, severity);
    if (finding.suppression) {
      result.suppressedMessages.push({
        ...message,
        suppressions: [{ kind: 'directive', justification: finding.suppression.justification }],
      });
    } else {
      result.messages.push(message);
    }
  }
  // As ESLint: a result with problems carries the source it was linted from.
  if (result.messages.length > 0) result.source = sourceFile.text;
  return countResult(result);
}

/** `--stats`: a few lines for stderr. */
export function formatStats(stats: LintStats, cwd: string): string {
  const reused = stats.programs.filter((p) => p.cached).length;
  const lines = [
    `shutdown-lint: ${stats.programs.length - reused} program(s) built${reused ? `, ${reused} reused from the cache` : ''}; loading took ${(stats.loadMs / 1000).toFixed(2)} s`,
  ];
  for (const program of stats.programs) {
    const counts = Object.entries(program.typeQuestions).sort((a, b) => b[1] - a[1]);
    const asked = counts.reduce((n, [, count]) => n + count, 0);
    if (program.cached) {
      lines.push(
        `  ${relative(cwd, program.project) || '.'}: ${program.linted} results from the cache (${program.files} files unchanged)`,
      );
      continue;
    }
    lines.push(
      `  ${relative(cwd, program.project) || '.'}: ${program.linted} of ${program.files} files linted, analysis ${(program.analysisMs / 1000).toFixed(2)} s, ${asked} type questions` +
        (counts.length ? ` (${counts.map(([name, count]) => `${name} ${count}`).join(', ')})` : ''),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function format(name: FormatName, run: LintRun, cwd: string, color: boolean): string {
  const deployRuleInfo = (run.deployRules ?? []).map((rule) => ({
    id: `${pluginNamespace}/${rule.meta.id}`,
    description: rule.meta.description,
    helpUri: ruleDocsUrl(rule.meta.id),
    defaultSeverity: rule.meta.recommended,
  }));
  const context: ReportContext = {
    cwd,
    color,
    toolVersion: version,
    rules: [
      ...run.rules.map((rule) => ({
        id: `${pluginNamespace}/${rule.meta.id}`,
        description: rule.meta.description,
        helpUri: ruleDocsUrl(rule.meta.id),
        defaultSeverity: rule.meta.recommended,
      })),
      ...deployRuleInfo,
    ],
  };
  return reporters[name](run.results, context);
}
