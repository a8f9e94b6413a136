// A monorepo's workspace packages resolve to their source when node_modules is absent (a checkout
// before `npm install`): `@acme/db/client` is the package's shim, `@acme/queue/jobs/archive` the
// source of what its `exports` pattern maps into a missing dist/, `@acme/config` a string `exports`.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceModuleFile, workspacePackageNames } from '../../src/core/project.js';
import { cli, resultsByFile } from '../cli/cli-support.js';
import { fixturesDir } from '../support/fixtures.js';

const root = join(fixturesDir, 'core', 'workspace-resolution');

describe('workspace packages without node_modules', () => {
  it('maps names, subpaths, exports conditions and patterns to source files', () => {
    const packages = workspacePackageNames(root);
    const file = (specifier: string) => {
      const found = workspaceModuleFile(packages, specifier);
      return found === undefined
        ? undefined
        : found
            .slice(root.length + 1)
            .split('\\')
            .join('/');
    };
    expect({
      '@acme/db': file('@acme/db'),
      '@acme/db/client': file('@acme/db/client'),
      '@acme/queue': file('@acme/queue'),
      '@acme/queue/jobs/archive': file('@acme/queue/jobs/archive'),
      '@acme/queue/missing': file('@acme/queue/missing'),
      '@acme/config': file('@acme/config'),
      '@acme/unknown': file('@acme/unknown'),
      './relative': file('./relative'),
    }).toEqual({
      '@acme/db': 'packages/db/index.ts',
      '@acme/db/client': 'packages/db/client/index.d.ts',
      '@acme/queue': 'packages/queue/src/index.ts',
      '@acme/queue/jobs/archive': 'packages/queue/src/jobs/archive.ts',
      '@acme/queue/missing': undefined,
      '@acme/config': 'packages/config/src/index.ts',
      '@acme/unknown': undefined,
      './relative': undefined,
    });
  });

  it("finds the worker's own Prisma client through the package's shim", () => {
    const worker = join(root, 'apps', 'worker');
    const findings = [...resultsByFile(cli(worker, ['--format', 'json']), worker)]
      .flatMap(([file, result]) =>
        result.messages.filter((m) => m.ruleId === 'shutdown/no-unclosed-resource').map((m) => `${file}:${m.line}`),
      )
      .sort();
    expect(findings).toEqual(['src/index.ts:8']);
  });
});
