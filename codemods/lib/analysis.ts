// The findings the codemods rewrite: every rule with its defaults, through the core's
// analyzeProject(), the same analysis the CLI's lint runs. `shutdown-lint migrate` analyses its
// paths once; a codemod run alone under jscodeshift analyses the file's project, once per process.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { rules } from '../../rules/index.js';
import { analyzeProject, type AnalyzedFinding, type FindingFacts } from '../../src/core/analysis.js';
import { processExits, sameRef, shutdownHookMethods } from '../../src/core/catalogue.js';
import { isTestFile } from '../../src/core/files.js';
import { methodCallParts } from '../../src/core/ts-utils.js';
import { ProgramIndex } from '../../src/core/program-index.js';
import { handlerBoundOf } from '../../src/core/deploy/code-facts.js';
import { isServerDrain, usedResourceClosedBy } from '../../rules/close-in-reverse-order/dependents.js';
import { ts } from '../../src/core/typescript.js';
import type * as TS from 'typescript';

/** A file as it was analysed: the text the findings' offsets refer to, and its unsuppressed findings. */
export interface AnalysedFile {
  text: string;
  findings: AnalyzedFinding[];
}

/** A function the program runs at shutdown (the core's shutdown roots), by where it is. */
export interface ShutdownPathFacts {
  path: string;
  /** The function's range in the analysed text; undefined for a top-level `await once(process, 'SIGTERM')`. */
  start?: number;
  end?: number;
  /** 1-based line of the registration, for messages. */
  line: number;
  column: number;
  /** `process.on('SIGTERM')`, `close-with-grace`, `onApplicationShutdown`. */
  trigger: string;
  /** What runs it: a signal listener, a library's shutdown callback, or closing an app (Fastify `onClose`, NestJS hooks). */
  runsOn: 'signal' | 'library' | 'close';
  /**
   * The process exits on this path outside the function itself (in a function it calls, a method
   * of its class, a callback of theirs), where a drain at its end would run after, or never.
   */
  exitsElsewhere: { path: string; line: number }[];
  /**
   * In the function itself: the ranges of the calls that drain a server or worker, and of the
   * calls that close a store one of them uses (close-in-reverse-order's analysis). The lifecycle's
   * drain goes after the first and before the second: its tracked work may still use the store.
   */
  drains: { start: number; end: number }[];
  storeCloses: { start: number; end: number }[];
  /**
   * The bound the library puts on this handler, when it has one the code or its default sets
   * (lightship's `shutdownHandlerTimeout`, close-with-grace's `delay`): a drain placed here ends
   * when it fires, whatever the lifecycle's own deadline.
   */
  bound?: { ms: number; what: string };
}

/** One program: its files, and the shutdown paths the core found in it where the rules report (no test, script or browser code). */
export interface ServiceFacts {
  /**
   * Its files that run in a deployed process (`ProgramIndex.inDeployedProcess`), none for a program
   * with no entry of its own (only tests, and modules other programs import): what a test program
   * loads of the service (an end-to-end helper importing its telemetry module, a test of one of its
   * mains) hands work to a lifecycle the test runner ends, not one a drain of this program must
   * wait for.
   */
  files: Set<string>;
  shutdownPaths: ShutdownPathFacts[];
}

export interface CodemodAnalysis {
  files: Map<string, AnalysedFile>;
  /** Per program: where it shuts down, for the drain `migrate` places there. */
  services?: ServiceFacts[];
  /** The first file (by path) that does not parse, if any: a codemod must not rewrite around it. */
  unparsed?: { path: string; line: number; message: string };
}

/** Analyses the targets with every rule at its defaults, keeping what is not suppressed. */
export function analyseForCodemods(
  cwd: string,
  targets: readonly string[],
  onWarning?: (line: string) => void,
): CodemodAnalysis {
  const files = new Map<string, AnalysedFile>();
  const services: ServiceFacts[] = [];
  // Per program, the root files that may be entries of its own; the files some program imports.
  const candidates: { service: ServiceFacts; roots: string[] }[] = [];
  const imported = new Set<string>();
  let unparsed: CodemodAnalysis['unparsed'];
  const analysis = analyzeProject(ts, { cwd, targets, rules: rules.map((rule) => ({ rule })), onWarning });
  for (const program of analysis.programs) {
    if ('cached' in program) continue; // no reuse is asked for
    for (const file of program.files) {
      const path = file.sourceFile.fileName;
      // The first by path, as the CLI's report lists files.
      if (file.parseError && (!unparsed || path < unparsed.path)) {
        unparsed = { path, line: file.parseError.line, message: `Parsing error: ${file.parseError.message}` };
      }
      files.set(path, { text: file.sourceFile.text, findings: file.findings.filter((f) => !f.suppression) });
    }
    if (program.files.some((f) => f.parseError)) continue;
    // Only facts are kept: the programs are built one at a time, and each let go when the next is.
    const built = program.project.program;
    const index = ProgramIndex.for(ts, built);
    for (const file of index.sourceFiles) if (index.isImported(file)) imported.add(file.fileName);
    const service = serviceFacts(built);
    services.push(service);
    candidates.push({
      service,
      roots: built.getRootFileNames().filter((name) => !/\.d\.[cm]?ts$/.test(name) && !isTestFile(name)),
    });
  }
  // A program with no entry of its own is no process: its own files are tests, or modules another
  // program imports (the program inferred for the files no config includes: a suite's helpers
  // written in JavaScript beside its TypeScript, tests a config excludes), whatever mains of the
  // service those tests import. It needs no drain.
  for (const { service, roots } of candidates) if (roots.every((name) => imported.has(name))) service.files.clear();
  return unparsed ? { files, services, unparsed } : { files, services };
}

