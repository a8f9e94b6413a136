// Procfile lines (`web: npm start`). On Heroku the stop reaches every process of the dyno, so a
// wrapper does not lose it (§5.3 4); the budget (30 s, fixed) and the signal still apply.
import { dirname } from 'node:path';
import { platformDefaults } from '../platforms.js';
import { projectRoot } from '../process-chain.js';
import type { DeployFile } from '../source.js';
import type { DeployUnit } from '../units.js';

export function readProcfile(file: DeployFile): DeployUnit[] {
  const units: DeployUnit[] = [];
  const defaults = platformDefaults.heroku;
  let offset = 0;
  for (const line of file.text.split('\n')) {
    const match = /^([A-Za-z0-9_-]+):\s*(.*?)\s*$/.exec(line);
    if (match) {
      const span = { file, start: offset, end: offset + line.length };
      const commandStart = offset + line.indexOf(match[2]!);
      units.push({
        platform: 'heroku',
        name: `Procfile process ${match[1]}`,
        file,
        span,
        production: true,
        grace: { value: defaults.graceSeconds, key: 'Heroku grace (fixed)' },
        stopSignal: { value: defaults.signal, key: 'Heroku stop signal (fixed)' },
        // Heroku runs the line with bash.
        launch: {
          argv: ['bash', '-c', match[2]!],
          shellForm: false,
          span: { file, start: commandStart, end: span.end },
          source: `Procfile ${match[1]}`,
          cwd: projectRoot(dirname(file.path)),
        },
        env: new Map(),
        notes: ['Heroku sends SIGTERM to every process of the dyno'],
        ...(match[1] === 'web' ? { servesTraffic: { span, what: 'web process' } } : {}),
      });
    }
    offset += line.length + 1;
  }
  return units;
}
