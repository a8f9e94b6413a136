// Completeness: every rule has its doc, tests and fixtures; the list, the configs, the README and
// the docs agree with the code; every fixture project type-checks.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { ts } from '../src/cli/typescript.js';
import plugin from '../src/eslint/plugin.js';
import { allFixtureProjects, repoRoot } from './support/fixtures.js';

const ruleFiles = readdirSync(join(repoRoot, 'rules'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe('rules', () => {
  it('rules/index.ts lists exactly the rule files', () => {
    expect(rules.map((r) => r.meta.id).sort()).toEqual(ruleFiles);
  });

  it.each(ruleFiles)('%s has a doc, tests and a fixture project', (id) => {
    expect(existsSync(join(repoRoot, 'rules', `${id}.md`))).toBe(true);
    expect(existsSync(join(repoRoot, 'test', 'rules', `${id}.test.ts`))).toBe(true);
    expect(existsSync(join(repoRoot, 'fixtures', 'rules', id, 'tsconfig.json'))).toBe(true);
  });

  it.each(rules.map((r) => [r.meta.id, r] as const))('%s: ids and schema follow the conventions', (id, rule) => {
    expect(id).toMatch(/^(no|require)-[a-z-]+$|^[a-z]+(-[a-z]+)+$/);
    for (const messageId of Object.keys(rule.meta.messages)) expect(messageId).toMatch(/^[a-z][a-zA-Z]+$/);
    expect(rule.meta.schema.additionalProperties).toBe(false);
    for (const [name, property] of Object.entries(rule.meta.schema.properties ?? {})) {
      expect(property.description, `${id} option ${name}`).toBeTruthy();
      expect(rule.meta.defaultOptions, `${id} default for ${name}`).toHaveProperty(name);
    }
  });

  it.each(rules.map((r) => [r.meta.id, r] as const))(
    '%s: its doc states the description and every option',
    (id, rule) => {
      const doc = readFileSync(join(repoRoot, 'rules', `${id}.md`), 'utf8');
      expect(doc.startsWith(`# ${id}\n\n${rule.meta.description}.`)).toBe(true);
      expect(doc).toContain(`- Recommended: \`${rule.meta.recommended}\``);
      const options = doc.slice(doc.indexOf('## Options'));
      for (const name of Object.keys(rule.meta.schema.properties ?? {})) expect(options).toContain(`\`${name}\``);
    },
  );
});

describe('the ESLint plugin', () => {
  it('exposes every rule under its id', () => {
    expect(Object.keys(plugin.rules).sort()).toEqual(ruleFiles);
  });

  it('builds configs.recommended from rule meta', () => {
    expect(plugin.configs.recommended.rules).toEqual(
      Object.fromEntries(rules.map((r) => [`shutdown/${r.meta.id}`, r.meta.recommended])),
    );
    expect(plugin.configs.recommended.plugins).toEqual({ shutdown: plugin });
  });
});

describe('the README', () => {
  it.each(rules.map((r) => [r.meta.id, r] as const))('lists %s with its description and Go lesson', (id, rule) => {
    const row = readme.split('\n').find((line) => line.split('|')[1]?.trim() === `[\`${id}\`](rules/${id}.md)`);
    expect(row, `README rule table row for ${id}`).toBeDefined();
    expect(row).toContain(rule.meta.description);
    expect(row).toContain(rule.meta.goLesson);
  });

  it('states the recommended severity the rules have', () => {
    expect(readme).toContain('All are in `recommended`, at `error`.');
    for (const rule of rules) expect(rule.meta.recommended, rule.meta.id).toBe('error');
  });

  it('starts with the two set-up commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toContain('npm ci && npm run demo');
    expect(firstBlock).toContain('npm test');
  });
});

// Fixtures under fixtures/cli test the CLI's handling of broken input on purpose.
const typeCheckedProjects = allFixtureProjects().filter(
  (dir) => !relative(repoRoot, dir).startsWith(join('fixtures', 'cli')),
);

describe('fixture projects', () => {
  it.each(typeCheckedProjects.map((dir) => [relative(repoRoot, dir), dir] as const))('%s type-checks', (_, dir) => {
    const configPath = join(dir, 'tsconfig.json');
    const config = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    );
    expect(config).toBeDefined();
    const program = ts.createProgram({ rootNames: config!.fileNames, options: config!.options });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file
        ? `${relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
    expect(diagnostics).toEqual([]);
  });
});

describe('the CLI options', () => {
  it('the README table and `--help` list the same options', async () => {
    const { usage } = await import('../src/cli/args.js');
    const fromUsage = [...usage.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]).sort();
    const section = readme.slice(readme.indexOf('## In CI: the CLI'), readme.indexOf('Exit codes:'));
    const fromReadme = [...section.matchAll(/^\| `(?:-\w, )?(--[a-z-]+)/gm)]
      .map((m) => m[1])
      .filter((o) => o !== '--help' && o !== '--version')
      .sort();
    expect(fromReadme).toEqual(fromUsage.filter((o) => o !== '--help' && o !== '--version'));
  });
});
