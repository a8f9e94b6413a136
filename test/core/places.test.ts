// Where code runs (ProgramIndex.placeOf): a hazard needs a Node process that receives SIGTERM.
// fixtures/core/places is a service beside the code that never gets the signal: a Next.js page's
// React component, hook and handlers, a component and a hook module, browser JavaScript the server
// also imports, a one-shot seed script, a dev launcher and an end-to-end test harness.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgramIndex } from '../../src/core/program-index.js';
import { workspaceDeploys } from '../../src/core/program-index/deployed.js';
import { ts } from '../../src/core/typescript.js';
import { cachedCli, cli, resultsByFile } from '../cli/cli-support.js';
import { fixtureProject } from '../support/fixtures.js';
import { programOf } from '../support/programs.js';

const project = fixtureProject('core', 'places');

describe('the place of each file', () => {
  const program = programOf(project.dir);
  const index = ProgramIndex.for(ts, program);
  const fileNamed = (name: string) => {
    const file = index.sourceFiles.find((f) => f.fileName.endsWith(`/places/${name}`));
    if (!file) throw new Error(`no ${name}`);
    return file;
  };

  it('tells the server, the browser, tests and scripts apart', () => {
    const places = Object.fromEntries(
      [
        'src/server.ts',
        'src/shared/db.ts',
        'src/pages/api/layout.ts',
        'src/pages/dashboard.tsx',
        'src/components/CopyButton.tsx',
        'src/lib/hooks/useLogin.ts',
        'client/board.js',
        'scripts/seed-visits.ts',
        'dev/watch.ts',
        'test-e2e/harness.ts',
      ].map((name) => [name, index.placeOf(fileNamed(name))]),
    );
    expect(places).toEqual({
      'src/server.ts': 'server',
      'src/shared/db.ts': 'server',
      'src/pages/api/layout.ts': 'server',
      // getServerSideProps runs on the server: the page is the server's, its component is not.
      'src/pages/dashboard.tsx': 'server',
      'src/components/CopyButton.tsx': 'browser',
      'src/lib/hooks/useLogin.ts': 'browser',
      'client/board.js': 'browser',
      'scripts/seed-visits.ts': 'script',
      'dev/watch.ts': 'script',
      'test-e2e/harness.ts': 'test',
    });
  });

  it('keeps the main a dev launcher and a test harness import the service entry', () => {
    expect(index.isEntryModule(fileNamed('src/server.ts'))).toBe(true);
  });
});

describe('rules report only where SIGTERM arrives', () => {
  it('reports the server and the API route, and nothing in browser code, scripts or tests', () => {
    const run = cachedCli(project.dir, ['--format', 'json']);
    const findings = [...resultsByFile(run, project.dir)]
      .flatMap(([file, result]) => result.messages.map((m) => `${file}:${m.line} ${m.ruleId}`))
      .sort();
    expect(findings).toEqual([
      'src/pages/api/layout.ts:5 shutdown/no-untracked-promise',
      'src/server.ts:14 shutdown/no-untracked-promise',
      'src/server.ts:14 shutdown/require-close-timeout',
      'src/server.ts:8 shutdown/no-untracked-promise',
    ]);
  });
});

