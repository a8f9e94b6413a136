// The ProgramIndex across program versions, as an editor makes them: a language service over a
// fixture program, one edit at a time (add a SIGTERM listener, remove a close, rename an import,
// add a file). After each edit the index of the new program, which takes the facts of the files
// the edit did not touch from the SourceFiles TypeScript reused, must answer exactly as a cold
// index built from scratch (a second language service, nothing shared), and every rule must
// report the same findings. A fact served for a file that changed would show up as a difference.
// The classification (servers, handlers, shutdown roots) is kept per file too, when nothing its
// answers consulted changed: edits in one file that change what a callee of another, unchanged
// file resolves to (a renamed export, a re-export pointed elsewhere, a global declared) must
// reclassify that file, and a deliberately wrong invalidation must make these tests fail.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { runRulesOnFile } from '../../src/core/engine.js';
import { ProgramIndex } from '../../src/core/program-index.js';
import { fileFactCounts } from '../../src/core/program-index/file-facts.js';
import { unionFaults } from '../../src/core/program-index/file-unions.js';
import { classificationCounts, invalidationFaults } from '../../src/core/program-index/kept-classification.js';
import { placeCounts, placeFaults } from '../../src/core/program-index/kept-places.js';
import { ts } from '../../src/core/typescript.js';
import { isInDeclarationFileOrNodeModules } from '../../src/core/ts-utils.js';
import { fixturesDir } from '../support/fixtures.js';

/** An editor's view of a project: the files' texts and versions, and language services over them. */
class Editor {
  private readonly texts = new Map<string, { text: string; version: number }>();
  private readonly options: TS.CompilerOptions;
  /** The long-lived service, as typescript-eslint's project service keeps one. */
  readonly service: TS.LanguageService;

  /** The project in `dir` (its tsconfig.json), or, given `files`, those files only (in memory) with `options`. */
  constructor(
    readonly dir: string,
    files?: { options: TS.CompilerOptions; texts: Record<string, string> },
  ) {
    if (files) {
      this.options = files.options;
      for (const [path, text] of Object.entries(files.texts)) this.texts.set(join(dir, path), { text, version: 0 });
    } else {
      const config = ts.readConfigFile(join(dir, 'tsconfig.json'), ts.sys.readFile);
      const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dir);
      this.options = parsed.options;
      for (const file of parsed.fileNames) this.texts.set(file, { text: readFileSync(file, 'utf8'), version: 0 });
    }
    this.service = this.newService();
  }

  /** A language service with its own document registry: its programs share no SourceFile with another's. */
  newService(): TS.LanguageService {
    const texts = this.texts;
    const host: TS.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [...texts.keys()],
      getScriptVersion: (file) => String(texts.get(file)?.version ?? 0),
      getScriptSnapshot: (file) => {
        const text = texts.get(file)?.text ?? ts.sys.readFile(file);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => this.dir,
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (file) => texts.has(file) || ts.sys.fileExists(file),
      readFile: (file) => texts.get(file)?.text ?? ts.sys.readFile(file),
      readDirectory: ts.sys.readDirectory,
      directoryExists: (dir) =>
        [...texts.keys()].some((file) => file.startsWith(`${dir}/`)) || ts.sys.directoryExists(dir),
      getDirectories: ts.sys.getDirectories,
    };
    return ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  text(path: string): string {
    const entry = this.texts.get(join(this.dir, path));
    if (!entry) throw new Error(`no file ${path}`);
    return entry.text;
  }

  /** Replaces `from` (which must occur once) with `to` in the file at `path`. */
  edit(path: string, from: string, to: string): void {
    const text = this.text(path);
    expect(text.split(from).length, `${path} holds ${JSON.stringify(from)} once`).toBe(2);
    this.write(path, text.replace(from, to));
  }

  write(path: string, text: string): void {
    const file = join(this.dir, path);
    this.texts.set(file, { text, version: (this.texts.get(file)?.version ?? 0) + 1 });
  }
}

function ownFiles(program: TS.Program): TS.SourceFile[] {
  return program.getSourceFiles().filter((f) => !isInDeclarationFileOrNodeModules(f));
}

