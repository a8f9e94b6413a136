// `npm run field -- --migrate`: the checks on what `shutdown-lint migrate all` wrote into a service
// of the field corpus (issue 17: idempotent on every service, output that parses, rewrites in the
// file's style). The git plumbing is in scripts/field.js; this module holds what can be tested on
// a tiny self-written repository: the diff reading, the parse check and the style checks.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/** The extensions TypeScript parses; other files a migration touches (package.json) are not code. */
const codeExtensions = /\.(?:[cm]?[jt]s|[jt]sx)$/;
export const isCode = (path) => codeExtensions.test(path) && !path.endsWith('.d.ts');

export function git(cwd, args, { allowFail = false } = {}) {
  const run = spawnSync('git', ['-c', 'user.name=field', '-c', 'user.email=field@localhost', ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 2 ** 28,
  });
  if (run.status !== 0 && !allowFail)
    throw new Error(`git ${args.join(' ')} failed: ${(run.stderr || run.stdout).trim().split('\n')[0]}`);
  return run.stdout;
}

/** Files changed between two revisions (or between a revision and the work tree when `to` is omitted). */
export function changedFiles(cwd, from, to) {
  const out = git(cwd, ['diff', '--name-only', '-z', '--no-renames', from, ...(to ? [to] : []), '--']);
  return out.split('\0').filter(Boolean);
}

/** The content of `path` at `rev`, or undefined when it is not there (a file the run created). */
export function showFile(cwd, rev, path) {
  const run = spawnSync('git', ['show', `${rev}:${path}`], { cwd, encoding: 'utf8', maxBuffer: 2 ** 28 });
  return run.status === 0 ? run.stdout : undefined;
}

/**
 * The lines added per file of a unified diff with no context (`git diff -U0`), 1-based in the new
 * file: `{ path: Set<line> }`.
 */
export function addedLines(diff) {
  const added = new Map();
  let path;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      path = line === '+++ /dev/null' ? undefined : line.slice(4).replace(/^b\//, '');
      if (path !== undefined && !added.has(path)) added.set(path, new Set());
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk && path !== undefined) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      for (let n = start; n < start + count; n += 1) added.get(path).add(n);
    }
  }
  return added;
}

/** The `+`/`-` lines of a diff (no headers): what a second run changed, to print. */
export function diffBody(diff) {
  return diff.split('\n').filter((line) => /^[+-]/.test(line) && !line.startsWith('+++ ') && !line.startsWith('--- '));
}

