// Which signals a program handles: each form of listener, and the libraries' signal options.
import type * as TS from 'typescript';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ts } from '../../src/core/typescript.js';
import { ProgramIndex } from '../../src/core/program-index.js';
import { signalRegistrations, signalsHandledFor } from '../../src/core/signal-handling.js';
import { repoRoot } from '../support/fixtures.js';
import { programWithFile } from '../support/programs.js';

function indexWith(code: string): { index: ProgramIndex; file: TS.SourceFile } {
  const fileName = join(repoRoot, 'fixtures', 'core', `signal-handling-${Math.random().toString(36).slice(2)}.ts`);
  const program = programWithFile(fileName, code);
  return { index: ProgramIndex.for(ts, program), file: program.getSourceFile(fileName)! };
}

/** The signals each registration handles, in source order; `?` when the code does not say. */
function handled(code: string): string[] {
  const { index } = indexWith(code);
  return signalRegistrations(index).map((r) => `${r.how}: ${r.signals?.join(' ') ?? '?'}`);
}

describe('signal registrations', () => {
  it('reads process listeners in every form, and ignores other process events', () => {
    expect(
      handled(`
        import { once, on } from 'node:events';
        declare const name: string;
        process.on('SIGTERM', () => {});
        process.prependOnceListener('SIGINT', () => {});
        process.on('exit', () => {});
        process.on('uncaughtException', () => {});
        for (const s of ['SIGTERM', 'SIGHUP']) process.once(s, () => {});
        process.on(name, () => {});
        await once(process, 'SIGTERM');
        for await (const _ of on(process, 'SIGUSR2')) break;
      `),
    ).toEqual([
      'process.on: SIGTERM',
      'process.prependOnceListener: SIGINT',
      'process.once: SIGTERM SIGHUP',
      'process.on: ?',
      'once(process): SIGTERM',
      'on(process): SIGUSR2',
    ]);
  });

  it('reads listeners on a process handed in (NodeJS.Process, typeof process), not on other emitters', () => {
    expect(
      handled(`
        import proc from 'node:process';
        import { EventEmitter } from 'node:events';
        class App {
          constructor(private readonly process: NodeJS.Process, private readonly bus: EventEmitter) {}
          run(): void {
            this.process.on('SIGTERM', () => {});
            this.bus.on('SIGINT', () => {});
          }
        }
        function watch(p: typeof process): void {
          p.once('SIGHUP', () => {});
        }
        new App(proc, new EventEmitter()).run();
        watch(process);
      `),
    ).toEqual(['process.on: SIGTERM', 'process.once: SIGHUP']);
  });

  it('reads a process held under any name: the index knows the names of the fields that can hold one', () => {
    // Members are asked for their symbol only under those names (see NameFacts.processHolderNames).
    expect(
      handled(`
        import { EventEmitter } from 'node:events';
        class Worker {
          private readonly sys = process;
          ['bus']: EventEmitter = new EventEmitter();
          constructor(private readonly proc: NodeJS.Process, private readonly host: typeof process) {}
          run(): void {
            this.proc.on('SIGTERM', () => {});
            this.host.once('SIGINT', () => {});
            this.sys.on('SIGHUP', () => {});
            this.bus.on('SIGUSR2', () => {});
          }
        }
        new Worker(process, process).run();
      `),
    ).toEqual(['process.on: SIGTERM', 'process.once: SIGINT', 'process.on: SIGHUP']);
  });

  it('reads the signal options of the libraries', () => {
    expect(
      handled(`
        import closeWithGrace from 'close-with-grace';
        import { createTerminus } from '@godaddy/terminus';
        import gracefulShutdown from 'http-graceful-shutdown';
        import http from 'node:http';
        const server = http.createServer();
        closeWithGrace({ skip: ['SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGUSR2'] }, async () => {});
        createTerminus(server, { signal: 'SIGINT', signals: ['SIGUSR2'] });
        createTerminus(server, {});
        gracefulShutdown(server, { signals: 'SIGINT SIGTERM' });
        gracefulShutdown(server);
      `),
    ).toEqual([
      'close-with-grace: SIGINT',
      'terminus: SIGINT SIGUSR2',
      'terminus: SIGTERM',
      'http-graceful-shutdown: SIGINT SIGTERM',
      'http-graceful-shutdown: SIGINT SIGTERM',
    ]);
  });

  it('reads NestJS enableShutdownHooks, default and with a list', () => {
    const result = handled(`
      import { Module } from '@nestjs/common';
      import { NestFactory } from '@nestjs/core';
      @Module({}) class AppModule {}
      const app = await NestFactory.create(AppModule);
      app.enableShutdownHooks(['SIGINT']);
      app.enableShutdownHooks();
    `);
    expect(result[0]).toBe('NestJS: SIGINT');
    expect(result[1]).toContain('SIGTERM');
  });

  it('answers per service: SIGTERM, or the other signals handled', () => {
    const { index, file } = indexWith(`process.once('SIGINT', () => {}); process.once('SIGHUP', () => {});`);
    expect(signalsHandledFor(index, file)).toEqual({ sigterm: false, signals: ['SIGINT', 'SIGHUP'] });
  });
});
