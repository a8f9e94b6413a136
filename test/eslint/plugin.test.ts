// The ESLint face without type information stops with one message that says how to enable it.
import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint/plugin.js';
import { fixtureProject } from '../support/fixtures.js';

describe('the ESLint plugin without type information', () => {
  it.each(Object.keys(plugin.rules))('%s explains how to enable it', async (id) => {
    const project = fixtureProject('demo-service');
    const eslint = new ESLint({
      cwd: project.dir,
      overrideConfigFile: true,
      // No typescript-eslint parser: espree parses plain JavaScript, with no program behind it.
      overrideConfig: [{ files: ['**/*.js'], plugins: { shutdown: plugin }, rules: { [`shutdown/${id}`]: 'error' } } as unknown as Linter.Config],
    });
    await expect(eslint.lintText('const a = 1;\n', { filePath: `${project.dir}/src/plain.js` })).rejects.toThrow(
      /parsed without type information\. Use typescript-eslint's parser with `parserOptions: \{ projectService: true \}`/,
    );
  });
});
