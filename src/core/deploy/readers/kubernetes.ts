// Kubernetes workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod): one
// unit per container, all sharing the pod's terminationGracePeriodSeconds (research §1.1, §5.3 13).
import { dirname } from 'node:path';
import { baseImageOf } from '../base-image.js';
import { projectRoot } from '../process-chain.js';
import { imageForReference, type BuiltImage } from '../images.js';
import { normalizeSignal, platformDefaults } from '../platforms.js';
import type { DeployFile, Span } from '../source.js';
import type { DeployUnit, Launch } from '../units.js';
import { itemsOf, nodeAt, readYaml, scalarAt, spanOfKey, spanOfNode, stringsAt } from './yaml.js';

const podPaths: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

export function isKubernetesYaml(text: string): boolean {
  return (
    /^apiVersion:/m.test(text) && /^kind:\s*(Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob|Pod)\b/m.test(text)
  );
}

/** Seconds of a preStop: `sleep.seconds`, or `exec: [sh, -c, "sleep 10"]`; httpGet has no known duration. */
function preStopOf(file: DeployFile, container: unknown): DeployUnit['preStop'] {
  const preStop = nodeAt(container, 'lifecycle', 'preStop');
  const span = spanOfKey(file, nodeAt(container, 'lifecycle'), 'preStop');
  if (!preStop || !span) return undefined;
  const sleep = scalarAt(preStop, 'sleep', 'seconds');
  if (typeof sleep === 'number') return { seconds: sleep, span, what: `preStop sleep ${sleep} s` };
  const command = stringsAt(nodeAt(preStop, 'exec', 'command'));
  if (command) {
    const match = /(?:^|[\s;&|])sleep\s+(\d+(?:\.\d+)?)s?\b/.exec(command.join(' '));
    if (match) return { seconds: Number(match[1]), span, what: `preStop exec sleep ${match[1]} s` };
    return { seconds: undefined, span, what: 'preStop exec (duration unknown)' };
  }
  return {
    seconds: undefined,
    span,
    what: nodeAt(preStop, 'httpGet') ? 'preStop httpGet (duration unknown)' : 'preStop (duration unknown)',
  };
}

export function readKubernetes(file: DeployFile, images: readonly BuiltImage[], templated: boolean): DeployUnit[] {
  const units: DeployUnit[] = [];
  const defaults = platformDefaults.kubernetes;
  for (const { document } of readYaml(file)) {
    const root = document.contents;
    const kind = scalarAt(root, 'kind');
    if (typeof kind !== 'string' || !podPaths[kind]) continue;
    const pod = nodeAt(root, ...podPaths[kind]!);
    if (!pod) continue;
    const workload = `${kind}/${String(scalarAt(root, 'metadata', 'name') ?? '?')}`;
    const graceValue = scalarAt(pod, 'terminationGracePeriodSeconds');
    const graceSpan = spanOfKey(file, pod, 'terminationGracePeriodSeconds');
    for (const container of itemsOf(nodeAt(pod, 'containers'))) {
      const name = String(scalarAt(container, 'name') ?? '?');
      const span = spanOfKey(file, container, 'name') ?? spanOfNode(file, container)!;
      const imageRef = String(scalarAt(container, 'image') ?? '');
      const built = imageForReference(images, imageRef);
      const notes: string[] = [];
      if (built) notes.push(`image ${imageRef} read as the one ${built.image.file.path} builds`);
      if (templated) notes.push('Helm template: values set by template actions are unknown');
      const command = stringsAt(nodeAt(container, 'command'));
      const args = stringsAt(nodeAt(container, 'args'));
      let launch: Launch | undefined;
      const cwd = projectRoot(dirname(file.path));
      if (command || args) {
        const entrypoint = command ?? built?.image.stage.entrypoint?.words ?? [];
        const argv = [...entrypoint, ...(command && !args ? [] : (args ?? []))];
        const at = spanOfKey(file, container, command ? 'command' : 'args')!;
        const imageLaunch = built?.image.launch;
        launch = {
          argv,
          shellForm: false,
          span: at,
          source: command ? 'command' : 'args',
          cwd: imageLaunch?.cwd ?? cwd,
          ...(built?.image.stage.workdir ? { workdir: built.image.stage.workdir } : {}),
        };
      } else if (built?.image.launch) {
        launch = built.image.launch;
      }
      const stopSignalValue = scalarAt(container, 'lifecycle', 'stopSignal');
      const imageStop = built?.image.stage.stopSignal;
      const env = new Map<string, { value: string; span: Span }>(built?.image.stage.env ?? []);
      for (const entry of itemsOf(nodeAt(container, 'env'))) {
        const key = scalarAt(entry, 'name');
        const value = scalarAt(entry, 'value');
        if (typeof key === 'string' && value !== undefined && value !== null)
          env.set(key, { value: String(value), span: spanOfNode(file, entry)! });
      }
      const readiness = spanOfKey(file, container, 'readinessProbe');
      const ports = spanOfKey(file, container, 'ports');
      const unit: DeployUnit = {
        platform: 'kubernetes',
        name: `${workload} container ${name}`,
        file,
        span,
        production: true,
        grace:
          typeof graceValue === 'number' && graceSpan
            ? { value: graceValue, span: graceSpan, key: 'terminationGracePeriodSeconds' }
            : {
                value: graceSpan || templated ? Number.NaN : defaults.graceSeconds,
                ...(graceSpan ? { span: graceSpan } : {}),
                key: 'terminationGracePeriodSeconds',
              },
        stopSignal:
          typeof stopSignalValue === 'string'
            ? {
                value: normalizeSignal(stopSignalValue),
                span: spanOfKey(file, nodeAt(container, 'lifecycle'), 'stopSignal')!,
                key: 'lifecycle.stopSignal',
              }
            : imageStop
              ? { value: normalizeSignal(imageStop.value), span: imageStop.span, key: 'STOPSIGNAL' }
              : { value: defaults.signal, key: 'STOPSIGNAL' },
        env,
        notes,
        ...(kind === 'Job' || kind === 'CronJob' ? { runsToCompletion: true } : {}),
        ...(templated ? { templated: true } : {}),
      };
      const preStop = preStopOf(file, container);
      if (preStop) unit.preStop = preStop;
      if (launch) unit.launch = launch;
      if (built) unit.imageFile = built.image.file.path;
      const image = built?.image.stage.image ?? (imageRef ? baseImageOf(imageRef) : undefined);
      if (image) unit.image = image;
      if (readiness) unit.servesTraffic = { span: readiness, what: 'readinessProbe' };
      else if (ports) unit.servesTraffic = { span: ports, what: 'ports' };
      if (templated && !readiness && !preStop)
        unit.notes.push('Helm template: a preStop or probe may come from a template action');
      units.push(unit);
    }
  }
  return units;
}
