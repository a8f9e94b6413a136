#!/usr/bin/env node
// `npm run bench:cache -- <project dir> --edit <file> | --synthetic <files>  [--runs n] [--json]`
//
// What `--cache` saves: the CLI cold (empty cache), warm with nothing changed, and warm after a
// real edit to one file (an exported function appended, then the file restored), alternating so
// load hits them alike. Issue 6's target: the warm run after editing one leaf file at most 15% of
// the cold run. The cache reuses whole programs (see src/cli/cache.ts for why), so an edit
// re-lints the programs holding the file: in a single-program service that is all of it, in a
// monorepo the edited package's program.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchUsageError, fmt, machine, median, projectWithFile, runOnce, times } from './run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const usage = `Usage: npm run bench:cache -- <project dir> --edit <file> [--target <path>] [options]
       npm run bench:cache -- --synthetic <files> [--seed n] [options]

Options:
  --edit <file>     the file to edit (for --synthetic: a domain's validation module, a leaf)
  --target <path>   what the CLI lints, relative to the project (default: the project dir);
                    repeatable: a monorepo's packages, each linted with its own tsconfig
  --runs <n>        runs of each case, alternating (default 3)
  --json            print the results as JSON`;

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
        edit: { type: 'string' },
        target: { type: 'string', multiple: true },
        runs: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`bench:cache: ${error.message.split('\n')[0]}\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const runs = Number(values.runs ?? 3);
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write('bench:cache: --runs takes a whole number of 1 or more\n');
    return 2;
  }
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
    process.stderr.write('bench:cache: dist/ is missing: run `npm run build` first.\n');
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), 'shutdown-lint-cache-bench-'));
  try {
    let projectDir;
    let edit;
    try {
      ({ projectDir, file: edit } = projectWithFile({
        values,
        positionals,
        work,
        fileOption: 'edit',
        defaultFile: 'src/domains/account/account.validation.ts',
        fileWhat: 'which file to edit',
      }));
    } catch (error) {
      if (!(error instanceof BenchUsageError)) throw error;
      process.stderr.write(`bench:cache: ${error.message}\n${usage}\n`);
      return 2;
    }
    const original = readFileSync(edit, 'utf8');
    const cacheDir = join(work, 'cache');
    const targets = (values.target ?? ['.']).map((t) => resolve(projectDir, t));
    const cli = (name, output) => ({
      name,
      cwd: projectDir,
      args: [
        join(root, 'bin', 'shutdown-lint.js'),
        ...targets,
        '--cache',
        '--cache-location',
        cacheDir,
        '--format',
        'json',
        '--output-file',
        join(work, output),
      ],
      okStatus: [0, 1],
    });
    const samples = { cold: [], warm: [], edited: [] };
    let outputsAgree = true;
    try {
      for (let run = 0; run < runs; run++) {
        writeFileSync(edit, original);
        rmSync(cacheDir, { recursive: true, force: true });
        const cases = [
          ['cold', cli('cold', 'cold.json')],
          ['warm', cli('warm', 'warm.json')],
        ];
        for (const [name, command] of cases) {
          const sample = runOnce(command, work);
          if (sample.failed) throw new Error(`the ${name} run exited with ${sample.status}: ${sample.stderr}`);
          samples[name].push(sample);
        }
        outputsAgree &&=
          readFileSync(join(work, 'cold.json'), 'utf8') === readFileSync(join(work, 'warm.json'), 'utf8');
        writeFileSync(
          edit,
          `${original}\nexport function benchEdit${run}(value: string): string {\n  return value.trim();\n}\n`,
        );
        const sample = runOnce(cli('edited', 'edited.json'), work);
        if (sample.failed) throw new Error(`the edited run exited with ${sample.status}: ${sample.stderr}`);
        samples.edited.push(sample);
        if (!values.json) {
          process.stderr.write(
            `bench:cache: run ${run + 1}/${runs}: cold ${fmt(samples.cold[run].wallS, 2)} s, warm ${fmt(samples.warm[run].wallS, 2)} s, after the edit ${fmt(sample.wallS, 2)} s\n`,
          );
        }
      }
    } finally {
      writeFileSync(edit, original);
    }
    const summary = (name) => ({
      wallS: median(samples[name].map((s) => s.wallS)),
      cpuS: median(samples[name].map((s) => s.cpuS)),
    });
    const report = {
      machine: machine(),
      project: values.synthetic ? `synthetic ${values.synthetic} files` : projectDir,
      editedFile: relative(projectDir, edit),
      runs,
      cold: summary('cold'),
      warm: summary('warm'),
      edited: summary('edited'),
      outputsAgree,
    };
    report.warmRatio = report.warm.wallS / report.cold.wallS;
    report.editedRatio = report.edited.wallS / report.cold.wallS;
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const m = report.machine;
      process.stdout.write(
        [
          `--cache on ${report.project}, editing ${report.editedFile}, ${runs} run(s) each, alternating. Load ${m.loadAverage.join(' ')} at start; Node ${m.node}, TypeScript ${m.typescript}; ${m.date}.`,
          '',
          '| run | median wall s | median CPU s | / cold |',
          '| --- | --- | --- | --- |',
          `| cold (empty cache) | ${fmt(report.cold.wallS, 2)} | ${fmt(report.cold.cpuS, 2)} | 1.00x |`,
          `| warm, nothing changed | ${fmt(report.warm.wallS, 2)} | ${fmt(report.warm.cpuS, 2)} | ${times(report.warmRatio)} |`,
          `| warm, after editing one file | ${fmt(report.edited.wallS, 2)} | ${fmt(report.edited.cpuS, 2)} | ${times(report.editedRatio)} |`,
          '',
          `- The warm report ${outputsAgree ? 'is byte for byte the cold one' : 'DIFFERS from the cold one'}.`,
          `- After the edit: ${fmt(report.editedRatio * 100, 1)}% of the cold run (target <= 15%: ${report.editedRatio <= 0.15 ? 'met' : 'missed'}).`,
        ].join('\n') + '\n',
      );
    }
    return outputsAgree ? 0 : 1;
  } catch (error) {
    process.stderr.write(`bench:cache: ${error.message}\n`);
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
