// Node as PID 1 of a container with no handler for the stop signal: the kernel does not apply a
// signal's default action to a namespace's init, so the stop waits for SIGKILL (research §5.1).
import { seconds } from '../../../src/core/deploy/budget.js';
import { entryAt, handles } from '../../../src/core/deploy/code-facts.js';
import { displayPath } from '../../../src/core/deploy/analyse.js';
import { platformDefaults } from '../../../src/core/deploy/platforms.js';
import { nodeIsMainProcess } from '../../../src/core/deploy/process-chain.js';
import { defineDeployRule } from '../../../src/core/deploy/rule.js';

/** Platforms whose main process is PID 1 of a container the platform signals. */
const containerPlatforms = new Set(['docker', 'compose', 'kubernetes', 'ecs', 'render']);

export default defineDeployRule({
  meta: {
    id: 'deploy/require-handler-as-pid1',
    description: 'Require a handler for the stop signal when node runs as PID 1 with no init',
    recommended: 'warn',
    platforms: ['docker', 'compose', 'kubernetes', 'ecs', 'render'],
  },
  check({ unit, chain, facts, cwd, report }) {
    if (!chain || !facts || !unit.launch || !containerPlatforms.has(unit.platform)) return;
    if (unit.init || unit.runsToCompletion || !nodeIsMainProcess(chain)) return;
    // Render: only a Docker-runtime service is known to run its command as PID 1 of the image it
    // builds; how a native runtime (node) starts `startCommand` is not documented.
    if (unit.platform === 'render' && !unit.imageFile) return;
    const signal = unit.stopSignal.value;
    // Code that handles another signal is deploy/stop-signal-mismatch's finding.
    if (facts.handlerAt || handles(facts, signal)) return;
    // A command that ends on its own (a CLI, a migration) has nothing to drain.
    if (!facts.longRunning && !unit.servesTraffic) return;
    const entry = displayPath(facts.entry, cwd);
    const defaults = platformDefaults[unit.platform];
    const grace = Number.isFinite(unit.grace.value)
      ? `${seconds(unit.grace.value)}${unit.grace.span ? '' : ' (default)'}`
      : 'the grace period';
    const initFix =
      unit.platform === 'compose'
        ? '`init: true`'
        : unit.platform === 'ecs'
          ? '`initProcessEnabled: true`'
          : unit.platform === 'docker'
            ? '`docker run --init` or tini in ENTRYPOINT'
            : "tini in the image's ENTRYPOINT";
    report({
      severity: 'warn',
      span: unit.platform === 'docker' ? unit.launch.span : unit.span,
      message: `node is PID 1 in this container and ${entry} installs no signal handler. As PID 1 the default action of ${signal} does not apply, so ${defaults.sender} waits ${grace} and then SIGKILLs. Add a ${signal} handler that drains, or ${initFix} so that ${signal} at least ends it.`,
      related: [entryAt(facts, `${entry} installs no signal handler`)],
    });
  },
});
