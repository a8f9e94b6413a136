import { describe, expect, it } from 'vitest';
import { analyseFixture, lintDeploy, shape } from './support.js';

const rule = 'deploy/no-wrapper-pid1';

describe(rule, () => {
  it('reports the wrappers that lose or cut the signal, by wrapper, version and shell', () => {
    expect(shape(lintDeploy('wrappers').reported, rule)).toEqual([
      'fly/fly.toml:6 error',
      'npm/Dockerfile:4 error',
      'npm/k8s/deployment.yaml:11 error',
      'npm/stage-arg-slim.Dockerfile:11 error',
      'npm/tini.Dockerfile:6 error',
      'pm2/Dockerfile:5 error',
      'pnpm-unpinned/Dockerfile:4 warn',
      'pnpm10/Dockerfile:4 error',
      'workspace/packages/api/Dockerfile:4 error',
      'yarn1/Dockerfile:4 error',
    ]);
  });

  it('says what the wrapper does, the script it runs and where the handler is', () => {
    const npm = lintDeploy('wrappers').reported.find((r) => r.file === 'npm/Dockerfile')!;
    expect(npm.message).toContain('`npm start` (script "start": `node src/server.js`)');
    expect(npm.message).toContain('dash in node:22-slim exits without passing it on');
    expect(npm.message).toContain('npm/src/server.js:6');
    expect(npm.message).toContain('Use CMD ["node", "src/server.js"]');
    expect(npm.related).toEqual([{ file: 'npm/src/server.js', line: 6 }]);
    const tini = lintDeploy('wrappers').reported.find((r) => r.file === 'npm/tini.Dockerfile')!;
    expect(tini.message).toContain('An init in front does not fix this');
    expect(lintDeploy('wrappers').reported.find((r) => r.file === 'yarn1/Dockerfile')!.message).toContain(
      'yarnpkg/yarn#4667',
    );
    // A workspace pins its package manager in the root package.json.
    expect(
      lintDeploy('wrappers').reported.find((r) => r.file === 'workspace/packages/api/Dockerfile')!.message,
    ).toContain('pnpm 10.34.9 passes SIGTERM only');
  });

  it('stays quiet on yarn berry, pnpm 12, pm2-runtime, Heroku and systemd control-group', () => {
    const files = new Set(
      lintDeploy('wrappers')
        .reported.filter((r) => r.rule === rule)
        .map((r) => r.file),
    );
    // pnpm10/compose.yaml runs `pnpm exec prisma migrate deploy`: a tool, not the node app.
    for (const quiet of [
      'berry/Dockerfile',
      'pnpm12/Dockerfile',
      'pm2/runtime.Dockerfile',
      'npm/Procfile',
      'npm/api.service',
      'npm/alpine.Dockerfile',
      // The final stage is FROM build_${BUILD_ENV}, ARG BUILD_ENV=git: build_git is on Alpine.
      'npm/stage-arg.Dockerfile',
      'pnpm10/compose.yaml',
      // A one-shot Job, stopped only when deleted: nothing to drain.
      'npm/k8s/job.yaml',
      // ghcr.io/acme/orders is the alpine image the package @acme/orders builds (busybox execs).
      'named/k8s/deployment.yaml',
    ]) {
      expect(files.has(quiet), quiet).toBe(false);
    }
  });

  it('notes npm on Alpine at info level: it works only because busybox execs', () => {
    const { findings } = analyseFixture('wrappers');
    const alpine = findings.find((f) => f.ruleId === rule && f.span.file.path.endsWith('npm/alpine.Dockerfile'))!;
    expect(alpine.severity).toBe('info');
    expect(alpine.message).toContain('works only because busybox ash in node:22-alpine execs');
  });

  it("follows a FROM that names its stage through a build argument to that stage's base image", () => {
    // `FROM build_${BUILD_ENV}` with `ARG BUILD_ENV=git` before the first FROM: the stage build_git,
    // FROM build, on node:22-alpine (busybox execs the script) or node:22-slim (dash does not).
    const { findings } = analyseFixture('wrappers');
    const at = (file: string) => findings.find((f) => f.ruleId === rule && f.span.file.path.endsWith(file))!;
    expect(at('npm/stage-arg.Dockerfile').severity).toBe('info');
    expect(at('npm/stage-arg.Dockerfile').message).toContain('busybox ash in node:22-alpine execs');
    expect(at('npm/stage-arg-slim.Dockerfile').severity).toBe('error');
    expect(at('npm/stage-arg-slim.Dockerfile').message).toContain('dash in node:22-slim exits without passing it on');
  });

  it('does not say an image of unknown shell drops the signal: an unpinned pnpm there is a warning', () => {
    const unpinned = lintDeploy('wrappers').reported.find((r) => r.file === 'pnpm-unpinned/Dockerfile')!;
    expect(unpinned.severity).toBe(1);
    expect(unpinned.message).toContain(
      'whether an unknown /bin/sh in registry.example.com/acme/node-base:3 passes it on is not known here',
    );
    expect(unpinned.message).not.toContain('does not pass on');
  });

  describe('on ECS and Render', () => {
    const at = (fixture: string) =>
      lintDeploy(`platforms/${fixture}`)
        .reported.filter((r) => r.rule === rule)
        .map((r) => `${r.file}:${r.line} ${r.severity === 2 ? 'error' : 'warn'}`);

    it('reports `npm start` as the main process of an ECS container at its `command`, quiet on node', () => {
      expect(at('ecs')).toEqual(['task-definition.json:19 error']);
      expect(lintDeploy('platforms/ecs').reported.find((r) => r.rule === rule)!.message).toContain(
        'main process on ECS',
      );
    });

    it('reports `npm start` as a Render `startCommand` or `dockerCommand`, quiet on `node src/server.js`', () => {
      // The native runtime's /bin/sh is not known: a warning; the Docker runtime's is dash: an error.
      expect(at('render')).toEqual(['render.yaml:10 warn', 'render.yaml:32 error']);
      expect(lintDeploy('platforms/render').reported.find((r) => r.rule === rule)!.message).toContain(
        'main process on Render',
      );
    });
  });
});
