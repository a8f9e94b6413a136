// A queue a library package of a monorepo exports, closed by the deployed entry of another package
// (fixtures/rules/no-unclosed-resource/deployed-library): the API's SIGTERM listener runs
// `shutdown()` from another file of its package, which closes `jobs`. That close is in another
// program, read from the entry package's files (deployed.ts). Openpanel's apps/api closes the
// BullMQ queues of packages/queue this way.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployedShutdownCalls } from '../../../src/core/program-index/deployed.js';
import { ts } from '../../../src/core/typescript.js';
import { cli, resultsByFile } from '../../cli/cli-support.js';
import { fixtureProject } from '../../support/fixtures.js';

const workspace = fixtureProject('rules', 'no-unclosed-resource', 'deployed-library');

describe('no-unclosed-resource in a library package a deployed entry closes', () => {
  it("follows the entry's listener into the shutdown another file of its package holds", () => {
    expect(
      deployedShutdownCalls(ts, workspace.dir, join(workspace.dir, 'packages/queue')).map(
        (c) => `${c.exported}.${c.method}() on ${c.signal}`,
      ),
    ).toEqual(['jobs.close() on SIGTERM']);
  });

  it('reports the queue nothing closes, not the one the entry closes', () => {
    const findings = [...resultsByFile(cli(workspace.dir, ['--format', 'json', '--group-at', '0']), workspace.dir)]
      .flatMap(([file, result]) => result.messages.map((m) => `${file}:${m.line} ${m.ruleId}`))
      .sort();
    expect(findings).toEqual(['packages/queue/src/index.ts:6 shutdown/no-unclosed-resource']);
  });
});
