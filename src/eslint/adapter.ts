// Rule -> ESLint rule. Thin: find the TypeScript program typescript-eslint built, run the rules
// through the core engine on this file, and report their findings.
import type { TSESLint } from '@typescript-eslint/utils';
import type * as ts from 'typescript';
import { readDirectives } from '../core/directives.js';
import { runRulesOnFile, type RuleFinding, type RuleRun } from '../core/engine.js';
import type { AnyRule } from '../core/rule.js';
import { pluginNamespace, ruleDocsUrl } from '../meta.js';
import { typescriptForEslint } from './typescript.js';

type EslintRule = TSESLint.RuleModule<string, [object?]> & { meta: { docs: { url: string; description: string } } };

export function missingTypeInformationMessage(ruleId: string, filename: string): string {
  return (
    `${pluginNamespace}/${ruleId}: ${filename} was parsed without type information. ` +
    "Use typescript-eslint's parser with `parserOptions: { projectService: true }` " +
    '(see the shutdown-lint README, "ESLint").'
  );
}

/**
 * The shutdown rules enabled on one file in one ESLint pass. ESLint calls every rule's `create`
 * before it walks the file, so when the first of them sees `Program`, all have registered: that
 * one runs them all in a single traversal (as the CLI does) and each reports its own findings.
 */
interface Batch {
  runs: RuleRun[];
  findings?: Map<string, RuleFinding[]>;
}

const batches = new WeakMap<ts.SourceFile, Batch>();

function joinBatch(sourceFile: ts.SourceFile, run: RuleRun): Batch {
  let batch = batches.get(sourceFile);
  // A finished batch, or one this rule is already in, belongs to an earlier pass over the file.
  if (!batch || batch.findings || batch.runs.some((r) => r.rule === run.rule)) {
    batch = { runs: [] };
    batches.set(sourceFile, batch);
  }
  batch.runs.push(run);
  return batch;
}

function findingsOf(
  t: typeof ts,
  program: ts.Program,
  sourceFile: ts.SourceFile,
  batch: Batch,
  ruleId: string,
): RuleFinding[] {
  if (!batch.findings) {
    batch.findings = new Map(batch.runs.map((run) => [run.rule.meta.id, []]));
    for (const finding of runRulesOnFile(t, program, sourceFile, batch.runs))
      batch.findings.get(finding.ruleId)?.push(finding);
  }
  return batch.findings.get(ruleId) ?? [];
}

export function toEslintRule(rule: AnyRule): EslintRule {
  const { meta } = rule;
  return {
    meta: {
      type: 'problem',
      docs: { description: meta.description, url: ruleDocsUrl(meta.id) },
      messages: meta.messages,
      schema: [meta.schema as never],
      hasSuggestions: meta.hasSuggestions || undefined,
      defaultOptions: [meta.defaultOptions],
    },
    defaultOptions: [meta.defaultOptions],
    create(context) {
      const sourceCode = context.sourceCode;
      const services = sourceCode.parserServices as
        | { program?: import('typescript').Program | null; esTreeNodeToTSNodeMap?: { get(node: unknown): unknown } }
        | undefined;
      const program = services?.program;
      if (!program) throw new Error(missingTypeInformationMessage(meta.id, context.filename));
      const t = typescriptForEslint();
      const sourceFile =
        program.getSourceFile(context.physicalFilename) ??
        (services.esTreeNodeToTSNodeMap?.get(sourceCode.ast) as import('typescript').SourceFile | undefined);
      if (!sourceFile) throw new Error(missingTypeInformationMessage(meta.id, context.filename));
      const batch = joinBatch(sourceFile, { rule, options: context.options[0] });
      return {
        Program() {
          const findings = findingsOf(t, program, sourceFile, batch, meta.id);
          // ESLint applies eslint-disable comments itself; shutdown-lint's own are read here,
          // so a comment written for the CLI silences the editor too.
          const suppressedAt =
            findings.length > 0 ? readDirectives(t, sourceFile, pluginNamespace, ['shutdown-lint']) : undefined;
          for (const finding of findings) {
            if (suppressedAt?.(meta.id, sourceFile.getLineAndCharacterOfPosition(finding.start).line)) continue;
            context.report({
              loc: { start: sourceCode.getLocFromIndex(finding.start), end: sourceCode.getLocFromIndex(finding.end) },
              messageId: finding.messageId,
              data: finding.data,
              suggest: finding.suggestions?.map((suggestion) => ({
                messageId: suggestion.messageId,
                data: suggestion.data,
                fix: (fixer) =>
                  suggestion.edits.map((edit) => fixer.replaceTextRange([edit.start, edit.end], edit.text)),
              })),
            });
          }
        },
      };
    },
  } as EslintRule;
}
