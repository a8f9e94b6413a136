// `shutdown-lint migrate <name|all> [paths...]`: one analysis, each codemod handed exactly the
// findings of its rule, every output computed before any file is written, each file written
// atomically. A dirty git tree is refused (the migration should be the whole diff to review).
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, sep } from 'node:path';
import type { JSCodeshift } from 'jscodeshift';
import { codemods } from '../../codemods/index.js';
import { analyseForCodemods } from '../../codemods/lib/analysis.js';
import { applyCodemods, type Codemod, type LeftForPerson } from '../../codemods/lib/codemod.js';
import { drainWhereServiceDrains } from '../../codemods/lib/shutdown-path.js';
import { planDependencies } from '../../codemods/lib/dependencies.js';
import { findingsNoCodemodTakes } from '../../codemods/lib/left.js';
import { rules } from '../../rules/index.js';
import { unifiedDiff } from './diff.js';
import { UsageError } from '../core/project.js';
import { parseArgsOrUsage } from './args.js';

export const migrateUsage = `Usage: shutdown-lint migrate <codemod|all> [options] [paths...]

Rewrites what the rules find into the shutdown-lint/lifecycle form, one codemod per hazard.
Runs the type-aware analysis once and hands each codemod exactly its rule's findings.

Codemods:
${codemods.map((c) => `  ${c.codemod.name.padEnd(46)} ${c.codemod.rule.meta.id}`).join('\n')}

Options:
      --dry-run   print the changes as a unified diff; write nothing
      --force     run on a dirty git tree, or outside git
  -h, --help      show this help

Ends with a summary: what it rewrote, and what it left for a person (file:line and why).`;

export interface MigrateOptions {
  codemods: Codemod[];
  targets: string[];
  dryRun: boolean;
  force: boolean;
  help: boolean;
}

