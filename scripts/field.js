#!/usr/bin/env node
// `npm run field -- --mirrors DIR`: runs the CLI on every service of the field corpus
// (fixtures/field/services/*.json) at its pinned commit and scores the findings against the labels
// written before the run: recall per rule, precision over judged findings, traps hit, and the
// findings nobody judged yet. See fixtures/field/README.md.
//
// The services are not vendored: each is read from a bare git mirror, DIR/<owner>+<name>/repo (or
// DIR/<owner>+<name> itself), and extracted (`git ls-tree` and `git cat-file --batch`) into a cache of
// checkouts that later runs reuse. Exit code 0 when it ran (the numbers are the output), 2 on a
// usage error.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkout, findMirror, firstLine } from './field/checkout.js';
import { migrateService, printMigrate } from './field/migrate.js';
import { readFindings, scoreService, summarize, validateService } from './field/score.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const servicesDir = join(root, 'fixtures', 'field', 'services');

const usage = `Usage: npm run field -- --mirrors DIR [options]

Scores shutdown-lint on the field corpus (fixtures/field/services/*.json).

Options:
  --mirrors DIR     where the bare git mirrors are: DIR/<owner>+<name>/repo or DIR/<owner>+<name>
  --checkouts DIR   where to extract the pinned commits (default: ${join(tmpdir(), 'shutdown-lint-field')})
  --only OWNER/NAME score this service only; repeatable
  --rule ID         score this rule only
  --cli PATH        the CLI to run (default: this project's bin/shutdown-lint.js, which needs dist/)
  --migrate         instead of scoring: copy each service to --scratch, commit it, run
                    \`migrate all .\` twice, and report what run 1 rewrote and left, what run 2
                    changed (must be nothing), changed files that no longer parse, new type
                    errors in the TypeScript files run 1 changed, and style
  --scratch DIR     where --migrate copies the services (default: ${join(tmpdir(), 'shutdown-lint-field-migrate')})
  --json            print the summary as JSON
  -h, --help        show this help`;

function parseArgs(argv) {
  const options = {
    only: [],
    json: false,
    checkouts: join(tmpdir(), 'shutdown-lint-field'),
    cli: join(root, 'bin', 'shutdown-lint.js'),
    scratch: join(tmpdir(), 'shutdown-lint-field-migrate'),
    migrate: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--mirrors') options.mirrors = resolve(value());
    else if (arg === '--checkouts') options.checkouts = resolve(value());
    else if (arg === '--only') options.only.push(value());
    else if (arg === '--rule') options.rule = value();
    else if (arg === '--cli') options.cli = resolve(value());
    else if (arg === '--json') options.json = true;
    else if (arg === '--migrate') options.migrate = true;
    else if (arg === '--scratch') options.scratch = resolve(value());
    else if (arg === '-h' || arg === '--help') options.help = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.help && options.mirrors === undefined) throw new Error('--mirrors DIR is required');
  return options;
}

/**
 * The rule ids with their message ids, from the built rule registry and the deploy checks (ids
 * `deploy/<check>`, no message ids); without a build, the ids of the folders of rules/ that hold
 * their rule (rules/<id>/<id>.ts), and message ids go unchecked.
 */
async function knownRules() {
  try {
    const { rules } = await import(pathToFileURL(join(root, 'dist', 'rules', 'index.js')).href);
    const { deployRules } = await import(pathToFileURL(join(root, 'dist', 'rules', 'deploy', 'index.js')).href);
    // The deploy checks report one message each, without message ids.
    return new Map([
      ...rules.map((rule) => [rule.meta.id, Object.keys(rule.meta.messages)]),
      ...deployRules.map((rule) => [rule.meta.id, []]),
    ]);
  } catch {
    return readdirSync(join(root, 'rules'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, 'rules', entry.name, `${entry.name}.ts`)))
      .map((entry) => entry.name);
  }
}

function runCli(cli, dir, service) {
  const out = join(mkdtempSync(join(tmpdir(), 'shutdown-lint-field-out-')), 'report.json');
  const started = Date.now();
  // Every site: the labels and judgements are per call site, not per grouped cause (src/cli/group.ts).
  const run = spawnSync(process.execPath, [cli, ...service.paths, '-f', 'json', '--group-at', '0', '-o', out], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 2 ** 28,
    timeout: Number(process.env.FIELD_TIMEOUT_MS ?? 20 * 60_000),
  });
  const seconds = (Date.now() - started) / 1000;
  try {
    if (run.error)
      return { error: `${run.error.code === 'ETIMEDOUT' ? 'timed out' : 'crashed'}: ${run.error.message}`, seconds };
    if (run.status !== 0 && run.status !== 1)
      return { error: `exit ${run.status ?? run.signal}: ${firstLine(run.stderr || run.stdout)}`, seconds };
    if (!existsSync(out))
      return { error: `exit ${run.status} but no report was written: ${firstLine(run.stderr)}`, seconds };
    return { report: JSON.parse(readFileSync(out, 'utf8')), seconds, stderr: run.stderr.trim() };
  } catch (error) {
    return { error: `unreadable report: ${error.message}`, seconds };
  } finally {
    rmSync(dirname(out), { recursive: true, force: true });
  }
}

