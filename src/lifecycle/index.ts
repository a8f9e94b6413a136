// shutdown-lint/lifecycle: the tracked-task form the codemods rewrite into (DESIGN.md; the required
// semantics are runtime-facts §5.1). Zero dependencies: node: builtins only.
import { constants } from 'node:os';
import {
  DEFAULT_SERVER_TIMEOUT_MS,
  closeServer,
  drainServer,
  trackServer,
  withTimeout,
  isFastify,
} from './close-server.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as net from 'node:net';
import { requestSignal } from './request-signal.js';

export { closeServer };

export const DEFAULT_TIMEOUT_MS = 25_000;
export const DEFAULT_STEP_TIMEOUT_MS = DEFAULT_SERVER_TIMEOUT_MS;
/** After a signal-started shutdown has finished, how long the process may take to exit by itself. */
export const EXIT_GRACE_MS = 1_000;

export type LifecycleLogger = Pick<Console, 'error' | 'warn'>;

export interface LifecycleOptions {
  /** The overall shutdown deadline, in ms (default 25 000: inside Kubernetes' 30 s grace period). */
  timeoutMs?: number;
  /** Where failures and timeouts are reported (default `console`). */
  logger?: LifecycleLogger;
}

export interface StepOptions {
  /** Shown in logs. */
  name?: string;
  /** This step's own deadline, in ms (default 10 000); the overall deadline still applies. */
  timeoutMs?: number;
}

export interface CloseServerOptions {
  /** Force-close the connections still open after this many ms (default 10 000). */
  timeoutMs?: number;
}

export interface HandleSignalsOptions {
  /** The overall shutdown deadline, in ms; replaces the lifecycle's. */
  timeoutMs?: number;
  /** Default `['SIGTERM', 'SIGINT']`. */
  signals?: NodeJS.Signals[];
}

export interface Lifecycle {
  /** Aborts when shutdown begins (the Go ctx). */
  readonly signal: AbortSignal;
  /** True once shutdown has begun. */
  readonly closing: boolean;
  /** A node:http request's signal, on every Node: aborts when the client goes away before the
   *  response finished, or when shutdown begins; never once the response has finished. One per
   *  request. `res` may be left out where the request keeps it (`req.res`, Express). */
  requestSignal(req: IncomingMessage, res?: ServerResponse): AbortSignal;
  /** Background work shutdown waits for (the Go WaitGroup). Returns a promise settled like `work`;
   *  a rejection nobody else handles is logged, never an unhandled rejection. A value that is no
   *  promise (a sync-or-async hook typed `void | Promise<void>` that ran synchronously) is work
   *  already done, as for `Promise.resolve`. */
  track<T>(work: T | PromiseLike<T>): Promise<Awaited<T>>;
  /** A closer, run at shutdown in reverse registration order, under its own deadline and the overall one. */
  defer(close: () => unknown, options?: StepOptions): void;
  /** `defer(() => close(resource))`, returning the resource, for use at its creation:
   *  `const pool = lifecycle.adopt(new Pool(cfg), (p) => p.end());` */
  adopt<T>(resource: T, close: (resource: T) => unknown, options?: StepOptions): T;
  /** Hand a listening server to the lifecycle: it is drained first when shutdown begins. Returns it. */
  addServer<S>(server: S, options?: StepOptions): S;
  /** Close a server now, bounded: stop accepting, close idle keep-alives, `Connection: close` on
   *  in-flight responses, wait, force-close at the deadline (upgraded/WebSocket sockets included).
   *  node:http/https/http2 servers and Fastify instances. Also a named export. */
  closeServer(server: unknown, options?: CloseServerOptions): Promise<void>;
  /** Install the one SIGTERM/SIGINT entry (idempotent). First signal: shutdown(); second: exit at once. */
  handleSignals(options?: HandleSignalsOptions): Lifecycle;
  /** What the first signal runs: abort `signal`, drain servers, await tracked tasks, run closers LIFO,
   *  set process.exitCode. Memoised: every call returns the same promise. */
  shutdown(reason?: string): Promise<void>;
}

interface Closer {
  name: string;
  close: () => unknown;
  timeoutMs: number;
}

interface ServerEntry {
  server: unknown;
  name: string;
  timeoutMs: number;
}

const PREFIX = 'shutdown-lint/lifecycle:';

/** A promise that notes whether anyone else handles its rejection: `then`, `catch`, `finally` and
 *  `await` all go through `then` on a subclass (an `await` on a plain native promise would not). */
class ObservedPromise<T> extends Promise<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }
  observed = false;
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // Only a rejection handler handles a rejection (`await`, `catch`, `finally` and Promise.all pass one).
    if (typeof onRejected === 'function') this.observed = true;
    return super.then(onFulfilled, onRejected);
  }
}

