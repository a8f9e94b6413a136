// `shutdown-lint plan`: each unit's shutdown as a timeline a person reads at a glance: who sends
// which signal, the preStop delay, whether the signal reaches node, the order the code drains and
// closes, its deadline, and the platform's SIGKILL, with what overruns marked.
import { displayPath, type AnalysedUnit } from './analyse.js';
import { drainOf, seconds } from './budget.js';
import { formatAt, handles } from './code-facts.js';
import { platformDefaults } from './platforms.js';
import { commandText, type ProcessChain } from './process-chain.js';
import type { DeployFinding } from './rule.js';
import { positionOf } from './source.js';

export interface PlanEvent {
  /** Seconds from the start of the stop; undefined when it cannot be placed. */
  at: number | undefined;
  text: string;
  /** `!` marks what overruns or never happens. */
  mark?: 'overrun' | 'lost';
}

export interface PlanBar {
  lane: 'Platform' | 'App';
  label: string;
  start: number;
  seconds: number;
  critical?: boolean;
  milestone?: boolean;
}

export interface UnitPlan {
  title: string;
  where: string;
  chain: string;
  events: PlanEvent[];
  bars: PlanBar[];
  findings: string[];
  notes: string[];
}

function chainText(chain: ProcessChain | undefined, cwd: string): string {
  if (!chain || chain.steps.length === 0) return 'not resolved';
  return chain.steps
    .map((step) => {
      switch (step.kind) {
        case 'init':
          return step.name;
        case 'shell':
          return `${step.how} (${step.family}${step.execs ? ', exec' : step.implicitExec ? ', execs the last command' : step.forwards ? ', trap + wait' : ''})`;
        case 'wrapper':
          return step.script ? `${commandText(step.words)} ["${step.script.text}"]` : commandText(step.words);
        case 'node':
          return `${commandText(step.words)}${step.entry ? ` (${displayPath(step.entry, cwd)})` : ''}`;
      }
    })
    .join(' → ');
}

/** Whether the stop signal reaches node, from the findings the checks gave for the unit. */
function signalLost(findings: readonly DeployFinding[]): DeployFinding | undefined {
  return findings.find(
    (f) =>
      (f.ruleId === 'deploy/no-wrapper-pid1' || f.ruleId === 'deploy/no-shell-wrapped-node') && f.severity !== 'info',
  );
}

export function planUnit(
  analysed: AnalysedUnit,
  findings: readonly DeployFinding[],
  cwd: string,
  marginSeconds: number,
): UnitPlan {
  const { unit, chain, facts } = analysed;
  const defaults = platformDefaults[unit.platform];
  const grace = unit.grace.value;
  const graceKnown = Number.isFinite(grace);
  const events: PlanEvent[] = [];
  const bars: PlanBar[] = [];
  const graceText = graceKnown
    ? `${unit.grace.key} ${seconds(grace)}${unit.grace.span ? '' : ' (default)'}`
    : `${unit.grace.key} (not in these files)`;
  events.push({
    at: 0,
    text: `${defaults.sender} starts the stop; grace ${graceText}${unit.platform === 'kubernetes' ? '; endpoints are removed at the same time' : ''}`,
  });
  let t = 0;
  if (unit.preStop) {
    events.push({ at: 0, text: `${unit.preStop.what}` });
    if (unit.preStop.seconds !== undefined) {
      bars.push({ lane: 'Platform', label: unit.preStop.what, start: 0, seconds: unit.preStop.seconds });
      t = unit.preStop.seconds;
    }
  }
  const signal = unit.stopSignal.value;
  const lost = signalLost(findings);
  events.push({
    at: t,
    text: `${signal} (${unit.stopSignal.span ? unit.stopSignal.key : `${defaults.title} default`}) to ${chain?.steps[0] ? stepName(chain) : 'the main process'}${lost ? `: never reaches node (${lost.ruleId})` : ''}`,
    ...(lost ? { mark: 'lost' as const } : {}),
  });
  bars.push({ lane: 'Platform', label: `${signal}`, start: t, seconds: 0, milestone: true });
  // When the signal never reaches node, the drain is still shown, as what never runs.
  const never = lost ? 'never runs: ' : '';
  if (facts) {
    if (!facts.handlerAt) {
      events.push({ at: t, text: `${displayPath(facts.entry, cwd)} has no signal handler` });
    } else if (!handles(facts, signal)) {
      events.push({
        at: t,
        text: `${displayPath(facts.entry, cwd)} does not handle ${signal} (handler for ${facts.signals.join(', ')} at ${formatAt(facts.handlerAt, cwd)})`,
        mark: 'lost',
      });
    } else {
      const drain = drainOf(facts, unit, cwd);
      events.push({
        at: t,
        text: `${never}drain starts: ${formatAt(facts.handlerAt, cwd)}`,
        ...(lost ? { mark: 'lost' as const } : {}),
      });
      if (drain && drain.preCloseSeconds > 0) {
        events.push({ at: t, text: `in-app delay ${seconds(drain.preCloseSeconds)} before closing` });
        bars.push({ lane: 'App', label: 'in-app delay', start: t, seconds: drain.preCloseSeconds });
      }
      const closeAt = t + (drain?.preCloseSeconds ?? 0);
      for (const step of facts.closes)
        events.push({ at: closeAt, text: `  ${step.what}  (${formatAt(step.at, cwd)})` });
      if (!lost && drain?.seconds !== undefined) {
        const end = t + drain.seconds;
        const overrun = graceKnown && end + marginSeconds > grace;
        events.push({
          at: end,
          text: `exit at the latest: ${drain.describe}`,
          ...(overrun ? { mark: 'overrun' as const } : {}),
        });
        bars.push({
          lane: 'App',
          label: `drain ≤ ${seconds(drain.seconds - drain.preCloseSeconds)}`,
          start: closeAt,
          seconds: drain.seconds - drain.preCloseSeconds,
          critical: overrun,
        });
      } else if (!lost && drain) {
        events.push({ at: undefined, text: `exit: ${drain.describe}`, mark: 'overrun' });
        if (graceKnown)
          bars.push({
            lane: 'App',
            label: 'drain (no deadline)',
            start: closeAt,
            seconds: Math.max(0, grace - closeAt),
            critical: true,
          });
      }
    }
  } else {
    events.push({ at: t, text: 'the code side is not known (entry file not resolved)' });
  }
  const wrapperCap = unit.wrapperCap;
  if (wrapperCap)
    events.push({
      at: t + wrapperCap.value,
      text: `${wrapperCap.wrapper} SIGKILLs the app (${wrapperCap.key} ${Math.round(wrapperCap.value * 1000)} ms${wrapperCap.span ? '' : ', default'})`,
    });
  if (graceKnown) {
    events.push({ at: grace, text: `SIGKILL from ${defaults.sender}` });
    bars.push({ lane: 'Platform', label: `grace ${seconds(grace)}`, start: 0, seconds: grace });
    bars.push({ lane: 'Platform', label: 'SIGKILL', start: grace, seconds: 0, milestone: true });
  }
  events.sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
  const start = positionOf(unit.file, unit.span.start);
  return {
    title: `${unit.name} (${defaults.title})`,
    where: `${displayPath(unit.file.path, cwd)}:${start.line}`,
    chain: chainText(chain, cwd),
    events,
    bars,
    findings: findings
      .filter((f) => f.severity !== 'info')
      .map((f) => `${f.severity === 'error' ? 'error' : 'warning'} ${f.ruleId}`),
    notes: unit.notes.map((note) => note.split(`${cwd}/`).join('')),
  };
}

