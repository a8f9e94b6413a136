// Bounded server drain (runtime-facts §1.1-§1.4, §3, §5.1 point 5). node: builtins only.
import * as net from 'node:net';
import * as tls from 'node:tls';
import type * as http from 'node:http';
import type * as http2 from 'node:http2';

export const DEFAULT_SERVER_TIMEOUT_MS = 10_000;

/** How a drain ended: `forced` when connections were still open at the deadline. */
export interface DrainResult {
  forced: boolean;
}

export interface DrainOptions {
  timeoutMs?: number;
  logger?: Pick<Console, 'error' | 'warn'>;
}

/** What the runtime keeps per server. Stored on the server under a registry symbol so that the
 *  ESM and the CommonJS copies of the runtime, if both get loaded, share it. */
interface Tracker {
  sockets: Set<net.Socket>;
  /** Sockets of a TLS server before the handshake: only destroyed at the deadline. */
  rawSockets: Set<net.Socket>;
  upgraded: WeakMap<net.Socket, string>;
  sessions: Set<http2.ServerHttp2Session>;
  drain?: Promise<DrainResult>;
}

const TRACKER = Symbol.for('shutdown-lint.lifecycle.server');
const SWEEP_INTERVAL_MS = 500;
// A server's close frame is unmasked: FIN + opcode 8, payload length 2, status 1001 (going away).
const WEBSOCKET_GOING_AWAY = Buffer.from([0x88, 0x02, 0x03, 0xe9]);

type Trackable = net.Server & { [TRACKER]?: Tracker };

interface FastifyLike {
  server: net.Server;
  close(): PromiseLike<unknown>;
  addHook: (...args: never[]) => unknown;
}

export function isFastify(value: unknown): value is FastifyLike {
  const candidate = value as Partial<FastifyLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.close === 'function' &&
    typeof candidate.addHook === 'function' &&
    candidate.server instanceof net.Server
  );
}

/** Start tracking a server's connections, upgrades and HTTP/2 sessions (idempotent). Only what
 *  arrives after this call is seen, so the lifecycle calls it when a server is handed over. */
export function trackServer(server: net.Server): Tracker {
  const trackable = server as Trackable;
  const existing = trackable[TRACKER];
  if (existing) return existing;
  const tracker: Tracker = {
    sockets: new Set(),
    rawSockets: new Set(),
    upgraded: new WeakMap(),
    sessions: new Set(),
  };
  trackable[TRACKER] = tracker;
  const isTls = server instanceof tls.Server;
  const remember = (set: Set<net.Socket>, socket: net.Socket): void => {
    set.add(socket);
    socket.once('close', () => set.delete(socket));
  };
  server.on('connection', (socket: net.Socket) => remember(isTls ? tracker.rawSockets : tracker.sockets, socket));
  if (isTls) server.on('secureConnection', (socket: tls.TLSSocket) => remember(tracker.sockets, socket));
  server.on('session', (session: http2.ServerHttp2Session) => {
    tracker.sessions.add(session);
    session.once('close', () => tracker.sessions.delete(session));
  });
  // An 'upgrade' listener takes over upgrade requests, so ours is only ever added in front of
  // someone else's: it notes the protocol and leaves the handshake to them.
  const noteUpgrade = (request: http.IncomingMessage, socket: net.Socket): void => {
    tracker.upgraded.set(socket, String(request.headers.upgrade ?? '').toLowerCase());
  };
  const prependUpgrade = (): void => {
    if (!server.listeners('upgrade').includes(noteUpgrade)) server.prependListener('upgrade', noteUpgrade);
  };
  if (server.listenerCount('upgrade') > 0) prependUpgrade();
  server.on('newListener', (event: string | symbol, listener: unknown) => {
    if (event === 'upgrade' && listener !== noteUpgrade) prependUpgrade();
  });
  return tracker;
}

/** Close a server now, bounded (see the README). Memoised per server; resolves, never rejects, for
 *  a server that is already closed or never listened. */
export function closeServer(server: unknown, options: { timeoutMs?: number } = {}): Promise<void> {
  return drainServer(server, options).then(() => undefined);
}

