// Completeness: every rule has its doc, tests and fixtures; the list, the configs, the README and
// the docs agree with the code; every fixture project type-checks.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { ts } from '../src/core/typescript.js';
import plugin from '../src/eslint/plugin.js';
import { allFixtureProjects, repoRoot } from './support/fixtures.js';
import { importGraph } from './support/source-graph.js';

// A rule lives in rules/<id>/: the rule in <id>.ts, its doc in <id>.md, and the modules only it uses.
// rules/deploy/ holds the deploy checks, a registry of their own (test/deploy/meta.test.ts).
const ruleFiles = readdirSync(join(repoRoot, 'rules'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'deploy')
  .map((entry) => entry.name)
  .sort();
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe('rules', () => {
  it('rules/index.ts lists exactly the rule folders', () => {
    expect(rules.map((r) => r.meta.id).sort()).toEqual(ruleFiles);
  });

  it.each(ruleFiles)('%s has its rule, doc, tests and a fixture project', (id) => {
    expect(existsSync(join(repoRoot, 'rules', id, `${id}.ts`))).toBe(true);
    expect(existsSync(join(repoRoot, 'rules', id, `${id}.md`))).toBe(true);
    expect(existsSync(join(repoRoot, 'test', 'rules', id, `${id}.test.ts`))).toBe(true);
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
      const doc = readFileSync(join(repoRoot, 'rules', id, `${id}.md`), 'utf8');
      expect(doc.startsWith(`# ${id}\n\n${rule.meta.description}.`)).toBe(true);
      expect(doc).toContain(`- Recommended: \`${rule.meta.recommended}\``);
      const options = doc.slice(doc.indexOf('## Options'));
      for (const name of Object.keys(rule.meta.schema.properties ?? {})) expect(options).toContain(`\`${name}\``);
    },
  );
});

describe('the house', () => {
  const graph = importGraph(['src', 'rules', 'codemods']);
  /** Who a file belongs to: `rule:<id>`, `core`, or the face (`cli`, `eslint`, `codemods`, ...). */
  const ownerOf = (file: string): string => {
    const parts = file.split('/');
    if (parts[0] === 'rules') return parts.length > 2 ? `rule:${parts[1]}` : 'rules';
    if (parts[0] === 'src') return parts[1] === 'core' ? 'core' : parts[1]!.replace(/\.ts$/, '');
    return parts[0]!;
  };

  it('src/core/ keeps only what two or more rules, the core itself or a face use', () => {
    const misplaced: string[] = [];
    for (const module of [...graph.keys()].filter((file) => ownerOf(file) === 'core')) {
      // Whoever reaches the module directly, or through other core modules only.
      const users = new Set<string>();
      const seen = new Set<string>([module]);
      const queue = [module];
      while (queue.length > 0) {
        const target = queue.pop()!;
        for (const [file, imports] of graph) {
          if (!imports.has(target) || seen.has(file)) continue;
          seen.add(file);
          if (ownerOf(file) === 'core') queue.push(file);
          else users.add(ownerOf(file));
        }
      }
      const direct = [...graph].filter(([file, imports]) => file !== module && imports.has(module));
      const coreUsers = direct.filter(([file]) => ownerOf(file) === 'core').length;
      if (users.size === 1 && [...users][0]!.startsWith('rule:') && coreUsers === 0) {
        misplaced.push(
          `${module} serves only ${[...users][0]!.slice(5)}: move it to rules/${[...users][0]!.slice(5)}/`,
        );
      }
    }
    expect(misplaced).toEqual([]);
  });

  it('data flows one way: the core imports no rule, face or codemod, a rule no other rule, a codemod no CLI', () => {
    const wrong: string[] = [];
    for (const [file, imports] of graph) {
      const owner = ownerOf(file);
      for (const target of imports) {
        const to = ownerOf(target);
        if (owner === 'core' && to !== 'core' && to !== 'meta') wrong.push(`${file} -> ${target}`);
        if (owner.startsWith('rule:') && to.startsWith('rule:') && to !== owner) wrong.push(`${file} -> ${target}`);
        if (owner.startsWith('rule:') && !['core', 'meta', owner].includes(to)) wrong.push(`${file} -> ${target}`);
        // The codemods stand on the core and the rules; the CLI calls them, never the reverse.
        if (owner === 'codemods' && to === 'cli') wrong.push(`${file} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
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
    const row = readme.split('\n').find((line) => line.split('|')[1]?.trim() === `[\`${id}\`](rules/${id}/${id}.md)`);
    expect(row, `README rule table row for ${id}`).toBeDefined();
    expect(row).toContain(rule.meta.description);
    expect(row).toContain(rule.meta.goLesson);
  });

  it('states the recommended severity the rules have', () => {
    expect(readme).toContain('All are in `recommended`, at `error`.');
    for (const rule of rules) expect(rule.meta.recommended, rule.meta.id).toBe('error');
  });

  it('its layout names every part of the project, at paths that exist', () => {
    const section = readme.slice(readme.indexOf('### Layout'), readme.indexOf('Rules and the core ask'));
    const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| ---'));
    const where = rows.slice(1).map((row) => row.split('|')[2]!.trim());
    for (const folder of ['src/core/', 'rules/<id>/', 'src/eslint/', 'src/cli/', 'codemods/', 'src/lifecycle/']) {
      expect(
        where.some((cell) => cell.includes(`\`${folder}\``)),
        folder,
      ).toBe(true);
    }
    for (const path of [...section.matchAll(/`((?:src|rules|codemods|test|fixtures)\/[^`<>*]*)`/g)].map((m) => m[1]!)) {
      expect(existsSync(join(repoRoot, path)), `README layout names ${path}`).toBe(true);
    }
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
