// Module binding: every import form resolves to the module export it names. Each call marked
// `// => module:path` in the fixture files must resolve to it; `// => local` to nothing.
import { describe, expect, it } from 'vitest';
import type * as TS from 'typescript';
import { ts } from '../../src/core/typescript.js';
import { ProgramIndex } from '../../src/core/program-index.js';
import { fixtureProject } from '../support/fixtures.js';
import { nodesOf, programOf } from '../support/programs.js';

const project = fixtureProject('core', 'bindings');
const program = programOf(project.dir);
const index = ProgramIndex.for(ts, program);

function markedCalls(
  file: TS.SourceFile,
): { line: number; expected: string; call: TS.CallExpression | TS.NewExpression }[] {
  const lines = file.text.split('\n');
  const found: { line: number; expected: string; call: TS.CallExpression | TS.NewExpression }[] = [];
  for (const node of nodesOf(file)) {
    if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) continue;
    const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
    const marker = /\/\/ => (\S+)\s*$/.exec(lines[line]!);
    // The outermost call on a marked line (`require('x').createServer()` has two).
    if (marker && !found.some((f) => f.line === line + 1))
      found.push({ line: line + 1, expected: marker[1]!, call: node });
  }
  return found;
}

describe.each(['forms.ts', 'commonjs.cjs'])('module binding in %s', (name) => {
  const file = program.getSourceFile(`${project.dir}/src/${name}`)!;
  const calls = markedCalls(file);

  it('has marked calls', () => {
    expect(calls.length).toBeGreaterThan(5);
  });

  it.each(calls.map((c) => [c.line, c.expected, c] as const))('line %i resolves to %s', (_, expected, { call }) => {
    const ref = index.binding.resolve(call.expression);
    expect(ref ? `${ref.module}:${ref.path.join('.')}` : 'local').toBe(expected);
  });
});
