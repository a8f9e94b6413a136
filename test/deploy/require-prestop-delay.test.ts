import { describe, expect, it } from 'vitest';
import { analyseFixture, lintDeploy, shape } from './support.js';

const rule = 'deploy/require-prestop-delay';

describe(rule, () => {
  it('reports containers that serve traffic and close at once, on the readinessProbe or the ports', () => {
    expect(shape(lintDeploy('prestop').reported, rule)).toEqual(['k8s/api.yaml:14 warn', 'k8s/api.yaml:21 warn']);
    const api = lintDeploy('prestop').reported.find((r) => r.rule === rule)!;
    expect(api.message).toContain('serves traffic (readinessProbe)');
    expect(api.related).toEqual([{ file: 'src/server.js', line: 7 }]);
  });

  it('stays quiet with a preStop, an in-code delay, no probe or port, a CronJob, and a Helm template', () => {
    const files = new Set(
      lintDeploy('prestop')
        .reported.filter((r) => r.rule === rule)
        .map((r) => r.file),
    );
    expect([...files]).toEqual(['k8s/api.yaml']);
    const { analysis } = analyseFixture('prestop');
    // The Helm template is read (its container is a unit), with a note, and not asked for a preStop.
    const helm = analysis.units.find((u) => u.unit.file.path.endsWith('chart/templates/deployment.yaml'))!;
    expect(helm.unit.templated).toBe(true);
    expect(helm.unit.servesTraffic?.what).toBe('readinessProbe');
    expect(analysis.notes.map((n) => n.note)).toEqual([expect.stringContaining('Helm template')]);
    // The in-code delay is read from the handler.
    const delayed = analysis.units.find((u) => u.unit.name.endsWith('delayed-in-code'))!;
    expect(delayed.facts?.preCloseDelay?.ms).toBe(5000);
  });
});
