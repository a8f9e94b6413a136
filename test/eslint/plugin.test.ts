// The ESLint face: without type information it stops with one message that says how to enable
// it; with it, the rules enabled on a file share one traversal.
import parser from '@typescript-eslint/parser';
import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import { defineRule, type AnyRule } from '../../src/core/rule.js';
import { toEslintRule } from '../../src/eslint/adapter.js';
import plugin from '../../src/eslint/plugin.js';
import { fixtureProject } from '../support/fixtures.js';

describe('the ESLint plugin without type information', () => {
  it.each(Object.keys(plugin.rules))('%s explains how to enable it', async (id) => {
    const project = fixtureProject('demo-service');
    const eslint = new ESLint({
      cwd: project.dir,
      overrideConfigFile: true,
      // No typescript-eslint parser: espree parses plain JavaScript, with no program behind it.
      overrideConfig: [
        {
          files: ['**/*.js'],
          plugins: { shutdown: plugin },
          rules: { [`shutdown/${id}`]: 'error' },
        } as unknown as Linter.Config,
      ],
    });
    await expect(eslint.lintText('const a = 1;\n', { filePath: `${project.dir}/src/plain.js` })).rejects.toThrow(
      /parsed without type information\. Use typescript-eslint's parser with `parserOptions: \{ projectService: true \}`/,
    );
  });
});

describe('the ESLint face on one file', () => {
  // Two probe rules record the order in which the engine shows them identifiers: one traversal
  // dispatching to both interleaves them; one traversal per rule would not.
  function probe(id: string, seen: string[]): AnyRule {
    return defineRule<'seen', object>({
      meta: {
        id,
        description: 'probe',
        goLesson: 'probe',
        recommended: 'error',
        requiresTypeChecking: true,
        hasSuggestions: false,
        messages: { seen: 'seen {{name}}' },
        schema: { type: 'object', additionalProperties: false, properties: {} },
        defaultOptions: {},
      },
      create(context) {
        return {
          [context.ts.SyntaxKind.Identifier]: (node) => {
            seen.push(id);
            if ((node as import('typescript').Identifier).text === 'last')
              context.report({ node, messageId: 'seen', data: { name: id } });
          },
        };
      },
    });
  }

  it('runs every shutdown rule in one traversal and each reports its own findings', async () => {
    const project = fixtureProject('demo-service');
    const seen: string[] = [];
    const probes = { rules: { a: toEslintRule(probe('a', seen)), b: toEslintRule(probe('b', seen)) } };
    const eslint = new ESLint({
      cwd: project.dir,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          plugins: { probe: probes },
          rules: { 'probe/a': 'error', 'probe/b': 'error' },
          languageOptions: { parser, parserOptions: { projectService: true, tsconfigRootDir: project.dir } },
        } as unknown as Linter.Config,
      ],
    });
    const [result] = await eslint.lintText('const first = 1;\nconst last = first;\n', {
      filePath: `${project.dir}/src/flags.ts`,
    });
    expect(result!.messages.map((m) => `${m.ruleId} ${m.line}:${m.column} ${m.message}`)).toEqual([
      'probe/a 2:7 seen a',
      'probe/b 2:7 seen b',
    ]);
    expect(seen.slice(0, 4)).toEqual(['a', 'b', 'a', 'b']);
    expect(seen.filter((id) => id === 'a').length).toBe(seen.length / 2);
  });
});
