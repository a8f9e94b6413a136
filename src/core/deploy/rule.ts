// The shape a deploy check is written in. A check looks at one unit at a time, with the unit's
// process chain and the code facts of its entry file, and reports at a span of a platform file
// with the code side as related locations. Ids are `deploy/<check>`; ESLint names them
// `shutdown/deploy/<check>`, but the checks run in the CLI only (see rules/deploy/README.md).
import type { ShutdownFacts } from './code-facts.js';
import type { ProcessChain } from './process-chain.js';
import type { RelatedLocation, Span } from './source.js';
import type { DeployUnit } from './units.js';

/** `info` findings are kept for `plan` and the API; the lint report shows errors and warnings. */
export type DeploySeverity = 'error' | 'warn' | 'info';

export interface DeployFinding {
  ruleId: string;
  severity: DeploySeverity;
  message: string;
  span: Span;
  related: RelatedLocation[];
  unit: DeployUnit;
}

export interface DeployOptions {
  /** Seconds kept free between the app's exit and the platform's SIGKILL (research §5.0: 2 s). */
  marginSeconds: number;
}

export interface DeployCheckContext {
  unit: DeployUnit;
  chain: ProcessChain | undefined;
  /** Undefined when the entry file could not be resolved or is not in a program. */
  facts: ShutdownFacts | undefined;
  options: DeployOptions;
  /** Paths in messages are relative to it. */
  cwd: string;
  report(finding: { severity: DeploySeverity; message: string; span: Span; related?: RelatedLocation[] }): void;
}

export interface DeployRuleMeta {
  /** `deploy/<check>`. */
  id: string;
  description: string;
  /** The most severe level the check reports at; `--rule deploy/x=warn` caps it, `off` disables it. */
  recommended: 'error' | 'warn';
  /** The platforms it reports on. */
  platforms: readonly string[];
}

export interface DeployRule {
  meta: DeployRuleMeta;
  check(context: DeployCheckContext): void;
}

export function defineDeployRule(rule: DeployRule): DeployRule {
  return rule;
}
