// Which files under the given paths are platform files, and of which kind (research §5.4).
// node_modules and .git are skipped; so are dot-directories other than .github and .do.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isComposeName } from './readers/compose.js';
import { isDockerfileName } from './readers/docker.js';
import { isEcsName } from './readers/ecs.js';
import { isKubernetesYaml } from './readers/kubernetes.js';
import { isPm2Name } from './readers/pm2.js';

export type DeployFileKind =
  'dockerfile' | 'compose' | 'kubernetes' | 'helm-template' | 'fly' | 'procfile' | 'pm2' | 'systemd' | 'render' | 'ecs';

export interface FoundFile {
  path: string;
  kind: DeployFileKind;
  /** The target folder it was found under. */
  root: string;
}

const skippedDirectories = new Set(['node_modules', '.git', 'dist', 'coverage', '.next', '.turbo', '.cache']);

/** Classifies one file by its name (and, for YAML, by its content). */
export function kindOf(path: string): DeployFileKind | undefined {
  const name = basename(path);
  if (isDockerfileName(name)) return 'dockerfile';
  if (isComposeName(name)) return 'compose';
  if (name === 'fly.toml' || /^fly\.[\w-]+\.toml$/.test(name)) return 'fly';
  if (name === 'Procfile') return 'procfile';
  if (isPm2Name(name)) return 'pm2';
  if (name.endsWith('.service')) return 'systemd';
  if (name === 'render.yaml' || name === 'render.yml') return 'render';
  if (isEcsName(name)) return 'ecs';
  if (/\.ya?ml$/.test(name)) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
    if (!isKubernetesYaml(text)) return undefined;
    // Helm templates are not YAML until rendered.
    return text.includes('{{') ? 'helm-template' : 'kubernetes';
  }
  return undefined;
}

/** Every platform file under the targets (files named directly are classified too), sorted. */
export function discoverDeployFiles(cwd: string, targets: readonly string[]): FoundFile[] {
  const found = new Map<string, FoundFile>();
  const visit = (path: string, depth: number, root: string): void => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      if (depth > 12) return;
      let names: string[];
      try {
        names = readdirSync(path);
      } catch {
        return;
      }
      for (const name of names) {
        if (skippedDirectories.has(name) || (name.startsWith('.') && name !== '.github' && name !== '.do')) continue;
        visit(join(path, name), depth + 1, root);
      }
      return;
    }
    const kind = kindOf(path);
    if (kind && !found.has(path)) found.set(path, { path, kind, root });
  };
  for (const target of targets.length ? targets : ['.']) {
    const path = resolve(cwd, target);
    visit(path, 0, path);
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A line-preserving strip of a Helm template (research §3): whole-line actions become empty
 * lines and inline actions a placeholder of the same length, so `yaml` reads the rest with the
 * template's own offsets. Values that came from an action are unknown.
 */
export function stripHelmTemplate(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*\{\{-?[\s\S]*?-?\}\}\s*$/.test(line) && !/:\s/.test(line.replace(/\{\{[\s\S]*?\}\}/g, '')))
        return ' '.repeat(line.length);
      return line.replace(/\{\{-?[\s\S]*?-?\}\}/g, (action) => '_'.repeat(action.length));
    })
    .join('\n');
}
