import { describe, expect, it } from 'vitest';
import { lintDeploy, shape } from './support.js';

const rule = 'deploy/wrapper-caps-drain';

describe(rule, () => {
  it("reports PM2's kill_timeout, nodemon's 10 s and tsx watch's 5 s when the drain is longer", () => {
    expect(shape(lintDeploy('runners').reported, rule)).toEqual([
      'Dockerfile:4 error',
      'ecosystem.config.cjs:3 error',
      'ecosystem.config.cjs:5 error',
      'tsx.Dockerfile:4 error',
    ]);
  });

  it('names the default, the drain and its code location, and the value to set', () => {
    const reported = lintDeploy('runners').reported.filter((r) => r.rule === rule);
    const pm2 = reported.find((r) => r.file === 'ecosystem.config.cjs' && r.line === 3)!;
    expect(pm2.message).toContain(
      "SIGKILLs it after kill_timeout 1600 ms (default), before the app's drain 15 s (force-exit timer 15000 ms, src/server.js:8)",
    );
    expect(pm2.message).toContain('Set `kill_timeout: 17000`');
    expect(pm2.related).toEqual([{ file: 'src/server.js', line: 8 }]);
    expect(reported.find((r) => r.file === 'tsx.Dockerfile')!.message).toContain('the drain is cut at 5 s');
  });

  it('stays quiet when kill_timeout covers the drain, and for node --watch', () => {
    const reported = lintDeploy('runners').reported.filter((r) => r.rule === rule);
    // `roomy` (kill_timeout 20000) is on line 4.
    expect(reported.filter((r) => r.file === 'ecosystem.config.cjs').map((r) => r.line)).toEqual([3, 5]);
    expect(reported.some((r) => r.file === 'watch.Dockerfile')).toBe(false);
  });
});
