import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseDeploy } from '../../src/core/deploy/analyse.js';
import { analyseFixture, deployFixture, lintDeploy, repoRoot, shape } from './support.js';

const rule = 'deploy/no-shell-wrapped-node';

describe(rule, () => {
  it('reports the shells that keep SIGTERM from node, on every platform it covers', () => {
    expect(shape(lintDeploy('shell-wrapped').reported, rule)).toEqual([
      'alpine-pipe.Dockerfile:4 error',
      'compose.yaml:4 error',
      'debian.Dockerfile:4 error',
      'k8s/deployment.yaml:11 error',
      'mixed.service:6 warn',
      'private-base.Dockerfile:4 warn',
    ]);
  });

  it('says which shell, what it costs, and where the handler that never runs is', () => {
    const debian = lintDeploy('shell-wrapped').reported.find((r) => r.file === 'debian.Dockerfile')!;
    expect(debian.message).toContain('dash in node:22-slim');
    expect(debian.message).toContain('every stop waits the full 10 s and ends in SIGKILL');
    expect(debian.message).toContain('src/server.js:6');
    expect(debian.message).toContain('CMD ["node", "src/server.js"]');
    expect(debian.related).toEqual([{ file: 'src/server.js', line: 6 }]);
    const k8s = lintDeploy('shell-wrapped').reported.find((r) => r.file === 'k8s/deployment.yaml')!;
    expect(k8s.message).toContain('the full 30 s');
  });

  it('stays quiet on the traps of research §5.3: exec, trap + wait, exec "$@", distroless, Heroku, systemd control-group', () => {
    const files = new Set(
      lintDeploy('shell-wrapped')
        .reported.filter((r) => r.rule === rule)
        .map((r) => r.file),
    );
    // setup.Dockerfile runs node as a set-up step before the real main process (nginx).
    for (const quiet of [
      'exec.Dockerfile',
      'trap.Dockerfile',
      'exec-args.Dockerfile',
      'distroless.Dockerfile',
      'Procfile',
      'app.service',
      'alpine.Dockerfile',
      'setup.Dockerfile',
    ]) {
      expect(files.has(quiet), quiet).toBe(false);
    }
    // The second compose service and the Alpine manifest are in files that do report: check by line.
    expect(
      lintDeploy('shell-wrapped')
        .reported.filter((r) => r.file === 'compose.yaml')
        .map((r) => r.line),
    ).toEqual([4]);
    expect(
      lintDeploy('shell-wrapped')
        .reported.filter((r) => r.file === 'k8s/deployment.yaml' && r.rule === rule)
        .map((r) => r.line),
    ).toEqual([11]);
  });

  it('notes at info level that Alpine works only because busybox execs the last command', () => {
    const { findings } = analyseFixture('shell-wrapped');
    const infos = findings
      .filter((f) => f.ruleId === rule && f.severity === 'info')
      .map((f) => path.basename(f.span.file.path));
    expect(infos.sort()).toEqual(['alpine.Dockerfile', 'deployment.yaml']);
  });

  it('is turned off and capped with --rule', () => {
    expect(shape(lintDeploy('shell-wrapped', ['--rule', `${rule}=off`]).reported, rule)).toEqual([]);
    expect(
      shape(lintDeploy('shell-wrapped', ['--rule', `${rule}=warn`]).reported, rule).every((s) => s.endsWith('warn')),
    ).toBe(true);
  });

  it('does not count a fixture folder as production when the run starts above it (§5.3 14)', () => {
    const analysis = analyseDeploy({ cwd: repoRoot, targets: ['.'] });
    const units = analysis.units.filter((u) => u.unit.file.path.startsWith(deployFixture('shell-wrapped')));
    expect(units.length).toBeGreaterThan(5);
    expect(units.filter((u) => u.unit.production)).toEqual([]);
  });

  describe('on ECS, Render and Fly', () => {
    const at = (fixture: string) =>
      lintDeploy(`platforms/${fixture}`)
        .reported.filter((r) => r.rule === rule)
        .map((r) => `${r.file}:${r.line} ${r.severity === 2 ? 'error' : 'warn'}`);

    it('reports an ECS `command` (or `entryPoint`) in shell form, at the key, quiet on `exec` and exec form', () => {
      // shell (line 7) and shell-entrypoint (command at line 14) report; npm, shell-exec and direct do not.
      expect(at('ecs')).toEqual(['task-definition.json:7 error', 'task-definition.json:14 error']);
      const shell = lintDeploy('platforms/ecs').reported.find((r) => r.rule === rule && r.line === 7)!;
      expect(shell.message).toContain('dash in node:22-slim');
      expect(shell.message).toContain('every stop waits the full 30 s');
    });

    it('reports a Render `dockerCommand` in shell form, quiet on `exec` and a plain `startCommand`', () => {
      expect(at('render')).toEqual(['render.yaml:6 error']);
    });

    it('reports a Fly `[processes]` entry, `[experimental] cmd` and the Dockerfile Fly builds, quiet on exec', () => {
      // web (line 6) reports; worker (`exec`) and api (plain node) do not.
      expect(at('fly')).toEqual(['fly.toml:6 error']);
      expect(at('fly-experimental')).toEqual(['fly.toml:6 error']);
      expect(at('fly-docker')).toEqual(['Dockerfile:4 error']);
      const web = lintDeploy('platforms/fly').reported.find((r) => r.rule === rule)!;
      expect(web.message).toContain("Fly's init signals only the shell");
    });
  });
});
