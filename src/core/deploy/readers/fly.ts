// fly.toml through toml-eslint-parser: kill_signal (default SIGINT per the config reference),
// kill_timeout (default 5 s), [env], [processes] (each replaces CMD), [[services]]/[http_service].
import { dirname, resolve } from 'node:path';
import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser';
import type { BuiltImage } from '../images.js';
import { projectRoot } from '../process-chain.js';
import { normalizeSignal, parseDuration, platformDefaults } from '../platforms.js';
import { firstLine, type DeployFile, type Span } from '../source.js';
import type { DeployUnit, Launch } from '../units.js';
import { splitWords } from './yaml.js';

function keyName(node: AST.TOMLKeyValue | AST.TOMLTable): string {
  return node.key.keys.map((k) => ('name' in k ? k.name : String(k.value))).join('.');
}

export function readFly(file: DeployFile, images: readonly BuiltImage[]): DeployUnit[] {
  const program = parseTOML(file.text);
  const top = program.body[0];
  if (!top) return [];
  const spans = new Map<string, Span>();
  const tables = new Map<string, AST.TOMLTable>();
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') spans.set(keyName(node), { file, start: node.range[0], end: node.range[1] });
    else {
      tables.set(keyName(node), node);
      for (const kv of node.body)
        spans.set(`${keyName(node)}.${keyName(kv)}`, { file, start: kv.range[0], end: kv.range[1] });
    }
  }
  const config = getStaticTOMLValue(program) as Record<string, unknown>;
  const defaults = platformDefaults.fly;
  const dir = dirname(file.path);
  // fly deploy builds `[build] dockerfile`, or the Dockerfile next to fly.toml.
  const build = config.build as { dockerfile?: string; image?: string } | undefined;
  const dockerfile = resolve(dir, build?.dockerfile ?? 'Dockerfile');
  const image = build?.image ? undefined : images.find((i) => i.file.path === dockerfile);
  const env = new Map<string, { value: string; span: Span }>(image?.stage.env ?? []);
  for (const [key, value] of Object.entries((config.env as Record<string, unknown>) ?? {}))
    env.set(key, { value: String(value), span: spans.get(`env.${key}`)! });
  const graceSeconds = parseDuration(config.kill_timeout);
  const signal = typeof config.kill_signal === 'string' ? config.kill_signal : undefined;
  const services =
    spans.get('http_service') ??
    [...tables.keys()]
      .filter((k) => k === 'services' || k === 'http_service')
      .map((k) => ({ file, start: tables.get(k)!.range[0], end: tables.get(k)!.range[1] }))[0];
  const processes = (config.processes as Record<string, string> | undefined) ?? {};
  const entries: [string, Launch | undefined][] = Object.keys(processes).length
    ? Object.entries(processes).map(([name, command]) => [
        name,
        {
          argv: splitWords(command),
          shellForm: false,
          span: spans.get(`processes.${name}`)!,
          source: `[processes] ${name}`,
          cwd: image ? dirname(image.file.path) : projectRoot(dir),
          ...(image?.stage.workdir ? { workdir: image.stage.workdir } : {}),
        },
      ])
    : [
        [
          String(config.app ?? 'app'),
          experimentalCmd(config, spans.get('experimental.cmd'), image, dir) ?? image?.launch,
        ],
      ];
  return entries.map(([name, launch]) => {
    const unit: DeployUnit = {
      platform: 'fly',
      name: `Fly app ${String(config.app ?? '?')}${Object.keys(processes).length ? ` process ${name}` : ''}`,
      file,
      span: spans.get('app') ?? firstLine(file),
      production: true,
      grace:
        graceSeconds !== undefined
          ? { value: graceSeconds, span: spans.get('kill_timeout')!, key: 'kill_timeout' }
          : { value: defaults.graceSeconds, key: 'kill_timeout' },
      stopSignal: signal
        ? { value: normalizeSignal(signal), span: spans.get('kill_signal')!, key: 'kill_signal' }
        : { value: defaults.signal, key: 'kill_signal' },
      env,
      init: { name: "Fly's init" },
      notes: [],
    };
    if (launch) unit.launch = launch;
    if (image) {
      unit.image = image.stage.image;
      unit.imageFile = image.file.path;
    }
    if (services) unit.servesTraffic = { span: services, what: 'services' };
    return unit;
  });
}

/** The legacy `[experimental] cmd` (a string or a list of words), which replaces the image's CMD. */
function experimentalCmd(
  config: Record<string, unknown>,
  span: Span | undefined,
  image: BuiltImage | undefined,
  dir: string,
): Launch | undefined {
  const cmd = (config.experimental as { cmd?: unknown } | undefined)?.cmd;
  const argv = typeof cmd === 'string' ? splitWords(cmd) : Array.isArray(cmd) ? cmd.map(String) : undefined;
  if (!argv?.length || !span) return undefined;
  return {
    argv: [...(image?.stage.entrypoint?.words ?? []), ...argv],
    shellForm: false,
    span,
    source: '[experimental] cmd',
    cwd: image ? dirname(image.file.path) : projectRoot(dir),
    ...(image?.stage.workdir ? { workdir: image.stage.workdir } : {}),
  };
}
