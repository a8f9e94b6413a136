// Docker Compose services: stop_grace_period (default 10 s), stop_signal, init, command and
// entrypoint (a string is split into words, not run through a shell), build or image, ports.
import { basename, dirname } from 'node:path';
import { baseImageOf } from '../base-image.js';
import { projectRoot } from '../process-chain.js';
import { imageForBuild, imageForReference, type BuiltImage } from '../images.js';
import { stageImage } from './docker.js';
import { normalizeSignal, parseDuration, platformDefaults } from '../platforms.js';
import type { DeployFile, Span } from '../source.js';
import type { DeployUnit, Launch } from '../units.js';
import { entriesOf, itemsOf, nodeAt, readYaml, scalarAt, spanOfKey, spanOfNode, stringsAt } from './yaml.js';
import { isMap, isScalar } from 'yaml';

export function isComposeName(name: string): boolean {
  return /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/.test(name);
}

/** `compose.dev.yml`, `docker-compose.override.yml`, `compose.test.yaml`: not production (§5.3 14). */
function isDevCompose(name: string): boolean {
  return /[.-](dev|development|local|test|ci|e2e|override)[.-]/.test(name);
}

export function readCompose(file: DeployFile, images: readonly BuiltImage[]): DeployUnit[] {
  const units: DeployUnit[] = [];
  const defaults = platformDefaults.compose;
  const dir = dirname(file.path);
  for (const { document } of readYaml(file)) {
    const services = nodeAt(document.contents, 'services');
    for (const [name, service] of entriesOf(services)) {
      const span = spanOfKey(file, services, name)!;
      const keySpan: Span = { file, start: span.start, end: span.start + name.length };
      const build = nodeAt(service, 'build');
      const imageRef = String(scalarAt(service, 'image') ?? '');
      const target = isMap(build) ? scalarAt(build, 'target') : undefined;
      const dockerfileImage = build
        ? imageForBuild(
            images,
            dir,
            isScalar(build) ? String(build.value) : String(scalarAt(build, 'context') ?? '.'),
            isMap(build) ? (scalarAt(build, 'dockerfile') as string | undefined) : undefined,
          )
        : undefined;
      // `target:` builds that stage, not the last one.
      const built =
        dockerfileImage && typeof target === 'string'
          ? (stageImage(dockerfileImage, target) ?? dockerfileImage)
          : dockerfileImage;
      const byName = !built && imageRef ? imageForReference(images, imageRef) : undefined;
      const image = built ?? byName?.image;
      const command = stringsAt(nodeAt(service, 'command'));
      const entrypoint = stringsAt(nodeAt(service, 'entrypoint'));
      let launch: Launch | undefined;
      if (command || entrypoint) {
        const ep = entrypoint ?? image?.stage.entrypoint?.words ?? [];
        const cmd = command ?? (entrypoint ? [] : (image?.stage.cmd?.words ?? []));
        const key = command ? 'command' : 'entrypoint';
        launch = {
          argv: [...ep, ...cmd],
          shellForm: false,
          span: spanOfKey(file, service, key)!,
          source: key,
          cwd: image ? dirname(image.file.path) : projectRoot(dir),
          ...(image?.stage.workdir ? { workdir: image.stage.workdir } : {}),
        };
      } else if (image?.launch) {
        launch = image.launch;
      }
      const graceSpan = spanOfKey(file, service, 'stop_grace_period');
      const grace = parseDuration(scalarAt(service, 'stop_grace_period'));
      const signal = scalarAt(service, 'stop_signal');
      const env = new Map<string, { value: string; span: Span }>(image?.stage.env ?? []);
      const environment = nodeAt(service, 'environment');
      for (const [key, value] of entriesOf(environment))
        if (isScalar(value)) env.set(key, { value: String(value.value), span: spanOfNode(file, value)! });
      for (const item of itemsOf(environment)) {
        const text = isScalar(item) ? String(item.value) : '';
        const eq = text.indexOf('=');
        if (eq > 0) env.set(text.slice(0, eq), { value: text.slice(eq + 1), span: spanOfNode(file, item)! });
      }
      const unit: DeployUnit = {
        platform: 'compose',
        name: `service ${name}`,
        file,
        span: keySpan,
        production: !isDevCompose(basename(file.path)) && (!built || built.production || target !== undefined),
        grace:
          grace !== undefined && graceSpan
            ? { value: grace, span: graceSpan, key: 'stop_grace_period' }
            : { value: defaults.graceSeconds, key: 'stop_grace_period' },
        stopSignal:
          typeof signal === 'string'
            ? { value: normalizeSignal(signal), span: spanOfKey(file, service, 'stop_signal')!, key: 'stop_signal' }
            : image?.stage.stopSignal
              ? {
                  value: normalizeSignal(image.stage.stopSignal.value),
                  span: image.stage.stopSignal.span,
                  key: 'STOPSIGNAL',
                }
              : { value: defaults.signal, key: 'stop_signal' },
        env,
        notes: byName ? [`image ${imageRef} read as the one ${byName.image.file.path} builds`] : [],
      };
      if (launch) unit.launch = launch;
      if (image) unit.imageFile = image.file.path;
      const base = image?.stage.image ?? (imageRef ? baseImageOf(imageRef) : undefined);
      if (base) unit.image = base;
      if (scalarAt(service, 'init') === true)
        unit.init = { name: 'init: true', span: spanOfKey(file, service, 'init')! };
      const ports = spanOfKey(file, service, 'ports');
      if (ports) unit.servesTraffic = { span: ports, what: 'ports' };
      units.push(unit);
    }
  }
  return units;
}
