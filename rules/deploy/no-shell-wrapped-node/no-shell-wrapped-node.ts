// A shell between the platform and node that keeps the signal from it (research §2.1, §5.1).
import { describeShell } from '../../../src/core/deploy/base-image.js';
import { formatAt } from '../../../src/core/deploy/code-facts.js';
import {
  commandText,
  execForm,
  isAppCommand,
  signalledSteps,
  type ShellStep,
} from '../../../src/core/deploy/process-chain.js';
import { defineDeployRule } from '../../../src/core/deploy/rule.js';
import { platformDefaults } from '../../../src/core/deploy/platforms.js';
import { seconds } from '../../../src/core/deploy/budget.js';

export default defineDeployRule({
  meta: {
    id: 'deploy/no-shell-wrapped-node',
    description: 'Disallow a /bin/sh that stays between the platform and node and never passes SIGTERM on',
    recommended: 'error',
    platforms: ['docker', 'compose', 'kubernetes', 'ecs', 'fly', 'render', 'systemd', 'pm2'],
  },
  check({ unit, chain, facts, cwd, report }) {
    // A Job runs to completion and is stopped only when deleted: a one-shot script, nothing to drain.
    if (!chain || !unit.launch || unit.runsToCompletion) return;
    const defaults = platformDefaults[unit.platform];
    // Heroku and systemd's default KillMode signal every process: node hears it through any shell.
    if (defaults.signalsEveryProcess && !unit.killMode) return;
    const { init, steps } = signalledSteps(chain);
    const shell = steps[0];
    if (shell?.kind !== 'shell') return;
    // Only a shell that leads to the app: an nginx or a migration script is not this check's business.
    if (!chain.node && !steps.some((s) => s.kind === 'wrapper')) return;
    if (shell.execs || shell.forwards) return;
    const next = shell.next ? commandText(shell.next.words) : 'the app';
    const launchText = unit.launch.shellForm
      ? `${unit.launch.source} ${shell.text.trim()}`
      : `${unit.launch.source} ${commandText(unit.launch.argv)}`;
    const handler = facts?.handlerAt ? ` (its shutdown handler at ${formatAt(facts.handlerAt, cwd)} never runs)` : '';
    const related = facts?.handlerAt ? [facts.handlerAt] : [];
    const grace = Number.isFinite(unit.grace.value)
      ? `the full ${seconds(unit.grace.value)}`
      : 'the whole grace period';
    const fix = chain.node
      ? `Use the exec form ${unit.launch.source} ${execForm(chain.node.words)} or \`exec ${commandText(chain.node.words)}\``
      : `Start the app with \`exec\` (\`exec ${next}\`), or in exec form`;
    const shellName = unit.image ? describeShell(unit.image) : 'an unknown /bin/sh';
    const signaller =
      init?.name ??
      unit.init?.name ??
      defaults.platformInit ??
      (unit.platform === 'systemd' ? `systemd (KillMode=${unit.killMode})` : undefined);
    const where = signaller ? `${signaller} signals only the shell` : 'the shell stays the main process';
    const problem = problemOf(shell);
    // `node setup.js && exec caddy`: node is a step before the real main process, not the app.
    if (problem === 'not-last' && !(shell.script.last && isAppCommand(shell.script.last))) return;
    if (shell.family === 'none') {
      report({
        severity: 'error',
        span: unit.launch.span,
        message: `\`${launchText}\` needs /bin/sh, and ${shellName}: the container cannot start. ${fix}.`,
        related,
      });
      return;
    }
    if (shell.implicitExec) {
      report({
        severity: 'info',
        span: unit.launch.span,
        message: `\`${launchText}\` works only because /bin/sh is ${shellName.replace(/ in .*/, '')}, which execs its last command (\`${next}\`); a Debian-based image would keep the shell as PID 1. ${fix} to not depend on it.`,
        related,
      });
      return;
    }
    if (problem && (shell.family === 'busybox' || shell.family === 'bash')) {
      // busybox may still exec a redirected last command (research §5.3 1, unverified).
      report({
        severity: problem === 'redirected' ? 'warn' : 'error',
        span: unit.launch.span,
        message: `\`${launchText}\` runs \`${next}\` ${problemText(problem)}, so ${shellName} cannot exec it: ${where}, and it does not pass SIGTERM on${handler}. ${fix}.`,
        related,
      });
      return;
    }
    // In a container with no init the shell is PID 1; under an init, Fly, PM2 or systemd it is a child.
    const pid1 = !signaller;
    const consequence = pid1
      ? `As PID 1 the shell ignores SIGTERM and never forwards it: every stop waits ${grace} and ends in SIGKILL`
      : `${where}; it exits without passing it on, so node is killed without draining`;
    report({
      severity: shell.family === 'dash' ? 'error' : 'warn',
      span: unit.launch.span,
      message: `\`${launchText}\` runs node under \`${shell.how}\` (${shellName}), which does not exec \`${next}\`. ${consequence}${handler}. ${fix}.${shell.family === 'unknown' ? ' (The base image is not known here: on Alpine or bash the shell would exec it.)' : ''}`,
      related,
    });
  },
});

type Problem = 'piped' | 'background' | 'not-last' | 'nested' | 'redirected';

function problemOf(shell: ShellStep): Problem | undefined {
  const next = shell.next;
  if (!next) return undefined;
  if (next.piped) return 'piped';
  if (next.background) return 'background';
  if (next !== shell.script.last) return 'not-last';
  if (next.nested) return 'nested';
  if (next.redirected) return 'redirected';
  return undefined;
}

function problemText(problem: Problem): string {
  switch (problem) {
    case 'piped':
      return 'in a pipeline';
    case 'background':
      return 'in the background (`&`)';
    case 'not-last':
      return 'with more commands after it';
    case 'nested':
      return 'inside a compound command';
    case 'redirected':
      return 'with a redirection';
  }
}
