import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'no-exit-before-cleanup');
const rule = plugin.rules['no-exit-before-cleanup']!;

const signals = project.file('invalid-signal-handlers.ts');
const testFile = project.file('server.test.ts');
/** The file with `from` (unique in it) replaced: a suggestion's expected output. */
const edited = (code: string, from: string, to: string): string => {
  if (code.split(from).length !== 2) throw new Error(`not unique in the fixture: ${from}`);
  return code.replace(from, to);
};

ruleTesterFor(project).run('no-exit-before-cleanup', rule, {
  valid: [
    project.file('valid-shutdown-paths.ts'),
    project.file('valid-startup.ts'),
    // Library code that only startup calls, before anything is opened.
    project.file('valid-startup-checks.ts'),
    // A singleton first built at load time, before its server listens.
    project.file('valid-singleton.ts'),
    // The load-time use of a function that memoises its own result, and a server whose requests
    // call it again (memoised/paths.ts is below).
    project.file('memoised/settings.ts'),
    project.file('memoised/main.ts'),
    project.file('valid-library.ts'),
    project.file('valid-worker.ts'),
    project.file('valid-script.ts'),
    project.file('valid-cli.ts'),
    // A multi-command bin: a one-shot subcommand and a supervisor subcommand are programs of
    // their own; the server command's option parsers, its startup failure and its exit once the
    // stop has finished ('stopped') are not reported.
    project.file('cli/main.ts'),
    project.file('cli/hash.ts'),
    project.file('cli/daemon.ts'),
    project.file('cli/supervisor.ts'),
    project.file('cli/start.ts'),
    // Startup validation found through an import under another name, a Fastify plugin (wrapped
    // by fastify-plugin), a constructor required in TypeScript four calls up (a test harness's
    // use aside), and a NestJS ConfigModule `validate` callback.
    project.file('startup/validate-config.ts'),
    project.file('startup/plugin.ts'),
    // A failed start that stops only a helper the same function made (a migration engine).
    project.file('startup/migrations.ts'),
    project.file('startup/engine.ts'),
    project.file('startup/env.validation.ts'),
    // A helper called from @nestjs/config registerAs factories, which run before the app listens.
    project.file('startup/app.config.ts'),
    // NestJS bootstrap hooks (onApplicationBootstrap, onModuleInit) and what they await: before listen.
    project.file('startup/database.module.ts'),
    // A failed start after the module opened a pool: the entry promise's `.catch`, the probe of
    // the pool; and a listen failure of a server kept on an application-wide object.
    project.file('startup/entry-promise.ts'),
    project.file('startup/global-server.ts'),
    // An exit in a `catch` whose try block listens in its last statement: it runs only when
    // something before the listen threw (garbo's API).
    project.file('startup/listen-last-in-try.ts'),
    project.file('service.ts'),
    project.file('db.ts'),
    // Test files are skipped unless checkTestFiles.
    testFile,
  ],
  invalid: [
    {
      // The failed start stops the service's shared pool, not a helper of its own.
      ...project.file('invalid-startup-pool.ts'),
      errors: [
        {
          messageId: 'exitBeforeCleanupFinishes',
          line: 13,
          column: 5,
          data: { exit: 'process.exit()', cleanup: 'pool.end()' },
          suggestions: [
            {
              messageId: 'suggestExitCode',
              data: { code: '1', cleanup: 'pool.end()' },
              output: edited(
                project.file('invalid-startup-pool.ts').code,
                'process.exit(1);',
                'process.exitCode = 1;\n    return;',
              ),
            },
          ],
        },
      ],
    },
    {
      ...signals,
      errors: [
        {
          messageId: 'exitBeforeCleanupFinishes',
          line: 12,
          column: 3,
          data: { exit: 'process.exit()', cleanup: 'server.close()' },
          suggestions: [
            {
              messageId: 'suggestExitCode',
              data: { code: '0', cleanup: 'server.close()' },
              output: edited(
                signals.code,
                '  server.close();\n  process.exit(0);\n});',
                '  server.close();\n  process.exitCode = 0;\n});',
              ),
            },
          ],
        },
        {
          // A caught promise is still running; the exit in an `if` gets a block.
          messageId: 'exitBeforeCleanupFinishes',
          line: 18,
          column: 39,
          data: { exit: 'process.exit()', cleanup: 'shutdown()' },
          suggestions: [
            {
              messageId: 'suggestExitCode',
              data: { code: '1', cleanup: 'shutdown()' },
              output: edited(signals.code, 'process.exit(1);', '{ process.exitCode = 1; return; }'),
            },
          ],
        },
        {
          // Without an argument the exit uses process.exitCode: the suggestion drops it.
          messageId: 'exitBeforeCleanupFinishes',
          line: 28,
          column: 3,
          data: { exit: 'process.exit()', cleanup: 'stopAll()' },
          suggestions: [
            {
              messageId: 'suggestReturn',
              data: { cleanup: 'stopAll()' },
              output: edited(signals.code, '  process.exit();\n', ''),
            },
          ],
        },
        {
          // In a helper called right after the cleanup started.
          messageId: 'exitBeforeCleanupFinishes',
          line: 34,
          column: 3,
          data: { exit: 'process.exit()', cleanup: 'pool.end()' },
          suggestions: [
            {
              messageId: 'suggestExitCode',
              data: { code: 'code', cleanup: 'pool.end()' },
              output: edited(signals.code, 'process.exit(code);', 'process.exitCode = code;'),
            },
          ],
        },
        {
          // Code follows: the suggestion returns.
          messageId: 'exitBeforeCleanupFinishes',
          line: 46,
          column: 5,
          data: { exit: 'process.exit()', cleanup: 'server.close()' },
          suggestions: [
            {
              messageId: 'suggestExitCode',
              data: { code: '0', cleanup: 'server.close()' },
              output: edited(signals.code, '    process.exit(0);\n', '    process.exitCode = 0;\n    return;\n'),
            },
          ],
        },
      ],
    },
    {
      // The same helper shape, also called from a timer after the start: still library code.
      ...project.file('startup/config-utils.ts'),
      errors: [
        {
          messageId: 'exitInLibrary',
          line: 10,
          column: 10,
          data: { exit: 'process.exit()', where: 'failOnBadConfig', label: 'HTTP server' },
        },
      ],
    },
    {
      // The server a subcommand runs is still checked.
      ...project.file('cli/app.ts'),
      errors: [
        {
          messageId: 'exitInLibrary',
          line: 18,
          column: 18,
          data: { exit: 'process.exit()', where: 'App.reload', label: 'HTTP server' },
        },
      ],
    },
    {
      ...project.file('invalid-no-cleanup.ts'),
      errors: [
        {
          messageId: 'exitWithoutCleanup',
          line: 9,
          column: 3,
          data: { exit: 'process.exit()', trigger: "process.on('SIGTERM')", label: 'HTTP server' },
        },
        // The exit is the listener itself.
        {
          messageId: 'exitWithoutCleanup',
          line: 13,
          column: 22,
          data: { exit: 'process.exit', trigger: "process.on('SIGINT')", label: 'HTTP server' },
        },
        // A named handler.
        {
          messageId: 'exitWithoutCleanup',
          line: 18,
          column: 3,
          data: { exit: 'process.kill()', trigger: "process.once('SIGHUP')", label: 'HTTP server' },
        },
      ],
    },
    {
      ...project.file('invalid-handler.ts'),
      errors: [
        { messageId: 'exitInHandler', line: 7, column: 3, data: { exit: 'process.exit()' } },
        { messageId: 'exitInHandler', line: 16, column: 5 },
      ],
    },
    {
      // findInstallRoot memoises its root and is first called at load time (memoised/settings.ts):
      // its two exits run only then, and are not reported. findTemplateDir memoises too, but its
      // first call is in a request; findUploadDir is called at load time but not memoised.
      ...project.file('memoised/paths.ts'),
      errors: [
        {
          messageId: 'exitInLibrary',
          line: 30,
          column: 15,
          data: { exit: 'process.exit()', where: 'findTemplateDir', label: 'HTTP server' },
        },
        {
          messageId: 'exitInLibrary',
          line: 38,
          column: 15,
          data: { exit: 'process.exit()', where: 'findUploadDir', label: 'HTTP server' },
        },
      ],
    },
    {
      ...project.file('invalid-library.ts'),
      errors: [
        {
          messageId: 'exitInLibrary',
          line: 10,
          column: 5,
          data: { exit: 'process.exit()', where: 'loadConfig', label: 'HTTP server' },
        },
        // Destructured, through globalThis, by element access, imported from node:process.
        {
          messageId: 'exitInLibrary',
          line: 17,
          column: 3,
          data: { exit: 'exit()', where: 'failDestructured', label: 'HTTP server' },
        },
        {
          messageId: 'exitInLibrary',
          line: 20,
          column: 3,
          data: { exit: 'globalThis.process.exit()', where: 'failGlobal', label: 'HTTP server' },
        },
        {
          messageId: 'exitInLibrary',
          line: 23,
          column: 3,
          data: { exit: "process['exit']()", where: 'failElement', label: 'HTTP server' },
        },
        {
          messageId: 'exitInLibrary',
          line: 26,
          column: 3,
          data: { exit: 'quit()', where: 'failImported', label: 'HTTP server' },
        },
        {
          messageId: 'exitInLibrary',
          line: 29,
          column: 3,
          data: { exit: 'process.abort()', where: 'abortNow', label: 'HTTP server' },
        },
        {
          messageId: 'exitInLibrary',
          line: 34,
          column: 14,
          data: { exit: 'process.kill()', where: 'Jobs.run', label: 'HTTP server' },
        },
      ],
    },
    {
      // Spawning a worker does not make the main thread's exit end only a thread.
      ...project.file('invalid-main-thread.ts'),
      errors: [
        {
          messageId: 'exitInLibrary',
          line: 6,
          column: 15,
          data: { exit: 'process.exit()', where: 'runReport', label: 'HTTP server' },
        },
      ],
    },
    {
      // The try block listens, then does more that can throw: its catch runs with the server open.
      ...project.file('invalid-listen-then-warm-up.ts'),
      errors: [
        { messageId: 'exitAfterOpen', line: 12, column: 5, data: { exit: 'process.exit()', label: 'HTTP server' } },
      ],
    },
    {
      ...project.file('invalid-after-open.ts'),
      errors: [
        { messageId: 'exitAfterOpen', line: 9, column: 27, data: { exit: 'process.exit()', label: 'HTTP server' } },
      ],
    },
    {
      // Library code called after the server opened is not startup validation.
      ...project.file('invalid-late-check.ts'),
      errors: [
        {
          messageId: 'exitInLibrary',
          line: 5,
          column: 5,
          data: { exit: 'process.exit()', where: 'checkSchema', label: 'HTTP server' },
        },
      ],
    },
    {
      ...testFile,
      options: [{ checkTestFiles: true }],
      errors: [
        {
          messageId: 'exitBeforeCleanupFinishes',
          line: 7,
          column: 3,
          data: { exit: 'process.exit()', cleanup: 'server.close()' },
          suggestions: [
            {
              messageId: 'suggestExitCode',
              data: { code: '0', cleanup: 'server.close()' },
              output: edited(testFile.code, 'process.exit(0);', 'process.exitCode = 0;'),
            },
          ],
        },
      ],
    },
  ],
});
