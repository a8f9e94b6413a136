// A Dockerfile's final stage as the image it builds, and as a unit of its own (`docker run`,
// 10 s) when no compose service or manifest found with it runs that image.
import { basename } from 'node:path';
import type { BuiltImage } from '../images.js';
import { normalizeSignal, platformDefaults } from '../platforms.js';
import type { DeployFile } from '../source.js';
import type { DeployUnit } from '../units.js';
import { launchOfStage, readDockerfile } from './dockerfile.js';

/** `Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`, `NodeDockerfile`, `Containerfile` (not `.dockerignore` or `Dockerfile.md`). */
export function isDockerfileName(name: string): boolean {
  if (name.startsWith('.') || /\.dockerignore$/i.test(name)) return false;
  // `dockerfile_validator.go`, `Dockerfile.md`: source and docs about Dockerfiles, not Dockerfiles.
  if (/\.(md|txt|ya?ml|json|sh|[cm]?[jt]sx?|go|py|rb|rs|java|kt|php|cs|snap|ignore|bak|orig|swp|tmpl|j2)$/i.test(name))
    return false;
  return (
    /(^|[._-])(Dockerfile|Containerfile)([._-]|$)/i.test(name) || /^[A-Za-z0-9]+(Dockerfile|Containerfile)$/i.test(name)
  );
}

/** `Dockerfile.dev`, `test.Dockerfile`, `Dockerfile.e2e` (§5.3 14). */
export function isDevName(name: string): boolean {
  return /(^|[.-])(dev|development|local|test|tests|ci|e2e|debug)([.-]|$)/i.test(
    name.replace(/^(Dockerfile|Containerfile)/i, 'x'),
  );
}

/**
 * A path, relative to the folder the run was pointed at, under test/, e2e/, examples/, fixtures/,
 * .devcontainer/ or .github/ (§5.3 14): not production. Pointing the run at such a folder itself
 * checks it as production.
 */
export function isInDevDirectory(relativePath: string): boolean {
  return /(^|[\\/])(test|tests|__tests__|testdata|e2e|examples?|samples?|fixtures|__fixtures__|\.devcontainer|\.github)[\\/]/.test(
    relativePath,
  );
}

export function readImage(file: DeployFile): BuiltImage | undefined {
  const stages = readDockerfile(file);
  const stage = stages.find((s) => s.isFinal);
  if (!stage) return undefined;
  return { file, stage, stages, launch: launchOfStage(file, stage), production: !isDevName(basename(file.path)) };
}

/** The image of one stage (`build: { target: backend }`, `docker build --target`). */
export function stageImage(image: BuiltImage, target: string): BuiltImage | undefined {
  const stage = image.stages.find((s) => s.name?.toLowerCase() === target.toLowerCase());
  return stage ? { ...image, stage, launch: launchOfStage(image.file, stage) } : undefined;
}

export function dockerRunUnit(image: BuiltImage): DeployUnit {
  const { file, stage } = image;
  const defaults = platformDefaults.docker;
  const unit: DeployUnit = {
    platform: 'docker',
    name: `${basename(file.path)} (final stage${stage.name ? ` ${stage.name}` : ''})`,
    file,
    span: image.launch?.span ?? stage.span,
    production: image.production,
    grace: { value: defaults.graceSeconds, key: '--stop-timeout' },
    stopSignal: stage.stopSignal
      ? { value: normalizeSignal(stage.stopSignal.value), span: stage.stopSignal.span, key: 'STOPSIGNAL' }
      : { value: defaults.signal, key: 'STOPSIGNAL' },
    image: stage.image,
    env: new Map(stage.env),
    notes: [
      `run with docker run / docker stop (grace ${defaults.graceSeconds} s); no compose file or manifest found runs this image`,
    ],
  };
  if (image.launch) unit.launch = image.launch;
  return unit;
}