/** The program's shutdown roots as the core's index found them (the rules built it already: cached). */
function serviceFacts(program: TS.Program): ServiceFacts {
  const index = ProgramIndex.for(ts, program);
  const shutdownPaths: ShutdownPathFacts[] = [];
  // `process.exit(…)` in every form the binding knows (`this.process.exit`, `exit` from node:process).
  const exits = ['exit', 'abort', 'reallyExit'].flatMap((name) =>
    index.callsNamed(name).filter((call) => {
      const ref = index.binding.resolve(call.expression);
      return ref !== undefined && processExits.some((exit) => sameRef(exit, ref));
    }),
  );
  for (const root of index.shutdownRoots) {
    const file = root.registration.getSourceFile();
    // The rules' own scope: a load script's or a browser bundle's SIGINT handler is no shutdown
    // path of the service, and a drain placed there would only tie the script to the runtime.
    if (!index.inDeployedProcess(root.registration)) continue;
    const registration = root.registration;
    const parts = ts.isCallExpression(registration) ? methodCallParts(ts, registration) : undefined;
    const hook =
      parts &&
      shutdownHookMethods.find((h) => h.method === parts.name && index.kindOf(parts.receiver, true) === h.kind);
    // The lifecycle's own closers run inside its drain: a drain there would wait for itself.
    if (root.lifecycleCloser) continue;
    const runsOn =
      root.signals !== undefined
        ? 'signal'
        : (hook && hook.kind !== 'lightship.Lightship') || ts.isMethodDeclaration(registration)
          ? 'close'
          : 'library';
    const at = file.getLineAndCharacterOfPosition(root.registration.getStart());
    const fn = ts.isSourceFile(root.fn) ? undefined : root.fn;
    const path = index.shutdownPath(root);
    const exitsElsewhere = exits
      .filter((call) => {
        for (let node: TS.Node | undefined = call.parent; node; node = node.parent) {
          if (node === root.fn) return false;
          if (path.has(node)) return true;
        }
        return false;
      })
      .map((call) => ({
        path: call.getSourceFile().fileName,
        line: call.getSourceFile().getLineAndCharacterOfPosition(call.getStart()).line + 1,
      }));
    const bound = runsOn === 'library' ? handlerBoundOf(index, root) : undefined;
    shutdownPaths.push({
      path: fn ? fn.getSourceFile().fileName : file.fileName,
      ...(fn ? { start: fn.getStart(), end: fn.getEnd() } : {}),
      line: at.line + 1,
      column: at.character + 1,
      trigger: root.trigger,
      runsOn,
      exitsElsewhere,
      ...(fn ? ordered(index, fn) : { drains: [], storeCloses: [] }),
      ...(bound?.ms !== undefined ? { bound: { ms: bound.ms, what: bound.what } } : {}),
    });
  }
  return {
    files: new Set(index.sourceFiles.filter((f) => index.inDeployedProcess(f)).map((f) => f.fileName)),
    shutdownPaths,
  };
}

/** The drains and the store closes written in `fn` itself (not in the functions it calls). */
function ordered(index: ProgramIndex, fn: TS.Node): Pick<ShutdownPathFacts, 'drains' | 'storeCloses'> {
  const inFn = (call: TS.Node): boolean =>
    call.getSourceFile() === fn.getSourceFile() && call.pos >= fn.pos && call.end <= fn.end;
  const range = (call: TS.Node): { start: number; end: number } => ({ start: call.getStart(), end: call.getEnd() });
  const drains = new Set<TS.Node>();
  const storeCloses: ShutdownPathFacts['storeCloses'] = [];
  for (const call of index.calls) {
    if (!ts.isCallExpression(call) || !inFn(call)) continue;
    if (isServerDrain(index, call)) drains.add(call);
    const used = usedResourceClosedBy(index, call);
    if (!used) continue;
    storeCloses.push(range(call));
    // The drains of the workers that use it, too.
    for (const user of used.users) for (const drain of user.drains) if (inFn(drain)) drains.add(drain);
  }
  return { drains: [...drains].map(range), storeCloses };
}

const analysed = new Map<string, AnalysedFile>();
const projectsAnalysed = new Set<string>();

function projectRootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.json')) || existsSync(join(dir, 'jsconfig.json'))) return dir;
    if (dirname(dir) === dir) return dirname(file);
  }
}

function record(files: Map<string, AnalysedFile>): void {
  for (const [file, entry] of files) analysed.set(resolve(file), entry);
}

/**
 * The findings of every rule in `path`, whose text is now `source`. The first file of a project
 * analyses the whole project; a file whose text changed since (an earlier codemod rewrote it) is
 * analysed again on its own.
 */
export function findingsOf(path: string, source: string): FindingFacts[] {
  const file = resolve(path);
  const root = projectRootOf(file);
  if (!projectsAnalysed.has(root)) {
    projectsAnalysed.add(root);
    record(analyseForCodemods(root, [root]).files);
  }
  let entry = analysed.get(file);
  if (entry && entry.text !== source) {
    record(analyseForCodemods(root, [file]).files);
    entry = analysed.get(file);
  }
  return entry && entry.text === source ? entry.findings : [];
}