const percent = (ratio) => (ratio === null ? '-' : `${Math.round(ratio * 100)}%`);

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  const line = (row) => `| ${row.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  return [line(rows[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.slice(1).map(line)].join('\n');
}

function countsRow(name, c) {
  return [
    name,
    c.hazards,
    c.matched,
    percent(c.recall),
    c.true,
    c.false,
    c.debatable,
    percent(c.precision),
    c.unjudged,
    `${c.trapsHit}/${c.traps}`,
  ];
}
const header = ['', 'hazards', 'matched', 'recall', 'true', 'false', 'debatable', 'precision', 'unjudged', 'traps hit'];

function printText(result, write) {
  for (const line of result.invalid) write(`invalid: ${line.file}: ${line.problems.join('; ')}`);
  for (const line of result.missing)
    write(
      `missing mirror: ${line.repo}: fetch it (tool: fetch github:${line.repo}, or: git clone --bare https://github.com/${line.repo}.git ${line.path}), then run again`,
    );
  for (const s of result.services) {
    write('');
    write(`## ${s.repo} @ ${s.commit.slice(0, 12)}${s.seconds === undefined ? '' : ` (${s.seconds.toFixed(0)} s)`}`);
    if (s.error) {
      write(`error: ${s.error}`);
      continue;
    }
    const t = s.score.totals;
    write(
      `recall ${t.matched}/${t.hazards} ${percent(t.recall)}, precision ${t.true}/${t.true + t.false} ${percent(t.precision)}, debatable ${t.debatable}, traps hit ${t.trapsHit}/${t.traps}, unjudged ${t.unjudged}`,
    );
    for (const h of s.score.hazards.filter((h) => !h.matched))
      write(`  missed ${h.id} ${h.rule} ${h.path}:${h.lines[0]}-${h.lines[1]}`);
    for (const f of s.score.findings.filter((f) => f.verdict === 'true'))
      write(`  true ${f.path}:${f.line} ${f.rule}${f.hazard ? ` (${f.hazard})` : ''} ${f.messageId ?? ''}`);
    for (const f of s.score.findings.filter((f) => f.verdict === 'debatable'))
      write(`  debatable ${f.path}:${f.line} ${f.rule} ${f.messageId ?? ''}`);
    for (const f of s.score.findings.filter((f) => f.verdict === 'false'))
      write(
        `  false ${f.path}:${f.line} ${f.rule}${f.trap ? ` (trap ${f.trap})` : ''}${f.class ? `: ${f.class}` : ''}`,
      );
    for (const f of s.score.findings.filter((f) => f.verdict === 'unjudged'))
      write(`  unjudged ${f.path}:${f.line} ${f.rule} ${f.messageId ?? ''} ${f.message}`);
    if (s.stderr) write(`  the CLI printed on stderr: ${firstLine(s.stderr)}`);
    if (s.absent.length > 0) write(`  not in the mirror, left out of the checkout: ${s.absent.join(', ')}`);
    if (s.unparsed.length > 0)
      write(
        `  ${s.unparsed.length} message(s) from no shutdown rule (parse errors), e.g. ${s.unparsed[0].path}:${s.unparsed[0].line ?? ''} ${s.unparsed[0].message}`,
      );
  }
  write('');
  write(
    `# Summary${result.rule ? ` (rule ${result.rule})` : ''}: ${result.services.filter((s) => !s.error).length} scored, ${result.services.filter((s) => s.error).length} errored, ${result.missing.length} missing, ${result.invalid.length} invalid`,
  );
  write('');
  const perService = result.services.filter((s) => !s.error).map((s) => countsRow(s.repo, s.score.totals));
  write(table([['service', ...header.slice(1)], ...perService, countsRow('all', result.summary.totals)]));
  write('');
  write(
    table([
      ['rule', ...header.slice(1)],
      ...Object.entries(result.summary.rules).map(([rule, c]) => countsRow(rule, c)),
      countsRow('all', result.summary.totals),
    ]),
  );
  const errors = result.services.filter((s) => s.error);
  if (errors.length > 0) {
    write('');
    for (const s of errors) write(`errored: ${s.repo}: ${s.error}`);
  }
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`field: ${error.message}\n\n${usage}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const known = await knownRules();
  const rules = known instanceof Map ? [...known.keys()] : known;
  if (options.rule !== undefined && !rules.includes(options.rule)) {
    process.stderr.write(`field: unknown rule ${options.rule} (known: ${rules.join(', ')})\n`);
    return 2;
  }
  if (!existsSync(options.mirrors) || !statSync(options.mirrors).isDirectory()) {
    process.stderr.write(`field: --mirrors ${options.mirrors} is not a directory\n`);
    return 2;
  }
  const needsDist =
    options.cli === join(root, 'bin', 'shutdown-lint.js') && !existsSync(join(root, 'dist', 'src', 'cli', 'main.js'));
  if (needsDist) {
    process.stderr.write(
      `field: ${relative(process.cwd(), join(root, 'dist')) || 'dist'} is missing: the CLI runs from the build. Run \`npm run build\` first (or pass --cli PATH).\n`,
    );
    return 2;
  }
  if (!existsSync(options.cli)) {
    process.stderr.write(`field: --cli ${options.cli} does not exist\n`);
    return 2;
  }

  const files = existsSync(servicesDir)
    ? readdirSync(servicesDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  const result = { rule: options.rule, invalid: [], missing: [], services: [] };
  const wanted = new Set(options.only);
  const found = new Set();
  const write = options.json ? () => {} : (line) => process.stdout.write(`${line}\n`);
  for (const file of files) {
    const shown = relative(root, join(servicesDir, file));
    let service;
    try {
      service = JSON.parse(readFileSync(join(servicesDir, file), 'utf8'));
    } catch (error) {
      result.invalid.push({ file: shown, problems: [`not JSON: ${error.message}`] });
      continue;
    }
    if (wanted.size > 0 && !wanted.has(service?.repo)) continue;
    found.add(service?.repo);
    const problems = validateService(service, known);
    if (typeof service.repo === 'string' && basename(file, '.json') !== service.repo.replace('/', '+'))
      problems.push(`the file should be named ${service.repo.replace('/', '+')}.json`);
    if (problems.length > 0) {
      result.invalid.push({ file: shown, problems });
      continue;
    }
    const gitDir = findMirror(options.mirrors, service.repo);
    if (gitDir === undefined) {
      result.missing.push({ repo: service.repo, path: join(options.mirrors, service.repo.replace('/', '+'), 'repo') });
      continue;
    }
    if (!options.json)
      process.stderr.write(`field: ${service.repo}: extracting and ${options.migrate ? 'migrating' : 'linting'}…\n`);
    const checkedOut = checkout(gitDir, service, options.checkouts);
    if (checkedOut.error) {
      result.services.push({ repo: service.repo, commit: service.commit, error: checkedOut.error });
      continue;
    }
    if (options.migrate) {
      const migrated = migrateService(options.cli, checkedOut.dir, service, options.scratch);
      result.services.push({ repo: service.repo, commit: service.commit, ...migrated });
      if (!options.json) printMigrate([result.services.at(-1)], write, { summary: false });
      continue;
    }
    const run = runCli(options.cli, checkedOut.dir, service);
    if (run.error) {
      result.services.push({ repo: service.repo, commit: service.commit, error: run.error, seconds: run.seconds });
      continue;
    }
    const { findings, other } = readFindings(run.report, checkedOut.dir);
    const score = scoreService(service, findings, { rule: options.rule });
    result.services.push({
      repo: service.repo,
      commit: service.commit,
      seconds: run.seconds,
      checkout: checkedOut.dir,
      absent: checkedOut.absent,
      stderr: run.stderr,
      score,
      unparsed: other,
    });
  }
  for (const repo of wanted)
    if (!found.has(repo))
      result.invalid.push({
        file: '--only',
        problems: [`no service file for ${repo} in ${relative(root, servicesDir)}`],
      });
  if (options.migrate) {
    for (const line of result.invalid) write(`invalid: ${line.file}: ${line.problems.join('; ')}`);
    for (const line of result.missing) write(`missing mirror: ${line.repo}`);
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else printMigrate(result.services, write, { details: false });
    return 0;
  }
  result.summary = summarize(result.services.filter((s) => !s.error).map((s) => s.score));
  // Every rule gets a row, so that the table shows the rules nothing was labelled or reported for.
  const zero = {
    hazards: 0,
    matched: 0,
    true: 0,
    false: 0,
    debatable: 0,
    unjudged: 0,
    traps: 0,
    trapsHit: 0,
    recall: null,
    precision: null,
  };
  result.summary.rules = Object.fromEntries(
    rules
      .filter((rule) => options.rule === undefined || rule === options.rule)
      .map((rule) => [rule, result.summary.rules[rule] ?? zero]),
  );

  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else printText(result, write);
  return 0;
}

process.exitCode = await main();
