// What a monorepo deploys, when its start script loads the environment first and when an image
// starts a framework's build: fixtures/core/places-deployed-loaders is a workspace whose API image
// runs `pnpm start` = `dotenv -e ../../.env node src/main.js`, whose dashboard image starts Nitro's
// `.output/server/index.mjs`, with a Next.js site deployed elsewhere (its route handler fetches
// without the request's signal) and a published client SDK (it drops a promise) that no deployed
// process runs. Openpanel's API and dashboard images are of these two kinds: while neither mapped to
// an entry, nothing was known to be deployed and its site and SDKs were linted as services.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgramIndex } from '../../src/core/program-index.js';
import { workspaceDeploys } from '../../src/core/program-index/deployed.js';
import { ts } from '../../src/core/typescript.js';
import { cli, resultsByFile } from '../cli/cli-support.js';
import { fixtureProject } from '../support/fixtures.js';
import { programOf } from '../support/programs.js';

const workspace = fixtureProject('core', 'places-deployed-loaders');

const findingsIn = (dir: string) =>
  [...resultsByFile(cli(dir, ['--format', 'json', '--group-at', '0']), dir)]
    .flatMap(([file, result]) => result.messages.map((m) => `${file}:${m.line} ${m.ruleId}`))
    .sort();

const entriesOf = (dir: string) => workspaceDeploys(dir)?.entries.map((e) => relative(dir, e));

/** A copy of the workspace with `edit` applied, handed to `check`, then removed. */
function withCopy(edit: (dir: string) => void, check: (dir: string) => void): void {
  const copy = mkdtempSync(join(tmpdir(), 'places-deployed-loaders-'));
  try {
    cpSync(workspace.dir, copy, { recursive: true });
    edit(copy);
    check(copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function setStartScript(dir: string, start: string): void {
  const path = join(dir, 'services/api/package.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { scripts: Record<string, string> };
  manifest.scripts.start = start;
  writeFileSync(path, JSON.stringify(manifest, null, 2));
}

describe('the entries of a workspace whose start script loads the environment', () => {
  it('follows dotenv-cli to the node it spawns, and maps the Nitro build to the package it is built from', () => {
    expect(entriesOf(workspace.dir)?.sort()).toEqual([
      'apps/dashboard/.output/server/index.mjs',
      'services/api/src/main.ts',
    ]);
  });

  it('follows cross-env, env-cmd and dotenv with `--` or an option written with `=` too', () => {
    for (const start of [
      'cross-env NODE_ENV=production PORT=3000 node src/main.js',
      'env-cmd -f ../../.env --silent node src/main.js',
      'dotenv -e ../../.env -v LOG_LEVEL=info -- node src/main.js',
      'dotenv --debug=false node src/main.js',
    ]) {
      withCopy(
        (dir) => setStartScript(dir, start),
        (dir) =>
          expect({ start, entries: entriesOf(dir)?.sort() }).toEqual({
            start,
            entries: ['apps/dashboard/.output/server/index.mjs', 'services/api/src/main.ts'],
          }),
      );
    }
  });

  it('puts the site deployed elsewhere and the published SDK out of the service', () => {
    const placeIn = (pkg: string, name: string) => {
      const index = ProgramIndex.for(ts, programOf(`${workspace.dir}/${pkg}`));
      const file = index.sourceFiles.find((f) => f.fileName.endsWith(`/${pkg}/${name}`));
      if (!file) throw new Error(`no ${pkg}/${name}`);
      return index.placeOf(file);
    };
    expect({
      'the Next.js route of the site': placeIn('sites/www', 'app/og/route.ts'),
      'the client SDK': placeIn('packages/client', 'src/index.ts'),
      'the API': placeIn('services/api', 'src/main.ts'),
    }).toEqual({
      'the Next.js route of the site': 'undeployed',
      'the client SDK': 'undeployed',
      'the API': 'server',
    });
    expect(findingsIn(workspace.dir)).toEqual(['services/api/src/main.ts:6 shutdown/require-close-timeout']);
  });

  it('still judges nothing when the loader is one it cannot follow, or the built file is not a framework build', () => {
    // What is deployed is not known: every package stays in scope, the route and the SDK included.
    const unknown = [
      (dir: string) => setStartScript(dir, 'mystery-loader node src/main.js'),
      (dir: string) =>
        writeFileSync(
          join(dir, 'apps/dashboard/Dockerfile'),
          'FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nCMD ["node", ".output/server/other.mjs"]\n',
        ),
    ];
    for (const edit of unknown) {
      withCopy(edit, (dir) => {
        expect(workspaceDeploys(dir)).toBeUndefined();
        expect(findingsIn(dir)).toEqual(
          expect.arrayContaining([
            'packages/client/src/index.ts:6 shutdown/no-untracked-promise',
            'sites/www/app/og/route.ts:3 shutdown/require-abort-signal',
          ]),
        );
      });
    }
  });
});