export function drainServer(server: unknown, options: DrainOptions = {}): Promise<DrainResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SERVER_TIMEOUT_MS;
  const logger = options.logger ?? console;
  if (isWebSocketServer(server) || isSocketIoServer(server)) {
    const holder = server as object & { [TRACKER]?: { drain?: Promise<DrainResult> } };
    const memo = (holder[TRACKER] ??= {});
    memo.drain ??= isWebSocketServer(server)
      ? drainWebSocketServer(server, timeoutMs, logger)
      : drainSocketIo(server as SocketIoLike, timeoutMs, logger);
    return memo.drain;
  }
  if (isFastify(server)) {
    const tracked = (server.server as Trackable)[TRACKER] !== undefined;
    const tracker = trackServer(server.server);
    tracker.drain ??= drainFastify(server, tracker, timeoutMs, logger, tracked);
    return tracker.drain;
  }
  if (server instanceof net.Server) {
    const tracked = (server as Trackable)[TRACKER] !== undefined;
    const tracker = trackServer(server);
    tracker.drain ??= drainNodeServer(server, tracker, timeoutMs, logger, tracked, true);
    return tracker.drain;
  }
  return Promise.reject(
    new TypeError(
      'closeServer: expected a node:net, http, https or http2 server, a Fastify instance, ' +
        'a ws WebSocketServer or a socket.io Server',
    ),
  );
}

/** A ws client (ws 8): readyState 3 is CLOSED. */
interface WebSocketLike {
  readyState: number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  once(event: 'close', listener: () => void): unknown;
}

interface WebSocketServerLike {
  clients?: Set<WebSocketLike>;
  close(callback?: (error?: Error) => void): void;
  handleUpgrade: (...args: never[]) => unknown;
}

interface SocketIoLike {
  close(callback?: (error?: Error) => void): unknown;
  disconnectSockets(close?: boolean): void;
  engine?: { close?: () => unknown };
  httpServer?: unknown;
}

/** A ws WebSocketServer, duck-typed: the runtime has no dependencies. */
export function isWebSocketServer(value: unknown): value is WebSocketServerLike {
  const candidate = value as Partial<WebSocketServerLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.close === 'function' &&
    typeof candidate.handleUpgrade === 'function' &&
    typeof (candidate as { shouldHandle?: unknown }).shouldHandle === 'function'
  );
}

/** A socket.io Server, duck-typed. */
export function isSocketIoServer(value: unknown): value is SocketIoLike {
  const candidate = value as (Partial<SocketIoLike> & { of?: unknown }) | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.close === 'function' &&
    typeof candidate.disconnectSockets === 'function' &&
    typeof candidate.of === 'function'
  );
}

const WEBSOCKET_CLOSED = 3;

async function drainWebSocketServer(
  wss: WebSocketServerLike,
  timeoutMs: number,
  logger: Pick<Console, 'error' | 'warn'>,
): Promise<DrainResult> {
  // ws 8's close() stops accepting (and closes the http server it created for `port`), but leaves
  // the clients open (runtime-facts §3): each gets 1001 here and is terminated at the deadline.
  const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
  const clients = [...(wss.clients ?? [])];
  const clientsClosed = Promise.all(
    clients.map((client) =>
      client.readyState === WEBSOCKET_CLOSED
        ? undefined
        : new Promise<void>((resolve) => client.once('close', resolve)),
    ),
  );
  for (const client of clients) {
    try {
      client.close(1001, 'server shutting down');
    } catch (error) {
      logger.error('shutdown-lint/lifecycle: closing a WebSocket client failed:', error);
    }
  }
  if (await withTimeout(Promise.all([closed, clientsClosed]), timeoutMs)) return { forced: false };
  const left = [...new Set([...clients, ...(wss.clients ?? [])])].filter(
    (client) => client.readyState !== WEBSOCKET_CLOSED,
  );
  for (const client of left) client.terminate();
  logger.warn(
    `shutdown-lint/lifecycle: WebSocket server still had clients after ${timeoutMs} ms; ` +
      `terminated ${left.length} client(s)`,
  );
  await withTimeout(closed, 100);
  return { forced: true };
}