function stepName(chain: ProcessChain): string {
  const step = chain.steps[0]!;
  switch (step.kind) {
    case 'init':
      return step.name;
    case 'shell':
      return step.how === 'sh -c' || step.how.endsWith(' -c') ? `/bin/sh (${step.family})` : step.how;
    case 'wrapper':
      return step.name;
    case 'node':
      return 'node';
  }
}

export function formatPlanText(plans: readonly UnitPlan[]): string {
  if (plans.length === 0) return 'No deployable unit found under these paths.\n';
  const blocks = plans.map((plan) => {
    const lines = [`${plan.title}  ${plan.where}`, `  main process: ${plan.chain}`];
    for (const event of plan.events) {
      const at =
        event.at === undefined
          ? '    t=?  '
          : `  t=${(Number.isInteger(event.at) ? String(event.at) : event.at.toFixed(1)).padStart(4)} s`;
      lines.push(`${at}  ${event.mark ? '✗ ' : ''}${event.text}`);
    }
    if (plan.findings.length) lines.push(`  findings: ${plan.findings.join(', ')}`);
    for (const note of plan.notes) lines.push(`  note: ${note}`);
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** A Mermaid Gantt chart per unit, seconds on the axis. */
export function formatPlanMermaid(plans: readonly UnitPlan[]): string {
  const escape = (text: string) => text.replace(/[:#;]/g, ' ');
  return `${plans
    .map((plan, p) => {
      const lines = ['```mermaid', 'gantt', `  title ${escape(plan.title)}`, '  dateFormat X', '  axisFormat %Ss'];
      for (const lane of ['Platform', 'App'] as const) {
        const bars = plan.bars.filter((b) => b.lane === lane);
        if (bars.length === 0) continue;
        lines.push(`  section ${lane}`);
        bars.forEach((bar, i) => {
          const tags = [bar.critical ? 'crit' : '', bar.milestone ? 'milestone' : ''].filter(Boolean);
          lines.push(
            `  ${escape(bar.label)} :${[...tags, `u${p}${lane[0]}${i}`].join(', ')}, ${Math.round(bar.start * 1000) / 1000}, ${bar.milestone ? '0' : Math.round(bar.seconds * 1000) / 1000}s`,
          );
        });
      }
      lines.push('```');
      return lines.join('\n');
    })
    .join('\n\n')}\n`;
}
