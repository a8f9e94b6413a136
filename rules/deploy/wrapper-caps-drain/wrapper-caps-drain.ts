// A wrapper that stops the app on its own clock, shorter than the app's drain deadline: PM2's
// kill_timeout (1600 ms by default), nodemon's 10 s, tsx watch's 5 s (research §1.1, §2.2).
import { drainOf, seconds } from '../../../src/core/deploy/budget.js';
import type { WrapperStep } from '../../../src/core/deploy/process-chain.js';
import { defineDeployRule } from '../../../src/core/deploy/rule.js';

const runnerCaps: Record<string, { seconds: number; how: string }> = {
  nodemon: { seconds: 10, how: 'nodemon gives up waiting for the app 10 s after SIGTERM' },
  'tsx watch': { seconds: 5, how: 'tsx watch SIGKILLs the app 5 s after SIGTERM' },
};

export default defineDeployRule({
  meta: {
    id: 'deploy/wrapper-caps-drain',
    description:
      "Require a wrapper's own stop timeout (PM2 kill_timeout, nodemon, tsx watch) to cover the app's drain deadline",
    recommended: 'error',
    platforms: ['pm2', 'docker', 'compose', 'kubernetes', 'ecs', 'fly', 'heroku', 'render', 'systemd'],
  },
  check({ unit, chain, facts, cwd, report }) {
    if (!facts || !unit.launch) return;
    const drain = drainOf(facts, unit, cwd);
    if (!drain || drain.seconds === undefined) return;
    if (unit.wrapperCap) {
      const cap = unit.wrapperCap;
      if (drain.seconds <= cap.value) return;
      const need = Math.ceil((drain.seconds + 2) * 1000);
      report({
        severity: 'error',
        span: cap.span ?? unit.span,
        message: `${cap.wrapper} stops this app with ${unit.stopSignal.value} and SIGKILLs it after ${cap.key} ${Math.round(cap.value * 1000)} ms${cap.span ? '' : ' (default)'}, before the app's ${drain.describe} can end. Set \`${cap.key}: ${need}\`, and make sure the grace of what runs ${cap.wrapper} is larger.`,
        related: drain.related,
      });
      return;
    }
    const runner = chain?.steps.find((s): s is WrapperStep => s.kind === 'wrapper' && s.name in runnerCaps);
    if (!runner) return;
    const cap = runnerCaps[runner.name]!;
    if (drain.seconds <= cap.seconds) return;
    report({
      severity: 'error',
      span: unit.launch.span,
      message: `${cap.how}, before the app's ${drain.describe} can end: the drain is cut at ${seconds(cap.seconds)}. Run the app with node in production.`,
      related: drain.related,
    });
  },
});
