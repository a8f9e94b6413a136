// systemd service units. The syntax (sections, Key=value, `\` continuations, repeated keys) is
// small enough to read here with offsets (research §3: no parser worth a dependency).
import { basename, dirname } from 'node:path';
import { projectRoot } from '../process-chain.js';
import { normalizeSignal, parseDuration, platformDefaults } from '../platforms.js';
import type { DeployFile, Span } from '../source.js';
import type { DeployUnit } from '../units.js';
import { splitWords } from './yaml.js';

interface Entry {
  value: string;
  span: Span;
}

function readService(file: DeployFile): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let section = '';
  const lines = file.text.split('\n');
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const start = offset;
    let line = lines[i]!;
    offset += line.length + 1;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
      offset += lines[i]!.length + 1;
    }
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = trimmed.indexOf('=');
    if (section !== 'Service' || eq < 0) continue;
    // A repeated key: the last one wins (ExecStart= may only be given once for Type=simple).
    entries.set(trimmed.slice(0, eq).trim(), {
      value: trimmed.slice(eq + 1).trim(),
      span: { file, start, end: offset - 1 },
    });
  }
  return entries;
}

export function readSystemd(file: DeployFile): DeployUnit[] {
  const service = readService(file);
  const exec = service.get('ExecStart');
  if (!exec) return [];
  const defaults = platformDefaults.systemd;
  const timeout = service.get('TimeoutStopSec') ?? service.get('TimeoutSec');
  const graceSeconds = timeout ? parseDuration(timeout.value) : undefined;
  const signal = service.get('KillSignal');
  const killMode = service.get('KillMode')?.value;
  const cwd = service.get('WorkingDirectory')?.value;
  const env = new Map<string, { value: string; span: Span }>();
  const environment = service.get('Environment');
  if (environment)
    for (const word of splitWords(environment.value))
      if (word.includes('='))
        env.set(word.slice(0, word.indexOf('=')), { value: word.slice(word.indexOf('=') + 1), span: environment.span });
  const unit: DeployUnit = {
    platform: 'systemd',
    name: basename(file.path),
    file,
    span: exec.span,
    production: true,
    grace:
      graceSeconds !== undefined && timeout
        ? { value: graceSeconds, span: timeout.span, key: 'TimeoutStopSec' }
        : { value: defaults.graceSeconds, key: 'TimeoutStopSec' },
    stopSignal: signal
      ? { value: normalizeSignal(signal.value), span: signal.span, key: 'KillSignal' }
      : { value: defaults.signal, key: 'KillSignal' },
    // ExecStart is not run through a shell; a leading `-`, `@`, `+` or `!` is a flag of systemd's.
    launch: {
      argv: splitWords(exec.value.replace(/^[-@+!:]+/, '')),
      shellForm: false,
      span: exec.span,
      source: 'ExecStart',
      cwd: projectRoot(dirname(file.path)),
      ...(cwd?.startsWith('/') ? { workdir: cwd } : {}),
    },
    env,
    notes: [],
  };
  if (killMode === 'mixed' || killMode === 'process') unit.killMode = killMode;
  return [unit];
}
