// `migrate` drains the lifecycle where the service already drains (issue 17): the fixture services
// in fixtures/drain have shutdown code of their own; after `migrate all` their handler awaits
// `lifecycle.shutdown()` between closing the server and exiting, and a second run changes nothing.
// Shapes it cannot place are left for a person, and the findings are then not counted as fixed.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, repoRoot } from './cli-support.js';
import { commitService, git } from '../support/service-repo.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fixture service from fixtures/drain (its expected outputs left out), committed in a fresh repository; `server` replaces its server.js. */
function service(name: string, server?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-drain-'));
  dirs.push(dir);
  cpSync(join(repoRoot, 'fixtures', 'drain', name), dir, { recursive: true });
  rmSync(join(dir, 'expected'), { recursive: true, force: true });
  if (server !== undefined) writeFileSync(join(dir, 'src', 'server.js'), server);
  return commitService(dir);
}

/**
 * sigterm-handler turned into a TypeScript NestJS service: a tsconfig with decorators in place of its
 * jsconfig, its JavaScript files replaced by `files` (name in src/ -> lines) and an `audit.ts` whose
 * `writeAudit` takes 300 ms, committed.
 */
function nestService(files: Record<string, string[]>): string {
  const dir = service('sigterm-handler');
  rmSync(join(dir, 'jsconfig.json'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        experimentalDecorators: true,
        strict: true,
        types: ['node'],
        noEmit: true,
      },
      include: ['src'],
    }),
  );
  rmSync(join(dir, 'src', 'server.js'));
  rmSync(join(dir, 'src', 'audit.js'));
  const audit = [
    'export async function writeAudit(line: string): Promise<void> {',
    '  await new Promise((resolve) => setTimeout(resolve, 300, line));',
    '}',
  ];
  for (const [file, lines] of Object.entries({ 'audit.ts': audit, ...files }))
    writeFileSync(join(dir, 'src', file), `${lines.join('\n')}\n`);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'nest');
  return dir;
}

const serverOf = (dir: string): string => readFileSync(join(dir, 'src', 'server.js'), 'utf8');
const fixtureServer = (name: string): string =>
  readFileSync(join(repoRoot, 'fixtures', 'drain', name, 'src', 'server.js'), 'utf8');

/** A second `migrate all` on the committed output rewrites nothing and changes no file. */
function expectIdempotent(dir: string): void {
  git(dir, 'commit', '-q', '-am', 'migrated');
  const again = cli(dir, ['migrate', 'all']);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/rewrote 0 findings in 0 files/);
  expect(git(dir, 'status', '--porcelain')).toBe('');
}

