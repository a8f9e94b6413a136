// The CLI's results are ESLint's LintResult shape exactly, so `--format json` output can be fed
// to anything that reads ESLint's JSON formatter (and the parity test compares like with like).

export interface LintSuggestion {
  desc: string;
  messageId?: string;
  fix: { range: [number, number]; text: string };
}

export interface LintMessage {
  /** `shutdown/<rule-id>`, or null for a file that could not be parsed. */
  ruleId: string | null;
  /** 1 warning, 2 error. */
  severity: 1 | 2;
  message: string;
  /** 1-based, as ESLint. */
  line: number;
  /** 1-based, as ESLint. */
  column: number;
  endLine?: number;
  endColumn?: number;
  messageId?: string;
  /** The TS SyntaxKind name of the reported node (ESLint puts the ESTree type here). */
  nodeType: string | null;
  fatal?: boolean;
  suggestions?: LintSuggestion[];
  /**
   * The other side of a deploy finding: where the code sets what the platform file is checked
   * against; of a grouped finding (group.ts): every call site.
   */
  relatedLocations?: LintRelatedLocation[];
  /**
   * The program's own function or class the reported call runs (not in ESLint's shape): the CLI
   * groups the findings of one rule and message that share it (group.ts).
   */
  cause?: { filePath: string; line: number; column: number; name: string };
}

export interface LintRelatedLocation {
  filePath: string;
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

export interface LintResult {
  filePath: string;
  messages: LintMessage[];
  suppressedMessages: (LintMessage & { suppressions: { kind: 'directive'; justification: string }[] })[];
  errorCount: number;
  fatalErrorCount: number;
  warningCount: number;
  fixableErrorCount: number;
  fixableWarningCount: number;
  /** Present when the file has problems, as ESLint does. */
  source?: string;
  usedDeprecatedRules: { ruleId: string; replacedBy: string[] }[];
}

/** A file's result before any message: counts at zero. */
export function emptyLintResult(filePath: string): LintResult {
  return {
    filePath,
    messages: [],
    suppressedMessages: [],
    errorCount: 0,
    fatalErrorCount: 0,
    warningCount: 0,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  };
}

/** What a reporter gets besides the results. */
export interface ReportContext {
  /** The directory paths are shown relative to. */
  cwd: string;
  /** Rule metadata for SARIF's tool.driver.rules and for help links. */
  rules: ReadonlyArray<{ id: string; description: string; helpUri: string; defaultSeverity: 'warn' | 'error' }>;
  toolVersion: string;
  /** Colour for the stylish reporter. */
  color: boolean;
}

export type Reporter = (results: LintResult[], context: ReportContext) => string;