async function drainSocketIo(
  io: SocketIoLike,
  timeoutMs: number,
  logger: Pick<Console, 'error' | 'warn'>,
): Promise<DrainResult> {
  // io.close() disconnects every socket, closes the engine, then the attached http server, whose
  // close can wait on keep-alive connections: bounded here, then forced.
  const closed = new Promise<void>((resolve) => {
    try {
      const result = io.close(() => resolve()) as PromiseLike<unknown> | undefined;
      if (result && typeof result.then === 'function')
        result.then(
          () => resolve(),
          () => resolve(),
        );
    } catch (error) {
      logger.error('shutdown-lint/lifecycle: io.close() failed:', error);
      resolve();
    }
  });
  if (await withTimeout(closed, timeoutMs)) return { forced: false };
  io.disconnectSockets(true);
  io.engine?.close?.();
  const httpServer = io.httpServer as Partial<http.Server> | undefined;
  httpServer?.closeAllConnections?.();
  logger.warn(`shutdown-lint/lifecycle: socket.io server still open after ${timeoutMs} ms; forced it closed`);
  await withTimeout(closed, 100);
  return { forced: true };
}

async function drainFastify(
  app: FastifyLike,
  tracker: Tracker,
  timeoutMs: number,
  logger: Pick<Console, 'error' | 'warn'>,
  tracked: boolean,
): Promise<DrainResult> {
  // fastify.close() runs preClose, closes the server, then its onClose hooks; the connections get
  // our deadline, since Fastify keeps an idle keep-alive socket for 72 s (runtime-facts §3).
  const closing = Promise.resolve()
    .then(() => app.close())
    .then(
      () => undefined,
      (error: unknown) => logger.error('shutdown-lint/lifecycle: fastify.close() failed:', error),
    );
  const result = await drainNodeServer(app.server, tracker, timeoutMs, logger, tracked, false, closing);
  // Once its connections are gone Fastify runs its onClose hooks: they get another timeoutMs, or at
  // most 1 s when the connections already took the whole deadline.
  await withTimeout(closing, result.forced ? Math.min(timeoutMs, 1_000) : timeoutMs);
  return result;
}

async function drainNodeServer(
  server: net.Server,
  tracker: Tracker,
  timeoutMs: number,
  logger: Pick<Console, 'error' | 'warn'>,
  tracked: boolean,
  callClose: boolean,
  closedElsewhere?: Promise<void>,
): Promise<DrainResult> {
  // http and https servers (and Fastify's): node:net and http2 servers have no idle/all helpers.
  const httpServer =
    typeof (server as Partial<http.Server>).closeAllConnections === 'function' ? (server as http.Server) : undefined;
  const sockets = (): net.Socket[] => {
    const known = new Set<net.Socket>([...tracker.sockets, ...tracker.rawSockets]);
    if (!tracked) for (const socket of untrackedSocketsOf(server)) known.add(socket);
    return [...known];
  };

  // New requests on a kept-alive socket get `Connection: close`, so Node ends the socket after them.
  const onRequest = (_request: http.IncomingMessage, response: http.ServerResponse): void => {
    if (!response.headersSent) response.setHeader('Connection', 'close');
  };
  // (HTTP/2 forbids the Connection header: its sessions get GOAWAY instead.)
  if (httpServer) server.prependListener('request', onRequest);

  const atStart = sockets();
  for (const socket of atStart) endAfterResponse(socket);
  for (const socket of atStart) if (isWebSocket(tracker, socket)) sayGoingAway(socket);
  for (const session of tracker.sessions) closeSession(session);

  // 'close' follows once the listener and every connection are gone. close() without a callback
  // emits it for a server that is not running too (never listened, or closed before), so there is
  // no ERR_SERVER_NOT_RUNNING to tolerate. Fastify closes the listener itself, after its preClose hooks.
  const closedHere = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const drained = closedElsewhere ? Promise.race([closedElsewhere, closedHere]) : closedHere;
  if (callClose) {
    if (!server.listening) server.once('listening', closeOnListening);
    server.close();
  }

  let sweeps = 0;
  const seenEmpty = new WeakSet<net.Socket>();
  const sweep = setInterval(() => {
    sweeps += 1;
    httpServer?.closeIdleConnections();
    // A connection that never sent a byte is not idle to Node (nodejs/node#63470): end it on the
    // second sweep that still finds it empty, like Go's Shutdown does with StateNew connections.
    for (const socket of tracker.sockets) {
      if (socket.bytesRead > 0 || hasResponse(socket) || tracker.upgraded.has(socket)) continue;
      if (seenEmpty.has(socket)) socket.destroy();
      else seenEmpty.add(socket);
    }
    for (const session of tracker.sessions) closeSession(session);
  }, SWEEP_INTERVAL_MS);

  const inTime = await withTimeout(drained, timeoutMs);
  clearInterval(sweep);
  server.removeListener('request', onRequest);
  if (inTime) return { forced: false };

  httpServer?.closeAllConnections();
  const left = sockets().filter((socket) => !socket.destroyed);
  for (const socket of left) {
    if (isWebSocket(tracker, socket)) sayGoingAway(socket);
    socket.destroy();
  }
  for (const session of tracker.sessions) session.destroy();
  logger.warn(
    `shutdown-lint/lifecycle: server still had connections after ${timeoutMs} ms; ` +
      `closed them (${left.length} socket(s), ${sweeps} sweep(s))`,
  );
  // With every socket destroyed the listener's close callback follows within a tick or two.
  await withTimeout(drained, 100);
  return { forced: true };
}

