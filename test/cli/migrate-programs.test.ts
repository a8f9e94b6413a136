// `migrate` on a service whose modules a second program loads too: an end-to-end test program
// (its own config) that imports one of the service's modules for its helpers, or a test file no
// config includes (a program inferred for it) that imports a main of the service. The work that module
// hands to the lifecycle is drained by the service's own shutdown path; in the test program it
// runs under the test runner, where no drain is due, so the migration is not reported undrained
// there (whitebophir: its Playwright program loads the telemetry module the service drains).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, repoRoot } from './cli-support.js';
import { commitService, git } from '../support/service-repo.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Variant = 'alone' | 'e2e program' | 'inferred test program';

/**
 * fixtures/drain/sigterm-handler with a jobs module, used by the server and by a report module the
 * server imports (a main too: run by hand, it reports at once), and then loaded by tests: an e2e
 * program of its own config (a config module and a spec that imports the jobs module), or a test
 * file no config includes (a program of its own, inferred) that imports the report main.
 */
function service(variant: Variant): string {
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-programs-'));
  dirs.push(dir);
  cpSync(join(repoRoot, 'fixtures', 'drain', 'sigterm-handler'), dir, { recursive: true });
  rmSync(join(dir, 'expected'), { recursive: true, force: true });
  writeFileSync(
    join(dir, 'src', 'jobs.js'),
    "import { writeAudit } from './audit.js';\n\nexport function queueAudit(line) {\n  writeAudit(line);\n}\n",
  );
  writeFileSync(
    join(dir, 'src', 'report.js'),
    [
      "import { queueAudit } from './jobs.js';",
      '',
      'export function report(line) {',
      '  queueAudit(`report: ${line}`);',
      '}',
      '',
      'const byHand = process.argv[1] === new URL(import.meta.url).pathname;',
      'if (byHand) report(process.argv[2]);',
      '',
    ].join('\n'),
  );
  const server = join(dir, 'src', 'server.js');
  writeFileSync(
    server,
    readFileSync(server, 'utf8')
      .replace(
        "import { writeAudit } from './audit.js';",
        "import { queueAudit } from './jobs.js';\nimport { report } from './report.js';",
      )
      .replace(
        '  writeAudit(`${req.method} ${req.url}`);',
        '  queueAudit(`${req.method} ${req.url}`);\n  report(req.url);',
      ),
  );
  if (variant === 'e2e program') {
    mkdirSync(join(dir, 'e2e'));
    writeFileSync(
      join(dir, 'e2e', 'audit.spec.js'),
      "import { test } from 'node:test';\nimport { queueAudit } from '../src/jobs.js';\n\ntest('audits', () => {\n  queueAudit('test');\n});\n",
    );
    writeFileSync(join(dir, 'e2e.config.js'), "export default { testDir: 'e2e' };\n");
    writeFileSync(
      join(dir, 'jsconfig.e2e.json'),
      `${JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], checkJs: false }, include: ['e2e', 'e2e.config.js'] }, null, 2)}\n`,
    );
  }
  if (variant === 'inferred test program') {
    mkdirSync(join(dir, 'test-node'));
    writeFileSync(
      join(dir, 'test-node', 'report.test.js'),
      "import { test } from 'node:test';\nimport { report } from '../src/report.js';\n\ntest('reports', () => {\n  report('test');\n});\n",
    );
  }
  return commitService(dir);
}

describe('migrate on a service a test program loads too', () => {
  it('drains on the service’s path and counts the rewrites as fixed, as without the test program', () => {
    const variants: Variant[] = ['alone', 'e2e program', 'inferred test program'];
    const summaries = variants.map((variant) => {
      const dir = service(variant);
      const run = cli(dir, ['migrate', 'all']);
      expect(run.code).toBe(0);
      expect(readFileSync(join(dir, 'src', 'jobs.js'), 'utf8')).toContain('lifecycle.track(writeAudit(line));');
      expect(run.stdout).toMatch(/^ {2}drained the lifecycle in src\/server\.js:\d+ \(process\.on\('SIGTERM'\)\)$/m);
      expect(run.stdout).not.toContain('nothing drains');
      expect(run.stdout).not.toContain('drain-lifecycle');
      return `${variant}: ${run.stdout.split('\n')[0]}`;
    });
    const alone = summaries[0]!.slice('alone: '.length);
    expect(summaries).toEqual(variants.map((variant) => `${variant}: ${alone}`));
  });
});
