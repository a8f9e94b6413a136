// Load, analyse, check: the deploy side's whole run over the paths the CLI is given. The caller
// supplies the code side (an index for an entry file), so the CLI reuses the programs it built.
import { relative } from 'node:path';
import type * as ts from 'typescript';
import { shutdownFactsOf, type ShutdownFacts } from './code-facts.js';
import { discoverDeployFiles, stripHelmTemplate, type FoundFile } from './discovery.js';
import type { BuiltImage } from './images.js';
import { resolveChain, type ProcessChain } from './process-chain.js';
import { readCompose } from './readers/compose.js';
import { dockerRunUnit, isInDevDirectory, readImage } from './readers/docker.js';
import { readEcs } from './readers/ecs.js';
import { readFly } from './readers/fly.js';
import { readKubernetes } from './readers/kubernetes.js';
import { readPm2 } from './readers/pm2.js';
import { readProcfile } from './readers/procfile.js';
import { readRender } from './readers/render.js';
import { readSystemd } from './readers/systemd.js';
import { defaultMarginSeconds } from './budget.js';
import type { DeployFinding, DeployOptions, DeployRule, DeploySeverity } from './rule.js';
import { readDeployFile, type DeployFile } from './source.js';
import type { DeployUnit } from './units.js';
import type { ProgramIndex } from '../program-index.js';

export interface AnalysedUnit {
  unit: DeployUnit;
  chain: ProcessChain | undefined;
  facts: ShutdownFacts | undefined;
}

export interface DeployAnalysis {
  files: FoundFile[];
  units: AnalysedUnit[];
  /** Files read only in part or not at all, with why (Helm templates, parse errors). */
  notes: { path: string; note: string }[];
}

/** The code side for an entry file: its index and source file, when a program holds it. */
export type CodeSide = (entryPath: string) => { index: ProgramIndex; sourceFile: ts.SourceFile } | undefined;

export function analyseDeploy(options: {
  cwd: string;
  targets: readonly string[];
  codeSide?: CodeSide;
}): DeployAnalysis {
  const files = discoverDeployFiles(options.cwd, options.targets);
  const notes: DeployAnalysis['notes'] = [];
  const read = (found: FoundFile): DeployFile | undefined => {
    try {
      const file = readDeployFile(found.path);
      return found.kind === 'helm-template' ? { path: file.path, text: stripHelmTemplate(file.text) } : file;
    } catch (error) {
      notes.push({ path: found.path, note: `could not be read: ${(error as Error).message}` });
      return undefined;
    }
  };
  const images: BuiltImage[] = [];
  for (const found of files.filter((f) => f.kind === 'dockerfile')) {
    const file = read(found);
    const image = file && readImage(file);
    if (image) {
      if (isInDevDirectory(relative(found.root, found.path))) image.production = false;
      images.push(image);
    }
  }
  const units: DeployUnit[] = [];
  for (const found of files) {
    if (found.kind === 'dockerfile') continue;
    const file = read(found);
    if (!file) continue;
    try {
      switch (found.kind) {
        case 'compose':
          units.push(...readCompose(file, images));
          break;
        case 'kubernetes':
          units.push(...readKubernetes(file, images, false));
          break;
        case 'helm-template':
          notes.push({
            path: found.path,
            note: 'Helm template: read with its {{ }} actions blanked; values they set are unknown, and keys they may add are not reported missing',
          });
          units.push(...readKubernetes(file, images, true));
          break;
        case 'fly':
          units.push(...readFly(file, images));
          break;
        case 'procfile':
          units.push(...readProcfile(file));
          break;
        case 'pm2':
          units.push(...readPm2(file));
          break;
        case 'systemd':
          units.push(...readSystemd(file));
          break;
        case 'render':
          units.push(...readRender(file, images));
          break;
        case 'ecs':
          units.push(...readEcs(file, images));
          break;
      }
    } catch (error) {
      notes.push({ path: found.path, note: `could not be parsed: ${(error as Error).message.split('\n')[0]}` });
    }
  }
  for (const unit of units) {
    const found = files.find((f) => f.path === unit.file.path);
    if (found && isInDevDirectory(relative(found.root, found.path))) unit.production = false;
  }
  // A Dockerfile whose image no unit found here runs is checked as `docker run` would run it.
  const runImages = new Set(units.flatMap((u) => (u.imageFile && u.production ? [u.imageFile] : [])));
  for (const image of images) {
    if (!runImages.has(image.file.path) && image.launch) units.push(dockerRunUnit(image));
  }
  const factsCache = new Map<string, ShutdownFacts | undefined>();
  const analysed = units.map((unit): AnalysedUnit => {
    const chain = unit.launch ? resolveChain(unit.launch, unit.image) : undefined;
    const entry = chain?.node?.entry;
    let facts: ShutdownFacts | undefined;
    if (entry && options.codeSide && unit.production) {
      if (!factsCache.has(entry)) {
        const side = options.codeSide(entry);
        factsCache.set(entry, side ? shutdownFactsOf(side.index, side.sourceFile) : undefined);
      }
      facts = factsCache.get(entry);
    }
    return { unit, chain, facts };
  });
  return { files, units: analysed, notes };
}

/** Runs the enabled checks. `severities` caps each check (`warn` turns its errors into warnings). */
export function runDeployRules(
  analysis: DeployAnalysis,
  rules: readonly DeployRule[],
  options: { cwd: string; severities?: ReadonlyMap<string, 'off' | 'warn' | 'error'>; deploy?: Partial<DeployOptions> },
): DeployFinding[] {
  const findings: DeployFinding[] = [];
  const seen = new Set<string>();
  const deployOptions: DeployOptions = { marginSeconds: options.deploy?.marginSeconds ?? defaultMarginSeconds };
  for (const rule of rules) {
    const cap = options.severities?.get(rule.meta.id) ?? rule.meta.recommended;
    if (cap === 'off') continue;
    for (const { unit, chain, facts } of analysis.units) {
      if (!unit.production) continue;
      rule.check({
        unit,
        chain,
        facts,
        options: deployOptions,
        cwd: options.cwd,
        report(finding) {
          const severity: DeploySeverity = cap === 'warn' && finding.severity === 'error' ? 'warn' : finding.severity;
          // The same image run by two units can give the same finding twice.
          const key = `${rule.meta.id}|${finding.span.file.path}|${finding.span.start}|${finding.message}`;
          if (seen.has(key)) return;
          seen.add(key);
          findings.push({
            ruleId: rule.meta.id,
            severity,
            message: finding.message,
            span: finding.span,
            related: finding.related ?? [],
            unit,
          });
        },
      });
    }
  }
  return findings;
}

/** `fixtures/x/Dockerfile` for messages. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel || path;
}
