import { describe, expect, it } from 'vitest';
import { lintDeploy, shape } from './support.js';

const rule = 'deploy/require-handler-as-pid1';

describe(rule, () => {
  it('reports node as PID 1 with no SIGTERM handler on docker run, compose, Kubernetes and ECS', () => {
    expect(shape(lintDeploy('pid1').reported, rule)).toEqual([
      'Dockerfile:4 warn',
      'alpine.Dockerfile:4 warn',
      'compose.yaml:2 warn',
      'ecs-task-definition.json:5 warn',
      'k8s/deployment.yaml:9 warn',
    ]);
  });

  it('gives the platform, its grace and the entry file, with the entry as related location', () => {
    const k8s = lintDeploy('pid1').reported.find((r) => r.rule === rule && r.file === 'k8s/deployment.yaml')!;
    expect(k8s.message).toContain('src/server.js installs no signal handler');
    expect(k8s.message).toContain('the kubelet waits 30 s (default) and then SIGKILLs');
    expect(k8s.related).toEqual([{ file: 'src/server.js', line: 1 }]);
  });

  it('stays quiet with a handler, behind an init, on Fly, for a Job, and for a command that ends on its own', () => {
    const reported = lintDeploy('pid1').reported.filter((r) => r.rule === rule);
    for (const quiet of ['tini.Dockerfile', 'handled.Dockerfile', 'cli.Dockerfile', 'fly/fly.toml'])
      expect(
        reported.some((r) => r.file === quiet),
        quiet,
      ).toBe(false);
    // compose `with-init` (line 5), the handled and tini containers (lines 12, 15) and the Job (line 27).
    expect(reported.filter((r) => r.file === 'compose.yaml').map((r) => r.line)).toEqual([2]);
    expect(reported.filter((r) => r.file === 'k8s/deployment.yaml').map((r) => r.line)).toEqual([9]);
    expect(reported.filter((r) => r.file === 'ecs-task-definition.json').map((r) => r.line)).toEqual([5]);
  });

  describe('on Render', () => {
    it('reports a Docker-runtime service whose node is PID 1 with no handler, at the service', () => {
      expect(shape(lintDeploy('platforms/render').reported, rule).filter((s) => s.startsWith('render.yaml'))).toEqual([
        'render.yaml:12 warn',
      ]);
      const bare = lintDeploy('platforms/render').reported.find((r) => r.rule === rule && r.file === 'render.yaml')!;
      expect(bare.message).toContain('Render waits 30 s (default)');
      expect(bare.message).toContain('src/bare.js');
    });

    it('stays quiet on a native-runtime service (how Render starts `startCommand` there is not known) and on node with a handler', () => {
      // bare-native (line 25) runs the same handler-less src/bare.js on `runtime: node`; shell-exec and direct have handlers.
      expect(
        lintDeploy('platforms/render')
          .reported.filter((r) => r.rule === rule && r.file === 'render.yaml')
          .map((r) => r.line),
      ).toEqual([12]);
    });
  });
});
