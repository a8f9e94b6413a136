// shutdown-lint/lifecycle as a user gets it: a project with the package installed (a symlink to
// this repository, built), importing it from ESM, requiring it from CommonJS, and type-checking a
// TypeScript file under each module setting users have.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'fixtures', 'lifecycle');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'shutdown-lint-consumer-'));
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  symlinkSync(root, join(project, 'node_modules', 'shutdown-lint'), 'dir');
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'), 'dir');
  symlinkSync(join(root, 'node_modules', 'fastify'), join(project, 'node_modules', 'fastify'), 'dir');
  // The README's WebSocket example imports ws.
  symlinkSync(join(root, 'node_modules', 'ws'), join(project, 'node_modules', 'ws'), 'dir');
  symlinkSync(join(root, 'node_modules', '@types', 'ws'), join(project, 'node_modules', '@types', 'ws'), 'dir');
  for (const extension of ['.ts', '.mts', '.cts']) {
    copyFileSync(join(fixtures, 'types', 'consumer.ts'), join(project, `consumer${extension}`));
  }
  for (const config of ['nodenext', 'commonjs-bundler', 'commonjs-node10']) {
    copyFileSync(join(fixtures, 'types', `tsconfig.${config}.json`), join(project, `tsconfig.${config}.json`));
  }
  copyFileSync(join(fixtures, 'load-both.mjs'), join(project, 'load-both.mjs'));
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

describe('shutdown-lint/lifecycle, installed', () => {
  it('is imported from ESM and required from CommonJS, each its own build, sharing one lifecycle', () => {
    const output = execFileSync(process.execPath, ['load-both.mjs'], { cwd: project, encoding: 'utf8' });
    const loaded = JSON.parse(output) as Record<string, unknown>;
    expect(loaded).toMatchObject({
      esm: ['lifecycle', 'createLifecycle', 'closeServer'],
      cjs: ['lifecycle', 'createLifecycle', 'closeServer'],
      shared: true,
      requestSignal: ['function', 'function'],
    });
    expect(loaded.required).toMatch(/dist\/cjs\/lifecycle\/index\.js$/);
    expect(loaded.imported).toMatch(/dist\/src\/lifecycle\/index\.js$/);
  });

  it.each([
    ['nodenext (ESM .mts, CommonJS .cts)', 'nodenext'],
    ['module commonjs, bundler resolution', 'commonjs-bundler'],
    ['module commonjs, node10 resolution', 'commonjs-node10'],
  ])('has its types under %s', (_label, config) => {
    const checked = spawnSync(process.execPath, [tsc, '-p', `tsconfig.${config}.json`, '--traceResolution'], {
      cwd: project,
      encoding: 'utf8',
    });
    const lines = checked.stdout.split('\n');
    expect(lines.filter((line) => /error TS\d+/.test(line))).toEqual([]);
    expect(checked.status).toBe(0);
    const resolved = lines.filter((line) =>
      line.includes("Module name 'shutdown-lint/lifecycle' was successfully resolved"),
    );
    // require (a .cts file, or module commonjs) gets the CommonJS declarations; import the ESM ones.
    const expected =
      config === 'nodenext'
        ? ['/dist/src/lifecycle/index.d.ts', '/dist/cjs/lifecycle/index.d.ts']
        : ['/dist/cjs/lifecycle/index.d.ts'];
    for (const declarations of expected) expect(resolved.some((line) => line.includes(declarations))).toBe(true);
  });

  it('type-checks every TypeScript example of its README', () => {
    const readme = readFileSync(join(root, 'src', 'lifecycle', 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(examples.length).toBeGreaterThan(2);
    const files = examples.map((code, index) => {
      const file = `readme-${index}.mts`;
      writeFileSync(join(project, file), code);
      return file;
    });
    const config = {
      compilerOptions: { module: 'nodenext', strict: true, skipLibCheck: true, noEmit: true, types: ['node'] },
      files,
    };
    writeFileSync(join(project, 'tsconfig.readme.json'), JSON.stringify(config));
    const checked = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.readme.json'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(checked.stdout).toBe('');
    expect(checked.status).toBe(0);
  });
});
