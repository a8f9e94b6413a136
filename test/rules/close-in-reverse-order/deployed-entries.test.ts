// A library package of a monorepo stopped by a deployed entry in another workspace package
// (fixtures/rules/close-in-reverse-order-deployed): the entry's SIGTERM listener calls the
// library's `destroy()`, so that method is a shutdown root of the library's own program, and the
// order it closes things in is judged there.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ts } from '../../../src/core/typescript.js';
import { deployedShutdownCalls } from '../../../src/core/program-index/deployed.js';
import { cli, resultsByFile } from '../../cli/cli-support.js';
import { fixtureProject } from '../../support/fixtures.js';

const workspace = fixtureProject('rules', 'close-in-reverse-order-deployed');

describe('close-in-reverse-order in a library package a deployed entry stops', () => {
  it('reads the methods the entries call from their signal listeners', () => {
    const calls = (dir: string): string[] =>
      deployedShutdownCalls(ts, workspace.dir, join(workspace.dir, dir)).map(
        (c) => `${c.exported}.${c.method} on ${c.signal} from ${c.file.slice(workspace.dir.length + 1)}`,
      );
    expect({
      app: calls('packages/app'),
      admin: calls('packages/admin'),
      'the api service itself': calls('services/api'),
    }).toEqual({
      app: ['AppView.destroy on SIGTERM from services/api/src/main.ts'],
      // its entry handles no signal
      admin: [],
      // an entry's own program sees its listener
      'the api service itself': [],
    });
  });

  it("reports the close before the drain in the library's destroy(), only where an entry calls it at shutdown", () => {
    const findings = [...resultsByFile(cli(workspace.dir, ['--format', 'json']), workspace.dir)]
      .flatMap(([file, result]) =>
        result.messages
          .filter((m) => m.ruleId === 'shutdown/close-in-reverse-order')
          .map((m) => `${file}:${m.line} ${m.messageId}`),
      )
      .sort();
    expect(findings).toEqual(['packages/app/src/index.ts:24 closedBeforeDrain']);
  });
});