export function createLifecycle(options: LifecycleOptions = {}): Lifecycle {
  const logger = options.logger ?? console;
  let overallTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const tasks = new Set<Promise<void>>();
  const closers: Closer[] = [];
  const servers: ServerEntry[] = [];
  /** Work started after its phase is over (a server added, a closer deferred): shutdown waits for it. */
  const late = new Set<Promise<boolean>>();
  let closersDone = false;
  let failed = false;
  let deadlineAt = Number.POSITIVE_INFINITY;
  let shutdownPromise: Promise<void> | undefined;
  let signalsInstalled = false;

  const remaining = (): number => Math.max(0, deadlineAt - Date.now());
  const stepBudget = (own: number): number => Math.min(own, remaining());

  const runCloser = async (closer: Closer): Promise<boolean> => {
    const budget = stepBudget(closer.timeoutMs);
    let threw = false;
    const work = Promise.resolve()
      .then(closer.close)
      .catch((error: unknown) => {
        threw = true;
        logger.error(`${PREFIX} closer "${closer.name}" failed:`, error);
      });
    if (budget === 0) {
      logger.warn(`${PREFIX} closer "${closer.name}" started after the overall deadline; not waiting for it`);
      return false;
    }
    const inTime = await withTimeout(work, budget);
    if (!inTime) logger.warn(`${PREFIX} closer "${closer.name}" did not finish within ${budget} ms`);
    return inTime && !threw;
  };

  const drain = async (entry: ServerEntry): Promise<boolean> => {
    try {
      const result = await drainServer(entry.server, { timeoutMs: stepBudget(entry.timeoutMs), logger });
      return !result.forced;
    } catch (error) {
      logger.error(`${PREFIX} closing server "${entry.name}" failed:`, error);
      return false;
    }
  };

  let finished = false;
  const note = (ok: boolean): void => {
    if (ok) return;
    failed = true;
    // A late step (start-up still running) can fail after the drain has set the exit code.
    if (finished) process.exitCode = 1;
  };

  let tasksTimedOut = false;
  const waitForTasks = async (): Promise<void> => {
    // Tasks tracked while we wait count too, until the deadline.
    while (tasks.size > 0 && !tasksTimedOut) {
      const pending = [...tasks];
      const inTime = await withTimeout(Promise.all(pending), remaining());
      if (!inTime) {
        logger.warn(
          `${PREFIX} ${tasks.size} tracked task(s) still pending at the overall deadline (${overallTimeoutMs} ms)`,
        );
        failed = true;
        tasksTimedOut = true;
      }
    }
  };

  const run = async (reason: string): Promise<void> => {
    deadlineAt = Date.now() + overallTimeoutMs;
    controller.abort(new DOMException(`Shutting down (${reason})`, 'AbortError'));
    // One ref'd timer for the whole drain: the steps below may wait on nothing but promises.
    const keepAlive = setTimeout(() => undefined, overallTimeoutMs + 1_000);
    try {
      const drains = servers.splice(0).map(drain);
      const serversInTime = await withTimeout(Promise.all(drains), remaining());
      for (const ok of serversInTime ? await Promise.all(drains) : [false]) note(ok);
      await waitForTasks();
      // LIFO; a closer deferred while this runs goes on top and runs next.
      for (let closer = closers.pop(); closer; closer = closers.pop()) note(await runCloser(closer));
      closersDone = true;
      await waitForTasks();
      while (late.size > 0) {
        const pending = [...late];
        late.clear();
        if (!(await withTimeout(Promise.all(pending), remaining()))) failed = true;
        else for (const ok of await Promise.all(pending)) note(ok);
      }
    } catch (error) {
      failed = true;
      logger.error(`${PREFIX} shutdown failed:`, error);
    } finally {
      clearTimeout(keepAlive);
    }
    finished = true;
    if (failed) process.exitCode = 1;
    else process.exitCode ??= 0;
  };

  const lateStep = (step: Promise<boolean>): void => {
    const entry = step.finally(() => late.delete(entry));
    late.add(entry);
    void entry.then(note);
  };

  const self: Lifecycle = {
    get signal() {
      return controller.signal;
    },
    get closing() {
      return controller.signal.aborted;
    },

    requestSignal(req: IncomingMessage, res?: ServerResponse): AbortSignal {
      return requestSignal(req, res, controller.signal);
    },

    track<T>(work: T | PromiseLike<T>): Promise<Awaited<T>> {
      const returned = new ObservedPromise<Awaited<T>>((resolve, reject) => {
        Promise.resolve(work).then(resolve, reject);
      });
      const settled = Promise.prototype.then.call(returned, noop, (error: unknown) => {
        if (!returned.observed) logger.error(`${PREFIX} a tracked task failed:`, error);
      }) as Promise<void>;
      tasks.add(settled);
      void settled.then(() => tasks.delete(settled));
      return returned;
    },

    defer(close: () => unknown, stepOptions: StepOptions = {}): void {
      const closer: Closer = {
        name: stepOptions.name ?? (close.name || 'closer'),
        close,
        timeoutMs: stepOptions.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
      };
      if (closersDone) lateStep(runCloser(closer));
      else closers.push(closer);
    },

    adopt<T>(resource: T, close: (resource: T) => unknown, stepOptions: StepOptions = {}): T {
      self.defer(() => close(resource), { ...stepOptions, name: stepOptions.name ?? nameOf(resource) });
      return resource;
    },

    addServer<S>(server: S, stepOptions: StepOptions = {}): S {
      const entry: ServerEntry = {
        server,
        name: stepOptions.name ?? nameOf(server),
        timeoutMs: stepOptions.timeoutMs ?? DEFAULT_SERVER_TIMEOUT_MS,
      };
      if (isFastify(server)) trackServer(server.server);
      else if (server instanceof net.Server) trackServer(server);
      // Added after shutdown began (still starting up): closed at once, and shutdown waits for it.
      if (shutdownPromise) lateStep(drain(entry));
      else servers.push(entry);
      return server;
    },

    closeServer(server: unknown, closeOptions: CloseServerOptions = {}): Promise<void> {
      return drainServer(server, { timeoutMs: closeOptions.timeoutMs, logger }).then(noop);
    },

    handleSignals(signalOptions: HandleSignalsOptions = {}): Lifecycle {
      if (signalOptions.timeoutMs !== undefined) overallTimeoutMs = signalOptions.timeoutMs;
      if (signalsInstalled) return self;
      signalsInstalled = true;
      for (const signal of signalOptions.signals ?? ['SIGTERM', 'SIGINT']) {
        process.on(signal, () => {
          // A second signal means "now" (runtime-facts §5.1 point 1): exit as Node's default handler would.
          if (shutdownPromise) exitNow(128 + (constants.signals[signal] ?? 0));
          // Kept: every later shutdown() returns it. It never rejects, and the force-exit timer bounds it.
          shutdownPromise = startShutdown(signal);
        });
      }
      return self;
    },

    shutdown(reason = 'shutdown'): Promise<void> {
      shutdownPromise ??= startShutdown(reason);
      return shutdownPromise;
    },
  };

  const startShutdown = (reason: string): Promise<void> => {
    if (!signalsInstalled) return run(reason);
    // The last resort: if the drain itself cannot finish, or something nobody registered keeps the
    // loop alive after it, exit anyway. Unref'd: it never keeps the process alive by itself.
    const forceExit = setTimeout(() => forcedExit('the drain did not finish'), overallTimeoutMs + EXIT_GRACE_MS);
    forceExit.unref();
    return run(reason).then(() => {
      clearTimeout(forceExit);
      setTimeout(() => forcedExit('the process was still alive after shutdown finished'), EXIT_GRACE_MS).unref();
    });
  };

  const forcedExit = (why: string): void => {
    logger.warn(`${PREFIX} ${why}; exiting`);
    exitNow();
  };

  return self;
}

/**
 * The one place the runtime ends the process itself, with the code set through `process.exitCode`
 * (DESIGN.md: "an unref'd force-exit timer as the last resort"): on a second signal, and when the
 * drain is past its deadline or over while something nobody registered keeps the loop alive.
 * Everywhere else shutdown sets `process.exitCode` and lets the loop end.
 */
function exitNow(code?: number): never {
  if (code !== undefined) process.exitCode = code;
  // shutdown-lint-disable-next-line no-exit-before-cleanup -- the last resort: a second signal, or a drain that is over or past its deadline, so nothing registered is left to clean up
  process.exit();
}

function noop(): void {}

function nameOf(value: unknown): string {
  const constructorName = (value as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof constructorName === 'string' && constructorName !== 'Object' ? constructorName : 'resource';
}

/** The process-wide lifecycle. Kept on globalThis so the ESM and CommonJS builds, if a process
 *  loads both, share one lifecycle (and one signal entry). */
const GLOBAL_KEY = Symbol.for('shutdown-lint.lifecycle');
const registry = globalThis as typeof globalThis & { [GLOBAL_KEY]?: Lifecycle };
export const lifecycle: Lifecycle = (registry[GLOBAL_KEY] ??= createLifecycle());
