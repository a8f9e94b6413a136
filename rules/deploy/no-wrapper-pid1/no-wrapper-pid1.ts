// npm, yarn, pnpm, pm2 and friends as the process the platform signals: whether the signal reaches
// node depends on the wrapper, its version and the shell it runs the script with (research §2.2).
import { describeShell } from '../../../src/core/deploy/base-image.js';
import { formatAt } from '../../../src/core/deploy/code-facts.js';
import { platformDefaults } from '../../../src/core/deploy/platforms.js';
import {
  commandText,
  execForm,
  mainStep,
  type ShellStep,
  type WrapperStep,
} from '../../../src/core/deploy/process-chain.js';
import { defineDeployRule, type DeploySeverity } from '../../../src/core/deploy/rule.js';

const packageManagers = new Set(['npm', 'npx', 'yarn', 'pnpm', 'bun']);
const others = new Set(['pm2', 'concurrently', 'npm-run-all', 'run-p', 'run-s']);

interface Verdict {
  severity: DeploySeverity;
  why: string;
}

function major(version: string | undefined): number | undefined {
  const match = version && /^(\d+)(?:\.(\d+))?/.exec(version);
  return match ? Number(match[1]) : undefined;
}

function minor(version: string | undefined): number | undefined {
  const match = version && /^\d+\.(\d+)/.exec(version);
  return match ? Number(match[1]) : undefined;
}

/** §2.2 and §5.1: the verdict for a package manager, from its version and the shell that runs its script. */
function packageManagerVerdict(
  wrapper: WrapperStep,
  shell: ShellStep | undefined,
  imageShell: string,
  reachesNode: boolean,
): Verdict | undefined {
  const v = major(wrapper.version);
  const shellExecs = shell !== undefined && (shell.execs || shell.implicitExec || shell.forwards);
  const family = shell?.family ?? 'unknown';
  if (wrapper.name === 'npx' || wrapper.words.includes('exec') || wrapper.words.includes('dlx')) {
    // `pnpm exec prisma migrate deploy`: a tool, not the node app.
    if (!reachesNode) return undefined;
    const manager = wrapper.name === 'npx' ? 'npm' : wrapper.name;
    return {
      severity: 'warn',
      why: `${manager} runs the command as its child, and passes SIGTERM only to its direct child (measured for \`${manager} run\`, not for \`${manager} exec\`)`,
    };
  }
  if (wrapper.name === 'yarn') {
    if (wrapper.version === '2+' || (v !== undefined && v >= 2)) {
      return wrapper.yarnPath
        ? {
            severity: 'info',
            why: 'yarn berry with `yarnPath` adds a launcher that does not pass signals on (yarnpkg/berry#6299)',
          }
        : undefined;
    }
    if (v === 1)
      return {
        severity: 'error',
        why: 'yarn 1 passes SIGTERM to its child and then exits at once (yarnpkg/yarn#4667), and the container ends with it',
      };
    return {
      severity: 'warn',
      why: 'this project does not say which yarn runs it: yarn 1 exits at once on SIGTERM (yarnpkg/yarn#4667), yarn 2+ waits',
    };
  }
  if (wrapper.name === 'pnpm') {
    if (v !== undefined && v >= 12) return undefined;
    if (v === 11)
      return {
        severity: 'warn',
        why: "pnpm 11 signals the script's process group only in releases with pnpm/pnpm#15119",
      };
    if (shellExecs)
      return {
        severity: 'info',
        why: `pnpm passes SIGTERM only to its \`sh -c\` child, which works only because ${imageShell} execs the script's last command`,
      };
    if (v === undefined)
      return {
        severity: 'warn',
        why: `the pnpm version is not pinned (\`packageManager\`): pnpm before 12 passes SIGTERM only to its \`sh -c\` child, ${family === 'dash' ? 'which dash does not pass on' : `and whether ${imageShell} passes it on is not known here (dash does not; busybox and bash exec the last command)`}`,
      };
    return {
      severity: family === 'dash' ? 'error' : 'warn',
      why: `pnpm ${wrapper.version} passes SIGTERM only to its \`sh -c\` child; ${describeShellSentence(family, imageShell)}, and pnpm exits before the app finishes`,
    };
  }
  if (wrapper.name === 'bun')
    return { severity: 'warn', why: 'whether `bun run` passes SIGTERM to the script was not verified' };
  // npm (and npx): ≥ 10.3 forwards to its direct child, the shell; 9.6.7–10.2 forwards nothing.
  if (
    v !== undefined &&
    ((v === 9 && (minor(wrapper.version) ?? 0) >= 6) || (v === 10 && (minor(wrapper.version) ?? 0) <= 2))
  ) {
    return { severity: 'error', why: `npm ${wrapper.version} does not forward signals at all (npm/cli#6547)` };
  }
  if (shellExecs)
    return {
      severity: 'info',
      why: `npm passes SIGTERM only to its \`sh -c\` child, which works only because ${imageShell} execs the script's last command`,
    };
  if (family === 'dash')
    return {
      severity: 'error',
      why: `npm passes SIGTERM only to its \`sh -c\` child; ${describeShellSentence(family, imageShell)}, npm exits, and the container is torn down`,
    };
  return {
    severity: 'warn',
    why: `npm passes SIGTERM only to its \`sh -c\` child, and whether ${imageShell} passes it on is not known here (dash does not; busybox and bash exec the last command)`,
  };
}

