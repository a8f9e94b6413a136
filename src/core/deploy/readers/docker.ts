// A Dockerfile's final stage as the image it builds, and as a unit of its own (`docker run`,
// 10 s) when no compose service or manifest found with it runs that image.
import { basename } from 'node:path';
import type { BuiltImage } from '../images.js';
import { normalizeSignal, platformDefaults } from '../platforms.js';
import type { DeployFile } from '../source.js';
import type { DeployUnit } from '../units.js';
import { launchOfStage, readDockerfile } from './dockerfile.js';

export function isDockerfileName(name: string): boolean {
  return /^(Dockerfile|Containerfile)([.-][\w.-]+)?$/i.test(name) || /\.(Dockerfile|Containerfile)$/i.test(name);
}

/** `Dockerfile.dev`, `test.Dockerfile`, `Dockerfile.e2e` (§5.3 14). */
export function isDevName(name: string): boolean {
  return /(^|[.-])(dev|development|local|test|tests|ci|e2e|debug)([.-]|$)/i.test(name.replace(/^(Dockerfile|Containerfile)/i, 'x'));
}

/**
 * A path, relative to the folder the run was pointed at, under test/, e2e/, examples/, fixtures/,
 * .devcontainer/ or .github/ (§5.3 14): not production. Pointing the run at such a folder itself
 * checks it as production.
 */
export function isInDevDirectory(relativePath: string): boolean {
  return /(^|[\\/])(test|tests|__tests__|e2e|examples?|fixtures|\.devcontainer|\.github)[\\/]/.test(relativePath);
}

export function readImage(file: DeployFile): BuiltImage | undefined {
  const stages = readDockerfile(file);
  const stage = stages.find((s) => s.isFinal);
  if (!stage) return undefined;
  return { file, stage, launch: launchOfStage(file, stage), production: !isDevName(basename(file.path)) };
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
    stopSignal: stage.stopSignal ? { value: normalizeSignal(stage.stopSignal.value), span: stage.stopSignal.span, key: 'STOPSIGNAL' } : { value: defaults.signal, key: 'STOPSIGNAL' },
    image: stage.image,
    env: new Map(stage.env),
    notes: [`run with docker run / docker stop (grace ${defaults.graceSeconds} s); no compose file or manifest found runs this image`],
  };
  if (image.launch) unit.launch = image.launch;
  return unit;
}
