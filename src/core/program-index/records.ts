// The records the index hands out: servers and resources, request handlers, shutdown roots.
import type * as ts from 'typescript';
import type { FunctionLikeWithBody } from '../ts-utils.js';

export interface ServerRecord {
  kind: string;
  /** The call or `new` that creates it. */
  creation: ts.CallExpression | ts.NewExpression;
  /** Created with an option that force-closes connections on close (Fastify `forceCloseConnections: true`). */
  forceClosesOnClose: boolean;
}

export interface HandlerRecord {
  fn: FunctionLikeWithBody;
  /** `express`, `fastify`, `koa`, `hono`, `node:http`, `nestjs`, `fetch-route`. */
  framework: string;
  /** Where it was registered (the `app.get(...)` call, the decorator, the export). */
  registration: ts.Node;
}

export interface ShutdownRoot {
  /** The function that runs at shutdown (or the source file, for a top-level `await once(process, 'SIGTERM')`). */
  fn: FunctionLikeWithBody | ts.SourceFile;
  /** How it is triggered, for messages: `process.once('SIGTERM')`, `close-with-grace`, `onApplicationShutdown`. */
  trigger: string;
  registration: ts.Node;
  /** The library that runs it bounds it with a deadline. */
  bounded: boolean;
  /** Only code from this offset on is on the path (after `await once(process, 'SIGTERM')`). */
  afterPos?: number;
  /** For a listener of `process` itself: the signals it listens to (libraries and hooks have none). */
  signals?: readonly string[];
  /**
   * A closer handed to this project's runtime (`lifecycle.defer`, `lifecycle.adopt`): it runs when
   * something drains the lifecycle, and says nothing of whether the process runs until a signal.
   * Such roots make no file part of the service (`migrate` writes them: what a second run sees
   * must not depend on them).
   */
  lifecycleCloser?: true;
}
