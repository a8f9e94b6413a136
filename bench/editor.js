#!/usr/bin/env node
// `npm run bench:editor -- <project dir> --file <path> | --synthetic <files>  [--edits n] [--runs n]`
//
// The editor case as an editor runs it: one long-lived ESLint (typed, projectService), the same
// file linted again after each edit, as the VS Code extension does on every change. The batch
// bench (`npm run bench`) lints every file once, so it pays whole-program work once; an editor
// pays whatever is redone per program version, on every keystroke. Each mode runs in its own
// process (alternating, `--runs` times): `plain` has only no-floating-promises, `shutdown` adds
// every shutdown rule. Reported: the first lint (opening the file: the project is loaded) and the
// median re-lint after an edit, its wall and its CPU time (the process's user + system: on a
// shared machine the wall swings with the load, the CPU time much less). Target (issue 16): the
// shutdown rules add at most 25%.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchUsageError, fmt, machine, median, projectWithFile } from './run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const usage = `Usage: npm run bench:editor -- <project dir> --file <path> [options]
       npm run bench:editor -- --synthetic <files> [--seed n] [options]

Options:
  --file <path>   the file the editor has open (for --synthetic: a domain's service file)
  --edits <n>     edits after the first lint (default 5); each appends an exported constant
  --runs <n>      processes per mode, alternating (default 3)
  --json          print the results as JSON`;

/** The child: one ESLint instance, the first lint, then a lint after each edit; prints the times. */
async function child(projectDir, file, mode, edits) {
  const { ESLint } = await import(pathToFileURL(join(root, 'node_modules', 'eslint', 'lib', 'api.js')).href);
  const parser = (
    await import(pathToFileURL(join(root, 'node_modules', '@typescript-eslint', 'parser', 'dist', 'index.js')).href)
  ).default;
  const tseslint = (
    await import(
      pathToFileURL(join(root, 'node_modules', '@typescript-eslint', 'eslint-plugin', 'dist', 'index.js')).href
    )
  ).default;
  const shutdown =
    mode === 'shutdown'
      ? (await import(pathToFileURL(join(root, 'dist', 'src', 'eslint', 'plugin.js')).href)).default
      : undefined;
  const eslint = new ESLint({
    cwd: projectDir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts', '**/*.js', '**/*.mjs', '**/*.cjs'],
        languageOptions: { parser, parserOptions: { projectService: true, tsconfigRootDir: projectDir } },
        linterOptions: { reportUnusedDisableDirectives: 'off' },
        plugins: { '@typescript-eslint': tseslint, ...(shutdown ? shutdown.configs.recommended.plugins : {}) },
        rules: {
          '@typescript-eslint/no-floating-promises': 'error',
          ...(shutdown ? shutdown.configs.recommended.rules : {}),
        },
      },
    ],
  });
  const text = readFileSync(file, 'utf8');
  const times = [];
  const cpu = [];
  let messages = 0;
  for (let i = 0; i <= edits; i++) {
    let edited = text;
    for (let j = 1; j <= i; j++) edited += `\nexport const benchEdit${j} = ${j};\n`;
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const [result] = await eslint.lintText(edited, { filePath: file });
    times.push(performance.now() - started);
    const used = process.cpuUsage(cpuStarted);
    cpu.push((used.user + used.system) / 1000);
    if (i === 0) messages = result.messages.length;
  }
  process.stdout.write(JSON.stringify({ times, cpu, messages }));
}

async function main(argv) {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        synthetic: { type: 'string' },
        seed: { type: 'string' },
        file: { type: 'string' },
        edits: { type: 'string' },
        runs: { type: 'string' },
        json: { type: 'boolean' },
        child: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`bench:editor: ${error.message.split('\n')[0]}\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const edits = Number(values.edits ?? 5);
  const runs = Number(values.runs ?? 3);
  if (values.child) {
    await child(positionals[0], values.file, values.child, edits);
    return 0;
  }
  if (![edits, runs].every((n) => Number.isInteger(n) && n >= 1)) {
    process.stderr.write('bench:editor: --edits and --runs take whole numbers of 1 or more\n');
    return 2;
  }
  if (!existsSync(join(root, 'dist', 'src', 'eslint', 'plugin.js'))) {
    process.stderr.write('bench:editor: dist/ is missing: run `npm run build` first.\n');
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), 'shutdown-lint-editor-'));
  try {
    let projectDir;
    let file;
    try {
      ({ projectDir, file: file } = projectWithFile({
        values,
        positionals,
        work,
        fileOption: 'file',
        defaultFile: 'src/domains/account/account.service.ts',
        fileWhat: 'which file the editor has open',
      }));
    } catch (error) {
      if (!(error instanceof BenchUsageError)) throw error;
      process.stderr.write(`bench:editor: ${error.message}\n${usage}\n`);
      return 2;
    }
    const samples = { plain: [], shutdown: [] };
    for (let run = 0; run < runs; run++) {
      for (const mode of ['plain', 'shutdown']) {
        const result = spawnSync(
          process.execPath,
          [fileURLToPath(import.meta.url), projectDir, '--child', mode, '--file', file, '--edits', String(edits)],
          {
            cwd: projectDir,
            encoding: 'utf8',
            maxBuffer: 64 * 2 ** 20,
          },
        );
        if (result.status !== 0) {
          process.stderr.write(
            `bench:editor: the ${mode} run exited with ${result.status}:\n${result.stderr.slice(0, 2000)}\n`,
          );
          return 1;
        }
        const sample = JSON.parse(result.stdout);
        samples[mode].push(sample);
        if (!values.json)
          process.stderr.write(
            `bench:editor: run ${run + 1}/${runs} ${mode}: first ${fmt(sample.times[0], 0)} ms, re-lints ${sample.times
              .slice(1)
              .map((t) => fmt(t, 0))
              .join(' ')} ms (CPU ${sample.cpu
              .slice(1)
              .map((t) => fmt(t, 0))
              .join(' ')} ms)\n`,
          );
      }
    }
    const summary = (mode) => ({
      firstMs: median(samples[mode].map((s) => s.times[0])),
      relintMs: median(samples[mode].flatMap((s) => s.times.slice(1))),
      relintCpuMs: median(samples[mode].flatMap((s) => s.cpu.slice(1))),
      messages: samples[mode][0].messages,
    });
    const plain = summary('plain');
    const shutdown = summary('shutdown');
    const report = {
      machine: machine(),
      project: projectDir,
      file: relative(projectDir, file),
      edits,
      runs,
      plain,
      shutdown,
      addedFirstPercent: ((shutdown.firstMs - plain.firstMs) / plain.firstMs) * 100,
      addedRelintPercent: ((shutdown.relintMs - plain.relintMs) / plain.relintMs) * 100,
      addedRelintCpuPercent: ((shutdown.relintCpuMs - plain.relintCpuMs) / plain.relintCpuMs) * 100,
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const m = report.machine;
      process.stdout.write(
        [
          `Editor case: ${report.file} in ${values.synthetic ? `the synthetic ${values.synthetic}-file service` : projectDir}, ${edits} edits, ${runs} process(es) per mode. Load ${m.loadAverage.join(' ')} at start; Node ${m.node}, TypeScript ${m.typescript}, ESLint ${m.eslint}; ${m.date}.`,
          '',
          '| ESLint typed, projectService | first lint ms | median re-lint after an edit ms | its CPU ms | messages |',
          '| --- | --- | --- | --- | --- |',
          `| no-floating-promises | ${fmt(plain.firstMs, 0)} | ${fmt(plain.relintMs, 0)} | ${fmt(plain.relintCpuMs, 0)} | ${plain.messages} |`,
          `| + all shutdown rules | ${fmt(shutdown.firstMs, 0)} | ${fmt(shutdown.relintMs, 0)} | ${fmt(shutdown.relintCpuMs, 0)} | ${shutdown.messages} |`,
          '',
          `- Added by the shutdown rules: ${fmt(report.addedFirstPercent, 1)}% on the first lint, ${fmt(report.addedRelintPercent, 1)}% on each re-lint, ${fmt(report.addedRelintCpuPercent, 1)}% of its CPU time (target <= 25%: ${report.addedRelintPercent <= 25 ? 'met' : 'missed'}).`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
