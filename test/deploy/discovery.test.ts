// Which files are platform files, which count as production, and which stage a compose target runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverDeployFiles, stripHelmTemplate } from '../../src/core/deploy/discovery.js';
import { analyseFixture, deployFixture, lintDeploy } from './support.js';

describe('discovery', () => {
  it('finds Dockerfiles by name (NodeDockerfile, *.Dockerfile), not Go sources or .dockerignore files, and skips node_modules', () => {
    const dir = deployFixture('discovery');
    // node_modules is not in git: make one here.
    mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'dep', 'Dockerfile'), 'FROM node:22-slim\nCMD node index.js\n');
    expect(discoverDeployFiles(dir, ['.']).map((f) => `${f.kind} ${relative(dir, f.path)}`)).toEqual([
      'dockerfile NodeDockerfile',
      'compose compose.yaml',
      'dockerfile multi.Dockerfile',
      'dockerfile testdata/Dockerfile',
    ]);
  });

  it('does not count testdata/ as production, and runs the stage a compose target names', () => {
    const { analysis } = analyseFixture('discovery');
    expect(
      analysis.units
        .filter((u) => !u.unit.production)
        .map((u) => relative(deployFixture('discovery'), u.unit.file.path)),
    ).toEqual(['testdata/Dockerfile']);
    const api = analysis.units.find((u) => u.unit.name === 'service api')!;
    expect(api.chain?.node?.words).toEqual(['node', 'src/server.js']);
    // The compose service runs multi.Dockerfile's `api` stage, so the file is not also checked as `docker run` of its last stage.
    expect(lintDeploy('discovery').reported.map((r) => `${r.file}:${r.line} ${r.rule}`)).toEqual([
      'NodeDockerfile:4 deploy/no-shell-wrapped-node',
    ]);
  });

  it('blanks Helm template actions without moving a line or a column', () => {
    const template = 'metadata:\n  name: {{ include "x" . }}\n  {{- with .Values.a }}\nspec: 1\n';
    const stripped = stripHelmTemplate(template);
    expect(stripped.split('\n').map((l) => l.length)).toEqual(template.split('\n').map((l) => l.length));
    expect(stripped).toContain('spec: 1');
    expect(stripped).not.toContain('{{');
  });
});

describe('images built here', () => {
  it('matches an image reference to the Dockerfile folder it names, with a prefix (`examplevotingapp_result`, `orders-api`)', async () => {
    const { imageForReference } = await import('../../src/core/deploy/images.js');
    const image = (folder: string) =>
      ({ file: { path: `/repo/${folder}/Dockerfile`, text: '' }, production: true }) as never;
    const images = [image('result'), image('vote'), image('worker')];
    expect(imageForReference(images, 'dockersamples/examplevotingapp_result:latest')?.image).toBe(images[0]);
    expect(imageForReference(images, 'registry.example.com/team-vote:1.2')?.image).toBe(images[1]);
    expect(imageForReference(images, 'node:22-slim')).toBeUndefined();
    expect(imageForReference(images, 'registry.example.com/other:1')).toBeUndefined();
  });
});