// fixtures/core/places-packages is a workspace: an API, a React Native app, a Vite app, an Angular
// service, a UI package only those apps depend on, an isomorphic package the API depends on too,
// a one-shot `bin` tool and a `bin` daemon that handles SIGTERM, a `browser`-only SDK, a package
// built for the DOM without Node's types, and one built so that opens a database pool (a worker). What a package's manifest and build say places
// its files; a server that depends on a package keeps it the server's.
describe('the place of a workspace package', () => {
  const workspace = fixtureProject('core', 'places-packages');
  const placeOf = (pkg: string, name: string) => {
    const program = programOf(`${workspace.dir}/${pkg}`);
    const index = ProgramIndex.for(ts, program);
    const file = index.sourceFiles.find((f) => f.fileName.endsWith(`/${pkg}/${name}`));
    if (!file) throw new Error(`no ${pkg}/${name}`);
    return index.placeOf(file);
  };

  it('tells mobile, browser and command-line packages from the server and what it depends on', () => {
    expect({
      api: placeOf('apps/api', 'src/main.ts'),
      mobile: placeOf('apps/mobile', 'src/sync.ts'),
      vite: placeOf('apps/web', 'src/main.ts'),
      angular: placeOf('apps/admin', 'src/user.service.ts'),
      'ui (only apps depend on it)': placeOf('packages/ui', 'src/index.ts'),
      'iso (the API depends on it)': placeOf('packages/iso', 'src/index.ts'),
      cli: placeOf('packages/cli', 'src/cli.ts'),
      'daemon (bin, handles SIGTERM)': placeOf('packages/daemon', 'src/daemon.ts'),
      'sdk (browser field only)': placeOf('packages/sdk', 'src/index.ts'),
      'widgets (DOM lib, no node types)': placeOf('packages/widgets', 'src/index.ts'),
      'edge (DOM lib, no node types, opens a pool)': placeOf('packages/edge', 'src/worker.ts'),
    }).toEqual({
      api: 'server',
      mobile: 'browser',
      vite: 'browser',
      angular: 'browser',
      'ui (only apps depend on it)': 'browser',
      'iso (the API depends on it)': 'unknown',
      cli: 'script',
      'daemon (bin, handles SIGTERM)': 'server',
      'sdk (browser field only)': 'browser',
      'widgets (DOM lib, no node types)': 'browser',
      'edge (DOM lib, no node types, opens a pool)': 'server',
    });
  });

  it('reports the server, the daemon, the worker and the isomorphic package, but not its functions that read browser globals', () => {
    const run = cachedCli(workspace.dir, ['--format', 'json']);
    const findings = [...resultsByFile(run, workspace.dir)]
      .flatMap(([file, result]) => result.messages.map((m) => `${file}:${m.line} ${m.ruleId}`))
      .sort();
    expect(findings).toEqual([
      'apps/api/src/main.ts:11 shutdown/require-close-timeout',
      'packages/daemon/src/daemon.ts:7 shutdown/no-untracked-promise',
      'packages/edge/src/worker.ts:11 shutdown/no-untracked-promise',
      'packages/edge/src/worker.ts:4 shutdown/no-unclosed-resource',
      'packages/iso/src/index.ts:10 shutdown/no-untracked-promise',
      // It checks `typeof window`, and its `document` is a parameter: both run in Node too.
      'packages/iso/src/storage.ts:11 shutdown/no-untracked-promise',
      'packages/iso/src/storage.ts:6 shutdown/no-untracked-promise',
    ]);
  });
});

