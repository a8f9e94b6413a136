import { describe, expect, it } from 'vitest';
import { lintDeploy, shape } from './support.js';

const rule = 'deploy/prod-uses-dev-runner';

describe(rule, () => {
  it('reports nodemon through npm start, tsx watch, node --watch and ts-node in production', () => {
    expect(shape(lintDeploy('runners').reported, rule)).toEqual([
      'Dockerfile:4 warn',
      'k8s/deployment.yaml:12 warn',
      'tsx.Dockerfile:4 warn',
      'watch.Dockerfile:4 warn',
    ]);
    const npm = lintDeploy('runners').reported.find((r) => r.rule === rule && r.file === 'Dockerfile')!;
    expect(npm.message).toContain('`nodemon src/server.js` (through `npm start`, script "start")');
  });

  it('stays quiet on Dockerfile.dev and compose.dev.yml (§5.3 14)', () => {
    const files = new Set(lintDeploy('runners').reported.map((r) => r.file));
    expect(files.has('Dockerfile.dev')).toBe(false);
    expect(files.has('compose.dev.yml')).toBe(false);
  });
});