export function parseMigrateArgs(argv: readonly string[]): MigrateOptions {
  const parsed = parseArgsOrUsage(
    argv,
    {
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'shutdown-lint migrate',
  );
  const { values, positionals } = parsed;
  const help = values.help ?? false;
  const [name, ...targets] = positionals;
  const known = codemods.map((c) => c.codemod.name);
  if (!help && !name) throw new UsageError(`migrate: name a codemod or \`all\`. Known codemods: ${known.join(', ')}.`);
  let selected: Codemod[] = [];
  if (name === 'all') selected = codemods.map((c) => c.codemod);
  else if (name) {
    const found = codemods.find((c) => c.codemod.name === name);
    if (!found && !help)
      throw new UsageError(`migrate ${name}: no such codemod. Known codemods: ${known.join(', ')}, or all.`);
    if (found) selected = [found.codemod];
  }
  return { codemods: selected, targets, dryRun: values['dry-run'] ?? false, force: values.force ?? false, help };
}

function loadJscodeshift(): JSCodeshift {
  try {
    return createRequire(import.meta.url)('jscodeshift') as JSCodeshift;
  } catch {
    throw new UsageError(
      'migrate needs jscodeshift: install it next to shutdown-lint (npm install --save-dev jscodeshift@17).',
    );
  }
}

/** Refuses a dirty tree: the migration should be the only change to review (and to undo). */
function checkGitTree(cwd: string): void {
  let status: string;
  try {
    status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch {
    throw new UsageError(
      `${cwd} is not in a git work tree (or git is not installed): put the code under git and commit it first, so the migration can be reviewed and undone, or pass --force.`,
    );
  }
  const dirty = status.split('\n').filter(Boolean);
  if (dirty.length > 0) {
    const first = dirty[0]!.slice(3);
    throw new UsageError(
      `the git tree has uncommitted changes (${dirty.length} file${dirty.length === 1 ? '' : 's'}, first ${first}): commit or stash them first, so the migration is the only change to review, or pass --force.`,
    );
  }
}

/**
 * Every file is written next to itself first, then each is renamed over its original, keeping its
 * mode: a reader never sees half a file, and a write that fails leaves every file as it was.
 */
function writeFilesAtomically(files: readonly { path: string; content: string }[], cwd: string): void {
  const temporaries: string[] = [];
  let current = 0;
  try {
    for (const [i, file] of files.entries()) {
      current = i;
      const temporary = `${file.path}.${process.pid}.tmp`;
      writeFileSync(temporary, file.content);
      temporaries.push(temporary);
      chmodSync(temporary, statSync(file.path).mode);
    }
  } catch (error) {
    for (const temporary of temporaries) rmSync(temporary, { force: true });
    const failed = files[current]!;
    throw new UsageError(
      `${shown(cwd, failed.path)}: cannot write next to it (${(error as NodeJS.ErrnoException).code ?? 'error'}): make ${shown(cwd, dirname(failed.path)) || '.'} writable and run migrate again; nothing was written.`,
    );
  }
  files.forEach((file, i) => renameSync(temporaries[i]!, file.path));
}

interface PlannedFile {
  path: string;
  before: string;
  after: string;
  rewritten: number;
}

export interface MigrateIo {
  cwd: string;
  stdout: (text: string) => void;
  /** One line about a config that could not be used whole; the run goes on. */
  stderr?: (text: string) => void;
}

function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return (rel.startsWith('..') ? path : rel).split(sep).join('/');
}

/** Runs the migration; throws UsageError for what the user must fix (nothing is written then). */
export function migrate(options: MigrateOptions, io: MigrateIo): void {
  const j = loadJscodeshift();
  if (!options.dryRun && !options.force) checkGitTree(io.cwd);
  const analysis = analyseForCodemods(io.cwd, options.targets, (line) =>
    io.stderr?.(`shutdown-lint migrate: ${line}\n`),
  );
  const { unparsed } = analysis;
  if (unparsed) {
    throw new UsageError(
      `${shown(io.cwd, unparsed.path)}:${unparsed.line}: ${unparsed.message}. Fix it (or leave it out of the paths) and run migrate again; nothing was written.`,
    );
  }
  const planned: PlannedFile[] = [];
  const left: (LeftForPerson & { path: string })[] = [];
  for (const [path, analysed] of analysis.files) {
    const others = findingsNoCodemodTakes(
      analysed.findings,
      rules,
      options.codemods,
      codemods.map((c) => c.codemod),
    );
    left.push(...others.map((l) => ({ ...l, path })));
    const findings = analysed.findings.filter((f) => options.codemods.some((c) => c.rule.meta.id === f.ruleId));
    if (findings.length === 0) continue;
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch (error) {
      throw new UsageError(
        `${shown(io.cwd, path)}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check it exists and is readable, then run migrate again.`,
      );
    }
    if (source !== analysed.text) {
      throw new UsageError(`${shown(io.cwd, path)}: changed while it was analysed. Run migrate again.`);
    }
    let result;
    try {
      result = applyCodemods(options.codemods, { path, source }, findings, j);
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new UsageError(
        `${shown(io.cwd, path)}: cannot be rewritten (${message}). Fix the file or leave it out of the paths; nothing was written.`,
      );
    }
    left.push(...result.left.map((l) => ({ ...l, path })));
    if (result.output !== null)
      planned.push({ path, before: source, after: result.output, rewritten: result.rewritten.length });
  }
  // Work handed to the lifecycle is only safe once something drains it: on the service's own shutdown path.
  const drain = drainWhereServiceDrains({ analysis, codemods: options.codemods, j, planned });
  left.push(...drain.left);

  // The package.json edits go in the same write set as the code: a migrated file never lands without them.
  const dependencies = planDependencies(planned.map((f) => f.path));
  const written = [...planned, ...dependencies.edits];
  if (options.dryRun) {
    for (const file of written) io.stdout(unifiedDiff(shown(io.cwd, file.path), file.before, file.after));
  } else {
    writeFilesAtomically(
      written.map((f) => ({ path: f.path, content: f.after })),
      io.cwd,
    );
  }
  for (const problem of dependencies.problems)
    left.push({ path: problem.path, ruleId: 'dependencies', line: 1, column: 1, reason: problem.reason });

  const rewritten = planned.reduce((n, f) => n + f.rewritten, 0) - drain.notFixed;
  const verb = options.dryRun ? 'would rewrite' : 'rewrote';
  const lines = [
    `shutdown-lint migrate: ${verb} ${rewritten} finding${rewritten === 1 ? '' : 's'} in ${planned.length} file${planned.length === 1 ? '' : 's'}; ${left.length} left for a person.`,
  ];
  for (const file of planned)
    lines.push(`  ${options.dryRun ? 'would change' : 'changed'} ${shown(io.cwd, file.path)} (${file.rewritten})`);
  lines.push(...drain.summary((path) => shown(io.cwd, path)));
  for (const edit of dependencies.edits)
    lines.push(`  ${options.dryRun ? 'would have ' : ''}${edit.action} of ${shown(io.cwd, edit.path)}`);
  if (left.length > 0) {
    lines.push('Left for a person:');
    for (const l of left.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line))) {
      lines.push(`  ${shown(io.cwd, l.path)}:${l.line}:${l.column} ${l.ruleId}: ${l.reason}`);
    }
  }
  io.stdout(`${lines.join('\n')}\n`);
}