describe('the place of a workspace package, where the deploy files name what runs', () => {
  // fixtures/core/places-deployed: a Dockerfile starts services/api, which depends on the server
  // library, which imports a shared package it does not declare; a client library and a dev
  // environment (bin, start script, a server of its own) are what only the workspace root and the
  // dev environment depend on. The server library's index also re-exports a class only the dev
  // environment creates, and the shared package a function only the dev environment calls.
  const workspace = fixtureProject('core', 'places-deployed');
  const indexOf = (dir: string, pkg: string, name: string) => {
    const index = ProgramIndex.for(ts, programOf(`${dir}/${pkg}`));
    const file = index.sourceFiles.find((f) => f.fileName.endsWith(`/${pkg}/${name}`));
    if (!file) throw new Error(`no ${pkg}/${name}`);
    return { index, file };
  };
  const placeIn = (dir: string, pkg: string, name: string) => {
    const { index, file } = indexOf(dir, pkg, name);
    return index.placeOf(file);
  };
  /** Whether the top-level declaration named `declared` of a file is code no deployed entry reaches. */
  const undeployedIn = (pkg: string, name: string, declared: string) => {
    const { index, file } = indexOf(workspace.dir, pkg, name);
    const statement = file.statements.find((s) => new RegExp(`(function|class) ${declared}\\b`).test(s.getText()));
    if (!statement) throw new Error(`no ${declared} in ${pkg}/${name}`);
    return index.isUndeployedCode(statement);
  };
  const findingsIn = (dir: string) =>
    [...resultsByFile(cli(dir, ['--format', 'json']), dir)]
      .flatMap(([file, result]) => result.messages.map((m) => `${file}:${m.line} ${m.ruleId}`))
      .sort();

  it('finds the entries the deploy files start and the packages they reach', () => {
    const deploys = workspaceDeploys(workspace.dir);
    expect(deploys?.entries.map((e) => relative(workspace.dir, e))).toEqual(['services/api/src/main.ts']);
    expect([...deploys!.reached].map((d) => relative(workspace.dir, d)).sort()).toEqual([
      'packages/server',
      'packages/shared',
      'services/api',
    ]);
  });

  it('puts the client library and the dev environment out of the service, and keeps what the service reaches', () => {
    expect({
      api: placeIn(workspace.dir, 'services/api', 'src/main.ts'),
      'server (a dependency, creates the server)': placeIn(workspace.dir, 'packages/server', 'src/index.ts'),
      'shared (imported, not declared)': placeIn(workspace.dir, 'packages/shared', 'src/index.ts'),
      'client (only the dev environment depends on it)': placeIn(workspace.dir, 'packages/client', 'src/index.ts'),
      'dev-env (bin and start script, not deployed)': placeIn(workspace.dir, 'packages/dev-env', 'src/bin.ts'),
    }).toEqual({
      api: 'server',
      'server (a dependency, creates the server)': 'server',
      'shared (imported, not declared)': 'unknown',
      'client (only the dev environment depends on it)': 'undeployed',
      'dev-env (bin and start script, not deployed)': 'undeployed',
    });
  });

  it('tells the classes and functions of a deployed library the service reaches from those it never names', () => {
    expect({
      'startServer (imported by the service)': undeployedIn('packages/server', 'src/index.ts', 'startServer'),
      'DevDirectory (re-exported, only the dev environment creates it)': undeployedIn(
        'packages/server',
        'src/dev-directory.ts',
        'DevDirectory',
      ),
      'recordAll (in the shorthand { recordAll } the server imports)': undeployedIn(
        'packages/shared',
        'src/index.ts',
        'recordAll',
      ),
      'record (recordAll calls it)': undeployedIn('packages/shared', 'src/index.ts', 'record'),
      'recordLater (only the dev environment calls it)': undeployedIn('packages/shared', 'src/index.ts', 'recordLater'),
    }).toEqual({
      'startServer (imported by the service)': false,
      'DevDirectory (re-exported, only the dev environment creates it)': true,
      'recordAll (in the shorthand { recordAll } the server imports)': false,
      'record (recordAll calls it)': false,
      'recordLater (only the dev environment calls it)': true,
    });
  });

  it('reports the deployed service and what it reaches, not the client library, the dev environment or the dev-only code', () => {
    expect(findingsIn(workspace.dir)).toEqual([
      'packages/server/src/index.ts:16 shutdown/no-untracked-promise',
      'packages/shared/src/index.ts:9 shutdown/no-untracked-promise',
      'services/api/src/main.ts:8 shutdown/require-close-timeout',
    ]);
  });

  it('judges nothing when a deploy unit that runs the repository code maps to no entry file', () => {
    // A Procfile worker whose launcher we cannot follow: what is deployed is not known, so every
    // package stays in scope, as in a repository without deploy files.
    const copy = mkdtempSync(join(tmpdir(), 'places-deployed-'));
    try {
      cpSync(workspace.dir, copy, { recursive: true });
      writeFileSync(join(copy, 'Procfile'), 'worker: ./bin/run-worker\n');
      expect(workspaceDeploys(copy)).toBeUndefined();
      expect(placeIn(copy, 'packages/client', 'src/index.ts')).toBe('unknown');
      expect(placeIn(copy, 'packages/dev-env', 'src/bin.ts')).toBe('server');
      // (Outside the repository @types/node is not found: only the findings that need no Node types.)
      expect(findingsIn(copy)).toEqual(
        expect.arrayContaining([
          'packages/client/src/index.ts:13 shutdown/no-untracked-promise',
          'packages/dev-env/src/bin.ts:12 shutdown/require-signal-handler',
          'packages/shared/src/index.ts:17 shutdown/no-untracked-promise',
        ]),
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
