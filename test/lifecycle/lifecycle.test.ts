// The pure parts of the runtime, in process, with createLifecycle(): order, deadlines, task
// tracking, logging. The signal and socket behaviour is proven by the drills (drills.test.ts).
import * as http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeServer, createLifecycle, lifecycle, type Lifecycle } from '../../src/lifecycle/index.js';

interface Captured {
  logger: { error: (...args: unknown[]) => void; warn: (...args: unknown[]) => void };
  lines: string[];
}

function capture(): Captured {
  const lines: string[] = [];
  const write = (...args: unknown[]): void => {
    lines.push(args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' '));
  };
  return { logger: { error: write, warn: write }, lines };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let savedExitCode: typeof process.exitCode;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeEach(() => {
  savedExitCode = process.exitCode;
  process.exitCode = undefined;
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(() => {
  process.exitCode = savedExitCode;
  process.off('unhandledRejection', onUnhandled);
});

describe('createLifecycle', () => {
  it('aborts its signal and reports closing once shutdown begins', async () => {
    const life = createLifecycle();
    expect(life.closing).toBe(false);
    expect(life.signal.aborted).toBe(false);
    const done = life.shutdown('test');
    expect(life.closing).toBe(true);
    expect(life.signal.aborted).toBe(true);
    expect((life.signal.reason as DOMException).name).toBe('AbortError');
    expect(life.shutdown()).toBe(done);
    await done;
    expect(process.exitCode).toBe(0);
  });

  it('drains servers, then awaits tracked tasks, then runs closers last-in first-out', async () => {
    const { logger } = capture();
    const life = createLifecycle({ logger });
    const order: string[] = [];
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.on('close', () => order.push('server'));
    life.addServer(server);
    life.defer(() => order.push('first'));
    life.defer(async () => {
      await sleep(20);
      order.push('second');
    });
    life.defer(() => order.push('third'));
    void life.track(sleep(100).then(() => order.push('task')));
    await life.shutdown();
    expect(order).toEqual(['server', 'task', 'third', 'second', 'first']);
    expect(server.listening).toBe(false);
    expect(process.exitCode).toBe(0);
  });

  it('logs a closer that throws or rejects, runs the others, and sets exit code 1', async () => {
    const { logger, lines } = capture();
    const life = createLifecycle({ logger });
    const ran: string[] = [];
    life.defer(() => ran.push('first'), { name: 'first' });
    life.defer(
      () => {
        throw new Error('sync failure');
      },
      { name: 'sync' },
    );
    life.defer(() => Promise.reject(new Error('async failure')), { name: 'async' });
    await life.shutdown();
    expect(ran).toEqual(['first']);
    expect(lines).toEqual([
      'shutdown-lint/lifecycle: closer "async" failed: async failure',
      'shutdown-lint/lifecycle: closer "sync" failed: sync failure',
    ]);
    expect(process.exitCode).toBe(1);
    expect(unhandled).toEqual([]);
  });

  it('cuts a hanging closer at its own deadline and goes on', async () => {
    const { logger, lines } = capture();
    const life = createLifecycle({ logger });
    const ran: string[] = [];
    life.defer(() => ran.push('after'));
    life.defer(() => new Promise(() => {}), { name: 'hangs', timeoutMs: 100 });
    const started = Date.now();
    await life.shutdown();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(ran).toEqual(['after']);
    expect(lines).toEqual(['shutdown-lint/lifecycle: closer "hangs" did not finish within 100 ms']);
    expect(process.exitCode).toBe(1);
  });

  it('holds every closer to the overall deadline, and still starts the ones left after it', async () => {
    const { logger, lines } = capture();
    const life = createLifecycle({ logger, timeoutMs: 150 });
    const ran: string[] = [];
    life.defer(() => ran.push('last'), { name: 'last' });
    life.defer(() => new Promise(() => {}), { name: 'hangs', timeoutMs: 10_000 });
    const started = Date.now();
    await life.shutdown();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(ran).toEqual(['last']);
    expect(lines[0]).toMatch(/closer "hangs" did not finish within 1[0-5]\d ms/);
    // Past the deadline (Date.now() and the timer's clock may differ by a millisecond) it is not waited for.
    for (const line of lines.slice(1)) expect(line).toContain('closer "last" started after the overall deadline');
  });

  it('stops waiting for tracked tasks at the overall deadline', async () => {
    const { logger, lines } = capture();
    const life = createLifecycle({ logger, timeoutMs: 100 });
    void life.track(new Promise(() => {}));
    await life.shutdown();
    expect(lines).toEqual([
      'shutdown-lint/lifecycle: 1 tracked task(s) still pending at the overall deadline (100 ms)',
    ]);
    expect(process.exitCode).toBe(1);
  });

  it('counts tasks tracked while it waits for tasks', async () => {
    const life = createLifecycle();
    const order: string[] = [];
    void life.track(
      sleep(30).then(() => {
        void life.track(sleep(60).then(() => order.push('late task')));
        order.push('task');
      }),
    );
    life.defer(() => order.push('closer'));
    await life.shutdown();
    expect(order).toEqual(['task', 'late task', 'closer']);
  });

  it('runs a closer deferred after the closers ran at once, and waits for it', async () => {
    const life = createLifecycle();
    await life.shutdown();
    const ran: string[] = [];
    life.defer(() => ran.push('late'));
    await sleep(10);
    expect(ran).toEqual(['late']);
  });
});

describe('track', () => {
  let life: Lifecycle;
  let captured: Captured;
  beforeEach(() => {
    captured = capture();
    life = createLifecycle({ logger: captured.logger });
  });

  it('returns a promise settled like the work', async () => {
    await expect(life.track(Promise.resolve(42))).resolves.toBe(42);
    await expect(life.track(Promise.reject(new Error('no')))).rejects.toThrow('no');
    const thenable: PromiseLike<string> = { then: (resolve) => Promise.resolve('thenable').then(resolve) };
    expect(await life.track(thenable)).toBe('thenable');
    expect(captured.lines).toEqual([]);
  });

  it('takes the value of a sync-or-async hook that ran synchronously as work already done', async () => {
    // `void | Promise<void>`: what migrate wraps when a hook's declared type allows either. It must
    // type-check (docmost's TS2345 before track took `T | PromiseLike<T>`) and settle at once.
    const hook = (async: boolean): void | Promise<void> => (async ? sleep(5) : undefined);
    const done: Promise<void> = life.track(hook(false));
    await expect(done).resolves.toBeUndefined();
    const later: Promise<void> = life.track(hook(true));
    await life.shutdown();
    await expect(later).resolves.toBeUndefined();
    expect(captured.lines).toEqual([]);
  });

  it('logs a rejection nobody handles, and never leaves an unhandled rejection', async () => {
    void life.track(Promise.reject(new Error('lost')));
    await life.shutdown();
    await sleep(10);
    expect(captured.lines).toEqual(['shutdown-lint/lifecycle: a tracked task failed: lost']);
    expect(unhandled).toEqual([]);
  });

  it('still logs a rejection when the only subscriber has no rejection handler', async () => {
    const seen: unknown[] = [];
    const derived = life.track(Promise.reject(new Error('half handled'))).then((value) => seen.push(value));
    await derived.catch(() => undefined);
    await life.shutdown();
    expect(seen).toEqual([]);
    expect(captured.lines).toEqual(['shutdown-lint/lifecycle: a tracked task failed: half handled']);
  });

  it('leaves a rejection to whoever handles it, with catch or await', async () => {
    const handled: unknown[] = [];
    life.track(Promise.reject(new Error('caught'))).catch((error: unknown) => handled.push(error));
    const awaited = (async () => {
      try {
        await life.track(Promise.reject(new Error('awaited')));
      } catch (error) {
        handled.push(error);
      }
    })();
    await awaited;
    await life.shutdown();
    expect(handled).toHaveLength(2);
    expect(captured.lines).toEqual([]);
  });
});

describe('adopt and addServer', () => {
  it('adopt returns the resource and closes it LIFO, named after its class', async () => {
    const { logger, lines } = capture();
    const life = createLifecycle({ logger });
    class Pool {
      ended = false;
      end(): Promise<void> {
        this.ended = true;
        return Promise.reject(new Error('end failed'));
      }
    }
    const pool = life.adopt(new Pool(), (p) => p.end());
    expect(pool).toBeInstanceOf(Pool);
    await life.shutdown();
    expect(pool.ended).toBe(true);
    expect(lines).toEqual(['shutdown-lint/lifecycle: closer "Pool" failed: end failed']);
  });

  it('closes a server added after shutdown began at once, and returns it', async () => {
    const life = createLifecycle();
    await life.shutdown();
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const closed = new Promise<void>((resolve) => server.on('close', () => resolve()));
    expect(life.addServer(server)).toBe(server);
    await closed;
    expect(server.listening).toBe(false);
  });
});

describe('closeServer', () => {
  it('resolves for a server that never listened, and for one closed twice', async () => {
    await closeServer(http.createServer(), { timeoutMs: 100 });
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await Promise.all([closeServer(server), closeServer(server), lifecycle.closeServer(server)]);
    expect(server.listening).toBe(false);
  });

  it('closes a server that is still binding as soon as it listens', async () => {
    const server = http.createServer();
    await closeServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.listening).toBe(false);
  });

  it('rejects what is not a server', async () => {
    await expect(closeServer({ close() {} })).rejects.toThrow(TypeError);
  });
});

describe('handleSignals', () => {
  it('installs one listener per signal however often it is called, and returns the lifecycle', () => {
    const before = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
    const life = createLifecycle();
    try {
      expect(life.handleSignals()).toBe(life);
      expect(life.handleSignals({ timeoutMs: 1_000 })).toBe(life);
      const added = process.listeners('SIGTERM').filter((listener) => !before.has(listener));
      expect(added).toHaveLength(1);
      expect(process.listeners('SIGINT').filter((listener) => !before.has(listener))).toHaveLength(1);
    } finally {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        for (const listener of process.listeners(signal)) if (!before.has(listener)) process.off(signal, listener);
      }
    }
  });
});
