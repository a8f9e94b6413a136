// Kubernetes removes a terminating pod's endpoints while it sends SIGTERM, not before: a pod that
// closes its listener at once still gets new connections for a few seconds (research §1.1, §5.1).
import { seconds } from '../../../src/core/deploy/budget.js';
import { formatAt } from '../../../src/core/deploy/code-facts.js';
import { defineDeployRule } from '../../../src/core/deploy/rule.js';

export default defineDeployRule({
  meta: {
    id: 'deploy/require-prestop-delay',
    description: 'Require a Kubernetes container that serves traffic to delay its close, by a preStop sleep or in code',
    recommended: 'warn',
    platforms: ['kubernetes'],
  },
  check({ unit, facts, cwd, report }) {
    if (unit.platform !== 'kubernetes' || !unit.servesTraffic || unit.preStop || unit.runsToCompletion) return;
    // A Helm template may add the preStop through a template action.
    if (unit.templated) return;
    // Without the code side, an in-app delay cannot be ruled out.
    if (!facts?.handlerAt || facts.preCloseDelay) return;
    const grace = Number.isFinite(unit.grace.value) ? unit.grace.value : 30;
    report({
      severity: 'warn',
      span: unit.servesTraffic.span,
      message: `This container serves traffic (${unit.servesTraffic.what}) but closes its listener as soon as SIGTERM arrives (${formatAt(facts.handlerAt, cwd)}). Endpoint removal runs concurrently with SIGTERM, so for a few seconds new connections are still routed to a closed port. Add \`lifecycle.preStop.sleep.seconds: 5\` (and budget it in terminationGracePeriodSeconds, now ${seconds(grace)}), or delay the close in code.`,
      related: [facts.handlerAt],
    });
  },
});
