#!/usr/bin/env node
// `npm run bench -- <project dir> | --synthetic <files> [--seed n] [--runs n] [--json]`
//
// Times, in one run and alternating (A B C ... A B C ...), on the same tsconfig:
//   cli            shutdown-lint with all rules (bin/shutdown-lint.js, the built dist/)
//   eslint         ESLint + typescript-eslint typed, only @typescript-eslint/no-floating-promises
//   tsc            tsc --noEmit -p <tsconfig>
//   floor          bench/floor.js: program + bind + types of the shutdown-relevant call sites
//   eslint+shutdown the eslint command plus every shutdown rule from the built plugin (editor case)
// and reports medians, ratios to the CLI and peak memory (each command is a node process; a
// --require preload records its own getrusage high-water mark at exit). ESLint's flat configs are
// generated in a temporary directory; nothing is written into the measured project.
import { spawnSync } from 'node:child_process';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeService } from './synthetic.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const ts = require('typescript');

const usage = `Usage: npm run bench -- <project dir> [options]
       npm run bench -- --synthetic <files> [--seed n] [options]

Options:
  --tsconfig <path>     the config to measure (default: <project dir>/tsconfig.json)
  --runs <n>            runs of each command (default 3), alternating
  --only <names>        comma-separated subset of: cli, eslint, tsc, floor, eslint+shutdown
  --json                print the results as JSON instead of a markdown table
  --keep                keep the temporary directory (outputs, configs, the synthetic service)`;

class UsageError extends Error {}

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        synthetic: { type: 'string' },
        seed: { type: 'string' },
        tsconfig: { type: 'string' },
        runs: { type: 'string' },
        only: { type: 'string' },
        json: { type: 'boolean' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error.message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if ((values.synthetic === undefined) === (positionals.length !== 1)) {
    throw new UsageError('give one project directory, or --synthetic <files>');
  }
  const runs = Number(values.runs ?? 3);
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError(`--runs ${values.runs}: expected a whole number of 1 or more`);
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : undefined;
  for (const name of only ?? []) {
    if (!commandNames.includes(name))
      throw new UsageError(`--only ${name}: expected some of ${commandNames.join(', ')}`);
  }
  const synthetic = values.synthetic === undefined ? undefined : Number(values.synthetic);
  if (synthetic !== undefined && !(Number.isInteger(synthetic) && synthetic >= 100 && synthetic <= 5000)) {
    throw new UsageError(`--synthetic ${values.synthetic}: expected a number of files from 100 to 5000`);
  }
  const seed = Number(values.seed ?? 1);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed ${values.seed}: expected a whole number`);
  return {
    project: positionals[0],
    synthetic,
    seed,
    tsconfig: values.tsconfig,
    runs,
    only,
    json: values.json ?? false,
    keep: values.keep ?? false,
  };
}

const commandNames = ['cli', 'eslint', 'tsc', 'floor', 'eslint+shutdown'];
const labels = {
  cli: 'shutdown-lint CLI, all rules',
  eslint: 'ESLint + typescript-eslint, only `no-floating-promises` (projectService)',
  tsc: '`tsc --noEmit -p`',
  floor: 'floor: createProgram + bind + types of the shutdown-relevant calls',
  'eslint+shutdown': 'ESLint as above + all shutdown rules (editor case)',
};

/** The files of a config and of the configs it references, as the CLI selects them (no .d.ts). */
function configFiles(configPath) {
  const files = new Set();
  const seen = new Set();
  let rootOptions;
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    const read = ts.readConfigFile(path, ts.sys.readFile);
    if (read.error) throw new UsageError(`${path}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(path), undefined, path);
    rootOptions ??= parsed.options;
    for (const file of parsed.fileNames) if (!/\.d\.[cm]?ts$/.test(file)) files.add(resolve(file));
    for (const reference of parsed.projectReferences ?? []) visit(ts.resolveProjectReferencePath(reference));
  };
  visit(configPath);
  return { files: [...files], options: rootOptions };
}

