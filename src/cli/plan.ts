// `shutdown-lint plan [paths]`: the shutdown timeline of every deployable unit under the paths.
import { deployRules } from '../../rules/deploy/index.js';
import { analyseDeploy, runDeployRules } from '../core/deploy/analyse.js';
import { defaultMarginSeconds } from '../core/deploy/budget.js';
import { formatPlanMermaid, formatPlanText, planUnit } from '../core/deploy/plan.js';
import { codeSideFrom } from './deploy.js';
import { UsageError } from '../core/project.js';
import { parseArgsOrUsage } from './args.js';
import { ts } from '../core/typescript.js';

export const planUsage = `Usage: shutdown-lint plan [--format text|mermaid] [paths...]

Shows how each deployable unit under the paths (Dockerfile, Compose service, Kubernetes container,
Fly app, Procfile process, systemd service, PM2 app, Render service, ECS container) shuts down:
who sends which signal, the preStop delay, whether the signal reaches node, the order the code
drains and closes, its deadline, and the platform's SIGKILL. Lines marked ✗ overrun or never happen.

Options:
  -f, --format <name>  text (default) or mermaid (a Gantt chart per unit, in a Markdown fence)
  -h, --help           show this help`;

export interface PlanOptions {
  targets: string[];
  format: 'text' | 'mermaid';
  help: boolean;
}

export function parsePlanArgs(argv: readonly string[]): PlanOptions {
  const parsed = parseArgsOrUsage(
    argv,
    { format: { type: 'string', short: 'f' }, help: { type: 'boolean', short: 'h' } },
    'shutdown-lint plan',
  );
  const format = parsed.values.format ?? 'text';
  if (format !== 'text' && format !== 'mermaid')
    throw new UsageError(`--format ${format}: unknown plan format. Use text or mermaid.`);
  return { targets: parsed.positionals, format, help: parsed.values.help ?? false };
}

/** The plan of every production unit under the targets, as text or Mermaid. */
export function plan(options: PlanOptions, cwd: string): string {
  const analysis = analyseDeploy({ cwd, targets: options.targets, codeSide: codeSideFrom(ts, cwd) });
  const findings = runDeployRules(analysis, deployRules, { cwd });
  const plans = analysis.units
    .filter((u) => u.unit.production)
    .map((u) =>
      planUnit(
        u,
        findings.filter((f) => f.unit === u.unit),
        cwd,
        defaultMarginSeconds,
      ),
    );
  const skipped = analysis.notes.map((n) => `note: ${n.path}: ${n.note}`);
  const body = options.format === 'mermaid' ? formatPlanMermaid(plans) : formatPlanText(plans);
  return skipped.length && options.format === 'text' ? `${body}\n${skipped.join('\n')}\n` : body;
}
