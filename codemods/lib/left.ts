// What `migrate` leaves open besides what a codemod declined: the findings of rules that have no
// codemod, and of codemods this run did not select. The summary lists every one, so a service
// never reads "0 left" with findings open.
import type { AnalyzedFinding } from '../../src/core/analysis.js';
import { formatMessage, type AnyRule } from '../../src/core/rule.js';
import type { Codemod, LeftForPerson } from './codemod.js';

/** The findings no selected codemod is handed, each with why it is left. */
export function findingsNoCodemodTakes(
  findings: readonly AnalyzedFinding[],
  rules: readonly AnyRule[],
  selected: readonly Codemod[],
  all: readonly Codemod[],
): LeftForPerson[] {
  const left: LeftForPerson[] = [];
  for (const finding of findings) {
    if (selected.some((c) => c.rule.meta.id === finding.ruleId)) continue;
    const rule = rules.find((r) => r.meta.id === finding.ruleId);
    const message = formatMessage(rule?.meta.messages[finding.messageId] ?? finding.messageId, finding.data);
    const other = all.find((c) => c.rule.meta.id === finding.ruleId);
    const why = other ? `not in this run (\`migrate ${other.name}\` rewrites it)` : 'no codemod for this rule yet';
    left.push({ ruleId: finding.ruleId, line: finding.line, column: finding.column, reason: `${why}: ${message}` });
  }
  return left;
}