/** The index's answers and the rules' findings, with nodes named by file, line and column. */
function answers(program: TS.Program, dir: string): Record<string, unknown> {
  const index = ProgramIndex.for(ts, program);
  const at = (node: TS.Node): string => {
    const file = node.getSourceFile();
    const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
    return `${relative(dir, file.fileName)}:${line + 1}:${character + 1}`;
  };
  const files = ownFiles(program);
  const findings = files.flatMap((file) =>
    runRulesOnFile(
      ts,
      program,
      file,
      rules.map((rule) => ({ rule })),
    ).map((f) => {
      const { line, character } = file.getLineAndCharacterOfPosition(f.start);
      return `${relative(dir, file.fileName)}:${line + 1}:${character + 1} ${f.ruleId} ${f.messageId} ${JSON.stringify(f.data ?? {})}`;
    }),
  );
  const names = ['end', 'close', 'listen', 'on', 'once', 'setInterval', 'query', 'shutdown', 'tick'];
  return {
    files: files.map((f) => relative(dir, f.fileName)),
    servers: index.servers.map((s) => `${s.kind} ${at(s.creation)} ${s.forceClosesOnClose}`),
    handlers: [...index.handlers.values()].map((h) => `${h.framework} ${at(h.fn)} ${at(h.registration)}`),
    roots: index.shutdownRoots.map(
      (r) =>
        `${r.trigger} ${at(r.fn)} ${at(r.registration)} ${r.bounded} ${r.signals?.join('|')} ${r.afterPos}: ${[
          ...index.shutdownPath(r),
        ]
          .map(at)
          .join(' ')}`,
    ),
    places: files.map(
      (f) =>
        `${relative(dir, f.fileName)} ${index.placeOf(f)} entry=${index.isEntryModule(f)} entries=${index
          .entriesOf(f)
          .map((e) => relative(dir, e.fileName))
          .join(',')} loads=${[...index.loadedBy(f)].map((e) => relative(dir, e.fileName)).join(',')}`,
    ),
    calls: index.calls.map(at),
    callsNamed: names.map((name) => `${name}: ${index.callsNamed(name).map(at).join(' ')}`),
    callsWithArgumentNamed: names.map((name) => `${name}: ${index.callsWithArgumentNamed(name).map(at).join(' ')}`),
    programFunctionNames: names.filter((name) => index.mayNameProgramFunction(name)),
    // In the order the unions of the files' name facts give (file-unions.ts): a cold build's.
    namesThatCanDenote: [...index.namesThatCanDenote(['pool', 'server'], { annotatedWith: ['Pool'] })],
    findings,
  };
}

/** An edit of a fixture program: the files it touches, and findings it must add and remove (by their start). */
interface Edit {
  what: string;
  apply: (editor: Editor) => void;
  changes: string[];
  adds: string[];
  removes: string[];
  /** What else the edit must have changed in the answers. */
  check?: (answers: Record<string, unknown>) => void;
  /** The files classified again (the others' records kept); undefined: not checked. */
  classified?: string[];
  /** How many shutdown roots' paths were kept from the previous version; undefined: not checked. */
  keptPaths?: number;
  /** How the places were had from the previous version (kept-places.ts); undefined: not checked. */
  places?: (typeof placeCounts)['last'];
}

/**
 * Applies `edits` one at a time to the program in `dir`. After each, the index of the editor's new
 * program must answer exactly as a cold build of the same texts, walk only the edited files (the
 * others' SourceFiles reused by TypeScript), and move the findings the edit names (so that two
 * builds that both served stale facts could not pass).
 */
