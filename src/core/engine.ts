// Runs rules over one file in a single traversal: every rule's visitor is called for each node.
import type * as ts from 'typescript';
import { ProgramIndex } from './program-index.js';
import type { AnyRule, Finding, FindingData, Visitor } from './rule.js';
import type { TS } from './ts-utils.js';

export interface RuleRun {
  rule: AnyRule;
  /** User options, merged over the rule's defaults. */
  options?: object;
}

/** A finding with the rule that made it. */
export interface RuleFinding<MessageId extends string = string, Data extends FindingData = FindingData> extends Finding<
  MessageId,
  Data
> {
  ruleId: string;
}

/** Top-level user options win over the defaults; arrays are replaced, not merged. */
export function resolveOptions<Options extends object>(defaults: Options, user: object | undefined): Options {
  return { ...defaults, ...(user ?? {}) } as Options;
}

export function runRulesOnFile(
  t: TS,
  program: ts.Program,
  sourceFile: ts.SourceFile,
  runs: readonly RuleRun[],
): RuleFinding[] {
  if (sourceFile.kind !== t.SyntaxKind.SourceFile) {
    throw new Error(
      `shutdown-lint: the TypeScript instance (${t.version}) is not the one that built the program; ` +
        'install a single typescript (>=6.0 <6.1) so the ESLint parser and shutdown-lint share it.',
    );
  }
  const index = ProgramIndex.for(t, program);
  const findings: RuleFinding[] = [];
  const visitors: Visitor[] = runs.map(({ rule, options }) =>
    rule.create({
      ts: t,
      program,
      types: index.types,
      index,
      sourceFile,
      options: resolveOptions(rule.meta.defaultOptions, options),
      report(finding) {
        findings.push({
          ...finding,
          start: finding.start ?? finding.node.getStart(sourceFile),
          end: finding.end ?? finding.node.getEnd(),
          ruleId: rule.meta.id,
        });
      },
    }),
  );
  const byKind = new Map<ts.SyntaxKind, ((node: ts.Node) => void)[]>();
  for (const visitor of visitors) {
    for (const [key, handler] of Object.entries(visitor)) {
      if (key === 'onEnd' || typeof handler !== 'function') continue;
      const kind = Number(key) as ts.SyntaxKind;
      const list = byKind.get(kind);
      if (list) list.push(handler as (node: ts.Node) => void);
      else byKind.set(kind, [handler as (node: ts.Node) => void]);
    }
  }
  const walk = (node: ts.Node): void => {
    const handlers = byKind.get(node.kind);
    if (handlers) for (const handler of handlers) handler(node);
    t.forEachChild(node, walk);
  };
  walk(sourceFile);
  for (const visitor of visitors) visitor.onEnd?.();
  findings.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
  return findings;
}
