// A development runner as the production main process (research §2.2, §5.1): it watches the
// filesystem, and some cut the drain on their own clock.
import { commandText, type WrapperStep } from '../../../src/core/deploy/process-chain.js';
import { defineDeployRule } from '../../../src/core/deploy/rule.js';

const devRunners: Record<string, string> = {
  nodemon: 'it sends SIGTERM and then SIGINT twice, and gives up waiting after 10 s',
  'tsx watch': 'it force-kills the app 5 s after SIGTERM',
  'node --watch': 'it restarts the app whenever a file changes',
  'ts-node': 'it type-checks and compiles TypeScript in memory at every start',
  'ts-node-dev': 'it restarts the app whenever a file changes, and compiles TypeScript in memory',
  'next dev': 'it serves an unoptimized development build',
  vite: 'it serves the development server',
};

export default defineDeployRule({
  meta: {
    id: 'deploy/prod-uses-dev-runner',
    description:
      'Disallow a development runner (nodemon, tsx watch, node --watch, ts-node, next dev, vite) as the production main process',
    recommended: 'warn',
    platforms: ['docker', 'compose', 'kubernetes', 'ecs', 'fly', 'heroku', 'render', 'systemd', 'pm2'],
  },
  check({ unit, chain, report }) {
    if (!chain || !unit.launch) return;
    const runner = chain.steps.find((s): s is WrapperStep => s.kind === 'wrapper' && s.name in devRunners);
    if (!runner) return;
    const via = chain.steps.find(
      (s): s is WrapperStep => s.kind === 'wrapper' && s !== runner && s.script !== undefined,
    );
    const through = via?.script ? ` (through \`${commandText(via.words)}\`, script "${via.script.name}")` : '';
    report({
      severity: 'warn',
      span: unit.launch.span,
      message: `\`${commandText(runner.words)}\`${through} is a development runner in production: ${devRunners[runner.name]}, and it watches the filesystem. Build the app and run it with node.`,
    });
  },
});
