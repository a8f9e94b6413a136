// Every example in a rule's doc is executed: each "Incorrect" block must report that rule, each
// "Correct" block must not. Examples are linted as files of a real program inside the repository,
// so their imports resolve against its node_modules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import type * as TS from 'typescript';
import { ts } from '../src/core/typescript.js';
import { runRulesOnFile } from '../src/core/engine.js';
import { repoRoot } from './support/fixtures.js';
import { programWithFile } from './support/programs.js';

interface Example {
  section: 'Incorrect' | 'Correct';
  code: string;
  line: number;
}

export function extractExamples(markdown: string): Example[] {
  const examples: Example[] = [];
  let section: Example['section'] | undefined;
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heading = /^## (.+)$/.exec(lines[i]!);
    if (heading) {
      section = heading[1] === 'Incorrect' || heading[1] === 'Correct' ? heading[1] : undefined;
      continue;
    }
    if (section && /^```(ts|js|typescript|javascript)\s*$/.test(lines[i]!)) {
      const start = i + 1;
      let end = start;
      while (end < lines.length && lines[end] !== '```') end++;
      examples.push({ section, code: lines.slice(start, end).join('\n'), line: start + 1 });
      i = end;
    }
  }
  return examples;
}

describe.each(rules.map((rule) => [rule.meta.id, rule] as const))('%s doc examples', (id, rule) => {
  const docPath = join(repoRoot, 'rules', id, `${id}.md`);
  const examples = extractExamples(readFileSync(docPath, 'utf8'));

  it('has Incorrect and Correct examples', () => {
    expect(examples.filter((e) => e.section === 'Incorrect').length).toBeGreaterThan(0);
    expect(examples.filter((e) => e.section === 'Correct').length).toBeGreaterThan(0);
  });

  it.each(examples.map((e) => [`${e.section} example at line ${e.line}`, e] as const))('%s', (_, example) => {
    const fileName = join(repoRoot, 'fixtures', 'docs', `${id}-${example.line}.ts`);
    const program = programWithFile(fileName, example.code);
    const syntax = program.getSyntacticDiagnostics(program.getSourceFile(fileName));
    expect(syntax.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '))).toEqual([]);
    const semantic = program.getSemanticDiagnostics(program.getSourceFile(fileName));
    expect(semantic.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '))).toEqual([]);
    const findings = runRulesOnFile(ts, program, program.getSourceFile(fileName)!, [{ rule }]);
    if (example.section === 'Incorrect') expect(findings.length).toBeGreaterThan(0);
    else expect(findings).toEqual([]);
  });
});
