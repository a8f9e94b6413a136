#!/usr/bin/env node
// `npm run demo`: runs the CLI on the demo service, shows its report, and checks that the report
// is exactly the hazards the service carries (each marked `// HAZARD <rule-id>` on the line
// above; markers stack when two rules report one line) and that every rule shutdown-lint has is
// among them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const demo = join(root, 'fixtures', 'demo-service');
const bin = join(root, 'bin', 'shutdown-lint.js');

const shown = spawnSync(process.execPath, [bin, demo], { stdio: 'inherit' });
if (shown.status !== 1) {
  console.error(`demo: expected exit code 1 (findings), got ${shown.status}`);
  process.exitCode = 1;
} else {
  const json = spawnSync(process.execPath, [bin, demo, '--format', 'json'], { encoding: 'utf8' });
  const results = JSON.parse(json.stdout);
  const found = new Set();
  for (const result of results) {
    for (const message of result.messages) found.add(`${result.filePath}:${message.line}:${message.ruleId}`);
  }
  const expected = new Set();
  for (const result of results) {
    const lines = readFileSync(result.filePath, 'utf8').split('\n');
    lines.forEach((line, i) => {
      // `// HAZARD <rule>` in code, `# HAZARD deploy/<check>` in Dockerfiles and manifests.
      const marker = /(?:\/\/|#) HAZARD ([a-z0-9/-]+)/.exec(line);
      if (!marker) return;
      // Markers stack: two rules can report the same line.
      let target = i + 1;
      while (target < lines.length && /(?:\/\/|#) HAZARD [a-z0-9/-]+/.test(lines[target])) target++;
      expected.add(`${result.filePath}:${target + 1}:shutdown/${marker[1]}`);
    });
  }
  const { rules } = await import(join(root, 'dist', 'rules', 'index.js'));
  const missing = [...expected].filter((key) => !found.has(key));
  const unexpected = [...found].filter((key) => !expected.has(key));
  const rulesShown = new Set([...found].map((key) => key.split(':').pop()));
  const rulesMissing = rules.map((r) => `shutdown/${r.meta.id}`).filter((id) => !rulesShown.has(id));
  for (const key of missing) console.error(`demo: HAZARD not reported: ${key}`);
  for (const key of unexpected) console.error(`demo: reported without a HAZARD marker: ${key}`);
  for (const id of rulesMissing) console.error(`demo: the demo service carries no hazard for ${id}`);
  if (missing.length || unexpected.length || rulesMissing.length) {
    process.exitCode = 1;
  } else {
    console.log(`demo: all ${expected.size} marked hazards found, every rule (${rules.length}) shown.`);
  }
}
