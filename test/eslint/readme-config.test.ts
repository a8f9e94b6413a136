// The README's flat config, exactly as printed, in a fresh project: it must lint every kind of file
// the CLI lints (TypeScript and JavaScript, ES modules and CommonJS), with types, and the packages it
// imports must be the ones the README tells the user to install.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## In the editor'));

function block(language: string, containing: string): string {
  const pattern = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```', 'g');
  for (const match of section.matchAll(pattern)) if (match[1]!.includes(containing)) return match[1]!;
  throw new Error(`the README's editor section has no ${language} block with ${containing}`);
}

const config = block('js', 'eslint.config.js');
const install = block('sh', 'npm install');

// A server that listens and never handles SIGTERM, in each module flavour: require-signal-handler.
const hazard = {
  esm: "import http from 'node:http';\n\nhttp.createServer((_req, res) => res.end('ok')).listen(3000);\n",
  cjs: "const http = require('node:http');\n\nhttp.createServer((_req, res) => res.end('ok')).listen(3000);\n",
};
const files: Record<string, string> = {
  'src/a.ts': hazard.esm,
  'src/b.tsx': hazard.esm,
  'src/c.mts': hazard.esm,
  'src/d.cts': hazard.cjs.replace("const http = require('node:http');", "import http = require('node:http');"),
  'src/e.mjs': hazard.esm,
  'src/f.cjs': hazard.cjs,
  'src/g.js': hazard.cjs,
  'src/h.jsx': hazard.cjs,
};

describe("the README's ESLint config", () => {
  let dir: string;
  let results: ESLint.LintResult[];

  beforeAll(async () => {
    // Inside the repository, so that `shutdown-lint` (a self-reference) and the parser resolve as
    // they would from a user's node_modules; not under test/, which the rules treat as test code.
    dir = mkdtempSync(join(repoRoot, '.readme-config-'));
    writeFileSync(join(dir, 'eslint.config.js'), `${config}\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          allowJs: true,
          jsx: 'react-jsx',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        include: ['src'],
      }),
    );
    mkdirSync(join(dir, 'src'));
    for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: join(dir, 'eslint.config.js') });
    results = await eslint.lintFiles(['.']);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports only packages its install line names', () => {
    const imported = [...config.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
    expect(imported.length).toBeGreaterThan(0);
    for (const name of imported) expect(install.split(/\s+/), `npm install names ${name}`).toContain(name);
  });

  it('lints TypeScript and JavaScript files of every module flavour, with types', () => {
    const byFile = new Map(results.map((r) => [basename(r.filePath), r.messages]));
    for (const path of Object.keys(files)) {
      const messages = byFile.get(basename(path));
      expect(messages, `${path} was linted`).toBeDefined();
      expect(
        messages!.map((m) => m.ruleId ?? `fatal: ${m.message}`),
        `${path}: the shutdown rules ran with types`,
      ).toEqual(['shutdown/require-signal-handler']);
    }
  });

  it('lints a plain JavaScript service through the jsconfig.json the README suggests', async () => {
    const suggested = /`jsconfig\.json` with\s+`([^`]+)`/.exec(section)?.[1];
    expect(suggested, 'the README suggests a jsconfig.json').toBeDefined();
    const js = join(dir, 'plain-js');
    mkdirSync(js);
    writeFileSync(join(js, 'eslint.config.js'), `${config}\n`);
    writeFileSync(join(js, 'jsconfig.json'), suggested!);
    writeFileSync(join(js, 'server.js'), hazard.cjs);
    writeFileSync(join(js, 'worker.mjs'), hazard.esm);
    writeFileSync(join(js, 'legacy.cjs'), hazard.cjs);
    const eslint = new ESLint({ cwd: js, overrideConfigFile: join(js, 'eslint.config.js') });
    const linted = await eslint.lintFiles(['.']);
    for (const name of ['server.js', 'worker.mjs', 'legacy.cjs']) {
      const result = linted.find((r) => basename(r.filePath) === name);
      expect(
        result?.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`),
        name,
      ).toEqual(['shutdown/require-signal-handler']);
    }
  });

  it('leaves the config file itself alone, without a parsing error', () => {
    const own = results.find((r) => basename(r.filePath) === 'eslint.config.js');
    expect(own?.messages.filter((m) => m.fatal) ?? []).toEqual([]);
  });
});
