// Browser code the server also imports, for the data it exports: a module in a folder the server
// serves as static files (serve-static, express.static), or in a package that says it is a
// browser's, runs in the browser, so no rule reports it and `migrate` rewrites nothing there.
// fixtures/core/places-static is a whiteboard's server that imports a tool's metadata from the
// browser modules it serves, serves client-app/ through a parameter of its own function (as a
// bundled fallback root, from `import.meta.url`) and public/ relative to the working directory.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProgramIndex } from '../../src/core/program-index.js';
import { staticRoots } from '../../src/core/program-index/static-roots.js';
import { ts } from '../../src/core/typescript.js';
import { cachedCli, cli, resultsByFile } from '../cli/cli-support.js';
import { fixtureProject } from '../support/fixtures.js';
import { commitService, git } from '../support/service-repo.js';
import { programOf } from '../support/programs.js';

const project = fixtureProject('core', 'places-static');

const findingsOf = (dir: string, run = cachedCli(dir, ['--format', 'json'])): string[] =>
  [...resultsByFile(run, dir)]
    .flatMap(([file, result]) => result.messages.map((m) => `${file}:${m.line} ${m.ruleId}`))
    .sort();

const temporaries: string[] = [];
afterAll(() => {
  for (const dir of temporaries) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the fixture, committed in a fresh repository, with `edit` applied first. */
function copy(edit: (dir: string) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-static-'));
  temporaries.push(dir);
  cpSync(project.dir, dir, { recursive: true });
  edit(dir);
  return commitService(dir);
}

describe('the folders a server serves as static files', () => {
  const program = programOf(project.dir);
  const index = ProgramIndex.for(ts, program);
  const fileNamed = (name: string) => {
    const file = index.sourceFiles.find((f) => f.fileName.endsWith(`/places-static/${name}`));
    if (!file) throw new Error(`no ${name}`);
    return file;
  };

  it('evaluates the folder through a parameter, a constant from import.meta.url, and the working directory', () => {
    const roots = staticRoots(ts, {
      binding: index.binding,
      types: index.types,
      callsNamed: (name) => index.callsNamed(name),
      callsWithArgumentNamed: (name) => index.callsWithArgumentNamed(name),
      files: index.sourceFiles,
    });
    expect(
      roots
        .map((r) => `${r.folder.slice(project.dir.length + 1)} <- ${r.servedBy.fileName.slice(project.dir.length + 1)}`)
        .sort(),
    ).toEqual(['client-app <- server/main.mjs', 'public <- server/assets.mjs']);
  });

  it('places the served modules and the browser package in the browser, and the server code on the server', () => {
    const places = Object.fromEntries(
      [
        'server/main.mjs',
        'server/assets.mjs',
        'shared/save.js',
        'client-app/tools/clear.js',
        'public/cursor.js',
        'widgets/index.js',
      ].map((name) => [name, index.placeOf(fileNamed(name))]),
    );
    expect(places).toEqual({
      'server/main.mjs': 'server',
      'server/assets.mjs': 'server',
      'shared/save.js': 'server',
      'client-app/tools/clear.js': 'browser',
      'public/cursor.js': 'browser',
      'widgets/index.js': 'browser',
    });
  });

  it('reports the server code, and nothing in the browser modules the server imports', () => {
    expect(findingsOf(project.dir)).toEqual([
      'server/main.mjs:36 shutdown/require-close-timeout',
      'shared/save.js:6 shutdown/no-untracked-promise',
    ]);
  });

  it('reports the same modules when nothing serves their folders', () => {
    const dir = copy((d) => {
      const main = join(d, 'server', 'main.mjs');
      writeFileSync(
        main,
        readFileSync(main, 'utf8').replace('serveStatic(root, { maxAge: 0 })', 'serveStatic.bind(null)'),
      );
      const assets = join(d, 'server', 'assets.mjs');
      writeFileSync(assets, readFileSync(assets, 'utf8').replace("express.static('public')", 'express.Router()'));
    });
    expect(findingsOf(dir, cli(dir, ['--format', 'json']))).toEqual([
      'client-app/tools/clear.js:7 shutdown/no-untracked-promise',
      'public/cursor.js:3 shutdown/no-untracked-promise',
      'server/main.mjs:36 shutdown/require-close-timeout',
      'shared/save.js:6 shutdown/no-untracked-promise',
    ]);
  });

  it('serving its own folder makes no server code a browser’s', () => {
    const dir = copy((d) => {
      const assets = join(d, 'server', 'assets.mjs');
      writeFileSync(
        assets,
        readFileSync(assets, 'utf8').replace("express.static('public')", 'express.static(import.meta.dirname)'),
      );
      writeFileSync(
        join(d, 'server', 'jobs.mjs'),
        "import { writeFile } from 'node:fs/promises';\nvoid writeFile('/tmp/x', 'x');\n",
      );
      const main = join(d, 'server', 'main.mjs');
      writeFileSync(main, `import './jobs.mjs';\n${readFileSync(main, 'utf8')}`);
    });
    expect(findingsOf(dir, cli(dir, ['--format', 'json']))).toContain(
      'server/jobs.mjs:2 shutdown/no-untracked-promise',
    );
  });

  it('migrate rewrites the server code and leaves the browser modules and their package alone', () => {
    const dir = copy();
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    const changed = git(dir, 'status', '--porcelain')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.slice(3))
      .sort();
    expect(changed).toEqual(['package.json', 'server/main.mjs', 'shared/save.js']);
    expect(readFileSync(join(dir, 'shared', 'save.js'), 'utf8')).toContain('lifecycle.track(');
    expect(existsSync(join(dir, 'client-app', 'package.json'))).toBe(false);
  });
});
