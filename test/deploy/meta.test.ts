// Completeness of the deploy checks: the registry equals the folders, each check has its doc
// and test, and every example of every doc is run: Incorrect ones must report, Correct ones not.
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployRules } from '../../rules/deploy/index.js';
import { analyseDeploy, runDeployRules } from '../../src/core/deploy/analyse.js';
import { codeSideFrom } from '../../src/cli/deploy.js';
import { ts } from '../../src/core/typescript.js';
import { repoRoot } from './support.js';

const folders = readdirSync(join(repoRoot, 'rules', 'deploy'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/** A service with a SIGTERM handler that drains in at most 8 s: the code side unless an example gives its own. */
const defaultServer = `import { createServer } from 'node:http';
const server = createServer((req, res) => res.end('ok'));
server.listen(3000);
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(1), 8000).unref();
  server.close(() => process.exit(0));
});
`;

interface Example {
  section: 'Incorrect' | 'Correct';
  title: string;
  files: Map<string, string>;
}

function examplesOf(doc: string): Example[] {
  const examples: Example[] = [];
  let section: Example['section'] | undefined;
  let current: Example | undefined;
  const lines = doc.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^## (.+)$/.exec(line);
    if (heading) {
      section = heading[1] === 'Incorrect' || heading[1] === 'Correct' ? heading[1] : undefined;
      current = undefined;
      continue;
    }
    if (!section) continue;
    const title = /^### (.+)$/.exec(line);
    if (title) {
      current = { section, title: title[1]!, files: new Map() };
      examples.push(current);
      continue;
    }
    if (line.startsWith('```') && current) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
      const name = /^(?:#|\/\/) file: (\S+)/.exec(body[0] ?? '')?.[1];
      if (name) current.files.set(name, `${body.slice(1).join('\n')}\n`);
    }
  }
  return examples;
}

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('the deploy checks', () => {
  it('rules/deploy/index.ts lists exactly the check folders', () => {
    expect(deployRules.map((r) => r.meta.id.replace(/^deploy\//, '')).sort()).toEqual(folders);
  });

  it.each(folders)('%s has its doc and test', (check) => {
    expect(existsSync(join(repoRoot, 'rules', 'deploy', check, `${check}.md`))).toBe(true);
    expect(existsSync(join(repoRoot, 'test', 'deploy', `${check}.test.ts`))).toBe(true);
  });

  it.each(deployRules.map((r) => [r.meta.id, r] as const))(
    '%s: its doc states the description, severity and where it runs',
    (id, rule) => {
      const check = id.replace(/^deploy\//, '');
      const doc = readFileSync(join(repoRoot, 'rules', 'deploy', check, `${check}.md`), 'utf8');
      expect(doc.startsWith(`# ${id}\n\n${rule.meta.description}.`)).toBe(true);
      expect(doc).toContain(`- Recommended: \`${rule.meta.recommended}\``);
      expect(doc).toContain('Runs in the CLI only');
      expect(doc).toContain('## Stays quiet on');
    },
  );

  const cases = deployRules.flatMap((rule) => {
    const check = rule.meta.id.replace(/^deploy\//, '');
    const doc = readFileSync(join(repoRoot, 'rules', 'deploy', check, `${check}.md`), 'utf8');
    return examplesOf(doc).map(
      (example) => [`${rule.meta.id} ${example.section}: ${example.title}`, rule.meta.id, example] as const,
    );
  });

  it('every doc has at least one Incorrect and one Correct example', () => {
    for (const rule of deployRules) {
      const sections = new Set(cases.filter((c) => c[1] === rule.meta.id).map((c) => c[2].section));
      expect([...sections].sort(), rule.meta.id).toEqual(['Correct', 'Incorrect']);
    }
  });

  it.each(cases)('%s', (_, id, example) => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-doc-'));
    temporary.push(dir);
    const files = new Map(example.files);
    if (!files.has('src/server.js')) files.set('src/server.js', defaultServer);
    if (!files.has('package.json'))
      files.set(
        'package.json',
        JSON.stringify({ name: 'example', private: true, type: 'module', scripts: { start: 'node src/server.js' } }),
      );
    for (const [name, text] of files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
    }
    const analysis = analyseDeploy({ cwd: dir, targets: ['.'], codeSide: codeSideFrom(ts, dir) });
    const reported = runDeployRules(analysis, deployRules, { cwd: dir }).filter(
      (f) => f.ruleId === id && f.severity !== 'info',
    );
    if (example.section === 'Incorrect') expect(reported.map((f) => f.message)).not.toEqual([]);
    else expect(reported.map((f) => f.message)).toEqual([]);
  });
});
