import { describe, expect, it } from 'vitest';
import { lintDeploy, shape } from './support.js';

const rule = 'deploy/stop-signal-mismatch';

describe(rule, () => {
  it('reports stop signals the code does not handle, on every platform that can send one', () => {
    expect(shape(lintDeploy('signals').reported, rule)).toEqual([
      'Dockerfile:4 error',
      'api.service:7 error',
      'compose.yaml:5 error',
      'ecosystem.config.cjs:3 error',
      'fly/fly.toml:1 error',
      'k8s/deployment.yaml:15 error',
    ]);
  });

  it("names the platform's default when the file sets no signal, and what the signal does", () => {
    const reported = lintDeploy('signals').reported;
    const fly = reported.find((r) => r.file === 'fly/fly.toml')!;
    expect(fly.message).toContain('sets no `kill_signal`, so Fly.io sends SIGINT');
    expect(fly.message).toContain("SIGINT's default action ends the process at once");
    expect(fly.related).toEqual([{ file: 'fly/src/server.js', line: 7 }]);
    const docker = reported.find((r) => r.file === 'Dockerfile')!;
    expect(docker.message).toContain('As PID 1, node ignores a signal it has no handler for, so the stop waits 10 s');
  });

  it('stays quiet on the units whose code handles the signal, and leaves PID 1 to one finding', () => {
    const reported = lintDeploy('signals').reported;
    expect(reported.filter((r) => r.file === 'compose.yaml').map((r) => `${r.line} ${r.rule}`)).toEqual([`5 ${rule}`]);
    expect(reported.some((r) => r.file === 'Procfile')).toBe(false);
    // The Fly process `both` and the PM2 app `both` handle SIGINT.
    expect(reported.filter((r) => r.file === 'fly/fly.toml')).toHaveLength(1);
    expect(reported.filter((r) => r.file === 'ecosystem.config.cjs' && r.rule === rule)).toHaveLength(1);
    expect(reported.filter((r) => r.rule === 'deploy/require-handler-as-pid1')).toEqual([]);
  });
});
