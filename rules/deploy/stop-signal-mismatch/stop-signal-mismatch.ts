// The platform stops the unit with a signal the code does not listen to: Fly and PM2 default to
// SIGINT, and STOPSIGNAL/stop_signal/KillSignal can name any (research §1.1, §5.1).
import { seconds } from '../../../src/core/deploy/budget.js';
import { displayPath } from '../../../src/core/deploy/analyse.js';
import { entryAt, formatAt, handles } from '../../../src/core/deploy/code-facts.js';
import { platformDefaults } from '../../../src/core/deploy/platforms.js';
import { nodeIsMainProcess } from '../../../src/core/deploy/process-chain.js';
import { defineDeployRule } from '../../../src/core/deploy/rule.js';

const containerPlatforms = new Set(['docker', 'compose', 'kubernetes', 'ecs', 'render']);

export default defineDeployRule({
  meta: {
    id: 'deploy/stop-signal-mismatch',
    description: 'Require the code to handle the signal the platform stops the unit with',
    recommended: 'error',
    platforms: ['docker', 'compose', 'kubernetes', 'ecs', 'fly', 'heroku', 'systemd', 'pm2'],
  },
  check({ unit, chain, facts, cwd, report }) {
    // With no handler at all, require-handler-as-pid1 and the code-side rule say so.
    if (!facts?.handlerAt) return;
    const signal = unit.stopSignal.value;
    if (signal === 'SIGKILL' || handles(facts, signal)) return;
    const defaults = platformDefaults[unit.platform];
    const entry = displayPath(facts.entry, cwd);
    const handled = facts.signals.length ? facts.signals.join(', ') : 'other signals';
    const how = unit.stopSignal.span
      ? `${unit.stopSignal.key} is ${signal}`
      : defaults.signalKey
        ? `${displayPath(unit.file.path, cwd)} sets no \`${unit.stopSignal.key}\`, so ${defaults.title} sends ${signal}`
        : `${defaults.title} stops it with ${signal}`;
    const asPid1 =
      chain !== undefined && containerPlatforms.has(unit.platform) && !unit.init && nodeIsMainProcess(chain);
    const grace = Number.isFinite(unit.grace.value) ? seconds(unit.grace.value) : 'the grace period';
    const effect = asPid1
      ? `As PID 1, node ignores a signal it has no handler for, so the stop waits ${grace} and ends in SIGKILL`
      : `${signal}'s default action ends the process at once, so nothing drains`;
    const fix = unit.stopSignal.span
      ? `Set ${unit.stopSignal.key} to one the code handles, or handle ${signal} too`
      : defaults.signalKey
        ? `Set \`${defaults.signalKey}\` to SIGTERM, or handle ${signal} too`
        : unit.platform === 'pm2'
          ? `Handle ${signal} too (or set PM2_KILL_SIGNAL=SIGTERM for the PM2 daemon)`
          : `Handle ${signal} too`;
    report({
      severity: 'error',
      span: unit.stopSignal.span ?? unit.span,
      message: `${how}; ${entry} handles only ${handled} (handler at ${formatAt(facts.handlerAt, cwd)}). ${effect}. ${fix}.`,
      related: [facts.handlerAt ?? entryAt(facts, `${entry} does not handle ${signal}`)],
    });
  },
});
