// preStop + drain + margin against the platform's grace (research §1.2): the platform SIGKILLs at
// the grace, whatever the app's own deadline says.
import { budgetText, drainOf, seconds } from '../../../src/core/deploy/budget.js';
import { platformDefaults } from '../../../src/core/deploy/platforms.js';
import { defineDeployRule } from '../../../src/core/deploy/rule.js';

export default defineDeployRule({
  meta: {
    id: 'deploy/grace-budget',
    description:
      "Require the platform's grace period to cover the preStop delay, the code's drain deadline and a margin",
    recommended: 'error',
    platforms: ['docker', 'compose', 'kubernetes', 'ecs', 'fly', 'heroku', 'render', 'systemd'],
  },
  check({ unit, facts, options, cwd, report }) {
    if (!facts?.drain || unit.platform === 'pm2') return;
    const grace = unit.grace.value;
    if (!Number.isFinite(grace)) return;
    const defaults = platformDefaults[unit.platform];
    const graceName = unit.grace.span
      ? `${unit.grace.key} ${seconds(grace)}`
      : defaults.graceKey
        ? `${unit.grace.key} ${seconds(grace)} (default)`
        : `${defaults.title}'s fixed ${seconds(grace)}`;
    const span = unit.grace.span ?? unit.span;
    const drain = drainOf(facts, unit, cwd);
    if (!drain) return;
    const preStop = unit.preStop?.seconds ?? 0;
    if (drain.unbounded) {
      report({
        severity: 'info',
        span,
        message: `The drain has no deadline: ${drain.describe}; it is bounded only by ${defaults.sender}'s SIGKILL at ${seconds(grace)} (${graceName}).`,
        related: drain.related,
      });
      return;
    }
    if (drain.seconds === undefined) {
      if (unit.grace.span)
        report({
          severity: 'info',
          span,
          message: `Cannot see the app's deadline: ${drain.describe}.`,
          related: drain.related,
        });
      return;
    }
    const margin = options.marginSeconds;
    const { total, text } = budgetText(preStop, drain, margin);
    if (total <= grace) return;
    const killedEarly = preStop + drain.seconds > grace;
    const forceExit = facts.drain.kind === 'force-exit';
    const raise =
      unit.grace.span || defaults.graceKey
        ? `Raise ${unit.grace.key} to ≥ ${seconds(Math.ceil(total))} or lower`
        : 'Lower';
    const room = Math.max(0, grace - preStop - margin - drain.preCloseSeconds);
    const advice = `${raise} the drain deadline to ≤ ${seconds(room)}.`;
    if (forceExit && killedEarly) {
      // A force-exit timer is an upper bound, not how long the drain takes (§5.3 15).
      report({
        severity: 'warn',
        span,
        message: `The app's hard deadline is later than the platform's SIGKILL: ${text} > ${graceName}. ${sentence(defaults.sender)} SIGKILLs at ${seconds(grace)}, before the force-exit timer can end the drain on the app's terms. ${advice}`,
        related: drain.related,
      });
      return;
    }
    report({
      severity: killedEarly ? 'error' : 'warn',
      span,
      message: `Shutdown budget exceeds the grace period: ${text} > ${graceName}. ${killedEarly ? `${sentence(defaults.sender)} SIGKILLs at ${seconds(grace)}, before the drain can finish.` : `Only the ${seconds(margin)} margin for the exit itself is missing.`} ${advice}`,
      related: drain.related,
    });
  },
});

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