function eslintConfig(projectDir, withShutdown) {
  const parser = import.meta.resolve('@typescript-eslint/parser');
  const plugin = import.meta.resolve('@typescript-eslint/eslint-plugin');
  const shutdown = pathToFileURL(join(root, 'dist', 'src', 'eslint', 'plugin.js')).href;
  return `// Generated by bench/run.js for one measurement; not part of the measured project.
import parser from ${JSON.stringify(parser)};
import tseslint from ${JSON.stringify(plugin)};
${withShutdown ? `import shutdown from ${JSON.stringify(shutdown)};\n` : ''}
export default [
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts', '**/*.js', '**/*.jsx', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      parser,
      parserOptions: { projectService: true, tsconfigRootDir: ${JSON.stringify(projectDir)} },
    },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { '@typescript-eslint': tseslint${withShutdown ? ', ...shutdown.configs.recommended.plugins' : ''} },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',${withShutdown ? '\n      ...shutdown.configs.recommended.rules,' : ''}
    },
  },
];
`;
}

export function machine() {
  const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    freeMemoryGiB: Math.round(freemem() / 2 ** 30),
    loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
    node: process.version,
    typescript: ts.version,
    eslint: version('eslint'),
    typescriptEslint: version('@typescript-eslint/parser'),
    shutdownLint: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
  };
}

/** A bad argument to a bench script: its message is printed as one line, exit code 2. */
export class BenchUsageError extends Error {}

/**
 * The project a bench script measures and the one file it works on: a synthetic service written
 * into `work` (`--synthetic n`, the file defaulting to `defaultFile`), or a directory given by path
 * with the file named by `--<fileOption>`.
 */
