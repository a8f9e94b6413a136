// A library package of a monorepo that listens, started by a deployed entry in another workspace
// package (fixtures/rules/require-signal-handler/deployed-entries): the entry's SIGTERM listener
// lives in another program, and counts for what the library starts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployedEntryHandlesSigterm } from '../../../src/core/program-index/deployed.js';
import { cli, resultsByFile } from '../../cli/cli-support.js';
import { fixtureProject } from '../../support/fixtures.js';

const workspace = fixtureProject('rules', 'require-signal-handler', 'deployed-entries');

describe('require-signal-handler in a library package a deployed entry starts', () => {
  it('knows which entries handle SIGTERM for the packages they reach', () => {
    expect({
      'app (services/api handles SIGTERM)': deployedEntryHandlesSigterm(
        workspace.dir,
        join(workspace.dir, 'packages/app'),
      ),
      'admin (services/admin handles nothing)': deployedEntryHandlesSigterm(
        workspace.dir,
        join(workspace.dir, 'packages/admin'),
      ),
      'the api service itself (its own program sees its listener)': deployedEntryHandlesSigterm(
        workspace.dir,
        join(workspace.dir, 'services/api'),
      ),
    }).toEqual({
      'app (services/api handles SIGTERM)': true,
      'admin (services/admin handles nothing)': false,
      'the api service itself (its own program sees its listener)': false,
    });
  });

  it('reports the listen only in the library whose entry handles no signal', () => {
    const findings = [...resultsByFile(cli(workspace.dir, ['--format', 'json']), workspace.dir)]
      .flatMap(([file, result]) =>
        result.messages.filter((m) => m.ruleId === 'shutdown/require-signal-handler').map((m) => `${file}:${m.line}`),
      )
      .sort();
    expect(findings).toEqual(['packages/admin/src/index.ts:14']);
  });
});
