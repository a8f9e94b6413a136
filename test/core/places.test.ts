// Where code runs (ProgramIndex.placeOf): a hazard needs a Node process that receives SIGTERM.
// fixtures/core/places is a service beside the code that never gets the signal: a Next.js page's
// React component, hook and handlers, a component and a hook module, browser JavaScript the server
// also imports, a one-shot seed script, a dev launcher and an end-to-end test harness.
import { describe, expect, it } from 'vitest';
import { ProgramIndex } from '../../src/core/program-index.js';
import { ts } from '../../src/core/typescript.js';
import { cachedCli, resultsByFile } from '../cli/cli-support.js';
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