export function projectWithFile({ values, positionals, work, fileOption, defaultFile, fileWhat }) {
  if ((values.synthetic === undefined) === (positionals.length !== 1)) {
    throw new BenchUsageError('give one project directory, or --synthetic <files>');
  }
  let projectDir;
  let file;
  if (values.synthetic !== undefined) {
    const files = Number(values.synthetic);
    if (!Number.isInteger(files) || files < 100 || files > 5000) {
      throw new BenchUsageError(`--synthetic ${values.synthetic}: expected 100 to 5000 files`);
    }
    projectDir = join(work, `synthetic-${files}`);
    writeService(projectDir, { files, seed: Number(values.seed ?? 1) });
    file = resolve(projectDir, values[fileOption] ?? defaultFile);
  } else {
    projectDir = resolve(positionals[0]);
    if (!existsSync(projectDir) || !statSync(projectDir).isDirectory())
      throw new BenchUsageError(`${positionals[0]}: not a directory.`);
    if (!values[fileOption]) throw new BenchUsageError(`--${fileOption} <path>: ${fileWhat}`);
    file = resolve(projectDir, values[fileOption]);
  }
  if (!existsSync(file)) throw new BenchUsageError(`${file}: no such file.`);
  return { projectDir, file };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function runOnce(command, work) {
  const usageFile = join(work, `usage-${command.name.replace(/\W/g, '_')}.jsonl`);
  rmSync(usageFile, { force: true });
  for (const path of command.cleanup ?? []) rmSync(path, { force: true });
  const preload = join(root, 'bench', 'rss-preload.cjs');
  const env = {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(preload)}`.trim(),
    SHUTDOWN_LINT_BENCH_USAGE: usageFile,
    NO_COLOR: '1',
  };
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, command.args, {
    cwd: command.cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) throw result.error;
  const usages = existsSync(usageFile)
    ? readFileSync(usageFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];
  const acceptable = command.okStatus ?? [0];
  const failed = !acceptable.includes(result.status);
  return {
    wallS,
    cpuS: usages.reduce((n, u) => n + (u.userUs + u.systemUs) / 1e6, 0),
    maxRssMB: usages.length ? Math.max(...usages.map((u) => u.maxRssKiB)) / 1024 : NaN,
    processes: usages.length,
    status: result.status,
    failed,
    stdout: result.stdout,
    stderr: failed ? result.stderr.slice(0, 2000) : '',
  };
}

function commandsFor({ projectDir, configPath, files, options, work }) {
  const listFile = join(work, 'files.txt');
  writeFileSync(listFile, files.map((f) => relative(projectDir, f)).join('\n'));
  const relativeFiles = files.map((f) => relative(projectDir, f));
  const eslintBin = join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const eslintPlain = join(work, 'eslint-nfp.config.mjs');
  const eslintShutdown = join(work, 'eslint-nfp-shutdown.config.mjs');
  writeFileSync(eslintPlain, eslintConfig(projectDir, false));
  writeFileSync(eslintShutdown, eslintConfig(projectDir, true));
  const eslintArgs = (config, out) => [
    eslintBin,
    '--config',
    config,
    '--no-warn-ignored',
    '--format',
    'json',
    '--output-file',
    out,
    ...relativeFiles,
  ];
  // An incremental config would make tsc write (and later reuse) a .tsbuildinfo: send it to the
  // temporary directory and delete it before each run.
  const buildInfo = join(work, 'tsc.tsbuildinfo');
  const tscIncremental = options.incremental || options.composite ? ['--tsBuildInfoFile', buildInfo] : [];
  return [
    {
      name: 'cli',
      cwd: projectDir,
      args: [
        join(root, 'bin', 'shutdown-lint.js'),
        configPath,
        '--format',
        'json',
        '--output-file',
        join(work, 'cli.json'),
      ],
      okStatus: [0, 1],
    },
    { name: 'eslint', cwd: projectDir, args: eslintArgs(eslintPlain, join(work, 'eslint.json')), okStatus: [0, 1] },
    {
      name: 'tsc',
      cwd: projectDir,
      args: [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', configPath, ...tscIncremental],
      okStatus: [0, 1, 2],
      cleanup: [buildInfo],
    },
    { name: 'floor', cwd: projectDir, args: [join(root, 'bench', 'floor.js'), configPath] },
    {
      name: 'eslint+shutdown',
      cwd: projectDir,
      args: eslintArgs(eslintShutdown, join(work, 'eslint-shutdown.json')),
      okStatus: [0, 1],
    },
  ];
}

function countFindings(path, rulePrefix) {
  if (!existsSync(path)) return undefined;
  const results = JSON.parse(readFileSync(path, 'utf8'));
  let n = 0;
  for (const result of results) for (const m of result.messages) if (m.ruleId?.startsWith(rulePrefix)) n++;
  return n;
}

export function fmt(n, digits = 1) {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

export function times(n) {
  return Number.isFinite(n) ? `${n.toFixed(2)}x` : '-';
}

function table(report) {
  const cli = report.results.find((r) => r.name === 'cli');
  const lines = [
    `Project: ${report.project.label}, ${report.project.files} linted files, ${report.runs} run(s) each, alternating.`,
    `Machine: ${report.machine.nproc} cores (${report.machine.cpu}), ${report.machine.memoryGiB} GiB, load ${report.machine.loadAverage.join(' ')} at start; Node ${report.machine.node}, TypeScript ${report.machine.typescript}, ESLint ${report.machine.eslint}, typescript-eslint ${report.machine.typescriptEslint}; ${report.machine.date}.`,
    '',
    '| command | median wall s | median CPU s | peak RSS MB | wall / CLI | RSS / CLI | notes |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of report.results) {
    const wallRatio = cli ? r.wallS / cli.wallS : NaN;
    const rssRatio = cli ? r.maxRssMB / cli.maxRssMB : NaN;
    lines.push(
      `| ${labels[r.name]} | ${fmt(r.wallS)} | ${fmt(r.cpuS)} | ${fmt(r.maxRssMB, 0)} | ${times(wallRatio)} | ${times(rssRatio)} | ${r.notes.join('; ')} |`,
    );
  }
  const t = report.targets;
  lines.push('');
  const show = (value, unit) => (unit === '%' ? `${fmt(value, 1)}%` : times(value));
  const target = (label, value, cpu, limit, unit = 'x') =>
    value === undefined
      ? undefined
      : `- ${label}: ${show(value, unit)} by wall time, ${show(cpu, unit)} by CPU time (target <= ${limit}${unit}, judged by wall time: ${value <= limit ? 'met' : 'missed'})`;
  for (const line of [
    target('CLI / ESLint typed', t.cliVsEslintWall, t.cliVsEslintCpu, 0.3),
    t.cliVsEslintRss === undefined
      ? undefined
      : `- CLI / ESLint typed, peak RSS: ${times(t.cliVsEslintRss)} (target <= 0.6x: ${t.cliVsEslintRss <= 0.6 ? 'met' : 'missed'})`,
    target('CLI / floor', t.cliVsFloorWall, t.cliVsFloorCpu, 1.2),
    target(
      'shutdown rules added to ESLint typed (editor case)',
      t.editorAddedPercent,
      t.editorAddedPercentCpu,
      10,
      '%',
    ),
  ]) {
    if (line) lines.push(line);
  }
  return lines.join('\n');
}

export async function main(argv) {
  let options;
  try {
    options = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${usage}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
    process.stderr.write('bench: dist/ is missing: run `npm run build` first.\n');
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), 'shutdown-lint-bench-'));
  try {
    let projectDir;
    let label;
    if (options.synthetic !== undefined) {
      projectDir = join(work, `synthetic-${options.synthetic}-seed-${options.seed}`);
      writeService(projectDir, { files: options.synthetic, seed: options.seed });
      label = `synthetic service, ${options.synthetic} files, seed ${options.seed}`;
    } else {
      projectDir = resolve(options.project);
      if (!existsSync(projectDir) || !statSync(projectDir).isDirectory()) {
        process.stderr.write(`bench: ${options.project}: not a directory.\n`);
        return 2;
      }
      label = projectDir;
    }
    const configPath = resolve(projectDir, options.tsconfig ?? 'tsconfig.json');
    if (!existsSync(configPath)) {
      process.stderr.write(`bench: ${configPath} does not exist; pass --tsconfig.\n`);
      return 2;
    }
    const { files, options: compilerOptions } = configFiles(configPath);
    const commands = commandsFor({ projectDir, configPath, files, options: compilerOptions, work }).filter(
      (c) => !options.only || options.only.includes(c.name),
    );
    const samples = new Map(commands.map((c) => [c.name, []]));
    const report = {
      machine: machine(),
      project: { label, dir: projectDir, tsconfig: configPath, files: files.length },
      runs: options.runs,
      results: [],
      targets: {},
    };
    for (let run = 0; run < options.runs; run++) {
      for (const command of commands) {
        const sample = runOnce(command, work);
        if (sample.failed) {
          process.stderr.write(`bench: ${command.name} exited with ${sample.status}:\n${sample.stderr}\n`);
          return 1;
        }
        samples.get(command.name).push(sample);
        if (!options.json)
          process.stderr.write(
            `bench: run ${run + 1}/${options.runs} ${command.name}: ${fmt(sample.wallS, 2)} s, ${fmt(sample.maxRssMB, 0)} MB\n`,
          );
      }
    }
    for (const command of commands) {
      const list = samples.get(command.name);
      const notes = [];
      if (command.name === 'cli') notes.push(`${countFindings(join(work, 'cli.json'), 'shutdown/')} findings`);
      if (command.name === 'eslint')
        notes.push(`${countFindings(join(work, 'eslint.json'), '@typescript-eslint/')} floating promises`);
      if (command.name === 'eslint+shutdown')
        notes.push(`${countFindings(join(work, 'eslint-shutdown.json'), 'shutdown/')} shutdown findings`);
      if (command.name === 'tsc') {
        const errors = (list[list.length - 1].stdout.match(/error TS\d+/g) ?? []).length;
        notes.push(errors ? `${errors} type errors` : 'no type errors');
      }
      if (command.name === 'floor') {
        const floor = JSON.parse(list[list.length - 1].stdout);
        notes.push(`${floor.sites} call sites typed in ${floor.files} files (${floor.programFiles} in the program)`);
      }
      report.results.push({
        name: command.name,
        label: labels[command.name],
        wallS: median(list.map((s) => s.wallS)),
        cpuS: median(list.map((s) => s.cpuS)),
        maxRssMB: Math.max(...list.map((s) => s.maxRssMB)),
        walls: list.map((s) => Number(s.wallS.toFixed(3))),
        notes,
      });
    }
    const get = (name) => report.results.find((r) => r.name === name);
    const [cli, eslint, floor, editor] = ['cli', 'eslint', 'floor', 'eslint+shutdown'].map(get);
    if (cli && eslint) {
      report.targets.cliVsEslintWall = cli.wallS / eslint.wallS;
      report.targets.cliVsEslintCpu = cli.cpuS / eslint.cpuS;
      report.targets.cliVsEslintRss = cli.maxRssMB / eslint.maxRssMB;
    }
    if (cli && floor) {
      report.targets.cliVsFloorWall = cli.wallS / floor.wallS;
      report.targets.cliVsFloorCpu = cli.cpuS / floor.cpuS;
    }
    if (eslint && editor) {
      report.targets.editorAddedPercent = ((editor.wallS - eslint.wallS) / eslint.wallS) * 100;
      report.targets.editorAddedPercentCpu = ((editor.cpuS - eslint.cpuS) / eslint.cpuS) * 100;
    }
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${table(report)}\n`);
    return 0;
  } finally {
    if (options.keep) process.stderr.write(`bench: kept ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
