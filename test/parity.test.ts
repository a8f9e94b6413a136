// The ESLint face and the CLI report the same findings on every fixture project: one analysis,
// two faces. ESLint runs as users configure it (flat config, projectService).
import parser from '@typescript-eslint/parser';
import { ESLint, type Linter } from 'eslint';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../src/cli/lint.js';
import { ts } from '../src/core/typescript.js';
import plugin from '../src/eslint/plugin.js';
import { fixtureProject } from './support/fixtures.js';

const projects = [
  ['rules', 'no-untracked-promise'],
  ['rules', 'require-close-timeout'],
  ['rules', 'no-exit-before-cleanup'],
  ['rules', 'require-abort-signal'],
  ['rules', 'no-unclosed-resource'],
  ['rules', 'require-signal-handler'],
  ['rules', 'close-in-reverse-order'],
  ['rules', 'require-websocket-drain'],
  ['rules', 'require-flush'],
  ['rules', 'require-flush', 'unhandled-sigterm'],
  ['rules', 'no-uncancellable-loop'],
  ['demo-service'],
  ['cli', 'directives'],
  ['cli', 'directive-edges'],
];

function key(
  dir: string,
  filePath: string,
  m: { line: number; column: number; ruleId: string | null; messageId?: string },
): string {
  return `${relative(dir, filePath)}:${m.line}:${m.column} ${m.ruleId} ${m.messageId}`;
}

describe.each(projects.map((segments) => [segments.join('/'), segments] as const))('parity on %s', (_, segments) => {
  const project = fixtureProject(...segments);

  it('ESLint with the plugin reports what the CLI reports', async () => {
    // Both faces lint src/ (the CLI given the project's folder would also lint a fixture project
    // nested in it); the deploy checks read Dockerfiles and manifests, which ESLint does not lint.
    const cli = lint(ts, { cwd: project.dir, targets: ['src'], skipDeploy: true });
    const cliFindings = cli.results.flatMap((r) => r.messages.map((m) => key(project.dir, r.filePath, m))).sort();

    const eslint = new ESLint({
      cwd: project.dir,
      overrideConfigFile: true,
      // typescript-eslint's and ESLint's config types differ in details; the object is the same.
      overrideConfig: [
        {
          ...plugin.configs.recommended,
          files: ['**/*.ts', '**/*.cjs'],
          languageOptions: { parser, parserOptions: { projectService: true, tsconfigRootDir: project.dir } },
        } as Linter.Config,
      ],
    });
    const eslintResults = await eslint.lintFiles(['src']);
    // Only our rules: a directive naming another plugin's unknown rule makes ESLint report that too.
    const eslintFindings = eslintResults
      .flatMap((r) =>
        r.messages.filter((m) => m.ruleId?.startsWith('shutdown/')).map((m) => key(project.dir, r.filePath, m)),
      )
      .sort();

    expect(cliFindings.length).toBeGreaterThan(0);
    expect(eslintFindings).toEqual(cliFindings);
  });
});
