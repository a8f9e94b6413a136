// render.yaml: each service's startCommand, maxShutdownDelaySeconds (default 30, 1–300), envVars.
import { dirname, resolve } from 'node:path';
import type { BuiltImage } from '../images.js';
import { projectRoot } from '../process-chain.js';
import { platformDefaults } from '../platforms.js';
import type { DeployFile, Span } from '../source.js';
import type { DeployUnit, Launch } from '../units.js';
import { itemsOf, nodeAt, readYaml, scalarAt, spanOfKey, splitWords } from './yaml.js';

export function readRender(file: DeployFile, images: readonly BuiltImage[]): DeployUnit[] {
  const units: DeployUnit[] = [];
  const defaults = platformDefaults.render;
  for (const { document } of readYaml(file)) {
    for (const service of itemsOf(nodeAt(document.contents, 'services'))) {
      const type = String(scalarAt(service, 'type') ?? 'web');
      if (type === 'redis' || type === 'keyvalue' || type === 'static') continue;
      const name = String(scalarAt(service, 'name') ?? '?');
      const span = spanOfKey(file, service, 'name')!;
      const start = scalarAt(service, 'startCommand') ?? scalarAt(service, 'dockerCommand');
      // A Docker-runtime service builds `dockerfilePath`, by default ./Dockerfile, from the repo root
      // (render.yaml's folder); native runtimes (node, …) build no image of the project's.
      const runtime = scalarAt(service, 'runtime') ?? scalarAt(service, 'env');
      const dockerfilePath = scalarAt(service, 'dockerfilePath') ?? (runtime === 'docker' ? './Dockerfile' : undefined);
      const dockerfile = typeof dockerfilePath === 'string' ? resolve(dirname(file.path), dockerfilePath) : undefined;
      const image = dockerfile ? images.find((i) => i.file.path === dockerfile) : undefined;
      let launch: Launch | undefined = image?.launch;
      if (typeof start === 'string') {
        const key = scalarAt(service, 'startCommand') !== undefined ? 'startCommand' : 'dockerCommand';
        launch = {
          argv: splitWords(start),
          shellForm: false,
          span: spanOfKey(file, service, key)!,
          source: key,
          cwd: projectRoot(dirname(file.path)),
        };
      }
      const grace = scalarAt(service, 'maxShutdownDelaySeconds');
      const env = new Map<string, { value: string; span: Span }>(image?.stage.env ?? []);
      for (const entry of itemsOf(nodeAt(service, 'envVars'))) {
        const key = scalarAt(entry, 'key');
        const value = scalarAt(entry, 'value');
        if (typeof key === 'string' && value !== undefined)
          env.set(key, { value: String(value), span: spanOfKey(file, entry, 'value')! });
      }
      const unit: DeployUnit = {
        platform: 'render',
        name: `Render service ${name}`,
        file,
        span,
        production: true,
        grace:
          typeof grace === 'number'
            ? {
                value: grace,
                span: spanOfKey(file, service, 'maxShutdownDelaySeconds')!,
                key: 'maxShutdownDelaySeconds',
              }
            : { value: defaults.graceSeconds, key: 'maxShutdownDelaySeconds' },
        stopSignal: { value: defaults.signal, key: 'Render stop signal (fixed)' },
        env,
        notes: [],
        ...(type === 'web' ? { servesTraffic: { span, what: 'web service' } } : {}),
      };
      if (launch) unit.launch = launch;
      if (image) {
        unit.image = image.stage.image;
        unit.imageFile = image.file.path;
      }
      units.push(unit);
    }
  }
  return units;
}
