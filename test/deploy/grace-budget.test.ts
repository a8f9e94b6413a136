import { describe, expect, it } from 'vitest';
import { analyseFixture, lintDeploy, shape } from './support.js';

const rule = 'deploy/grace-budget';

describe(rule, () => {
  it('reports budgets that overrun the grace on docker run, systemd, Compose, ECS, Fly, Heroku, Kubernetes and Render', () => {
    expect(shape(lintDeploy('budget').reported, rule)).toEqual([
      'Dockerfile:4 warn',
      'api.service:7 error',
      'compose.yaml:6 warn',
      'ecs-task-definition.json:8 error',
      'fly/fly.toml:1 warn',
      'heroku/Procfile:1 warn',
      'k8s/api.yaml:9 error',
      'k8s/worker.yaml:8 warn',
      'render.yaml:3 warn',
    ]);
  });

  it('gives the arithmetic, with each term and its code location', () => {
    const reported = lintDeploy('budget').reported;
    const api = reported.find((r) => r.file === 'k8s/api.yaml')!;
    expect(api.message).toContain(
      'preStop 10 s + drain 30 s (http-graceful-shutdown `timeout` default 30000 ms, src/server.js:7) + margin 2 s = 42 s > terminationGracePeriodSeconds 30 s (default)',
    );
    expect(api.message).toContain(
      'Raise terminationGracePeriodSeconds to ≥ 42 s or lower the drain deadline to ≤ 18 s',
    );
    expect(api.related).toEqual([{ file: 'src/server.js', line: 7 }]);
  });

  it("uses the env value the deploy file sets, or the code's default, and says which", () => {
    const reported = lintDeploy('budget').reported;
    expect(reported.find((r) => r.file === 'k8s/worker.yaml')!.message).toContain(
      'drain 25 s (SHUTDOWN_TIMEOUT_MS=25000 set by the deploy file, src/worker.js:9)',
    );
    expect(reported.find((r) => r.file === 'fly/fly.toml')!.message).toContain(
      'drain 20 s (SHUTDOWN_TIMEOUT_MS unset, default 20000 ms, fly/src/worker.js:9)',
    );
  });

  it('reports a force-exit timer as a hard deadline, a warning (§5.3 15)', () => {
    const worker = lintDeploy('budget').reported.find((r) => r.file === 'k8s/worker.yaml')!;
    expect(worker.severity).toBe(1);
    expect(worker.message).toContain("The app's hard deadline is later than the platform's SIGKILL");
  });

  it('stays quiet when the grace covers the budget, and notes an unbounded drain at info level', () => {
    const reported = lintDeploy('budget').reported.filter((r) => r.rule === rule);
    expect(reported.some((r) => r.file === 'k8s/api-roomy.yaml')).toBe(false);
    // compose `worker` (20 s of 30 s) is quiet; `graceful` (10 s + 2 s of the default 10 s) is not.
    expect(reported.filter((r) => r.file === 'compose.yaml').map((r) => r.line)).toEqual([6]);
    const { findings } = analyseFixture('budget');
    const unbounded = findings.filter((f) => f.ruleId === rule && f.severity === 'info');
    expect(unbounded.map((f) => f.unit.name)).toEqual(['Deployment/api-roomy container unbounded']);
    expect(unbounded[0]!.message).toContain('bounded only by the kubelet');
  });
});