function describeShellSentence(family: string, imageShell: string): string {
  return family === 'dash' ? `${imageShell} exits without passing it on` : `${imageShell} may not pass it on`;
}

export default defineDeployRule({
  meta: {
    id: 'deploy/no-wrapper-pid1',
    description:
      'Disallow a package manager or process manager as the main process when it loses or cuts the stop signal',
    recommended: 'error',
    platforms: ['docker', 'compose', 'kubernetes', 'ecs', 'fly', 'render', 'systemd'],
  },
  check({ unit, chain, facts, cwd, report }) {
    // A Job runs to completion and is stopped only when deleted: a one-shot script, nothing to drain.
    if (!chain || !unit.launch || unit.runsToCompletion) return;
    const defaults = platformDefaults[unit.platform];
    // Heroku and systemd's control group signal every process, PM2 kills the app's tree (treekill).
    if ((defaults.signalsEveryProcess && !unit.killMode) || unit.platform === 'pm2') return;
    const { step, index } = mainStep(chain);
    if (step?.kind !== 'wrapper') return;
    const wrapper = step;
    const next = chain.steps[index + 1];
    const imageShell = unit.image ? describeShell(unit.image) : 'an unknown /bin/sh';
    let verdict: Verdict | undefined;
    if (packageManagers.has(wrapper.name))
      verdict = packageManagerVerdict(
        wrapper,
        next?.kind === 'shell' ? next : undefined,
        imageShell,
        chain.node !== undefined,
      );
    else if (wrapper.name === 'pm2')
      verdict = {
        severity: 'error',
        why: '`pm2 start` starts the PM2 daemon and returns, so the main process exits at once and the platform stops the app (use `pm2-runtime` in a container)',
      };
    else if (others.has(wrapper.name))
      verdict = {
        severity: 'warn',
        why: `whether ${wrapper.name} passes SIGTERM on and waits for the app was not verified`,
      };
    if (!verdict) return;
    const handler = facts?.handlerAt ? ` (shutdown handler at ${formatAt(facts.handlerAt, cwd)})` : '';
    const fix = !chain.node
      ? ''
      : unit.launch.source.startsWith('[processes]') || unit.launch.source === 'ExecStart'
        ? ` Run \`${commandText(chain.node.words)}\` directly.`
        : ` Use ${unit.launch.source} ${execForm(chain.node.words)}.`;
    const explicitInit = chain.steps[0]?.kind === 'init' || unit.init?.span !== undefined;
    const init =
      explicitInit && verdict.severity === 'error'
        ? ' An init in front does not fix this: it signals only the wrapper (research §2.3).'
        : '';
    const script = wrapper.script ? ` (script "${wrapper.script.name}": \`${wrapper.script.text}\`)` : '';
    report({
      severity: verdict.severity,
      span: unit.launch.span,
      message: `\`${commandText(wrapper.words)}\`${script} is the main process on ${defaults.title}. ${verdict.why}, so ${chain.node?.written ?? 'the app'}${handler} ${verdict.severity === 'info' ? 'drains only thanks to the shell' : 'never drains'}.${fix}${init}`,
      related: facts?.handlerAt ? [facts.handlerAt] : [],
    });
  },
});