function checkEdits(editor: Editor, edits: readonly Edit[]): void {
  const dir = editor.dir;
  let previous = editor.service.getProgram()!;
  let before = answers(previous, dir);
  // A cold build of the same texts agrees with the first one (the comparison below means something).
  expect(answers(editor.newService().getProgram()!, dir)).toEqual(before);
  for (const edit of edits) {
    edit.apply(editor);
    const collected = fileFactCounts.collected;
    const keptPaths = classificationCounts.keptPaths;
    const program = editor.service.getProgram()!;
    const incremental = answers(program, dir);
    if (edit.places) expect(placeCounts.last, edit.what).toBe(edit.places);
    if (edit.classified)
      expect(classificationCounts.lastClassified.map((f) => relative(dir, f)).sort(), edit.what).toEqual(
        [...edit.classified].sort(),
      );
    if (edit.keptPaths !== undefined)
      expect(classificationCounts.keptPaths - keptPaths, edit.what).toBe(edit.keptPaths);
    // TypeScript reused every file the edit did not touch, and only the edited files were walked.
    const reused = ownFiles(program).filter((f) => previous.getSourceFile(f.fileName) === f);
    expect(
      ownFiles(program)
        .filter((f) => !reused.includes(f))
        .map((f) => relative(dir, f.fileName))
        .sort(),
      edit.what,
    ).toEqual([...edit.changes].sort());
    expect(fileFactCounts.collected - collected, edit.what).toBe(edit.changes.length);
    // The findings moved with the edit ...
    const now = incremental.findings as string[];
    const then = before.findings as string[];
    const starts = (findings: string[]): string[] => findings.map((f) => f.split(' ').slice(0, 3).join(' '));
    expect(starts(now.filter((f) => !then.includes(f))), edit.what).toEqual(expect.arrayContaining(edit.adds));
    expect(starts(then.filter((f) => !now.includes(f))), edit.what).toEqual(expect.arrayContaining(edit.removes));
    edit.check?.(incremental);
    // ... and the answers are exactly a cold build's.
    expect(incremental, edit.what).toEqual(answers(editor.newService().getProgram()!, dir));
    previous = program;
    before = incremental;
  }
}

/**
 * Edits of the demo service. Each: what it changes, the files it touches, and findings it must add
 * and remove (by their start: file, line, column, rule and message), so a test that compared two
 * stale builds fails.
 */
const demoServiceEdits: readonly Edit[] = [
  {
    what: 'the SIGTERM listener becomes a SIGUSR2 one (no shutdown root left)',
    apply: (editor) => editor.edit('src/main.ts', "process.once('SIGTERM',", "process.once('SIGUSR2',"),
    changes: ['src/main.ts'],
    adds: [
      'src/db.ts:3:21 no-unclosed-resource closedOffShutdownPath',
      'src/main.ts:20:3 no-untracked-promise untracked',
    ],
    removes: ['src/sessions.ts:16:9 close-in-reverse-order closedConcurrently'],
  },
  {
    what: 'a SIGTERM listener is added in another file',
    apply: (editor) =>
      editor.write(
        'src/jobs.ts',
        editor.text('src/jobs.ts') +
          "\nprocess.on('SIGTERM', () => {\n  void import('./main.js').then(() => undefined);\n});\n",
      ),
    changes: ['src/jobs.ts'],
    adds: [],
    removes: ['src/flags.ts:19:5 no-exit-before-cleanup exitInLibrary'],
  },
  {
    what: 'the listener is put back in main.ts',
    apply: (editor) => editor.edit('src/main.ts', "process.once('SIGUSR2',", "process.once('SIGTERM',"),
    changes: ['src/main.ts'],
    adds: ['src/sessions.ts:16:9 close-in-reverse-order closedConcurrently'],
    removes: [
      'src/db.ts:3:21 no-unclosed-resource closedOffShutdownPath',
      'src/main.ts:20:3 no-untracked-promise untracked',
    ],
  },
  {
    what: "the pool's close is removed",
    apply: (editor) => editor.edit('src/main.ts', '  await pool.end();\n', ''),
    changes: ['src/main.ts'],
    adds: ['src/db.ts:3:21 no-unclosed-resource unclosed'],
    removes: [],
  },
  {
    what: 'the pool is imported under another name, and closed under it',
    apply: (editor) =>
      editor.write(
        'src/main.ts',
        editor
          .text('src/main.ts')
          .replace("import { pool } from './db.js';", "import { pool as database } from './db.js';")
          .replace('server.close(() => resolve()));\n', 'server.close(() => resolve()));\n  await database.end();\n'),
      ),
    changes: ['src/main.ts'],
    adds: [],
    removes: ['src/db.ts:3:21 no-unclosed-resource unclosed'],
  },
  {
    what: 'the export the import names is renamed in its own file only (main.ts unchanged, its import now broken)',
    apply: (editor) => editor.edit('src/db.ts', 'export const pool =', 'export const pgPool ='),
    changes: ['src/db.ts'],
    adds: ['src/db.ts:3:23 no-unclosed-resource unclosed'],
    removes: [],
  },
  {
    what: 'a new file with a timer, imported by main.ts',
    apply: (editor) => {
      editor.write(
        'src/ticker.ts',
        "export function tick(): void {\n  console.info('tick');\n}\n\nsetInterval(tick, 60_000);\n",
      );
      editor.edit('src/main.ts', "import './live.js';", "import './live.js';\nimport './ticker.js';");
    },
    changes: ['src/ticker.ts', 'src/main.ts'],
    adds: [
      'src/ticker.ts:5:1 no-uncancellable-loop intervalNeverCleared',
      'src/main.ts:16:40 require-close-timeout unboundedClose',
    ],
    removes: ['src/main.ts:15:40 require-close-timeout unboundedClose'],
  },
];