function scriptKind(path) {
  if (/\.tsx$/.test(path)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(path)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(path)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

function sourceFile(path, text) {
  return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(path));
}

/**
 * TypeScript's syntactic diagnostics of one file (what `tsc` reports before it checks a type: a
 * parse error, or TypeScript syntax in a JavaScript file), each as `line: message`.
 */
export function parseErrors(path, text) {
  const result = ts.transpileModule(text, {
    fileName: path,
    reportDiagnostics: true,
    compilerOptions: {
      allowJs: true,
      jsx: ts.JsxEmit.Preserve,
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      // Decorators of NestJS and TypeORM services parse either way; the legacy flag keeps
      // transpileModule from reporting the options, not the file.
      experimentalDecorators: true,
    },
  });
  return (result.diagnostics ?? [])
    .filter((d) => d.category === ts.DiagnosticCategory.Error && d.file !== undefined && d.start !== undefined)
    .map((d) => {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
}

/**
 * A file the run broke: errors after that were not there before. A file that did not parse before
 * either (Flow, a syntax TypeScript does not read) fails only when the run added errors.
 */
export function newParseErrors(path, before, after) {
  const was = before === undefined ? [] : parseErrors(path, before);
  const now = parseErrors(path, after);
  if (now.length <= was.length) return [];
  const wasMessages = new Set(was.map((e) => e.replace(/^\d+: /, '')));
  const fresh = now.filter((e) => !wasMessages.has(e.replace(/^\d+: /, '')));
  return fresh.length > 0 ? fresh : now;
}

/** The local names the runtime is bound to: `import * as lifecycle from 'shutdown-lint/lifecycle'`, `require`. */
function lifecycleNames(file) {
  const names = new Set();
  const fromRuntime = (node) => ts.isStringLiteral(node) && /^shutdown-lint\/lifecycle$/.test(node.text);
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && fromRuntime(node.moduleSpecifier) && node.importClause) {
      const clause = node.importClause;
      if (clause.name) names.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.add(e.name.text);
    }
    if (
      ts.isVariableDeclaration(node) &&
      node.initializer &&
      ts.isCallExpression(node.initializer) &&
      ts.isIdentifier(node.initializer.expression) &&
      node.initializer.expression.text === 'require' &&
      node.initializer.arguments.length === 1 &&
      fromRuntime(node.initializer.arguments[0])
    ) {
      if (ts.isIdentifier(node.name)) names.add(node.name.text);
      else if (ts.isObjectBindingPattern(node.name))
        for (const e of node.name.elements) if (ts.isIdentifier(e.name)) names.add(e.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}

/** The leftmost identifier of `a.b(c).d(e)`. */
function rootIdentifier(node) {
  let at = node;
  for (;;) {
    if (ts.isCallExpression(at) || ts.isPropertyAccessExpression(at) || ts.isElementAccessExpression(at))
      at = at.expression;
    else if (ts.isParenthesizedExpression(at) || ts.isNonNullExpression(at)) at = at.expression;
    else return ts.isIdentifier(at) ? at : undefined;
  }
}

const isAsync = (fn) => (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;

function enclosingFunction(node) {
  for (let at = node.parent; at; at = at.parent) if (ts.isFunctionLike(at)) return at;
  return undefined;
}

const indentOf = (line) => /^[ \t]*/.exec(line)[0];

/**
 * Style a careful engineer would not leave, in the lines a run added (`added`: 1-based line numbers,
 * or undefined for the whole file):
 * - `void lifecycle.x(…).then(…)` (or `.catch`, `.finally`) inside an async function, where `await` fits;
 * - a statement indented unlike its siblings, or not deeper than the line that opens its block,
 *   where the block was touched (a wrapper added around old lines that kept their indentation);
 * - an added line indented with tabs in a file indented with spaces, or the other way round.
 * Returns `{ line, kind, text }` each.
 */
export function styleProblems(path, text, added) {
  const file = sourceFile(path, text);
  const lines = text.split('\n');
  const touched = (line) => added === undefined || added.has(line);
  const lineOf = (pos) => file.getLineAndCharacterOfPosition(pos).line + 1;
  const problems = [];
  const names = lifecycleNames(file);

  const visit = (node) => {
    if (ts.isVoidExpression(node)) {
      const call = node.expression;
      const root = rootIdentifier(call);
      const fn = enclosingFunction(node);
      if (
        ts.isCallExpression(call) &&
        ts.isPropertyAccessExpression(call.expression) &&
        ['then', 'catch', 'finally'].includes(call.expression.name.text) &&
        root !== undefined &&
        names.has(root.text) &&
        fn !== undefined &&
        isAsync(fn) &&
        touched(lineOf(node.getStart(file)))
      )
        problems.push({
          line: lineOf(node.getStart(file)),
          kind: 'void-then-in-async',
          text: `\`void ${root.text}….${call.expression.name.text}(…)\` inside an async function: \`await\` fits`,
        });
    }
    if (ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      checkBlock(node);
    }
    ts.forEachChild(node, visit);
  };

  const checkBlock = (block) => {
    const openLine = lineOf(ts.isBlock(block) || ts.isModuleBlock(block) ? block.getStart(file) : block.getStart(file));
    const closeLine = lineOf(block.getEnd());
    // Statements that begin their line: only they have an indentation of their own.
    const own = block.statements.filter((s) => {
      const start = s.getStart(file);
      const { line, character } = file.getLineAndCharacterOfPosition(start);
      return indentOf(lines[line]).length === character && line + 1 !== openLine;
    });
    if (own.length === 0) return;
    let anyTouched = touched(openLine);
    for (const s of own) if (touched(lineOf(s.getStart(file)))) anyTouched = true;
    if (!anyTouched) return;
    const opener = indentOf(lines[openLine - 1]);
    const indents = own.map((s) => indentOf(lines[lineOf(s.getStart(file)) - 1]));
    // The indentation most siblings share is the block's; a touched statement that differs is the problem.
    const counts = new Map();
    for (const i of indents) counts.set(i, (counts.get(i) ?? 0) + 1);
    const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    own.forEach((s, k) => {
      const line = lineOf(s.getStart(file));
      const indent = indents[k];
      if (!touched(line) && !touched(openLine)) return;
      if (indent.length <= opener.length && closeLine !== openLine)
        problems.push({
          line,
          kind: 'indentation',
          text: 'statement not indented deeper than the line that opens its block',
        });
      else if (indent !== common && touched(line))
        problems.push({
          line,
          kind: 'indentation',
          text: `statement indented ${indent.length}, its siblings ${common.length}`,
        });
    });
  };
  visit(file);

  // Tabs against spaces: the file's own habit is what most of its indented lines use.
  let tabs = 0;
  let spaces = 0;
  lines.forEach((line, i) => {
    if (added !== undefined && added.has(i + 1)) return;
    if (line.startsWith('\t')) tabs += 1;
    else if (line.startsWith(' ')) spaces += 1;
  });
  const habit = tabs > spaces ? '\t' : spaces > tabs ? ' ' : undefined;
  if (habit !== undefined && added !== undefined)
    for (const n of added) {
      const line = lines[n - 1];
      if (line === undefined || line.trim() === '') continue;
      if ((habit === ' ' && line.startsWith('\t')) || (habit === '\t' && line.startsWith(' ') && !/^ +\*/.test(line)))
        problems.push({
          line: n,
          kind: 'indentation',
          text: `indented with ${habit === ' ' ? 'tabs' : 'spaces'} in a file indented with ${habit === ' ' ? 'spaces' : 'tabs'}`,
        });
    }
  const seen = new Set();
  return problems
    .filter((p) => {
      const key = `${p.line}:${p.kind}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line);
}

/** `shutdown-lint migrate: rewrote N findings in M files; K left for a person.` */
export function readSummary(stdout) {
  const m = /migrate: (?:would rewrite|rewrote) (-?\d+) findings? in (\d+) files?; (\d+) left for a person/.exec(
    stdout,
  );
  return m ? { rewritten: Number(m[1]), files: Number(m[2]), left: Number(m[3]) } : undefined;
}

/**
 * What run 1 wrote and run 2 changed in a repository where run 1 is the commit `run1` on top of
 * `base` and run 2 is left in the work tree: parse failures, style problems, and the diff of run 2.
 */
export function inspect(cwd, base, run1) {
  const first = changedFiles(cwd, base, run1);
  const added = addedLines(git(cwd, ['diff', '-U0', '--no-renames', base, run1, '--']));
  const parse = [];
  const style = [];
  for (const path of first.filter(isCode)) {
    const after = showFile(cwd, run1, path);
    if (after === undefined) continue; // deleted
    const errors = newParseErrors(path, showFile(cwd, base, path), after);
    if (errors.length > 0) parse.push({ path, run: 1, errors });
    for (const p of styleProblems(path, after, added.get(path) ?? new Set())) style.push({ path, ...p });
  }
  const second = changedFiles(cwd, run1);
  const secondDiff = second.length > 0 ? git(cwd, ['diff', '--no-renames', run1, '--']) : '';
  for (const path of second.filter(isCode)) {
    if (!existsSync(join(cwd, path))) continue;
    const errors = newParseErrors(path, showFile(cwd, run1, path), readFileSync(join(cwd, path), 'utf8'));
    if (errors.length > 0) parse.push({ path, run: 2, errors });
  }
  return { first, second, secondDiff: diffBody(secondDiff), parse, style };
}

function runMigrate(cli, dir) {
  const started = Date.now();
  const run = spawnSync(process.execPath, [cli, 'migrate', 'all', '.'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 2 ** 28,
    timeout: Number(process.env.FIELD_TIMEOUT_MS ?? 30 * 60_000),
  });
  const seconds = (Date.now() - started) / 1000;
  const firstError = (run.stderr || run.stdout || '').trim().split('\n')[0];
  if (run.error)
    return { error: `${run.error.code === 'ETIMEDOUT' ? 'timed out' : 'crashed'}: ${run.error.message}`, seconds };
  if (run.status !== 0 && run.status !== 1)
    return { error: `exit ${run.status ?? run.signal}: ${firstError}`, seconds };
  return { summary: readSummary(run.stdout), stdout: run.stdout.trim(), seconds };
}

/**
 * Copies the checkout to `scratch/<name>`, commits it, runs `migrate all .`, commits that, runs it
 * again, and inspects both runs. The copy stays for a person to read (`git log -p` in it).
 */
export function migrateService(cli, checkoutDir, service, scratch) {
  const dir = join(scratch, `${service.repo.replace('/', '+')}@${service.commit.slice(0, 12)}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  cpSync(checkoutDir, dir, { recursive: true, verbatimSymlinks: true });
  git(dir, ['init', '-q']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'as fetched', '--no-verify']);
  const base = git(dir, ['rev-parse', 'HEAD']).trim();
  const first = runMigrate(cli, dir);
  if (first.error) return { dir, error: `run 1: ${first.error}`, seconds: first.seconds };
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'migrate all, run 1', '--allow-empty', '--no-verify']);
  const run1 = git(dir, ['rev-parse', 'HEAD']).trim();
  // The type check reads run 1 from the work tree, so it runs before run 2 writes there.
  const started = Date.now();
  let types;
  try {
    types = newTypeErrors(dir, base, changedFiles(dir, base, run1));
  } catch (error) {
    types = { error: String(error?.message ?? error).split('\n')[0], errors: [], checked: 0, skipped: [] };
  }
  types.seconds = (Date.now() - started) / 1000;
  const second = runMigrate(cli, dir);
  const inspected = inspect(dir, base, run1);
  return {
    dir,
    seconds: first.seconds + second.seconds,
    run1: first.summary,
    run1Output: first.stdout,
    run2: second.error ? { error: second.error } : second.summary,
    ...inspected,
    types,
  };
}

/** The per-service lines (`details`) and the table over all services (`summary`). */
export function printMigrate(services, write, { details = true, summary = true } = {}) {
  if (details)
    for (const s of services) {
      write('');
      write(`## ${s.repo} @ ${s.commit.slice(0, 12)}${s.seconds === undefined ? '' : ` (${s.seconds.toFixed(0)} s)`}`);
      if (s.error) {
        write(`error: ${s.error}`);
        continue;
      }
      const r1 = s.run1;
      write(
        `run 1: ${r1 ? `rewrote ${r1.rewritten} in ${r1.files} files, ${r1.left} left for a person` : '(no summary)'}; ${s.first.length} files changed`,
      );
      write(
        `run 2: ${s.run2?.error ? `error: ${s.run2.error}` : s.run2 ? `rewrote ${s.run2.rewritten}, ${s.run2.left} left` : '(no summary)'}; ${s.second.length} files changed${s.second.length ? ` (NOT IDEMPOTENT): ${s.second.join(', ')}` : ''}`,
      );
      for (const line of s.secondDiff) write(`  run 2 diff: ${line}`);
      for (const p of s.parse) write(`  parse (run ${p.run}): ${p.path}:${p.errors.slice(0, 3).join('; ')}`);
      for (const p of s.style) write(`  style: ${p.path}:${p.line} ${p.kind}: ${p.text}`);
      if (s.types) {
        write(
          `types: ${s.types.error ? `error: ${s.types.error}; ` : ''}${s.types.checked} changed files type-checked (${s.types.seconds.toFixed(0)} s), ${s.types.skipped.length} JavaScript files not (no checkJs), ${s.types.errors.length} with new errors`,
        );
        for (const t of s.types.errors) for (const e of t.errors) write(`  type (${t.config}): ${t.path}:${e}`);
      }
      write(`  scratch copy: ${s.dir}`);
    }
  if (!summary) return;
  const rows = [
    ['service', 'rewritten', 'left', 'files', 'run 2 files', 'run 2 rewrote', 'parse failures', 'style', 'type errors'],
  ];
  const total = { rewritten: 0, left: 0, files: 0, second: 0, secondRewrote: 0, parse: 0, style: 0, types: 0 };
  for (const s of services) {
    if (s.error) {
      rows.push([s.repo, 'error', '', '', '', '', '', '', '']);
      continue;
    }
    const row = {
      rewritten: s.run1?.rewritten ?? 0,
      left: s.run1?.left ?? 0,
      files: s.first.length,
      second: s.second.length,
      secondRewrote: s.run2?.rewritten ?? 0,
      parse: s.parse.length,
      style: s.style.length,
      types: (s.types?.errors ?? []).reduce((n, t) => n + t.errors.length, 0),
    };
    for (const k of Object.keys(total)) total[k] += row[k];
    rows.push([
      s.repo,
      row.rewritten,
      row.left,
      row.files,
      row.second,
      s.run2?.error ? 'error' : row.secondRewrote,
      row.parse,
      row.style,
      s.types?.error ? 'error' : row.types,
    ]);
  }
  rows.push([
    'all',
    total.rewritten,
    total.left,
    total.files,
    total.second,
    total.secondRewrote,
    total.parse,
    total.style,
    total.types,
  ]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ')} |`;
  write('');
  write(
    `# migrate all, twice: ${services.filter((s) => !s.error).length} ran, ${services.filter((s) => s.error).length} errored`,
  );
  write('');
  write([line(rows[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.slice(1).map(line)].join('\n'));
  for (const s of services.filter((x) => x.error)) write(`errored: ${s.repo}: ${s.error}`);
}

// ---------------------------------------------------------------------------------------------
// The type check (issue 17: output that "type-checks where types exist"). Without installing the
// service's dependencies: each tsconfig program that holds a changed TypeScript file is built twice,
// once with the changed files as they were before the run and once as they are after it, and the
// semantic diagnostics of the changed files are compared. What was wrong before (a module that is
// not installed, a missing @types package) is not the run's; what is new is.

/** This package's own runtime declarations: `shutdown-lint/lifecycle` resolves to them. */
const lifecycleTypes = new URL('../../dist/src/lifecycle/index.d.ts', import.meta.url).pathname;
const runtimeSpecifier = 'shutdown-lint/lifecycle';
/**
 * Node's own types, from this package's `@types/node`: a service whose dependencies are not
 * installed still knows `process`, `http.Server`, `setTimeout`, so a rewrite that misuses them is
 * caught instead of hidden behind "Cannot find name 'process'" before and after.
 */
const nodeTypes = new URL('../../node_modules/@types/node/index.d.ts', import.meta.url).pathname;

const tsExtensions = /\.(?:[cm]?ts|tsx)$/;
const isTsConfig = (path) => /(?:^|\/)tsconfig[^/]*\.json$/.test(path) && !/(?:^|\/)node_modules\//.test(path);

/** `TS2345: Argument of type …` — what is compared: code and text, no position (lines move). */
function diagnosticKey(d) {
  return `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
}

/**
 * The tsconfig files of a repository, each parsed with `extends` followed where it can be (a
 * package it extends is not installed: its options are missing, the rest stands).
 */
function tsconfigs(cwd, paths) {
  const configs = [];
  for (const path of paths.filter(isTsConfig).sort()) {
    const file = join(cwd, path);
    const parsed = ts.getParsedCommandLineOfConfigFile(
      file,
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    );
    if (!parsed || parsed.fileNames.length === 0) continue;
    configs.push({
      path,
      dir: dirname(path),
      options: parsed.options,
      files: new Set(parsed.fileNames.map(normalize)),
    });
  }
  return configs;
}

const normalize = (file) => resolve(file);

/** The program a changed file is checked in: the deepest tsconfig that holds it, `tsconfig.json` first. */
function programFor(configs, absolute) {
  const holding = configs.filter((c) => c.files.has(absolute));
  holding.sort((a, b) => {
    const depth = (c) => (c.dir === '.' ? 0 : c.dir.split('/').length);
    return depth(b) - depth(a) || Number(/\/?tsconfig\.json$/.test(b.path)) - Number(/\/?tsconfig\.json$/.test(a.path));
  });
  return holding[0];
}

/** Options for a changed file no tsconfig holds: what an editor infers for a loose file. */
const inferredOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  experimentalDecorators: true,
  jsx: ts.JsxEmit.Preserve,
};

/**
 * A compiler host that reads `overrides` (absolute path → text, or null for a file that does not
 * exist) instead of the disk, shares parsed files through `cache`, and resolves
 * `shutdown-lint/lifecycle` to this package's declarations.
 */
function hostFor(options, overrides, cache) {
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (file) =>
    overrides.has(normalize(file)) ? (overrides.get(normalize(file)) ?? undefined) : readFile(file);
  host.fileExists = (file) =>
    overrides.has(normalize(file)) ? overrides.get(normalize(file)) !== null : fileExists(file);
  host.getSourceFile = (file, languageVersion) => {
    const text = host.readFile(file);
    if (text === undefined) return undefined;
    const version = typeof languageVersion === 'object' ? languageVersion.languageVersion : languageVersion;
    const key = `${normalize(file)}\0${version}\0${text.length}`;
    const hit = cache.get(key);
    if (hit && hit.text === text) return hit;
    const sf = ts.createSourceFile(file, text, languageVersion, true);
    cache.set(key, sf);
    return sf;
  };
  const moduleCache = ts.createModuleResolutionCache(host.getCurrentDirectory(), (f) => f, options);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, opts, containingSourceFile) =>
    literals.map((literal) =>
      literal.text === runtimeSpecifier
        ? {
            resolvedModule: {
              resolvedFileName: lifecycleTypes,
              extension: ts.Extension.Dts,
              isExternalLibraryImport: true,
            },
          }
        : ts.resolveModuleName(
            literal.text,
            containingFile,
            opts,
            host,
            moduleCache,
            redirected,
            ts.getModeForUsageLocation(containingSourceFile, literal, opts),
          ),
    );
  return host;
}

/**
 * The semantic diagnostics a run added to the files it changed, as `[{ path, config, errors }]`
 * (`errors`: `line: TS1234: message`, lines of the file after the run), plus `checked` (files
 * type-checked) and `skipped` (changed JavaScript files outside a program that checks JavaScript).
 *
 * `cwd` holds the tree after the run in its work tree; `base` is the revision before it; `changed`
 * the paths the run changed (relative to `cwd`). Before the run, each changed file reads as it was
 * at `base` (absent if the run created it).
 */
export function newTypeErrors(cwd, base, changed) {
  const root = resolve(cwd);
  const tracked = git(cwd, ['ls-files', '-z']).split('\0').filter(Boolean);
  const configs = tsconfigs(root, tracked);
  const code = changed.filter((p) => isCode(p) && existsSync(join(root, p)));
  const groups = new Map(); // config path (or '') → { options, roots, files }
  const skipped = [];
  for (const path of code) {
    const absolute = join(root, path);
    const config = programFor(configs, absolute);
    const options = config?.options ?? inferredOptions;
    if (!tsExtensions.test(path) && !(options.allowJs && options.checkJs)) {
      skipped.push(path);
      continue;
    }
    const key = config?.path ?? '';
    if (!groups.has(key)) groups.set(key, { options, roots: config ? [...config.files] : [], files: [] });
    groups.get(key).files.push(path);
  }
  const before = new Map();
  for (const path of changed) before.set(join(root, path), showFile(cwd, base, path) ?? null);
  const found = [];
  let checked = 0;
  for (const [config, group] of groups) {
    const options = { ...group.options, noEmit: true, skipLibCheck: true, incremental: false, composite: false };
    delete options.tsBuildInfoFile;
    delete options.declarationDir;
    const roots = [
      ...new Set([
        ...group.roots,
        ...group.files.map((p) => join(root, p)),
        ...(existsSync(nodeTypes) ? [nodeTypes] : []),
      ]),
    ];
    const cache = new Map();
    const programOf = (overrides, old) =>
      ts.createProgram({ rootNames: roots, options, host: hostFor(options, overrides, cache), oldProgram: old });
    const after = programOf(new Map());
    const was = programOf(before, after);
    for (const path of group.files) {
      const absolute = join(root, path);
      const afterFile = after.getSourceFile(absolute);
      if (!afterFile) continue;
      checked += 1;
      const beforeFile = was.getSourceFile(absolute);
      const counts = new Map();
      for (const d of beforeFile ? was.getSemanticDiagnostics(beforeFile) : []) {
        const key = diagnosticKey(d);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const errors = [];
      for (const d of after.getSemanticDiagnostics(afterFile)) {
        if (d.category !== ts.DiagnosticCategory.Error) continue;
        const key = diagnosticKey(d);
        const left = counts.get(key) ?? 0;
        if (left > 0) {
          counts.set(key, left - 1);
          continue;
        }
        const line = d.start === undefined ? 0 : afterFile.getLineAndCharacterOfPosition(d.start).line + 1;
        errors.push(`${line}: ${key}`);
      }
      if (errors.length > 0) found.push({ path, config: config || '(no tsconfig)', errors });
    }
  }
  return { errors: found, checked, skipped };
}
