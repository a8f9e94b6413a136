// ECS task definitions (JSON, read with `yaml`, which keeps positions): containerDefinitions[]
// with entryPoint/command (exec form), stopTimeout (default 30 s), environment, initProcessEnabled.
import { dirname } from 'node:path';
import { baseImageOf } from '../base-image.js';
import { projectRoot } from '../process-chain.js';
import { imageForReference, type BuiltImage } from '../images.js';
import { normalizeSignal, platformDefaults } from '../platforms.js';
import type { DeployFile, Span } from '../source.js';
import type { DeployUnit, Launch } from '../units.js';
import { itemsOf, nodeAt, readYaml, scalarAt, spanOfKey, stringsAt } from './yaml.js';

export function isEcsName(name: string): boolean {
  return /task-?def(inition)?.*\.json$/i.test(name);
}

export function readEcs(file: DeployFile, images: readonly BuiltImage[]): DeployUnit[] {
  const units: DeployUnit[] = [];
  const defaults = platformDefaults.ecs;
  for (const { document } of readYaml(file)) {
    const root = nodeAt(document.contents, 'taskDefinition') ?? document.contents;
    for (const container of itemsOf(nodeAt(root, 'containerDefinitions'))) {
      const name = String(scalarAt(container, 'name') ?? '?');
      const span = spanOfKey(file, container, 'name')!;
      const imageRef = String(scalarAt(container, 'image') ?? '');
      const built = imageForReference(images, imageRef);
      const entryPoint = stringsAt(nodeAt(container, 'entryPoint'));
      const command = stringsAt(nodeAt(container, 'command'));
      let launch: Launch | undefined = built?.image.launch;
      if (entryPoint || command) {
        const key = command ? 'command' : 'entryPoint';
        launch = {
          argv: [...(entryPoint ?? built?.image.stage.entrypoint?.words ?? []), ...(command ?? [])],
          shellForm: false,
          span: spanOfKey(file, container, key)!,
          source: key,
          cwd: built ? dirname(built.image.file.path) : projectRoot(dirname(file.path)),
          ...(built?.image.stage.workdir ? { workdir: built.image.stage.workdir } : {}),
        };
      }
      const stopTimeout = scalarAt(container, 'stopTimeout');
      const env = new Map<string, { value: string; span: Span }>(built?.image.stage.env ?? []);
      for (const entry of itemsOf(nodeAt(container, 'environment'))) {
        const key = scalarAt(entry, 'name');
        const value = scalarAt(entry, 'value');
        if (typeof key === 'string' && value !== undefined)
          env.set(key, { value: String(value), span: spanOfKey(file, entry, 'value')! });
      }
      const stop = built?.image.stage.stopSignal;
      const unit: DeployUnit = {
        platform: 'ecs',
        name: `ECS container ${name}`,
        file,
        span,
        production: true,
        grace:
          typeof stopTimeout === 'number'
            ? { value: stopTimeout, span: spanOfKey(file, container, 'stopTimeout')!, key: 'stopTimeout' }
            : { value: defaults.graceSeconds, key: 'stopTimeout' },
        stopSignal: stop
          ? { value: normalizeSignal(stop.value), span: stop.span, key: 'STOPSIGNAL' }
          : { value: defaults.signal, key: 'STOPSIGNAL' },
        env,
        notes: built ? [`image ${imageRef} read as the one ${built.image.file.path} builds`] : [],
      };
      if (launch) unit.launch = launch;
      if (built) unit.imageFile = built.image.file.path;
      const image = built?.image.stage.image ?? (imageRef ? baseImageOf(imageRef) : undefined);
      if (image) unit.image = image;
      if (scalarAt(container, 'linuxParameters', 'initProcessEnabled') === true) {
        unit.init = {
          name: 'initProcessEnabled',
          span: spanOfKey(file, nodeAt(container, 'linuxParameters'), 'initProcessEnabled')!,
        };
      }
      const ports = spanOfKey(file, container, 'portMappings');
      if (ports) unit.servesTraffic = { span: ports, what: 'portMappings' };
      units.push(unit);
    }
  }
  return units;
}
