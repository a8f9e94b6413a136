// Cancellation in the core: which calls accept a signal and whether they pass one, the signal a
// handler has at hand, and the controllers it aborts. Typed programs, and one with no types at all.
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ts } from '../../src/core/typescript.js';
import { ProgramIndex } from '../../src/core/program-index.js';
import { localControllers, passedSignal, requestSignalOf, signalParameterOf } from '../../src/core/signals.js';
import { repoRoot } from '../support/fixtures.js';
import { inMemoryOptions, nodesOf, programWithFile } from '../support/programs.js';

/** A program with one in-memory file inside the repository, so imports resolve against its node_modules. */
function programWith(
  code: string,
  options: TS.CompilerOptions = inMemoryOptions,
  dir = join(repoRoot, 'fixtures', 'core'),
): { program: TS.Program; file: TS.SourceFile; index: ProgramIndex } {
  const fileName = join(dir, `signals-${Math.random().toString(36).slice(2)}.ts`);
  const program = programWithFile(fileName, code, options);
  return { program, file: program.getSourceFile(fileName)!, index: ProgramIndex.for(ts, program) };
}

function callsOf(file: TS.SourceFile): Map<string, TS.CallExpression> {
  const calls = new Map<string, TS.CallExpression>();
  for (const node of nodesOf(file)) if (ts.isCallExpression(node)) calls.set(node.getText(file), node);
  return calls;
}

describe('which calls accept a signal', () => {
  const { file, index } = programWith(`
    import { createHash } from 'node:crypto';
    import { once } from 'node:events';
    import { setTimeout as sleep } from 'node:timers/promises';
    export async function poll(url: string, signal?: AbortSignal) { return fetch(url, { signal }); }
    export async function generate(options: { prompt: string; abortSignal?: AbortSignal }) { return options.prompt; }
    export async function run(ctx: { signal: AbortSignal }) { return ctx.signal.aborted; }
    export async function all(request: Request) {
      await fetch('https://x');
      await sleep(10);
      await once(process, 'message');
      await poll('https://x');
      await generate({ prompt: 'p' });
      await run({ signal: request.signal });
      createHash('sha256');
      JSON.stringify(request);
    }
  `);
  const calls = callsOf(file);
  const parameterOf = (text: string) => signalParameterOf(ts, index, calls.get(text)!);

  it('reads the options position from the resolved signature', () => {
    expect(parameterOf("fetch('https://x')")).toEqual({ index: 1, direct: false, property: 'signal' });
    expect(parameterOf('sleep(10)')).toEqual({ index: 2, direct: false, property: 'signal' });
    expect(parameterOf("once(process, 'message')")).toEqual({ index: 2, direct: false, property: 'signal' });
  });

  it('counts the program own functions: a signal parameter, an options property named for one', () => {
    expect(parameterOf("poll('https://x')")).toEqual({ index: 1, direct: true, property: 'signal' });
    expect(parameterOf("generate({ prompt: 'p' })")).toEqual({ index: 0, direct: false, property: 'abortSignal' });
  });

  it('skips required signals, stream options and calls that take none', () => {
    expect(parameterOf('run({ signal: request.signal })')).toBeUndefined();
    expect(parameterOf("createHash('sha256')")).toBeUndefined();
    expect(parameterOf('JSON.stringify(request)')).toBeUndefined();
  });
});

describe('whether a call passes a signal', () => {
  const { file, index } = programWith(`
    export async function GET(request: Request) {
      const init = { signal: request.signal };
      await fetch('a', { signal: request.signal });
      await fetch('b', init);
      await fetch('c', { ...init });
      await fetch(new Request('d', { signal: request.signal }));
      await fetch(request);
      await fetch(new Request('e'));
      await fetch('f', { method: 'POST' });
      await fetch('g', { signal: undefined });
      return new Response();
    }
  `);
  const calls = callsOf(file);
  const passes = (text: string) => {
    const call = calls.get(text)!;
    return passedSignal(ts, index.types, call, signalParameterOf(ts, index, call)!).passes;
  };

  it('sees a signal given directly, through a const, a spread, a Request, or the incoming request', () => {
    expect(passes("fetch('a', { signal: request.signal })")).toBe(true);
    expect(passes("fetch('b', init)")).toBe(true);
    expect(passes("fetch('c', { ...init })")).toBe(true);
    expect(passes("fetch(new Request('d', { signal: request.signal }))")).toBe(true);
    expect(passes('fetch(request)')).toBe(true);
  });

  it('sees none in a bare Request, an options literal without one, or `signal: undefined`', () => {
    expect(passes("fetch(new Request('e'))")).toBe(false);
    expect(passes("fetch('f', { method: 'POST' })")).toBe(false);
    expect(passes("fetch('g', { signal: undefined })")).toBe(false);
  });
});

describe('what a handler has at hand', () => {
  const { index } = programWith(`
    import express from 'express';
    import Fastify from 'fastify';
    import { Hono } from 'hono';
    export const app = express();
    app.get('/a', async (req, res) => {
      const linked = new AbortController();
      res.on('close', () => { if (!res.writableFinished) linked.abort(); });
      const timed = new AbortController();
      setTimeout(() => timed.abort(), 1000);
      const fresh = new AbortController();
      res.send(String(linked.signal.aborted || timed.signal.aborted || fresh.signal.aborted));
    });
    export const fastify = Fastify();
    fastify.get('/b', async (request) => request.url);
    export const hono = new Hono();
    hono.get('/c', (c) => c.text('ok'));
  `);
  const handlers = [...index.handlers.values()];
  const byFramework = (framework: string) => handlers.find((h) => h.framework === framework)!;

  it('finds the request signal by type: Fastify request.signal, Hono c.req.raw.signal, none in Express', () => {
    expect(requestSignalOf(ts, index.types, byFramework('fastify'))?.text).toBe('request.signal');
    expect(requestSignalOf(ts, index.types, byFramework('hono'))?.text).toBe('c.req.raw.signal');
    expect(requestSignalOf(ts, index.types, byFramework('express'))).toBeUndefined();
  });

  it('tells linked, managed and unmanaged controllers apart', () => {
    const controllers = localControllers(ts, index, byFramework('express').fn);
    const state = Object.fromEntries(
      controllers.map((c) => [c.declaration.name.getText(), { linked: c.linked, managed: c.managed }]),
    );
    expect(state).toEqual({
      linked: { linked: true, managed: true },
      timed: { linked: false, managed: true },
      fresh: { linked: false, managed: false },
    });
  });
});

describe('without types', () => {
  // No lib, no @types, no node_modules: the catalogue and the framework answer.
  const { file, index } = programWith(
    `
    import { Hono } from 'hono';
    const app = new Hono();
    app.get('/x', async (c) => {
      const upstream = await fetch('https://x');
      return c.text(String(upstream.status));
    });
  `,
    {
      noLib: true,
      types: [],
      noEmit: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
    },
    // Outside the repository, so no node_modules is found.
    join(tmpdir(), 'shutdown-lint-untyped'),
  );
  const calls = callsOf(file);

  it('knows fetch takes its options second', () => {
    expect(signalParameterOf(ts, index, calls.get("fetch('https://x')")!)).toEqual({
      index: 1,
      direct: false,
      property: 'signal',
    });
  });

  it("knows a Hono handler's signal is c.req.raw.signal", () => {
    const handler = [...index.handlers.values()][0]!;
    expect(handler.framework).toBe('hono');
    expect(requestSignalOf(ts, index.types, handler)?.text).toBe('c.req.raw.signal');
  });
});