/** A server still binding when its drain began (SIGTERM during start-up) closes as it starts listening. */
function closeOnListening(this: net.Server): void {
  // shutdown-lint-disable-next-line require-close-timeout -- it has just started listening: no connection can be in flight yet
  this.close();
}

function hasResponse(socket: net.Socket): boolean {
  return responseOf(socket) !== undefined;
}

function responseOf(socket: net.Socket): http.ServerResponse | undefined {
  // Node's own link from a socket to the response being written on it (lib/_http_server.js).
  const response = (socket as net.Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage;
  return response ?? undefined;
}

/** An in-flight response closes its connection: `Connection: close` if its headers are not out
 *  yet (Node then ends the socket itself), else the socket is ended once the response finished. */
function endAfterResponse(socket: net.Socket): void {
  const response = responseOf(socket);
  if (!response) return;
  if (!response.headersSent) {
    response.setHeader('Connection', 'close');
    return;
  }
  response.once('finish', () => socket.end());
}

function isWebSocket(tracker: Tracker, socket: net.Socket): boolean {
  const protocol = tracker.upgraded.get(socket);
  if (protocol !== undefined) return protocol === 'websocket';
  // Upgraded before tracking began: the ws library (also under socket.io) marks its sockets with
  // its own Symbol('websocket').
  return Object.getOwnPropertySymbols(socket).some((symbol) => symbol.description === 'websocket');
}

const saidGoingAway = new WeakSet<net.Socket>();

function sayGoingAway(socket: net.Socket): void {
  if (saidGoingAway.has(socket) || socket.destroyed || !socket.writable) return;
  saidGoingAway.add(socket);
  socket.write(WEBSOCKET_GOING_AWAY);
}

function closeSession(session: http2.ServerHttp2Session): void {
  // close() sends GOAWAY and lets open streams finish (runtime-facts §1.3).
  if (!session.closed && !session.destroyed) session.close();
}

/** Sockets a server accepted before anyone tracked it. Node keeps no public list, and an upgraded
 *  socket is invisible to the http server; the active-handle list is the one place that has them
 *  all, each pointing back to its server. */
function untrackedSocketsOf(server: net.Server): net.Socket[] {
  const processWithHandles = process as NodeJS.Process & { _getActiveHandles?: () => unknown[] };
  if (typeof processWithHandles._getActiveHandles !== 'function') return [];
  return processWithHandles
    ._getActiveHandles()
    .filter(
      (handle): handle is net.Socket =>
        handle instanceof net.Socket && (handle as net.Socket & { server?: unknown }).server === server,
    );
}

/** Resolves true when `work` settles within `ms`, false at the deadline. The timer keeps the process
 *  alive while it runs (a pending promise alone does not, runtime-facts §1.5) and is cleared after. */
export function withTimeout(work: PromiseLike<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, ms));
    const settle = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(settle, settle);
  });
}