describe('migrate drains the lifecycle on the service’s own shutdown path', () => {
  for (const name of ['sigterm-handler', 'express-close']) {
    it(`${name}: the handler awaits lifecycle.shutdown() after closing the server, before exiting`, () => {
      const dir = service(name);
      const run = cli(dir, ['migrate', 'all']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(serverOf(dir)).toBe(
        readFileSync(join(repoRoot, 'fixtures', 'drain', name, 'expected', 'server.js'), 'utf8'),
      );
      expect(run.stdout).toMatch(/^ {2}drained the lifecycle in src\/server\.js:\d+ \(process\.on\('SIGTERM'\)\)$/m);
      expect(run.stdout).not.toContain('nothing drains');
      expectIdempotent(dir);
    });
  }

  // A library's hook that the library awaits before it exits: the drain goes at its end, once per
  // sequence of hooks (terminus's `onSignal` before its `onShutdown`, NestJS's
  // `onApplicationShutdown` and not the hooks that run before the server closes, lightship's
  // handler that stops the server). In fastify-close the close codemod puts it after
  // `lifecycle.closeServer(app, …)` itself, and the summary says so all the same.
  const libraryHooks: [fixture: string, trigger: string][] = [
    ['close-with-grace', 'close-with-grace'],
    ['terminus', 'terminus'],
    ['terminus-resend', 'terminus'],
    ['fastify-close', "process.on('SIGTERM')"],
    ['http-graceful-shutdown', 'http-graceful-shutdown'],
    ['lightship', 'lightship registerShutdownHandler'],
    ['nestjs-hooks', 'onApplicationShutdown'],
  ];
  for (const [name, trigger] of libraryHooks) {
    it(`${name}: the drain goes where the service's own shutdown code awaits, before its exit`, () => {
      const dir = service(name);
      const run = cli(dir, ['migrate', 'all']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(serverOf(dir)).toBe(
        readFileSync(join(repoRoot, 'fixtures', 'drain', name, 'expected', 'server.js'), 'utf8'),
      );
      expect(serverOf(dir).match(/await lifecycle\.shutdown\(\);/g)).toHaveLength(1);
      // One summary line, at the line of the hook that drains.
      const line = serverOf(dir)
        .split('\n')
        .findIndex((text) => text.includes('await lifecycle.shutdown();'));
      const said = [...run.stdout.matchAll(/^ {2}drained the lifecycle in src\/server\.js:(\d+) \((.*)\)$/gm)];
      expect(said.map((m) => m[2])).toEqual([trigger]);
      expect(Number(said[0]![1])).toBeLessThan(line + 1);
      expect(run.stdout).toContain('; 0 left for a person.');
      expectIdempotent(dir);
    });
  }

  it('a callback-style close: the callback becomes async and drains before its exit; a force-exit timer stays prompt', () => {
    const dir = service(
      'sigterm-handler',
      fixtureServer('sigterm-handler').replace(
        '  server.close(() => {\n    process.exit(0);\n  });',
        '  setTimeout(() => process.exit(1), 20_000).unref();\n  server.close(() => process.exit(0));',
      ),
    );
    // Only the untracked-promise codemod: the close itself is not rewritten.
    const run = cli(dir, ['migrate', 'untracked-promise-to-lifecycle-track']);
    expect(run.code).toBe(0);
    expect(serverOf(dir)).toContain(
      [
        "process.on('SIGTERM', () => {",
        "  console.log(JSON.stringify({ event: 'closing' }));",
        '  setTimeout(() => process.exit(1), 20_000).unref();',
        '  server.close(async () => {',
        '    await lifecycle.shutdown();',
        '    process.exit(0);',
        '  });',
        '});',
      ].join('\n'),
    );
    expect(run.stdout).toContain('rewrote 1 finding in 1 file; 0 left for a person.');
  });

  it('in a file written without semicolons, the lines it adds have none either', () => {
    const bare = fixtureServer('sigterm-handler').replace(/;$/gm, '');
    expect(bare).not.toMatch(/;$/m);
    const dir = service('sigterm-handler', bare);
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    const after = serverOf(dir);
    expect(after).toMatch(/^\s*await lifecycle\.shutdown\(\)$/m);
    expect(after).toContain("import { lifecycle } from 'shutdown-lint/lifecycle'\n");
    expect(after).not.toMatch(/;$/m);
    expectIdempotent(dir);
  });

  const handedIn = (onExit: string[]): string =>
    fixtureServer('sigterm-handler').replace(
      /process\.on\('SIGTERM'[^]*$/,
      [
        'class App {',
        '  process = process;',
        '',
        '  constructor() {',
        "    this.process.on('SIGTERM', () => this.onExit());",
        '  }',
        '',
        ...onExit,
        '',
        '  close(callback) {',
        '    server.close(callback);',
        '  }',
        '}',
        '',
        'new App();',
        '',
      ].join('\n'),
    );

  it('a process kept in a field exits in a method the listener calls: left for a person, never drained after that exit', () => {
    const dir = service(
      'sigterm-handler',
      handedIn(['  onExit() {', '    this.close(() => {', '      this.process.exit(0);', '    });', '  }']),
    );
    const run = cli(dir, ['migrate', 'untracked-promise-to-lifecycle-track']);
    expect(run.code).toBe(0);
    expect(serverOf(dir)).not.toContain('lifecycle.shutdown()');
    expect(run.stdout).toMatch(
      /drain-lifecycle: `process\.on\('SIGTERM'\)` does not drain the lifecycle: the process exits in what it calls \(server\.js:\d+\)/,
    );
    expect(run.stdout).toContain('rewrote 0 findings in 1 file');
    expect(run.stdout).toContain('not counted as fixed');
  });

  it('a process kept in a field exits in a callback of the listener itself: the drain goes before that exit', () => {
    const dir = service(
      'sigterm-handler',
      handedIn(['  onExit() {}']).replace(
        "this.process.on('SIGTERM', () => this.onExit());",
        "this.process.on('SIGTERM', () => {\n      this.close(() => {\n        this.process.exit(0);\n      });\n    });",
      ),
    );
    const run = cli(dir, ['migrate', 'untracked-promise-to-lifecycle-track']);
    expect(run.code).toBe(0);
    expect(serverOf(dir)).toContain(
      ['      this.close(async () => {', '        await lifecycle.shutdown();', '        this.process.exit(0);'].join(
        '\n',
      ),
    );
    expect(run.stdout).toContain('rewrote 1 finding in 1 file');
    git(dir, 'commit', '-q', '-am', 'migrated');
    const again = cli(dir, ['migrate', 'untracked-promise-to-lifecycle-track']);
    expect(again.stdout).toMatch(/rewrote 0 findings in 0 files/);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('a close-with-grace callback drains at its end, inside the callback the library awaits', () => {
    const dir = service(
      'sigterm-handler',
      fixtureServer('sigterm-handler')
        .replace(
          "import http from 'node:http';",
          "import closeWithGrace from 'close-with-grace';\nimport http from 'node:http';",
        )
        .replace(
          /process\.on\('SIGTERM'[^]*$/,
          [
            'closeWithGrace({ delay: 5000 }, async () => {',
            '  await new Promise((resolve) => server.close(resolve));',
            '});',
            '',
          ].join('\n'),
        ),
    );
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    expect(serverOf(dir)).toContain(
      [
        'closeWithGrace({ delay: 5000 }, async () => {',
        '  await new Promise((resolve) => server.close(resolve));',
        '  await lifecycle.shutdown();',
        '});',
      ].join('\n'),
    );
    expect(run.stdout).toMatch(/drained the lifecycle in src\/server\.js:\d+ \(close-with-grace\)/);
    // close-with-grace exits after its `delay`, before the lifecycle's deadline: the summary says so.
    expect(run.stdout).toContain(
      '    but close-with-grace `delay: 5000 ms` ends the handlers first: tracked work still running after 5000 ms is cut off (the lifecycle waits up to 25000 ms). Raise it to 25000 ms or more.',
    );
    expectIdempotent(dir);
  });

  it('a listener that delegates to a function of the file that exits: the drain goes before that exit', () => {
    const dir = service(
      'sigterm-handler',
      fixtureServer('sigterm-handler').replace(
        /process\.on\('SIGTERM'[^]*$/,
        [
          'async function stop(signal) {',
          '  try {',
          '    await new Promise((resolve) => server.close(resolve));',
          '    process.exit(0);',
          '  } catch {',
          '    return process.exit(1);',
          '  }',
          '}',
          '',
          "process.on('SIGTERM', () => {",
          "  void stop('SIGTERM');",
          '});',
          '',
        ].join('\n'),
      ),
    );
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    expect(serverOf(dir)).toContain(
      [
        '    await lifecycle.closeServer(server, { timeoutMs: 10_000 });',
        '    await lifecycle.shutdown();',
        '    process.exit(0);',
        '  } catch {',
        '    return process.exit(1);',
      ].join('\n'),
    );
    expect(serverOf(dir)).toContain("process.on('SIGTERM', () => {\n  void stop('SIGTERM');\n});");
    expectIdempotent(dir);
    // With only the untracked-promise codemod, the close stays as it was and the drain is placed
    // before each exit of `stop`.
    git(dir, 'reset', '-q', '--hard', 'HEAD~1');
    expect(cli(dir, ['migrate', 'untracked-promise-to-lifecycle-track']).stdout).toMatch(
      /drained the lifecycle in src\/server\.js:\d+ \(process\.on\('SIGTERM'\)\)/,
    );
    expect(serverOf(dir)).toContain(
      [
        '    await new Promise((resolve) => server.close(resolve));',
        '    await lifecycle.shutdown();',
        '    process.exit(0);',
        '  } catch {',
        '    await lifecycle.shutdown();',
        '    return process.exit(1);',
      ].join('\n'),
    );
  });

  it('a terminus onSignal drains at its end (terminus awaits it after the server stopped)', () => {
    const dir = service(
      'sigterm-handler',
      [
        "import http from 'node:http';",
        "import { createTerminus } from '@godaddy/terminus';",
        "import { writeAudit } from './audit.js';",
        '',
        'const server = http.createServer((req, res) => {',
        '  writeAudit(req.url);',
        "  res.end('ok');",
        '});',
        '',
        'createTerminus(server, {',
        "  signals: ['SIGTERM'],",
        '  onSignal: () => {',
        "    console.log('cleanup');",
        '  },',
        '});',
        'server.listen(3000);',
        '',
      ].join('\n'),
    );
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    expect(serverOf(dir)).toContain(
      "  onSignal: async () => {\n    console.log('cleanup');\n    await lifecycle.shutdown();\n  },",
    );
    expect(run.stdout).toMatch(/drained the lifecycle in src\/server\.js:10 \(terminus\)/);
    expectIdempotent(dir);
  });

  it('terminus hooks are one sequence: the drain goes into onSignal (the first after the server stopped), not beforeShutdown nor onShutdown', () => {
    const dir = service(
      'sigterm-handler',
      [
        "import http from 'node:http';",
        "import { createTerminus } from '@godaddy/terminus';",
        "import { writeAudit } from './audit.js';",
        '',
        'const server = http.createServer((req, res) => {',
        '  writeAudit(req.url);',
        "  res.end('ok');",
        '});',
        '',
        'createTerminus(server, {',
        '  async beforeShutdown() {',
        "    console.log('not ready');",
        '  },',
        '  async onShutdown() {',
        "    console.log('bye');",
        '  },',
        '  async onSignal() {',
        "    console.log('cleanup');",
        '  },',
        '});',
        'server.listen(3000);',
        '',
      ].join('\n'),
    );
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    expect(serverOf(dir)).toContain(
      "  async onSignal() {\n    console.log('cleanup');\n    await lifecycle.shutdown();\n  },",
    );
    expect(serverOf(dir).match(/await lifecycle\.shutdown\(\);/g)).toHaveLength(1);
    expect(run.stdout.match(/drained the lifecycle/g)).toEqual(['drained the lifecycle']);
    expectIdempotent(dir);
  });

  it('a terminus whose onShutdown drains already: beforeShutdown (before the server stops) gets no second drain', () => {
    const source = [
      "import http from 'node:http';",
      "import { createTerminus } from '@godaddy/terminus';",
      "import { lifecycle } from 'shutdown-lint/lifecycle';",
      '',
      'const server = http.createServer((req, res) => {',
      '  lifecycle.track(fetch(req.url));',
      "  res.end('ok');",
      '});',
      '',
      'createTerminus(server, {',
      '  async beforeShutdown() {',
      "    console.log('not ready');",
      '  },',
      '  async onShutdown() {',
      '    await lifecycle.shutdown();',
      '  },',
      '});',
      'server.listen(3000);',
      '',
    ].join('\n');
    const dir = service('sigterm-handler', source);
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    // onShutdown drains already: beforeShutdown (before the server stops) gets no second drain.
    expect(serverOf(dir)).toBe(source);
    expect(run.stdout).not.toContain('drained the lifecycle');
    expect(run.stdout).not.toContain('does not drain');
  });

  it('lightship runs its handlers in order: the drain goes into the handler that stops the server, not those before or after it', () => {
    const dir = service(
      'sigterm-handler',
      [
        "import http from 'node:http';",
        "import { createLightship } from 'lightship';",
        "import { writeAudit } from './audit.js';",
        '',
        'const lightship = await createLightship();',
        'const server = http.createServer((req, res) => {',
        '  writeAudit(req.url);',
        "  res.end('ok');",
        '});',
        '',
        'lightship.registerShutdownHandler(() => {',
        "  console.log('shutting down');",
        '});',
        'lightship.registerShutdownHandler(async () => {',
        '  await new Promise((resolve) => server.close(resolve));',
        '});',
        'lightship.registerShutdownHandler(async () => {',
        "  console.log('closed');",
        '});',
        'server.listen(3000, () => lightship.signalReady());',
        '',
      ].join('\n'),
    );
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    expect(serverOf(dir)).toContain(
      'lightship.registerShutdownHandler(async () => {\n  await new Promise((resolve) => server.close(resolve));\n  await lifecycle.shutdown();\n});',
    );
    expect(serverOf(dir).match(/await lifecycle\.shutdown\(\);/g)).toHaveLength(1);
    expect(run.stdout).toMatch(
      /^ {2}drained the lifecycle in src\/server\.js:14 \(lightship registerShutdownHandler\)$/m,
    );
    // lightship's handlers are bounded by its `shutdownHandlerTimeout` (5 s unless set on createLightship).
    expect(run.stdout).toMatch(
      /^ {4}but lightship `shutdownHandlerTimeout` default 5000 ms ends the handlers first: tracked work still running after 5000 ms is cut off/m,
    );
    expectIdempotent(dir);
  });

  it('says nothing of a library bound that outlasts the lifecycle deadline', () => {
    const dir = service(
      'close-with-grace',
      fixtureServer('close-with-grace').replace(/closeWithGrace\(\{[^}]*\}/, 'closeWithGrace({ delay: 30_000 }'),
    );
    expect(serverOf(dir)).toContain('closeWithGrace({ delay: 30_000 }');
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/drained the lifecycle in src\/server\.js:\d+ \(close-with-grace\)/);
    expect(run.stdout).not.toContain('ends the handlers first');
  });

  it('a NestJS onApplicationShutdown hook drains at its end', () => {
    const dir = nestService({
      'main.ts': [
        "import { Controller, Get, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';",
        "import { NestFactory } from '@nestjs/core';",
        "import { writeAudit } from './audit.js';",
        '',
        '@Injectable()',
        'export class Audit implements OnApplicationShutdown {',
        '  async onApplicationShutdown(signal?: string): Promise<void> {',
        "    console.log('shutting down', signal);",
        '  }',
        '}',
        '',
        '@Controller()',
        'export class OrdersController {',
        "  @Get('orders')",
        '  list(): string {',
        "    writeAudit('orders');",
        "    return 'ok';",
        '  }',
        '}',
        '',
        '@Module({ controllers: [OrdersController], providers: [Audit] })',
        'class AppModule {}',
        '',
        'async function bootstrap(): Promise<void> {',
        '  const app = await NestFactory.create(AppModule);',
        '  app.enableShutdownHooks();',
        '  await app.listen(3000);',
        '}',
        'void bootstrap();',
      ],
    });
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, 'src', 'main.ts'), 'utf8')).toContain(
      "    console.log('shutting down', signal);\n    await lifecycle.shutdown();\n  }",
    );
    expect(run.stdout).toMatch(/drained the lifecycle in src\/main\.ts:7 \(onApplicationShutdown\)/);
    expectIdempotent(dir);
  });

  it('NestJS hooks in several files are one sequence: the drain goes into onApplicationShutdown, none into onModuleDestroy or beforeApplicationShutdown', () => {
    const files: Record<string, string[]> = {
      // Before the server closes (first by name, so first in the analysis's order too).
      'a-cache.service.ts': [
        "import { BeforeApplicationShutdown, Injectable, OnModuleDestroy } from '@nestjs/common';",
        '',
        '@Injectable()',
        'export class CacheService implements OnModuleDestroy, BeforeApplicationShutdown {',
        '  onModuleDestroy(): void {',
        "    console.log('cache: destroy');",
        '  }',
        '',
        '  beforeApplicationShutdown(): void {',
        "    console.log('cache: before shutdown');",
        '  }',
        '}',
      ],
      'b-bus.service.ts': [
        "import { Injectable, OnApplicationShutdown } from '@nestjs/common';",
        '',
        '@Injectable()',
        'export class BusService implements OnApplicationShutdown {',
        '  async onApplicationShutdown(signal?: string): Promise<void> {',
        "    console.log('bus: shutdown', signal);",
        '  }',
        '}',
      ],
      'c-mail.service.ts': [
        "import { Injectable, OnApplicationShutdown } from '@nestjs/common';",
        '',
        '@Injectable()',
        'export class MailService implements OnApplicationShutdown {',
        '  onApplicationShutdown(): void {',
        "    console.log('mail: shutdown');",
        '  }',
        '}',
      ],
      'main.ts': [
        "import { Controller, Get, Module } from '@nestjs/common';",
        "import { NestFactory } from '@nestjs/core';",
        "import { writeAudit } from './audit.js';",
        "import { BusService } from './b-bus.service.js';",
        "import { CacheService } from './a-cache.service.js';",
        "import { MailService } from './c-mail.service.js';",
        '',
        '@Controller()',
        'export class OrdersController {',
        "  @Get('orders')",
        '  list(): string {',
        "    writeAudit('orders');",
        "    return 'ok';",
        '  }',
        '}',
        '',
        '@Module({ controllers: [OrdersController], providers: [BusService, CacheService, MailService] })',
        'class AppModule {}',
        '',
        'async function bootstrap(): Promise<void> {',
        '  const app = await NestFactory.create(AppModule);',
        '  app.enableShutdownHooks();',
        '  await app.listen(3000);',
        '}',
        'void bootstrap();',
      ],
    };
    const dir = nestService(files);
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    const text = (file: string): string => readFileSync(join(dir, 'src', file), 'utf8');
    expect(text('a-cache.service.ts')).toBe(`${files['a-cache.service.ts']!.join('\n')}\n`);
    expect(text('b-bus.service.ts')).toContain(
      "    console.log('bus: shutdown', signal);\n    await lifecycle.shutdown();\n  }",
    );
    // Two providers' onApplicationShutdown: peers, each drains (the first to run waits, the other finds it
    // done). The one declared `(): void` becomes async and `(): Promise<void>`, so it still type-checks.
    expect(text('c-mail.service.ts')).toContain(
      "  async onApplicationShutdown(): Promise<void> {\n    console.log('mail: shutdown');\n    await lifecycle.shutdown();\n  }",
    );
    expect(run.stdout.match(/drained the lifecycle.*/g)?.sort()).toEqual([
      'drained the lifecycle in src/b-bus.service.ts:5 (onApplicationShutdown)',
      'drained the lifecycle in src/c-mail.service.ts:5 (onApplicationShutdown)',
    ]);
    expectIdempotent(dir);
  });

  it('NestJS hooks of one phase in several providers are peers Nest orders module by module: each drains, the later phases none', () => {
    const provider = (name: string, hook: string): string[] => [
      "import { Injectable } from '@nestjs/common';",
      '',
      '@Injectable()',
      `export class ${name} {`,
      `  async ${hook}(): Promise<void> {`,
      `    console.log('${name}: ${hook}');`,
      '  }',
      '}',
    ];
    const files: Record<string, string[]> = {
      // No hook runs after the server closes: the earliest phase drains, in every provider that has it.
      'a-queue.service.ts': provider('QueueService', 'onModuleDestroy'),
      'b-cache.service.ts': provider('CacheService', 'onModuleDestroy'),
      'c-bus.service.ts': provider('BusService', 'beforeApplicationShutdown'),
      'main.ts': [
        "import { Controller, Get, Module } from '@nestjs/common';",
        "import { NestFactory } from '@nestjs/core';",
        "import { writeAudit } from './audit.js';",
        "import { QueueService } from './a-queue.service.js';",
        "import { CacheService } from './b-cache.service.js';",
        "import { BusService } from './c-bus.service.js';",
        '',
        '@Controller()',
        'export class OrdersController {',
        "  @Get('orders')",
        '  list(): string {',
        "    writeAudit('orders');",
        "    return 'ok';",
        '  }',
        '}',
        '',
        '@Module({ controllers: [OrdersController], providers: [QueueService, CacheService, BusService] })',
        'class AppModule {}',
        '',
        'async function bootstrap(): Promise<void> {',
        '  const app = await NestFactory.create(AppModule);',
        '  app.enableShutdownHooks();',
        '  await app.listen(3000);',
        '}',
        'void bootstrap();',
      ],
    };
    const dir = nestService(files);
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    const text = (file: string): string => readFileSync(join(dir, 'src', file), 'utf8');
    for (const [file, name] of [
      ['a-queue.service.ts', 'QueueService'],
      ['b-cache.service.ts', 'CacheService'],
    ])
      expect(text(file!)).toContain(
        `    console.log('${name}: onModuleDestroy');\n    await lifecycle.shutdown();\n  }`,
      );
    expect(text('c-bus.service.ts')).toBe(`${files['c-bus.service.ts']!.join('\n')}\n`);
    expect(run.stdout.match(/drained the lifecycle.*/g)?.sort()).toEqual([
      'drained the lifecycle in src/a-queue.service.ts:5 (onModuleDestroy)',
      'drained the lifecycle in src/b-cache.service.ts:5 (onModuleDestroy)',
    ]);
    expectIdempotent(dir);
  });

  it('a NestJS onModuleDestroy that ends the pool becomes onApplicationShutdown, and the lifecycle drains before the pool ends', () => {
    const dir = nestService({
      'main.ts': [
        "import { Controller, Get, Injectable, Module, OnModuleDestroy } from '@nestjs/common';",
        "import { NestFactory } from '@nestjs/core';",
        "import pg from 'pg';",
        "import { writeAudit } from './audit.js';",
        '',
        '@Injectable()',
        'export class Database extends pg.Pool implements OnModuleDestroy {',
        '  async onModuleDestroy(): Promise<void> {',
        '    await this.end();',
        '  }',
        '}',
        '',
        '@Controller()',
        'export class OrdersController {',
        '  constructor(private readonly db: Database) {}',
        '',
        "  @Get('orders')",
        '  async list(): Promise<number> {',
        "    writeAudit('orders');",
        "    return (await this.db.query('select 1')).rowCount ?? 0;",
        '  }',
        '}',
        '',
        '@Module({ controllers: [OrdersController], providers: [Database] })',
        'class AppModule {}',
        '',
        'async function bootstrap(): Promise<void> {',
        '  const app = await NestFactory.create(AppModule);',
        '  app.enableShutdownHooks();',
        '  await app.listen(3000);',
        '}',
        'void bootstrap();',
      ],
    });
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    const main = readFileSync(join(dir, 'src', 'main.ts'), 'utf8');
    expect(main).toContain(
      "import { Controller, Get, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';",
    );
    expect(main).toContain(
      [
        'export class Database extends pg.Pool implements OnApplicationShutdown {',
        '  async onApplicationShutdown(): Promise<void> {',
        '    await lifecycle.shutdown();',
        '    await this.end();',
        '  }',
      ].join('\n'),
    );
    expect(run.stdout).not.toContain('close-in-reverse-order');
    expectIdempotent(dir);
  });

  it('never drains inside the lifecycle’s own closers, nor in a Fastify onClose hook when a signal handler stops the app', () => {
    const dir = service(
      'sigterm-handler',
      [
        "import Fastify from 'fastify';",
        "import { lifecycle } from 'shutdown-lint/lifecycle';",
        "import { writeAudit } from './audit.js';",
        '',
        'const app = Fastify();',
        'lifecycle.defer(async () => {',
        "  await writeAudit('closed');",
        '});',
        "app.addHook('onClose', async () => {",
        "  console.log('closed');",
        '});',
        'await app.listen({ port: 3000 });',
        '',
        "process.on('SIGTERM', () => {",
        '  app.close().then(() => process.exit(0));',
        '});',
        '',
      ].join('\n'),
    );
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    const output = serverOf(dir);
    expect(output).toContain("lifecycle.defer(async () => {\n  await writeAudit('closed');\n});");
    expect(output).toContain("app.addHook('onClose', async () => {\n  console.log('closed');\n});");
    expect(output.match(/lifecycle\.shutdown\(\)/g)).toHaveLength(1);
    // `app.close()` is left for a person (its value is used): the drain goes into its callback, so a
    // second run finds nothing new to rewrite.
    expect(output).toContain(
      '  app.close().then(async () => {\n    await lifecycle.shutdown();\n    process.exit(0);\n  });',
    );
    expectIdempotent(dir);
  });

  it('a path it cannot place is left for a person, and the findings it wrapped are not counted as fixed', () => {
    const dir = service(
      'sigterm-handler',
      fixtureServer('sigterm-handler').replace(
        /process\.on\('SIGTERM'[^]*$/,
        ["process.on('SIGTERM', function* () {", '  server.close();', '  yield;', '});', ''].join('\n'),
      ),
    );
    const run = cli(dir, ['migrate', 'all']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/rewrote 0 findings in 1 file; 1 left for a person\./);
    expect(run.stdout).toContain(
      'Rewritten, but nothing drains the lifecycle: 2 findings in 1 file not counted as fixed',
    );
    expect(run.stdout).toMatch(
      /^ {2}src\/server\.js:\d+:1 drain-lifecycle: `process\.on\('SIGTERM'\)` does not drain the lifecycle: a generator/m,
    );
  });

  /** express-close with a pg pool its handler uses, and `shutdown` ending it around the server's close. */
  const withPool = (shutdownBody: string[]): string =>
    fixtureServer('express-close')
      .replace(
        "import { writeAudit } from './audit.js';",
        "import pg from 'pg';\nimport { writeAudit } from './audit.js';\n\nconst pool = new pg.Pool();",
      )
      .replace(
        '  res.json({ id: req.params.id });',
        "  pool.query('select 1').then(() => res.json({ id: req.params.id }));",
      )
      .replace(
        /async function shutdown\(signal\) \{[^]*?\n\}\n/,
        ['async function shutdown(signal) {', ...shutdownBody, '}', ''].join('\n'),
      );

  for (const [shape, body] of [
    [
      'ends it before the server drains',
      ['  await pool.end(); // the orders pool', '  await new Promise((resolve) => server.close(resolve));'],
    ],
    ['ends it while the server drains', ['  server.close();', '  await pool.end(); // the orders pool']],
  ] as const) {
    it(`a store the handler ${shape}: it ends after the server has closed and the lifecycle has drained`, () => {
      const dir = service('express-close', withPool([...body, '  process.exit(0);']));
      const run = cli(dir, ['migrate', 'all']);
      expect(run.code).toBe(0);
      expect(serverOf(dir)).toMatch(
        new RegExp(
          [
            '  await lifecycle\\.closeServer\\(server, \\{ timeoutMs: 10_000 \\}\\);',
            '  await lifecycle\\.shutdown\\(\\);',
            '  await pool\\.end\\(\\); // the orders pool',
            '  process\\.exit(?:Code = |\\()0\\)?;',
          ].join('\n'),
        ),
      );
      // Rewritten, not left: the summary names no finding of the rule.
      expect(run.stdout).not.toContain('close-in-reverse-order');
      expectIdempotent(dir);
    });
  }
});