describe('the index kept across program versions', () => {
  it('answers after each edit of the demo service as a cold build does, finding for finding', () => {
    checkEdits(new Editor(join(fixturesDir, 'demo-service')), demoServiceEdits);
  });

  it("fails when the unions of the files' facts keep an edited file's old facts, or misplace its new ones", () => {
    for (const fault of ['keepOldFacts', 'appendNewFacts'] as const) {
      unionFaults[fault] = true;
      try {
        expect(() => checkEdits(new Editor(join(fixturesDir, 'demo-service')), demoServiceEdits), fault).toThrow(
          /expected/,
        );
      } finally {
        unionFaults[fault] = false;
      }
    }
  });

  it('answers after each edit of the core service as a cold build does, finding for finding', () => {
    checkEdits(new Editor(join(fixturesDir, 'core', 'service')), [
      {
        what: 'the shutdown function is imported under another name',
        apply: (editor) =>
          editor.write(
            'src/main.ts',
            editor
              .text('src/main.ts')
              .replace(
                "import { closeEverything } from './shutdown.js';",
                "import { closeEverything as drainAll } from './shutdown.js';",
              )
              .replace('void closeEverything();', 'void drainAll();'),
          ),
        changes: ['src/main.ts'],
        adds: [],
        removes: [],
        // The SIGTERM listener's path still runs the function, through the renamed import.
        check: (answers) =>
          expect(answers.roots).toContainEqual(
            expect.stringMatching(/^process\.once\('SIGTERM'\|'SIGINT'\) .*: .*src\/shutdown\.ts:5:1/),
          ),
      },
      {
        what: "the server's close is removed from the shutdown function",
        apply: (editor) =>
          editor.edit(
            'src/shutdown.ts',
            'await new Promise((resolve) => server.close(resolve));',
            'await Promise.resolve(server);',
          ),
        changes: ['src/shutdown.ts'],
        adds: [],
        removes: ['src/shutdown.ts:6:34 require-close-timeout unboundedClose'],
      },
      {
        what: 'a new file with a SIGTERM listener, loaded by app.ts',
        apply: (editor) => {
          editor.write(
            'src/drain.ts',
            "import { app } from './app.js';\n\nprocess.on('SIGTERM', function drainOnSigterm() {\n  app.disable('x-powered-by');\n});\n",
          );
          editor.edit(
            'src/app.ts',
            "import { catchAsync } from './catch-async.js';",
            "import { catchAsync } from './catch-async.js';\nimport './drain.js';",
          );
        },
        changes: ['src/drain.ts', 'src/app.ts'],
        adds: [],
        removes: [],
        check: (answers) =>
          expect(answers.roots).toContainEqual(expect.stringMatching(/^process\.on\('SIGTERM'\) src\/drain\.ts:3:23 /)),
      },
    ]);
  });

  it('answers after each edit of a CommonJS service as a cold build does, finding for finding', () => {
    // In memory, under the repository so that `pg` resolves: module edges through `require`.
    const editor = new Editor(join(fixturesDir, 'core', 'incremental-commonjs'), {
      options: { allowJs: true, checkJs: false, module: ts.ModuleKind.CommonJS, noEmit: true },
      texts: {
        'src/main.js': [
          "const http = require('http');",
          "const { pool } = require('./db');",
          '',
          "const server = http.createServer((req, res) => res.end('ok'));",
          'server.listen(3000);',
          '',
          "process.on('SIGTERM', () => {",
          '  server.close();',
          '  pool.end();',
          '});',
          '',
        ].join('\n'),
        'src/db.js': "const { Pool } = require('pg');\n\nexports.pool = new Pool();\n",
      },
    });
    checkEdits(editor, [
      {
        what: 'main.js requires a new module for its pool, which opens a second one',
        apply: (editor) => {
          editor.write(
            'src/database.js',
            "const { Pool } = require('pg');\n\nexports.pool = new Pool();\nexports.replica = new Pool();\n",
          );
          editor.edit('src/main.js', "require('./db')", "require('./database')");
        },
        changes: ['src/database.js', 'src/main.js'],
        adds: ['src/database.js:4:19 no-unclosed-resource unclosed'],
        removes: [],
        check: (answers) =>
          expect(answers.places).toContainEqual(
            expect.stringMatching(/^src\/main\.js server .*loads=src\/main\.js,src\/database\.js$/),
          ),
      },
      {
        what: "the pool's close is removed",
        apply: (editor) => editor.edit('src/main.js', '  pool.end();\n', ''),
        changes: ['src/main.js'],
        adds: ['src/database.js:3:16 no-unclosed-resource unclosed'],
        removes: [],
      },
    ]);
  });

  /** A service whose files resolve callees through other files: handlers, a re-export, a global. */
  const crossFileService = (): Editor =>
    new Editor(join(fixturesDir, 'core', 'incremental-cross-file'), {
      options: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        strict: true,
        noEmit: true,
      },
      texts: {
        'src/app.ts': [
          "import express from 'express';",
          "import { listUsers } from './handlers';",
          '',
          'export const app = express();',
          "app.get('/users', listUsers);",
          '',
        ].join('\n'),
        'src/handlers.ts': [
          'export async function listUsers(req: unknown, res: { json(value: unknown): void }): Promise<void> {',
          '  res.json([req]);',
          '}',
          '',
          // The name main.ts's SIGINT listener says, declared (so the name is a program function's),
          // but not imported: main.ts's `stopAll` denotes nothing until a script declares it globally.
          'export function stopAll(): void {',
          "  console.info('stopped');",
          '}',
          '',
        ].join('\n'),
        'src/db.ts': [
          "import { Pool } from 'pg';",
          '',
          'export const primary = new Pool();',
          'export const replica = new Pool();',
          '',
          'export async function closePrimary(): Promise<void> {',
          '  await primary.end();',
          '}',
          '',
          'export async function closeReplica(): Promise<void> {',
          '  await replica.end();',
          '}',
          '',
        ].join('\n'),
        'src/closers.ts': "export { closePrimary as close } from './db';\n",
        'src/legacy.ts': "function drainLegacy(): void {\n  console.info('legacy');\n}\n",
        'src/util.ts': 'export function pad(text: string): string {\n  return text.padStart(2);\n}\n',
        'src/main.ts': [
          "import { app } from './app';",
          "import { close } from './closers';",
          '',
          'const server = app.listen(3000);',
          "process.on('SIGTERM', close);",
          "process.on('SIGINT', stopAll);",
          'export { server };',
          '',
        ].join('\n'),
      },
    });

  const crossFileEdits: Edit[] = [
    {
      what: 'a module nothing imports is edited: every other file keeps its records',
      apply: (editor) => editor.edit('src/util.ts', 'padStart(2)', 'padStart(3)'),
      changes: ['src/util.ts'],
      adds: [],
      removes: [],
      classified: ['src/util.ts'],
      // main.ts's SIGTERM listener (db.ts's closePrimary) and SIGINT listener (none: `stopAll` denotes nothing).
      keptPaths: 1,
    },
    {
      what: 'the re-export main.ts imports its SIGTERM listener through now points at another function',
      apply: (editor) => editor.write('src/closers.ts', "export { closeReplica as close } from './db';\n"),
      changes: ['src/closers.ts'],
      adds: ['src/db.ts:3:24 no-unclosed-resource closedOffShutdownPath'],
      removes: ['src/db.ts:4:24 no-unclosed-resource closedOffShutdownPath'],
      classified: ['src/closers.ts', 'src/main.ts'],
      keptPaths: 0,
    },
    {
      what: 'the export app.ts registers as a handler is renamed in its own file only (app.ts unchanged)',
      apply: (editor) =>
        editor.edit('src/handlers.ts', 'export async function listUsers(', 'export async function listAll('),
      changes: ['src/handlers.ts'],
      adds: [],
      removes: [],
      check: (answers) => expect(answers.handlers).toEqual([]),
    },
    {
      what: 'the export is renamed back: the handler is found again',
      apply: (editor) =>
        editor.edit('src/handlers.ts', 'export async function listAll(', 'export async function listUsers('),
      changes: ['src/handlers.ts'],
      adds: [],
      removes: [],
      check: (answers) => expect(answers.handlers).toEqual([expect.stringMatching(/^express src\/handlers\.ts:1:1 /)]),
    },
    {
      what: "a script file declares the global function main.ts's SIGINT listener names",
      apply: (editor) =>
        editor.write(
          'src/legacy.ts',
          editor.text('src/legacy.ts') + '\nfunction stopAll(): void {\n  drainLegacy();\n}\n',
        ),
      changes: ['src/legacy.ts'],
      adds: [],
      removes: [],
      check: (answers) =>
        expect(answers.roots).toContainEqual(expect.stringMatching(/^process\.on\('SIGINT'\) src\/legacy\.ts:5:1 /)),
    },
  ];

  it('reclassifies the unchanged files whose callees an edit of another file resolves anew', () => {
    checkEdits(crossFileService(), crossFileEdits);
  });

  it('fails when the invalidation skips what an answer consulted, or the globals an edit declares', () => {
    for (const fault of ['ignoreConsultedFiles', 'ignoreGlobals'] as const) {
      invalidationFaults[fault] = true;
      try {
        // Only the comparison with a cold build can fail: which files were classified is not checked.
        const edits = crossFileEdits.map(({ classified: _, ...edit }) => edit);
        expect(() => checkEdits(crossFileService(), edits), fault).toThrow(/expected/);
      } finally {
        invalidationFaults[fault] = false;
      }
    }
  });

  /** A listener that calls a method of a value whose type another file infers: no file it consults says which. */
  const inferredTypeService = (): Editor =>
    new Editor(join(fixturesDir, 'core', 'incremental-inferred-type'), {
      options: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true },
      texts: {
        'src/a.ts': [
          "import { Pool } from 'pg';",
          '',
          'export const poolA = new Pool();',
          '',
          'export class Alpha {',
          '  async finish(): Promise<void> {',
          '    await poolA.end();',
          '  }',
          '}',
          '',
        ].join('\n'),
        'src/b.ts': [
          "import { Pool } from 'pg';",
          '',
          'export const poolB = new Pool();',
          '',
          'export class Beta {',
          '  async finish(): Promise<void> {',
          '    await poolB.end();',
          '  }',
          '}',
          '',
        ].join('\n'),
        'src/factory.ts': [
          "import { Alpha } from './a';",
          "import { Beta } from './b';",
          '',
          'export function make() {',
          '  return new Alpha();',
          '}',
          '',
          'export const kinds = [Alpha, Beta];',
          '',
        ].join('\n'),
        // Made in a file main.ts imports, by a function of a third: main.ts never looks at factory.ts.
        'src/workers.ts': "import { make } from './factory';\n\nexport const worker = make();\n",
        'src/main.ts': [
          "import { worker } from './workers';",
          '',
          "process.on('SIGTERM', async () => {",
          '  await worker.finish();',
          '});',
          '',
        ].join('\n'),
      },
    });

  const inferredTypeEdits: Edit[] = [
    {
      what: "the factory returns the other class: main.ts's listener now stops b.ts's pool (main.ts unchanged)",
      apply: (editor) => editor.edit('src/factory.ts', 'return new Alpha();', 'return new Beta();'),
      changes: ['src/factory.ts'],
      adds: [],
      removes: [],
      // factory.ts's exports changed type: its importers, at any depth, are classified again.
      classified: ['src/factory.ts', 'src/workers.ts', 'src/main.ts'],
      check: (answers) =>
        expect(answers.roots).toContainEqual(expect.stringMatching(/^process\.on\('SIGTERM'\) .*src\/b\.ts:6:3/)),
    },
  ];

  it('walks a shutdown path again when a type it went through changed in a file it never looked at', () => {
    checkEdits(inferredTypeService(), inferredTypeEdits);
    // ... and the comparison fails when the edited file's exported types are not compared.
    invalidationFaults.ignoreExportedTypes = true;
    try {
      const edits = inferredTypeEdits.map(({ classified: _, ...edit }) => edit);
      expect(() => checkEdits(inferredTypeService(), edits)).toThrow(/expected/);
    } finally {
      invalidationFaults.ignoreExportedTypes = false;
    }
  });

  /**
   * A service whose files' places hang on the static roots (a folder served to browsers), the
   * seeds, the import graph and a module's top-level work: each edit changes one of them, and a
   * places kept when it should not be would leave a file in its old place.
   */
  const placesService = (): Editor =>
    new Editor(join(fixturesDir, 'core', 'incremental-places'), {
      options: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        strict: true,
        noEmit: true,
      },
      // The test's files first: TypeScript finds them before main.ts, so that main.ts importing one
      // leaves the program's files in the same order (a new order classifies everything again).
      texts: {
        // Loaded only by a test, and what it loads: the test runner's (it does nothing when loaded).
        'src/helpers/fixture.ts': [
          "import './clock';",
          '',
          'export function fakeClock(): void {',
          "  console.info('fake');",
          '}',
          '',
        ].join('\n'),
        'src/helpers/clock.ts': [
          'export function clockTick(): void {',
          "  console.info('clock');",
          '}',
          'setInterval(clockTick, 1000);',
          '',
        ].join('\n'),
        'src/app.test.ts': "import './helpers/fixture';\nimport { run } from './cli';\n\nrun();\n",
        // A module only a test loads, and what it loads: the test's while it does nothing when loaded.
        'src/cli.ts':
          "import { startFormatting } from './lib/format';\n\nexport function run(): void {\n  startFormatting();\n}\n",
        'src/lib/format.ts': [
          'export function startFormatting(): void {',
          "  console.info('format');",
          '}',
          'setInterval(startFormatting, 1000);',
          '',
        ].join('\n'),
        'src/main.ts': [
          "import { app } from './app';",
          "import './jobs';",
          '',
          'const server = app.listen(3000);',
          "process.on('SIGTERM', () => {",
          '  server.close();',
          '});',
          '',
        ].join('\n'),
        'src/app.ts': [
          "import express from 'express';",
          "import { PUBLIC } from './paths';",
          "import { widgetName } from './public/widget';",
          '',
          'export const app = express();',
          'app.use(express.static(PUBLIC));',
          "app.get('/widget', (_req, res) => {",
          '  res.json({ name: widgetName });',
          '});',
          '',
        ].join('\n'),
        // The served folder's path, from a constant of another module: app.ts never changes.
        'src/paths.ts': "import path from 'path';\n\nexport const PUBLIC = path.join(__dirname, 'public');\n",
        // Served to browsers (and imported by the server for its name): its timer is a browser's.
        'src/public/widget.ts': [
          "export const widgetName = 'clock';",
          'export function tick(): void {',
          "  console.info('tick');",
          '}',
          'setInterval(tick, 1000);',
          '',
        ].join('\n'),
        'src/public/colours.ts': "export const colours = ['red'];\n",
        'src/jobs.ts': "export function describeJobs(): string {\n  return 'jobs';\n}\n",
      },
    });

  const placesEdits: Edit[] = [
    {
      what: 'an edit inside a function: the places are taken over whole',
      apply: (editor) => editor.edit('src/jobs.ts', "return 'jobs';", "return 'all jobs';"),
      changes: ['src/jobs.ts'],
      adds: [],
      removes: [],
      places: 'whole',
      check: (answers) =>
        expect(answers.places).toContainEqual(expect.stringMatching(/^src\/public\/widget\.ts browser /)),
    },
    {
      what: 'another module of the served folder creates a server: the folder is no browser bundle (widget.ts unchanged)',
      apply: (editor) =>
        editor.write(
          'src/public/colours.ts',
          "import http from 'http';\n\nexport const colours = ['red'];\nexport const probe = http.createServer();\n",
        ),
      changes: ['src/public/colours.ts'],
      adds: ['src/public/widget.ts:5:1 no-uncancellable-loop intervalNeverCleared'],
      removes: [],
      places: 'none',
    },
    {
      what: 'the server is taken out of the served folder again',
      apply: (editor) => editor.write('src/public/colours.ts', "export const colours = ['red'];\n"),
      changes: ['src/public/colours.ts'],
      adds: [],
      removes: ['src/public/widget.ts:5:1 no-uncancellable-loop intervalNeverCleared'],
      places: 'none',
    },
    {
      what: "the served folder's constant names another folder (app.ts, which serves it, unchanged)",
      apply: (editor) => editor.edit('src/paths.ts', "'public'", "'static'"),
      changes: ['src/paths.ts'],
      adds: ['src/public/widget.ts:5:1 no-uncancellable-loop intervalNeverCleared'],
      removes: [],
      places: 'none',
    },
    {
      what: "main.ts imports the test's helper: it runs with the service now, and so does what it loads",
      apply: (editor) =>
        editor.edit('src/main.ts', "import './jobs';", "import './jobs';\nimport './helpers/fixture';"),
      changes: ['src/main.ts'],
      adds: ['src/helpers/clock.ts:4:1 no-uncancellable-loop intervalNeverCleared'],
      removes: [],
      places: 'own',
    },
    {
      what: 'the module only a test loads does work when loaded: what it loads is no longer only the test run',
      apply: (editor) => editor.write('src/cli.ts', `${editor.text('src/cli.ts')}\nrun();\n`),
      changes: ['src/cli.ts'],
      adds: [],
      removes: [],
      places: 'own',
      check: (answers) =>
        expect(answers.places).toContainEqual(expect.stringMatching(/^src\/lib\/format\.ts unknown /)),
    },
    {
      what: 'an edit inside a function again: whole',
      apply: (editor) => editor.edit('src/jobs.ts', "return 'all jobs';", "return 'jobs';"),
      changes: ['src/jobs.ts'],
      adds: [],
      removes: [],
      places: 'whole',
    },
  ];

  it('keeps the places across an edit that changes none of their inputs, and computes anew what an edit moves', () => {
    checkEdits(placesService(), placesEdits);
  });

  it('fails when the places are kept although their inputs changed', () => {
    // Each fault, with the edits up to the one it would get wrong.
    const exposing: [keyof typeof placeFaults, number][] = [
      ['ignoreSeeds', 2],
      ['ignoreStaticRootsConsulted', 4],
      ['ignoreGraph', 5],
      ['narrowInvalidation', 5],
      ['ignoreEditedFile', 6],
    ];
    for (const [fault, count] of exposing) {
      placeFaults[fault] = true;
      try {
        // Only the comparison with a cold build can fail: not the findings an edit moves, nor how the places were had.
        const edits = placesEdits
          .slice(0, count)
          .map(({ places: _, check: __, ...edit }) => ({ ...edit, adds: [], removes: [] }));
        expect(() => checkEdits(placesService(), edits), fault).toThrow(/expected/);
      } finally {
        placeFaults[fault] = false;
      }
    }
  });

  it('computes the places anew when a package.json changed on disk between two versions of the program', () => {
    const dir = mkdtempSync(join(fixturesDir, 'core', '.incremental-packages-'));
    try {
      mkdirSync(join(dir, 'tools'));
      writeFileSync(join(dir, 'tools', 'package.json'), '{ "name": "tools" }\n');
      const packagesService = (): Editor =>
        new Editor(dir, {
          options: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true },
          texts: {
            'src/main.ts': [
              "import http from 'http';",
              "import '../tools/report';",
              '',
              'const server = http.createServer();',
              'server.listen(3000);',
              "process.on('SIGTERM', () => {",
              '  server.close();',
              '});',
              'export function greet(): string {',
              "  return 'hello';",
              '}',
              '',
            ].join('\n'),
            // A package of its own, loaded by the service: a command-line tool's once its manifest says `bin`.
            'tools/report.ts': [
              'export function report(): void {',
              "  console.info('report');",
              '}',
              'setInterval(report, 1000);',
              '',
            ].join('\n'),
          },
        });
      const edits = (): Edit[] => [
        {
          what: 'the tools package becomes a command-line tool (its package.json), and main.ts is edited inside a function',
          apply: (editor) => {
            writeFileSync(join(dir, 'tools', 'package.json'), '{ "name": "tools", "bin": "report.js" }\n');
            editor.edit('src/main.ts', "return 'hello';", "return 'hi';");
          },
          changes: ['src/main.ts'],
          adds: [],
          removes: ['tools/report.ts:4:1 no-uncancellable-loop intervalNeverCleared'],
        },
      ];
      checkEdits(packagesService(), edits());
      writeFileSync(join(dir, 'tools', 'package.json'), '{ "name": "tools" }\n');
      placeFaults.ignoreDisk = true;
      try {
        const faulty = edits().map((edit) => ({ ...edit, adds: [], removes: [] }));
        expect(() => checkEdits(packagesService(), faulty)).toThrow(/expected/);
      } finally {
        placeFaults.ignoreDisk = false;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
