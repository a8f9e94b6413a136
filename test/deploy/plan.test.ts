// `shutdown-lint plan`: the timeline of each unit, as text and as a Mermaid Gantt chart.
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/cli-support.js';
import { deployFixture, repoRoot } from './support.js';

describe('shutdown-lint plan', () => {
  it('shows the signal, preStop, the drain and its deadline, and marks what overruns the SIGKILL', () => {
    const run = cli(deployFixture('budget'), ['plan', 'k8s/api.yaml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'Deployment/api container api (Kubernetes)  k8s/api.yaml:9',
        '  main process: node src/server.js (src/server.js)',
        '  t=   0 s  the kubelet starts the stop; grace terminationGracePeriodSeconds 30 s (default); endpoints are removed at the same time',
        '  t=   0 s  preStop sleep 10 s',
        '  t=  10 s  SIGTERM (Kubernetes default) to node',
        '  t=  10 s  drain starts: src/server.js:7',
        '  t=  30 s  SIGKILL from the kubelet',
        '  t=  40 s  ✗ exit at the latest: drain 30 s (http-graceful-shutdown `timeout` default 30000 ms, src/server.js:7)',
        '  findings: error deploy/grace-budget',
        '',
      ].join('\n'),
    );
  });

  it('lists what the drain closes in the order the handler runs it', () => {
    const run = cli(deployFixture('budget'), ['plan', 'k8s/worker.yaml']);
    const steps = run.stdout
      .split('\n')
      .filter((l) => /^ {2}t= +0 s {4}/.test(l))
      .map((l) => l.trim().replace(/^t= +0 s +/, ''));
    expect(steps).toEqual([
      'arms setTimeout(…)  (src/worker.js:9)',
      'server.close()  (src/worker.js:10)',
      'process.exit()  (src/worker.js:10)',
    ]);
  });

  it('marks a signal that never reaches node', () => {
    const run = cli(deployFixture('wrappers'), ['plan', 'npm/Dockerfile']);
    expect(run.stdout).toContain(
      'main process: npm start ["node src/server.js"] → sh -c (dash) → node src/server.js (npm/src/server.js)',
    );
    expect(run.stdout).toContain('✗ SIGTERM (docker run default) to npm: never reaches node (deploy/no-wrapper-pid1)');
  });

  it('--format mermaid gives a Gantt chart with the overrun marked critical', () => {
    const run = cli(deployFixture('budget'), ['plan', '--format', 'mermaid', 'k8s/api.yaml']);
    expect(run.stdout).toBe(
      [
        '```mermaid',
        'gantt',
        '  title Deployment/api container api (Kubernetes)',
        '  dateFormat X',
        '  axisFormat %Ss',
        '  section Platform',
        '  preStop sleep 10 s :u0P0, 0, 10s',
        '  SIGTERM :milestone, u0P1, 10, 0s',
        '  grace 30 s :u0P2, 0, 30s',
        '  SIGKILL :milestone, u0P3, 30, 0s',
        '  section App',
        '  drain ≤ 30 s :crit, u0A0, 10, 30s',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('rejects an unknown format with a usage error', () => {
    const run = cli(deployFixture('budget'), ['plan', '--format', 'svg']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('shutdown-lint: --format svg: unknown plan format. Use text or mermaid.\n');
  });
});

describe('shutdown-lint plan on the demo service', () => {
  it('shows its Dockerfile and Kubernetes manifest: npm loses SIGTERM, and what main.ts would have closed', () => {
    const run = cli(repoRoot, ['plan', 'fixtures/demo-service']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Deployment/orders container orders (Kubernetes)  fixtures/demo-service/k8s/deployment.yaml:16',
    );
    expect(run.stdout).toContain(
      'main process: npm start ["node dist/main.js"] → sh -c (dash) → node dist/main.js (fixtures/demo-service/src/main.ts)',
    );
    expect(run.stdout).toContain('✗ SIGTERM (Kubernetes default) to npm: never reaches node (deploy/no-wrapper-pid1)');
    expect(run.stdout).toContain('server.close()  (fixtures/demo-service/src/main.ts:15)');
    expect(run.stdout).toContain('fixtures/demo-service/src/metrics.ts has no signal handler');
  });
});
