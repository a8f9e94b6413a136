// The `shutdown-lint` command: arguments in, report out, exit code set. It sets
// process.exitCode and lets the process end on its own (we lint for the other way).
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { version } from '../meta.js';
import { parseCliArgs, usage } from './args.js';
import { defaultCacheLocation } from './cache.js';
import { format, formatStats, lint } from './lint.js';
import { migrate, migrateUsage, parseMigrateArgs } from './migrate.js';
import { UsageError } from '../core/project.js';
import { ts } from '../core/typescript.js';
import { parsePlanArgs, plan, planUsage } from './plan.js';

export interface Io {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stderr is a terminal: show a progress line on long runs. */
  isTTY: boolean;
  /** stdout is a terminal: colour the stylish report. */
  stdoutIsTTY?: boolean;
  now?: () => number;
}

export const ExitCode = { clean: 0, findings: 1, usage: 2 } as const;

/**
 * Writes next to the target, then renames: a reader never sees half a report. A path that cannot
 * be written (no permission, a folder in the way) is a usage error naming it.
 */
function writeFileAtomically(path: string, content: string, given: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    makeFolders(dirname(path));
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was written there either.
    }
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(
      `--output-file ${given}: cannot write the report there (${code}). Choose a path you can write to.`,
    );
  }
}

/**
 * Creates the missing folders of `folder`, outermost first. Not `mkdirSync(…, { recursive: true })`:
 * on a path under a pseudo file system (`/proc/x`) Node's recursive mkdir loops forever, and the
 * run hung after the analysis instead of naming the path.
 */
function makeFolders(folder: string): void {
  const missing: string[] = [];
  for (let current = folder; !existsSync(current); current = dirname(current)) {
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const each of missing.reverse()) mkdirSync(each);
}

function progressReporter(io: Io): ((done: number, total: number) => void) & { clear(): void } {
  const now = io.now ?? Date.now;
  const started = now();
  let shown = false;
  const report = (done: number, total: number): void => {
    if (!io.isTTY || now() - started < 1000) return;
    shown = true;
    io.stderr(`\rshutdown-lint: ${done}/${total} files`);
  };
  return Object.assign(report, {
    clear() {
      if (shown) io.stderr('\r\x1b[K');
    },
  });
}

/** Runs the CLI and returns the exit code. */
export function runCli(argv: readonly string[], io: Io): number {
  try {
    if (argv[0] === 'plan') {
      const options = parsePlanArgs(argv.slice(1));
      io.stdout(options.help ? `${planUsage}\n` : plan(options, io.cwd));
      return ExitCode.clean;
    }
    if (argv[0] === 'migrate') {
      const options = parseMigrateArgs(argv.slice(1));
      if (options.help) io.stdout(`${migrateUsage}\n`);
      else migrate(options, io);
      return ExitCode.clean;
    }
    const options = parseCliArgs(argv);
    if (options.help) {
      io.stdout(`${usage}\n`);
      return ExitCode.clean;
    }
    if (options.version) {
      io.stdout(`${version}\n`);
      return ExitCode.clean;
    }
    const progress = progressReporter(io);
    const run = lint(ts, {
      cwd: io.cwd,
      targets: options.targets,
      ruleSeverities: options.ruleSeverities,
      shard: options.shard,
      groupAt: options.groupAt,
      cacheLocation:
        options.cacheLocation === undefined
          ? undefined
          : options.cacheLocation === ''
            ? defaultCacheLocation(io.cwd)
            : resolve(io.cwd, options.cacheLocation),
      onWarning: (line) => io.stderr(`shutdown-lint: ${line}\n`),
      onProgress: progress,
    });
    progress.clear();
    if (options.stats) io.stderr(formatStats(run.stats, io.cwd));
    if (options.quiet) {
      for (const result of run.results) {
        result.messages = result.messages.filter((m) => m.severity === 2);
        result.warningCount = 0;
      }
    }
    const color = Boolean(io.stdoutIsTTY) && !options.outputFile && !process.env.NO_COLOR;
    const output = format(options.format, run, io.cwd, color);
    const text = output && !output.endsWith('\n') ? `${output}\n` : output;
    if (options.outputFile) writeFileAtomically(resolve(io.cwd, options.outputFile), text, options.outputFile);
    else if (text) io.stdout(text);
    const errors = run.results.reduce((n, r) => n + r.errorCount, 0);
    const warnings = run.results.reduce((n, r) => n + r.warningCount, 0);
    if (errors > 0) return ExitCode.findings;
    if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
      io.stderr(`shutdown-lint: ${warnings} warnings, more than --max-warnings ${options.maxWarnings}.\n`);
      return ExitCode.findings;
    }
    return ExitCode.clean;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`shutdown-lint: ${error.message}\n`);
      return ExitCode.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(
      `shutdown-lint: internal error: ${message.split('\n')[0]}. Please report it with the file that caused it.\n`,
    );
    return ExitCode.usage;
  }
}
