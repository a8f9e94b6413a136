// Known APIs, as data: what opens a server or a resource, what registers request handlers, and
// what closes, drains, force-closes or flushes each thing. Rules ask questions of this table
// through the ProgramIndex; they never spell module names themselves. Facts and versions are in
// shared/research/runtime-facts.md (§1 Node core, §2 shutdown libraries, §3 frameworks, §4 resources).

/** A value exported by a module: `module` without the `node:` prefix, `path` from module.exports. */
export interface ApiRef {
  module: string;
  path: readonly string[];
}

/**
 * `handle`: a library object that opens nothing itself and is never closed, but whose calls start
 * work (a TypeORM repository over its DataSource's pool).
 */
export type KindCategory = 'server' | 'app' | 'router' | 'resource' | 'buffer' | 'shutdown-helper' | 'handle';

/** How a handler-registering method takes its handlers. */
export type HandlerArgs =
  /** every function-valued argument (Express, Koa, Hono: `get(path, ...middleware, handler)`) */
  | 'functions'
  /** `route({ method, url, handler })` (Fastify) */
  | 'route-object'
  /** only for `on(eventName, fn)` with this event (node:http `on('request', fn)`) */
  | { event: string };

export interface KindSpec {
  kind: string;
  /** How messages name it. */
  label: string;
  category: KindCategory;
  /** Methods that close it and wait for work in flight (unbounded unless a deadline is armed). */
  close?: readonly string[];
  /** Its close waits for requests in flight with no deadline of its own (runtime-facts §1, §3). */
  drainsOnClose?: boolean;
  /** Methods that end work in flight at once; calling one of them bounds a close. */
  forceClose?: readonly string[];
  /** Methods that flush buffered work. */
  flush?: readonly string[];
  /** method name -> kind of what it returns (`listen` on an Express app returns an http.Server). */
  methods?: Readonly<Record<string, string>>;
  /** property name -> kind (`fastify.server` is an http.Server). */
  properties?: Readonly<Record<string, string>>;
  /** method name -> how it takes request handlers. */
  handlerMethods?: Readonly<Record<string, HandlerArgs>>;
  /** Functions passed to these methods get this kind as their first parameter (Fastify plugins). */
  pluginMethods?: readonly string[];
  /** Declared types that carry this kind, matched by type information or by annotations. */
  types?: readonly ApiRef[];
  /** It holds connections or runs work that only an explicit close releases (runtime-facts §4). */
  mustClose?: boolean;
  /** Methods in `methods` that return this same resource (a chained `on`, Prisma `$extends`), not a new one. */
  returnsSelf?: readonly string[];
  /** Upgraded (WebSocket) connections it serves, which its own close and the HTTP server's leave open. */
  clients?: ClientsSpec;
  /** Events of a server whose listener takes over the socket (`'upgrade'`): server close never ends it. */
  upgradeEvents?: readonly string[];
  /** The library flushes it by itself in a `process.on('exit')` hook: an exit through `process.exit` and a natural exit flush it, a signal's default action does not. */
  flushesOnExit?: boolean;
  /** Its flush method returns nothing to await: this event of it says the flush is done (winston `'finish'`). */
  flushedEvent?: string;
  /**
   * Methods that return a promise, known without the library's types (issue 14, "Libraries
   * without their types"): a call of one is a promise even when node_modules is missing.
   */
  promiseMethods?: readonly string[];
  /**
   * Methods whose promise settles only when the resource is closed: a processing loop (Bull's
   * `queue.process(…)`, BullMQ's `worker.run()`). Shutdown cannot wait for it before the close.
   */
  runsUntilClosed?: readonly string[];
  /**
   * It emits events about the jobs it ran (BullMQ's `'completed'`/`'failed'`): a listener is where
   * a program records a job's outcome, and the emitter drops the promise an async listener
   * returns. Its close waits for the jobs, never for the listeners.
   */
  emitsJobEvents?: boolean;
  /**
   * Methods that change nothing outside the process that a lost call would leave undone: reads
   * (Redis `get`, a queue's `count()`) and samples the next one supersedes (a StatsD `gauge`).
   * Work made only of such calls has nothing for shutdown to wait for (no-untracked-promise).
   */
  readMethods?: readonly string[];
  /**
   * Its reads are HTTP requests: one whose answer the work drops was sent for its effect at the
   * server (a Wayback Machine `GET /save/…`, a keep-alive ping), not to read.
   */
  readsOverHttp?: boolean;
  /** Every method of it works inside the process (the `limiter` package's token bucket, prom-client's metrics). */
  inProcess?: boolean;
  /**
   * Methods that push to the clients connected to this server, or act on their connections
   * (socket.io's `emit`, `join`, `disconnect`): state of connections the same exit closes, which
   * the clients rebuild when they reconnect. Work made of such pushes and reads has nothing for shutdown to
   * wait for (no-untracked-promise).
   */
  pushMethods?: readonly string[];
}

/** How a server's upgraded clients are closed at shutdown (runtime-facts §1.2, §3 ws, socket.io). */
export interface ClientsSpec {
  /**
   * Methods on the server that close every client (socket.io `close`; `disconnectSockets(true)`,
   * whose `true` closes the connections), or on an object it holds in the property `through`
   * (socket.io's `io.engine.close()`: engine.io closes every client and leaves the HTTP server open).
   */
  closeAll?: readonly { method: string; firstArgument?: true; through?: string }[];
  /** Property holding the set of clients (`wss.clients`), each closed one by one. */
  collection?: string;
  /**
   * Where else that property is: on a namespace the server hands out (socket.io's default
   * namespace `io.sockets`, and `io.of('/')`), so `io.sockets.sockets` holds the clients too.
   */
  namespaces?: { properties: readonly string[]; methods: readonly string[] };
  /** Per-client methods that send a close frame and wait for the peer (`close`). */
  close?: readonly string[];
  /** Per-client methods that end the connection at once (`terminate`; socket.io's `disconnect(true)`, whose `true` closes it). */
  terminate?: readonly { method: string; firstArgument?: true }[];
  /** Methods that take over an upgrade request's socket (`handleUpgrade`): the server owns that socket. */
  adopt?: readonly string[];
  /** Options-object properties (or the first argument) that attach it to an HTTP server, whose upgraded sockets a bounded server close ends. */
  serverOption?: string;
  serverArgument?: boolean;
}

/** Created like this, a kind buffers; created otherwise, it writes straight through (a plain `pino()`). */
export interface BufferCondition {
  /** Options-object properties that make it buffer (`transport`, winston `transports`). */
  options?: readonly string[];
  /** Arguments made by these calls make it buffer, unless their options object sets one of `unless`. */
  arguments?: readonly { ref: ApiRef; unless?: readonly { name: string; value: boolean }[] }[];
  /** Calls of these methods on it make it buffer (winston `add`). */
  methods?: readonly string[];
  /** Values given to those options or methods that buffer nothing (winston's Console transport writes synchronously). */
  unbuffered?: readonly ApiRef[];
}

export interface FactorySpec extends ApiRef {
  kind: string;
  /** The call returns a promise of the kind (`await NestFactory.create(...)`). */
  async?: boolean;
  /** Function arguments of the factory are request handlers (`http.createServer(handler)`). */
  handlerArgs?: boolean;
  /** The server it returns is already listening (`serve()`); other servers open when `listen` is called. */
  listens?: boolean;
  /** Options-object properties (first object argument) that make closes bounded. */
  boundingOptions?: readonly { name: string; value: true | 'any' }[];
  /** A module-level singleton, closed by these calls rather than through the value returned (`mongoose.connect`). */
  closedBy?: readonly ApiRef[];
  /** For such a singleton: the calls that make the models code uses it through (`mongoose.model`). */
  modelFactories?: readonly ApiRef[];
  /** It buffers only when created like this (pino); without it, every creation of the kind buffers. */
  buffersWhen?: BufferCondition;
}

/** A library that runs shutdown hooks; its hooks are shutdown roots. */
export interface ShutdownLibrarySpec extends ApiRef {
  library: string;
  /** Hook functions: a positional argument, or properties of an options-object argument. */
  hooks: { argument?: number | 'last'; properties?: readonly string[] };
  /** The library bounds what its hooks do with a deadline by default (close-with-grace `delay`). */
  bounded: boolean;
  /** An option that, when set to one of these values, removes the bound. */
  unboundedWhen?: { option: string; values: readonly unknown[] };
}

const httpVerbs = ['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all'] as const;
const expressHandlerMethods: Record<string, HandlerArgs> = Object.fromEntries(
  [...httpVerbs, 'use'].map((m) => [m, 'functions' as const]),
);

/** TypeORM's query methods on a Repository and an EntityManager: each returns a promise. */
const typeormQueryMethods: readonly string[] = [
  'save',
  'insert',
  'update',
  'upsert',
  'delete',
  'remove',
  'softRemove',
  'softDelete',
  'restore',
  'recover',
  'increment',
  'decrement',
  'clear',
  'query',
  'find',
  'findBy',
  'findOne',
  'findOneBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findAndCount',
  'findAndCountBy',
  'count',
  'countBy',
  'exists',
  'existsBy',
];

/** Redis commands that only read (ioredis's names; node-redis 4 spells some in camel case). */
const redisReadMethods = [
  'ping',
  'echo',
  'time',
  'dbsize',
  'info',
  'get',
  'mget',
  'getrange',
  'strlen',
  'exists',
  'type',
  'ttl',
  'pttl',
  'hget',
  'hmget',
  'hgetall',
  'hexists',
  'hlen',
  'hkeys',
  'hvals',
  'llen',
  'lindex',
  'lrange',
  'scard',
  'smembers',
  'sismember',
  'zcard',
  'zcount',
  'zscore',
  'zrank',
  'zrange',
  'zrangebyscore',
  'keys',
  'scan',
];

/** socket.io 4: the methods naming the rooms a push goes to, each giving a broadcast operator. */
const socketioRooms: Readonly<Record<string, string>> = {
  to: 'socketio.Broadcast',
  in: 'socketio.Broadcast',
  except: 'socketio.Broadcast',
};
/** socket.io 4: what a server, a namespace or a broadcast operator pushes to its connected clients. */
const socketioBroadcasts = ['emit', 'send', 'socketsJoin', 'socketsLeave'];

/** HTTP methods that ask a server and change nothing there (RFC 9110 §9.2.1, safe methods). */
const httpReadMethods = ['get', 'head', 'options'];

export const kinds: readonly KindSpec[] = [
  // ── Servers (runtime-facts §1) ──
  {
    kind: 'http.Server',
    label: 'HTTP server',
    category: 'server',
    drainsOnClose: true,
    // `stop` is stoppable's drain, added to the server it wraps.
    close: ['close', '[Symbol.asyncDispose]', 'stop'],
    forceClose: ['closeAllConnections'],
    handlerMethods: { on: { event: 'request' }, addListener: { event: 'request' }, once: { event: 'request' } },
    upgradeEvents: ['upgrade'],
    types: [
      { module: 'http', path: ['Server'] },
      { module: 'https', path: ['Server'] },
    ],
  },
  {
    kind: 'http2.Server',
    label: 'HTTP/2 server',
    category: 'server',
    drainsOnClose: true,
    close: ['close', '[Symbol.asyncDispose]'],
    forceClose: [],
    handlerMethods: { on: { event: 'request' }, addListener: { event: 'stream' } },
    types: [
      { module: 'http2', path: ['Http2Server'] },
      { module: 'http2', path: ['Http2SecureServer'] },
    ],
  },
  {
    kind: 'net.Server',
    label: 'TCP server',
    category: 'server',
    drainsOnClose: true,
    close: ['close', '[Symbol.asyncDispose]'],
    forceClose: [],
    types: [{ module: 'net', path: ['Server'] }],
  },
  // ── Frameworks (runtime-facts §3) ──
  {
    kind: 'express.App',
    label: 'Express app',
    category: 'app',
    methods: { listen: 'http.Server', route: 'express.Route' },
    handlerMethods: expressHandlerMethods,
    types: [
      { module: 'express', path: ['Express'] },
      { module: 'express', path: ['Application'] },
      { module: 'express-serve-static-core', path: ['Express'] },
      { module: 'express-serve-static-core', path: ['Application'] },
    ],
  },
  {
    kind: 'express.Router',
    label: 'Express router',
    category: 'router',
    methods: { route: 'express.Route' },
    handlerMethods: expressHandlerMethods,
    types: [
      { module: 'express', path: ['Router'] },
      { module: 'express-serve-static-core', path: ['Router'] },
    ],
  },
  {
    kind: 'express.Route',
    label: 'Express route',
    category: 'router',
    methods: Object.fromEntries(httpVerbs.map((m) => [m, 'express.Route'])),
    handlerMethods: expressHandlerMethods,
  },
  {
    kind: 'koa.App',
    label: 'Koa app',
    category: 'app',
    methods: { listen: 'http.Server' },
    handlerMethods: { use: 'functions' },
    types: [{ module: 'koa', path: [] }],
  },
  {
    kind: 'koa.Router',
    label: 'Koa router',
    category: 'router',
    handlerMethods: expressHandlerMethods,
  },
  {
    kind: 'fastify.Instance',
    label: 'Fastify app',
    category: 'server',
    drainsOnClose: true,
    close: ['close'],
    forceClose: [],
    properties: { server: 'http.Server' },
    // `withTypeProvider<…>()` and `after()` return the instance itself.
    methods: { after: 'fastify.Instance', withTypeProvider: 'fastify.Instance' },
    handlerMethods: { ...Object.fromEntries(httpVerbs.map((m) => [m, 'functions' as const])), route: 'route-object' },
    pluginMethods: ['register'],
    types: [{ module: 'fastify', path: ['FastifyInstance'] }],
  },
  {
    kind: 'hono.App',
    label: 'Hono app',
    category: 'app',
    methods: Object.fromEntries([...httpVerbs, 'use', 'on', 'route', 'basePath'].map((m) => [m, 'hono.App'])),
    handlerMethods: Object.fromEntries([...httpVerbs, 'use', 'on'].map((m) => [m, 'functions' as const])),
    types: [{ module: 'hono', path: ['Hono'] }],
  },
  {
    kind: 'nest.App',
    label: 'NestJS app',
    category: 'server',
    drainsOnClose: true,
    close: ['close'],
    forceClose: [],
    methods: { getHttpServer: 'http.Server' },
    types: [
      { module: '@nestjs/common', path: ['INestApplication'] },
      { module: '@nestjs/core', path: ['NestApplication'] },
    ],
  },
  // ── Resources (runtime-facts §4); no-unclosed-resource reports those with `mustClose` left open ──
  {
    kind: 'pg.Pool',
    label: 'pg Pool',
    category: 'resource',
    mustClose: true,
    close: ['end'],
    types: [{ module: 'pg', path: ['Pool'] }],
  },
  {
    kind: 'pg.Client',
    label: 'pg Client',
    category: 'resource',
    mustClose: true,
    close: ['end'],
    types: [{ module: 'pg', path: ['Client'] }],
  },
  {
    kind: 'mysql2.Pool',
    label: 'mysql2 pool',
    category: 'resource',
    mustClose: true,
    close: ['end'],
    forceClose: ['destroy'],
    methods: { promise: 'mysql2.Pool' },
    returnsSelf: ['promise'],
  },
  {
    kind: 'mysql2.Connection',
    label: 'mysql2 connection',
    category: 'resource',
    mustClose: true,
    close: ['end'],
    forceClose: ['destroy'],
    methods: { promise: 'mysql2.Connection' },
    returnsSelf: ['promise'],
  },
  // `duplicate()` opens another connection; `on` returns the client itself.
  {
    kind: 'ioredis.Redis',
    label: 'ioredis client',
    category: 'resource',
    mustClose: true,
    close: ['quit'],
    forceClose: ['disconnect'],
    methods: { duplicate: 'ioredis.Redis', on: 'ioredis.Redis', once: 'ioredis.Redis' },
    returnsSelf: ['on', 'once'],
    types: ['Redis', 'Cluster', 'default'].map((name) => ({ module: 'ioredis', path: [name] })),
    // Every command returns a promise (`disconnect()` does not); the common ones.
    promiseMethods: [
      'get',
      'set',
      'setex',
      'psetex',
      'getset',
      'mget',
      'mset',
      'del',
      'unlink',
      'exists',
      'expire',
      'pexpire',
      'expireat',
      'ttl',
      'persist',
      'incr',
      'incrby',
      'decr',
      'decrby',
      'hget',
      'hset',
      'hmset',
      'hmget',
      'hgetall',
      'hdel',
      'hincrby',
      'lpush',
      'rpush',
      'lpop',
      'rpop',
      'lrange',
      'ltrim',
      'sadd',
      'srem',
      'smembers',
      'sismember',
      'zadd',
      'zrem',
      'zrange',
      'zincrby',
      'xadd',
      'publish',
      'keys',
      'scan',
      'eval',
      'evalsha',
      'quit',
    ],
    readMethods: redisReadMethods,
  },
  // v5+: `close()`/`destroy()`; v4: `quit()`/`disconnect()`. `await createClient().on(…).connect()` is the client.
  {
    kind: 'redis.Client',
    label: 'node-redis client',
    category: 'resource',
    mustClose: true,
    close: ['close', 'quit'],
    forceClose: ['destroy', 'disconnect'],
    methods: { duplicate: 'redis.Client', on: 'redis.Client', once: 'redis.Client', connect: 'redis.Client' },
    returnsSelf: ['on', 'once', 'connect'],
    readMethods: [
      ...redisReadMethods,
      'mGet',
      'getRange',
      'strLen',
      'pTTL',
      'hGet',
      'hmGet',
      'hGetAll',
      'hExists',
      'hLen',
      'hKeys',
      'hVals',
      'lLen',
      'lIndex',
      'lRange',
      'sCard',
      'sMembers',
      'sIsMember',
      'zCard',
      'zCount',
      'zScore',
      'zRank',
      'zRange',
      'zRangeByScore',
      'dbSize',
    ],
  },
  {
    kind: 'mongodb.MongoClient',
    label: 'MongoClient',
    category: 'resource',
    mustClose: true,
    close: ['close'],
    methods: { connect: 'mongodb.MongoClient' },
    returnsSelf: ['connect'],
  },
  {
    kind: 'mongoose.Connection',
    label: 'mongoose connection',
    category: 'resource',
    mustClose: true,
    close: ['close', 'disconnect'],
    forceClose: ['destroy'],
    methods: { asPromise: 'mongoose.Connection' },
    returnsSelf: ['asPromise'],
  },
  {
    kind: 'prisma.Client',
    label: 'PrismaClient',
    category: 'resource',
    mustClose: true,
    close: ['$disconnect'],
    methods: { $extends: 'prisma.Client' },
    returnsSelf: ['$extends'],
  },
  { kind: 'knex.Knex', label: 'knex instance', category: 'resource', mustClose: true, close: ['destroy'] },
  { kind: 'sequelize.Sequelize', label: 'Sequelize instance', category: 'resource', mustClose: true, close: ['close'] },
  {
    kind: 'typeorm.DataSource',
    label: 'TypeORM DataSource',
    category: 'resource',
    mustClose: true,
    close: ['destroy', 'close'],
    methods: {
      initialize: 'typeorm.DataSource',
      getRepository: 'typeorm.Repository',
      getTreeRepository: 'typeorm.Repository',
      createEntityManager: 'typeorm.EntityManager',
    },
    properties: { manager: 'typeorm.EntityManager' },
    returnsSelf: ['initialize'],
  },
  // A repository or entity manager writes through its DataSource's pool: every query method returns
  // a promise (`repository.save(entity)`), known without typeorm's types.
  {
    kind: 'typeorm.Repository',
    label: 'TypeORM repository',
    category: 'handle',
    types: ['Repository', 'TreeRepository', 'MongoRepository'].map((name) => ({ module: 'typeorm', path: [name] })),
    promiseMethods: typeormQueryMethods,
  },
  {
    kind: 'typeorm.EntityManager',
    label: 'TypeORM entity manager',
    category: 'handle',
    methods: { getRepository: 'typeorm.Repository', getTreeRepository: 'typeorm.Repository' },
    types: [{ module: 'typeorm', path: ['EntityManager'] }],
    promiseMethods: [...typeormQueryMethods, 'transaction'],
  },
  {
    kind: 'kafkajs.Kafka',
    label: 'Kafka client',
    category: 'shutdown-helper',
    methods: { producer: 'kafkajs.Producer', consumer: 'kafkajs.Consumer', admin: 'kafkajs.Admin' },
  },
  // `disconnect()` flushes what `send()` batched; require-flush reports it, not no-unclosed-resource.
  {
    kind: 'kafkajs.Producer',
    label: 'kafkajs producer',
    category: 'buffer',
    mustClose: true,
    close: ['disconnect'],
    flush: ['disconnect'],
    types: [{ module: 'kafkajs', path: ['Producer'] }],
    promiseMethods: ['connect', 'disconnect', 'send', 'sendBatch'],
  },
  // `stop()` stops fetching but keeps the connections; `disconnect()` stops, then closes them.
  { kind: 'kafkajs.Consumer', label: 'kafkajs consumer', category: 'resource', mustClose: true, close: ['disconnect'] },
  { kind: 'kafkajs.Admin', label: 'kafkajs admin', category: 'resource', close: ['disconnect'] },
  { kind: 'amqplib.Connection', label: 'amqplib connection', category: 'resource', mustClose: true, close: ['close'] },
  {
    kind: 'bullmq.Worker',
    label: 'BullMQ Worker',
    category: 'resource',
    mustClose: true,
    close: ['close'],
    runsUntilClosed: ['run'],
    emitsJobEvents: true,
  },
  {
    kind: 'bullmq.Queue',
    label: 'BullMQ Queue',
    category: 'resource',
    mustClose: true,
    close: ['close'],
    // Bull's queue (`@nestjs/bull`'s `Queue` from 'bull') enqueues and closes the same way.
    types: [
      { module: 'bullmq', path: ['Queue'] },
      { module: 'bull', path: ['Queue'] },
    ],
    promiseMethods: [
      'add',
      'addBulk',
      'close',
      'pause',
      'resume',
      'drain',
      'obliterate',
      'getJob',
      'getJobs',
      'remove',
    ],
    // Bull's `process(…)` resolves when its processing loops end: at `close()` (bull/lib/queue.js `run`).
    runsUntilClosed: ['process'],
    // Counts and lookups of jobs, as a metrics or health tick reads them (Bull and BullMQ).
    readMethods: [
      'count',
      'getJobCounts',
      'getJobCountByTypes',
      'getWaitingCount',
      'getActiveCount',
      'getDelayedCount',
      'getCompletedCount',
      'getFailedCount',
      'getPausedCount',
      'getPrioritizedCount',
      'getJob',
      'getJobs',
      'getWaiting',
      'getActive',
      'getDelayed',
      'getCompleted',
      'getFailed',
      'getRepeatableJobs',
      'getWorkers',
      'getMetrics',
      'isPaused',
    ],
    // Bull's queue emits `'completed'`/`'failed'` for its own jobs (BullMQ's Queue does not, but no listener of it would run).
    emitsJobEvents: true,
  },
  {
    kind: 'bullmq.QueueEvents',
    label: 'BullMQ QueueEvents',
    category: 'resource',
    mustClose: true,
    close: ['close'],
    emitsJobEvents: true,
  },
  {
    kind: 'bullmq.FlowProducer',
    label: 'BullMQ FlowProducer',
    category: 'resource',
    mustClose: true,
    close: ['close'],
  },
  // @libsql/client 0.17: `createClient({ url })` picks a local-file (native sqlite), HTTP or
  // WebSocket client; `close()` is synchronous and every later `execute`/`batch` throws
  // CLIENT_CLOSED ("The client is closed"). A file or HTTP client holds no handle that keeps the
  // process alive (no `mustClose`); what matters at shutdown is the order against its users.
  {
    kind: 'libsql.Client',
    label: 'libSQL client',
    category: 'resource',
    close: ['close'],
    types: [{ module: '@libsql/client', path: ['Client'] }],
  },
  // better-sqlite3 12: `new Database(file)` opens the file synchronously; `close()` is synchronous
  // and every later `prepare`/`exec` throws ("The database connection is not open"). Like a
  // libSQL file client it holds no handle that keeps the process alive (no `mustClose`).
  {
    kind: 'better-sqlite3.Database',
    label: 'better-sqlite3 database',
    category: 'resource',
    close: ['close'],
    types: [{ module: 'better-sqlite3', path: ['Database'] }],
  },
  // drizzle-orm 0.45: `drizzle(client)` / `drizzle({ client })` queries through the driver it is
  // given and has no close of its own (`db.$client` is the driver): using the db uses that store.
  {
    kind: 'drizzle.Database',
    label: 'drizzle database',
    category: 'handle',
    // Written `import type { LibSQLDatabase } from 'drizzle-orm/libsql'`; declared in the package's own files.
    types: storeViews().flatMap(({ module, type }) => [
      { module, path: [type] },
      { module: 'drizzle-orm', path: [type] },
    ]),
  },
  {
    kind: 'undici.Dispatcher',
    label: 'undici dispatcher',
    category: 'resource',
    mustClose: true,
    close: ['close'],
    forceClose: ['destroy'],
  },
  {
    kind: 'nats.Connection',
    label: 'NATS connection',
    category: 'resource',
    mustClose: true,
    close: ['drain', 'close'],
  },
  // ws 8: `close()` stops accepting and leaves every client open (runtime-facts §3 ws 8.23).
  {
    kind: 'ws.WebSocketServer',
    label: 'WebSocket server',
    category: 'server',
    close: ['close'],
    clients: {
      collection: 'clients',
      close: ['close'],
      terminate: [{ method: 'terminate' }],
      adopt: ['handleUpgrade'],
      serverOption: 'server',
    },
    methods: { on: 'ws.WebSocketServer', once: 'ws.WebSocketServer' },
    returnsSelf: ['on', 'once'],
    types: [
      { module: 'ws', path: ['WebSocketServer'] },
      { module: 'ws', path: ['Server'] },
    ],
  },
  // socket.io 4: `close()` disconnects every socket, closes the engine and the attached HTTP server (§3 socket.io 4.8.4).
  {
    kind: 'socketio.Server',
    label: 'socket.io server',
    category: 'server',
    close: ['close'],
    clients: {
      closeAll: [
        { method: 'close' },
        { method: 'disconnectSockets', firstArgument: true },
        // engine.io 6 `Server.close()` closes every client's transport (runtime-facts §3 socket.io 4.8.4, step 2).
        { method: 'close', through: 'engine' },
      ],
      // socket.io 2 keeps them in an object by id, socket.io 4 in a Map: `io.sockets.sockets`.
      collection: 'sockets',
      namespaces: { properties: ['sockets'], methods: ['of'] },
      terminate: [{ method: 'disconnect', firstArgument: true }],
      serverArgument: true,
    },
    methods: { on: 'socketio.Server', once: 'socketio.Server', ...socketioRooms },
    returnsSelf: ['on', 'once'],
    pushMethods: socketioBroadcasts,
    readMethods: ['fetchSockets'],
    types: [{ module: 'socket.io', path: ['Server'] }],
  },
  // socket.io 4: the rooms a server or a socket names (`io.to(room)`, `socket.broadcast`), and a
  // namespace: what they push goes to connected clients only.
  {
    kind: 'socketio.Broadcast',
    label: 'socket.io broadcast',
    category: 'handle',
    methods: socketioRooms,
    returnsSelf: Object.keys(socketioRooms),
    pushMethods: socketioBroadcasts,
    readMethods: ['fetchSockets'],
    types: ['BroadcastOperator', 'Namespace'].map((name) => ({ module: 'socket.io', path: [name] })),
  },
  // socket.io 4: one client's connection (the `connection` listener's `socket`). Its own close is
  // the server's (`clients` above).
  {
    kind: 'socketio.Socket',
    label: 'socket.io socket',
    category: 'handle',
    methods: socketioRooms,
    properties: { broadcast: 'socketio.Broadcast' },
    pushMethods: ['emit', 'send', 'join', 'leave', 'disconnect'],
    types: [{ module: 'socket.io', path: ['Socket'] }],
  },
  // ── Buffers (runtime-facts §4): what they hold is lost at exit unless a `flush` method runs; require-flush reports them ──
  { kind: 'sentry.Client', label: 'Sentry client', category: 'buffer', flush: ['close', 'flush'] },
  {
    kind: 'otel.NodeSDK',
    label: 'OpenTelemetry NodeSDK',
    category: 'buffer',
    close: ['shutdown'],
    flush: ['shutdown'],
    types: [{ module: '@opentelemetry/sdk-node', path: ['NodeSDK'] }],
  },
  {
    kind: 'otel.Provider',
    label: 'OpenTelemetry provider',
    category: 'buffer',
    close: ['shutdown'],
    flush: ['shutdown', 'forceFlush'],
    types: [
      { module: '@opentelemetry/sdk-trace-node', path: ['NodeTracerProvider'] },
      { module: '@opentelemetry/sdk-trace-base', path: ['BasicTracerProvider'] },
      { module: '@opentelemetry/sdk-trace', path: ['TracerProvider'] },
      { module: '@opentelemetry/sdk-metrics', path: ['MeterProvider'] },
      { module: '@opentelemetry/sdk-logs', path: ['LoggerProvider'] },
    ],
  },
  // `end()` returns the logger; its `'finish'` event says the transports wrote everything (§4 winston).
  {
    kind: 'winston.Logger',
    label: 'winston logger',
    category: 'buffer',
    close: ['end'],
    flush: ['end'],
    flushedEvent: 'finish',
    types: [{ module: 'winston', path: ['Logger'] }],
  },
  // on-exit-leak-free flushes async destinations and transports synchronously on 'exit' (§4 pino).
  {
    kind: 'pino.Logger',
    label: 'pino logger',
    category: 'buffer',
    flush: ['flush'],
    flushesOnExit: true,
    types: [{ module: 'pino', path: ['Logger'] }],
  },
  {
    kind: 'posthog.Client',
    label: 'PostHog client',
    category: 'buffer',
    flush: ['shutdown', '_shutdown', 'flush'],
    types: [{ module: 'posthog-node', path: ['PostHog'] }],
  },
  {
    kind: 'segment.Analytics',
    label: 'Segment client',
    category: 'buffer',
    flush: ['closeAndFlush', 'flush'],
    types: [{ module: '@segment/analytics-node', path: ['Analytics'] }],
  },
  // RudderStack's Node SDK queues events in memory and sends a batch per 20 events or 10 s (its
  // README's `flushAt`/`flushInterval` defaults); `flush()` sends what is queued.
  {
    kind: 'rudderstack.Analytics',
    label: 'RudderStack client',
    category: 'buffer',
    flush: ['flush'],
  },
  {
    kind: 'hotshots.StatsD',
    label: 'StatsD client',
    category: 'buffer',
    close: ['close'],
    flush: ['close'],
    types: [{ module: 'hot-shots', path: ['StatsD'] }],
    // A gauge is a level that the next sample overwrites; a counter's `increment` is not (a lost one is lost).
    readMethods: ['gauge'],
  },
  // ── In the process: no connection, nothing outside it to lose ──
  // limiter 2/3: a token bucket in memory; `removeTokens` is async only to wait for tokens.
  {
    kind: 'limiter.RateLimiter',
    label: 'rate limiter',
    category: 'handle',
    inProcess: true,
    types: ['RateLimiter', 'TokenBucket'].map((name) => ({ module: 'limiter', path: [name] })),
  },
  // prom-client: metrics live in the process's registry until a scrape reads them.
  {
    kind: 'promClient.Metric',
    label: 'prom-client metric',
    category: 'handle',
    inProcess: true,
    types: ['Gauge', 'Counter', 'Histogram', 'Summary', 'Registry'].map((name) => ({
      module: 'prom-client',
      path: [name],
    })),
  },
  // axios: an instance (a field or const typed `AxiosInstance`) holds no connection of its own; a
  // GET, HEAD or OPTIONS through it asks the server and changes nothing there. Known by its type
  // only: `axios.create` is no factory, as a file making one is no service's seed (a browser
  // bundle's API client).
  {
    kind: 'axios.Instance',
    label: 'axios instance',
    category: 'handle',
    readMethods: httpReadMethods,
    readsOverHttp: true,
    types: ['AxiosInstance', 'AxiosStatic', 'Axios'].map((name) => ({ module: 'axios', path: [name] })),
  },
  { kind: 'smtp.Server', label: 'SMTP server', category: 'server', close: ['close'] },
  { kind: 'lightship.Lightship', label: 'lightship', category: 'shutdown-helper' },
  // The project's runtime (DESIGN.md): `createLifecycle()` instances; the process-wide one is `lifecycleCalls`.
  {
    kind: 'lifecycle.Lifecycle',
    label: 'lifecycle',
    category: 'shutdown-helper',
    types: [{ module: 'shutdown-lint/lifecycle', path: ['Lifecycle'] }],
  },
  {
    kind: 'httpTerminator.Terminator',
    label: 'http-terminator',
    category: 'shutdown-helper',
    close: ['terminate'],
    // A terminator handed around (a constructor parameter, a field) is known by its declared type.
    types: [{ module: 'http-terminator', path: ['HttpTerminator'] }],
  },
];

/** A plain `pino()` writes to stdout as it logs; a transport or an asynchronous destination buffers (§4 pino). */
const pinoBuffers: BufferCondition = {
  options: ['transport'],
  arguments: [
    { ref: { module: 'pino', path: ['transport'] } },
    { ref: { module: 'pino', path: ['destination'] }, unless: [{ name: 'sync', value: true }] },
  ],
};

/** A winston logger with no transport writes nothing; its Console transport writes synchronously (File, Http, streams do not). */
const winstonBuffers: BufferCondition = {
  options: ['transports'],
  methods: ['add', 'configure'],
  unbuffered: [{ module: 'winston', path: ['transports', 'Console'] }],
};

export const factories: readonly FactorySpec[] = [
  { module: 'http', path: ['createServer'], kind: 'http.Server', handlerArgs: true },
  { module: 'http', path: ['Server'], kind: 'http.Server', handlerArgs: true },
  { module: 'https', path: ['createServer'], kind: 'http.Server', handlerArgs: true },
  { module: 'https', path: ['Server'], kind: 'http.Server', handlerArgs: true },
  { module: 'http2', path: ['createServer'], kind: 'http2.Server', handlerArgs: true },
  { module: 'http2', path: ['createSecureServer'], kind: 'http2.Server', handlerArgs: true },
  { module: 'net', path: ['createServer'], kind: 'net.Server' },
  { module: 'net', path: ['Server'], kind: 'net.Server' },
  { module: 'express', path: [], kind: 'express.App' },
  { module: 'express', path: ['Router'], kind: 'express.Router' },
  { module: 'koa', path: [], kind: 'koa.App' },
  { module: 'koa', path: ['Koa'], kind: 'koa.App' },
  { module: '@koa/router', path: [], kind: 'koa.Router' },
  { module: '@koa/router', path: ['Router'], kind: 'koa.Router' },
  { module: 'koa-router', path: [], kind: 'koa.Router' },
  {
    module: 'fastify',
    path: [],
    kind: 'fastify.Instance',
    boundingOptions: [{ name: 'forceCloseConnections', value: true }],
  },
  {
    module: 'fastify',
    path: ['fastify'],
    kind: 'fastify.Instance',
    boundingOptions: [{ name: 'forceCloseConnections', value: true }],
  },
  { module: 'hono', path: ['Hono'], kind: 'hono.App' },
  { module: '@hono/node-server', path: ['serve'], kind: 'http.Server', listens: true },
  {
    module: '@nestjs/core',
    path: ['NestFactory', 'create'],
    kind: 'nest.App',
    async: true,
    boundingOptions: [{ name: 'forceCloseConnections', value: true }],
  },
  { module: 'pg', path: ['Pool'], kind: 'pg.Pool' },
  { module: 'pg', path: ['Client'], kind: 'pg.Client' },
  { module: 'mysql2', path: ['createPool'], kind: 'mysql2.Pool' },
  { module: 'mysql2', path: ['createConnection'], kind: 'mysql2.Connection' },
  { module: 'mysql2', path: ['createPoolCluster'], kind: 'mysql2.Pool' },
  { module: 'mysql2/promise', path: ['createPool'], kind: 'mysql2.Pool' },
  { module: 'mysql2/promise', path: ['createConnection'], kind: 'mysql2.Connection', async: true },
  { module: 'mysql2/promise', path: ['createPoolCluster'], kind: 'mysql2.Pool' },
  { module: 'ioredis', path: [], kind: 'ioredis.Redis' },
  { module: 'ioredis', path: ['Redis'], kind: 'ioredis.Redis' },
  { module: 'ioredis', path: ['Cluster'], kind: 'ioredis.Redis' },
  ...['redis', '@redis/client'].flatMap((module) =>
    ['createClient', 'createCluster', 'createClientPool'].map((name) => ({
      module,
      path: [name],
      kind: 'redis.Client',
    })),
  ),
  { module: 'mongodb', path: ['MongoClient'], kind: 'mongodb.MongoClient' },
  { module: 'mongodb', path: ['MongoClient', 'connect'], kind: 'mongodb.MongoClient', async: true },
  { module: 'mongoose', path: ['createConnection'], kind: 'mongoose.Connection' },
  {
    module: 'mongoose',
    path: ['connect'],
    kind: 'mongoose.Connection',
    async: true,
    closedBy: [
      { module: 'mongoose', path: ['disconnect'] },
      { module: 'mongoose', path: ['connection', 'close'] },
      { module: 'mongoose', path: ['connection', 'destroy'] },
    ],
    modelFactories: [
      { module: 'mongoose', path: ['model'] },
      { module: 'mongoose', path: ['default', 'model'] },
    ],
  },
  { module: '@prisma/client', path: ['PrismaClient'], kind: 'prisma.Client' },
  { module: 'knex', path: [], kind: 'knex.Knex' },
  { module: 'knex', path: ['knex'], kind: 'knex.Knex' },
  { module: 'sequelize', path: ['Sequelize'], kind: 'sequelize.Sequelize' },
  // `require('sequelize')` is the class itself (`module.exports = Sequelize`), as is the default import.
  { module: 'sequelize', path: [], kind: 'sequelize.Sequelize' },
  { module: 'sequelize-typescript', path: ['Sequelize'], kind: 'sequelize.Sequelize' },
  { module: 'typeorm', path: ['DataSource'], kind: 'typeorm.DataSource' },
  { module: 'typeorm', path: ['createConnection'], kind: 'typeorm.DataSource', async: true },
  { module: 'kafkajs', path: ['Kafka'], kind: 'kafkajs.Kafka' },
  { module: 'amqplib', path: ['connect'], kind: 'amqplib.Connection', async: true },
  { module: 'bullmq', path: ['Worker'], kind: 'bullmq.Worker' },
  { module: 'bullmq', path: ['Queue'], kind: 'bullmq.Queue' },
  // Bull's module is its Queue class: `const Queue = require('bull')`, `import Queue from 'bull'`.
  { module: 'bull', path: [], kind: 'bullmq.Queue' },
  { module: 'bull', path: ['default'], kind: 'bullmq.Queue' },
  { module: 'bullmq', path: ['QueueEvents'], kind: 'bullmq.QueueEvents' },
  { module: 'bullmq', path: ['FlowProducer'], kind: 'bullmq.FlowProducer' },
  ...['@libsql/client', '@libsql/client/node'].map((module) => ({
    module,
    path: ['createClient'],
    kind: 'libsql.Client',
  })),
  // The module is the class: `import Database from 'better-sqlite3'`, `require('better-sqlite3')`.
  { module: 'better-sqlite3', path: [], kind: 'better-sqlite3.Database' },
  { module: 'better-sqlite3', path: ['default'], kind: 'better-sqlite3.Database' },
  { module: 'undici', path: ['Agent'], kind: 'undici.Dispatcher' },
  { module: 'undici', path: ['Pool'], kind: 'undici.Dispatcher' },
  { module: 'undici', path: ['Client'], kind: 'undici.Dispatcher' },
  { module: 'nats', path: ['connect'], kind: 'nats.Connection', async: true },
  { module: '@nats-io/transport-node', path: ['connect'], kind: 'nats.Connection', async: true },
  // `closeTimeout` (ws 8.19+) bounds how long a client's close waits for the peer before the socket is destroyed.
  {
    module: 'ws',
    path: ['WebSocketServer'],
    kind: 'ws.WebSocketServer',
    boundingOptions: [{ name: 'closeTimeout', value: 'any' }],
  },
  {
    module: 'ws',
    path: ['Server'],
    kind: 'ws.WebSocketServer',
    boundingOptions: [{ name: 'closeTimeout', value: 'any' }],
  },
  { module: 'socket.io', path: ['Server'], kind: 'socketio.Server' },
  // `require('socket.io')(httpServer)`
  { module: 'socket.io', path: [], kind: 'socketio.Server' },
  ...['@sentry/node', '@sentry/nestjs', '@sentry/bun'].map((module) => ({
    module,
    path: ['init'],
    kind: 'sentry.Client',
    closedBy: [
      { module, path: ['close'] },
      { module, path: ['flush'] },
    ],
  })),
  { module: 'smtp-server', path: ['SMTPServer'], kind: 'smtp.Server' },
  { module: '@opentelemetry/sdk-node', path: ['NodeSDK'], kind: 'otel.NodeSDK' },
  { module: '@opentelemetry/sdk-trace-node', path: ['NodeTracerProvider'], kind: 'otel.Provider' },
  { module: '@opentelemetry/sdk-trace-base', path: ['BasicTracerProvider'], kind: 'otel.Provider' },
  { module: '@opentelemetry/sdk-trace', path: ['TracerProvider'], kind: 'otel.Provider' },
  { module: '@opentelemetry/sdk-metrics', path: ['MeterProvider'], kind: 'otel.Provider' },
  { module: '@opentelemetry/sdk-logs', path: ['LoggerProvider'], kind: 'otel.Provider' },
  { module: '@opentelemetry/sdk-node', path: ['tracing', 'NodeTracerProvider'], kind: 'otel.Provider' },
  { module: '@opentelemetry/sdk-node', path: ['tracing', 'BasicTracerProvider'], kind: 'otel.Provider' },
  { module: '@opentelemetry/sdk-node', path: ['metrics', 'MeterProvider'], kind: 'otel.Provider' },
  { module: '@opentelemetry/sdk-node', path: ['logs', 'LoggerProvider'], kind: 'otel.Provider' },
  { module: 'winston', path: ['createLogger'], kind: 'winston.Logger', buffersWhen: winstonBuffers },
  { module: 'pino', path: [], kind: 'pino.Logger', buffersWhen: pinoBuffers },
  { module: 'pino', path: ['pino'], kind: 'pino.Logger', buffersWhen: pinoBuffers },
  { module: 'posthog-node', path: ['PostHog'], kind: 'posthog.Client' },
  { module: '@segment/analytics-node', path: ['Analytics'], kind: 'segment.Analytics' },
  { module: '@rudderstack/rudder-sdk-node', path: [], kind: 'rudderstack.Analytics' },
  { module: '@rudderstack/rudder-sdk-node', path: ['default'], kind: 'rudderstack.Analytics' },
  { module: 'hot-shots', path: [], kind: 'hotshots.StatsD' },
  { module: 'hot-shots', path: ['StatsD'], kind: 'hotshots.StatsD' },
  { module: 'limiter', path: ['RateLimiter'], kind: 'limiter.RateLimiter' },
  { module: 'limiter', path: ['TokenBucket'], kind: 'limiter.RateLimiter' },
  ...['Gauge', 'Counter', 'Histogram', 'Summary', 'Registry'].map((name) => ({
    module: 'prom-client',
    path: [name],
    kind: 'promClient.Metric',
  })),
  { module: 'lightship', path: ['createLightship'], kind: 'lightship.Lightship', async: true },
  { module: 'http-terminator', path: ['createHttpTerminator'], kind: 'httpTerminator.Terminator' },
  { module: 'stoppable', path: [], kind: 'http.Server' },
  { module: 'shutdown-lint/lifecycle', path: ['createLifecycle'], kind: 'lifecycle.Lifecycle' },
];

/** The signals a service drains on. */
export const shutdownSignals: ReadonlySet<string> = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGBREAK']);

/** Methods of process / EventEmitter that add a listener. */
export const listenerMethods: ReadonlySet<string> = new Set([
  'on',
  'once',
  'addListener',
  'prependListener',
  'prependOnceListener',
]);

export const shutdownLibraries: readonly ShutdownLibrarySpec[] = [
  {
    module: 'close-with-grace',
    path: [],
    library: 'close-with-grace',
    hooks: { argument: 'last' },
    bounded: true,
    unboundedWhen: { option: 'delay', values: [null, false, Infinity, undefined] },
  },
  {
    module: '@godaddy/terminus',
    path: ['createTerminus'],
    library: 'terminus',
    hooks: { properties: ['beforeShutdown', 'onSignal', 'onShutdown', 'onSigterm', 'onSigint'] },
    bounded: true,
  },
  {
    module: 'http-graceful-shutdown',
    path: [],
    library: 'http-graceful-shutdown',
    hooks: { properties: ['preShutdown', 'onShutdown', 'finally'] },
    bounded: true,
  },
  { module: 'exit-hook', path: [], library: 'exit-hook', hooks: { argument: 0 }, bounded: false },
  { module: 'exit-hook', path: ['asyncExitHook'], library: 'exit-hook', hooks: { argument: 0 }, bounded: true },
  { module: 'async-exit-hook', path: [], library: 'async-exit-hook', hooks: { argument: 0 }, bounded: false },
  // The project's runtime (DESIGN.md): `defer(close, opts)` and `adopt(resource, close)` run closers LIFO, each bounded.
  {
    module: 'shutdown-lint/lifecycle',
    path: ['lifecycle', 'defer'],
    library: 'shutdown-lint/lifecycle',
    hooks: { argument: 0 },
    bounded: true,
  },
  {
    module: 'shutdown-lint/lifecycle',
    path: ['lifecycle', 'adopt'],
    library: 'shutdown-lint/lifecycle',
    hooks: { argument: 1 },
    bounded: true,
  },
];

/** The 11 signals close-with-grace and NestJS `enableShutdownHooks()` listen to by default. */
const fatalSignals = [
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGSEGV',
  'SIGUSR2',
  'SIGTERM',
] as const;

/**
 * What installs signal listeners for the program, and for which signals (runtime-facts §2, §3).
 * A call of `call`, or a call of `method` on what `on` creates or names (`createLifecycle()`,
 * `lifecycle`) or on a value of `kind`.
 */
export interface SignalHandlerSpec {
  library: string;
  call?: ApiRef;
  method?: { name: string; on?: ApiRef; kind?: string };
  /** The signals it listens to by default. */
  signals: readonly string[];
  /**
   * Where a call names its own signals (an array, or a space-separated string): the argument, or a
   * property of it. `replace` replaces the defaults, `add` adds to them, `skip` removes from them.
   */
  signalOptions?: { argument: number; property?: string; effect: 'replace' | 'add' | 'skip' }[];
}

export const signalHandlers: readonly SignalHandlerSpec[] = [
  {
    library: 'close-with-grace',
    call: { module: 'close-with-grace', path: [] },
    signals: fatalSignals,
    signalOptions: [{ argument: 0, property: 'skip', effect: 'skip' }],
  },
  {
    library: 'terminus',
    call: { module: '@godaddy/terminus', path: ['createTerminus'] },
    signals: ['SIGTERM'],
    signalOptions: [
      { argument: 1, property: 'signal', effect: 'replace' },
      { argument: 1, property: 'signals', effect: 'add' },
    ],
  },
  {
    library: 'http-graceful-shutdown',
    call: { module: 'http-graceful-shutdown', path: [] },
    signals: ['SIGINT', 'SIGTERM'],
    signalOptions: [{ argument: 1, property: 'signals', effect: 'replace' }],
  },
  {
    library: 'lightship',
    call: { module: 'lightship', path: ['createLightship'] },
    signals: ['SIGTERM', 'SIGHUP', 'SIGINT'],
    signalOptions: [{ argument: 0, property: 'signals', effect: 'replace' }],
  },
  { library: 'exit-hook', call: { module: 'exit-hook', path: [] }, signals: ['SIGINT', 'SIGTERM'] },
  { library: 'exit-hook', call: { module: 'exit-hook', path: ['asyncExitHook'] }, signals: ['SIGINT', 'SIGTERM'] },
  {
    library: 'async-exit-hook',
    call: { module: 'async-exit-hook', path: [] },
    signals: ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'],
  },
  // `new Graceful({ servers }).listen()` installs them.
  {
    library: '@ladjs/graceful',
    method: { name: 'listen', on: { module: '@ladjs/graceful', path: [] } },
    signals: ['SIGHUP', 'SIGINT', 'SIGTERM'],
  },
  {
    library: '@ladjs/graceful',
    method: { name: 'listen', on: { module: '@ladjs/graceful', path: ['Graceful'] } },
    signals: ['SIGHUP', 'SIGINT', 'SIGTERM'],
  },
  {
    library: 'NestJS',
    method: { name: 'enableShutdownHooks', kind: 'nest.App' },
    signals: fatalSignals,
    signalOptions: [{ argument: 0, effect: 'replace' }],
  },
  {
    library: 'shutdown-lint/lifecycle',
    call: { module: 'shutdown-lint/lifecycle', path: ['lifecycle', 'handleSignals'] },
    signals: ['SIGTERM', 'SIGINT'],
    signalOptions: [{ argument: 0, property: 'signals', effect: 'replace' }],
  },
  {
    library: 'shutdown-lint/lifecycle',
    method: { name: 'handleSignals', on: { module: 'shutdown-lint/lifecycle', path: ['createLifecycle'] } },
    signals: ['SIGTERM', 'SIGINT'],
    signalOptions: [{ argument: 0, property: 'signals', effect: 'replace' }],
  },
];

/** Servers that start listening when created with a port of their own (`new WebSocketServer({ port })`, socket.io `new Server(3000)`). */
export const selfListeningServers: readonly { kind: string; portOption?: string; portArgument?: number }[] = [
  { kind: 'ws.WebSocketServer', portOption: 'port' },
  { kind: 'socketio.Server', portArgument: 0 },
];

/** Adapters that run an app as a serverless function: a module using one listens only for local runs. */
export const serverlessAdapters: readonly ApiRef[] = [
  { module: 'serverless-http', path: [] },
  { module: '@vendia/serverless-express', path: [] },
  { module: '@codegenie/serverless-express', path: [] },
  { module: 'aws-serverless-express', path: ['createServer'] },
  { module: '@h4ad/serverless-adapter', path: ['ServerlessAdapter', 'new'] },
];

/** Kinds whose `listen` method starts accepting connections. */
export const listeningKinds: ReadonlySet<string> = new Set([
  'http.Server',
  'http2.Server',
  'net.Server',
  'express.App',
  'koa.App',
  'fastify.Instance',
  'nest.App',
  'socketio.Server',
  'smtp.Server',
]);

/** Repeating timers, whose handle keeps the event loop alive until cleared or unref'd (runtime-facts §1.5). */
export const intervalTimers: readonly ApiRef[] = [
  { module: 'global', path: ['setInterval'] },
  { module: 'timers', path: ['setInterval'] },
];

/** One-shot timers: a callback that arms one again with itself repeats forever. */
export const timeoutTimers: readonly ApiRef[] = [
  { module: 'global', path: ['setTimeout'] },
  { module: 'timers', path: ['setTimeout'] },
];

/** Calls that cancel a timer by its handle (either clears either kind in Node). */
export const timerClears: readonly ApiRef[] = ['clearInterval', 'clearTimeout'].flatMap((name) => [
  { module: 'global', path: [name] },
  { module: 'timers', path: [name] },
]);

/** Methods of a timer handle that stop it holding the process (`unref`) or stop it (`close`, Symbol.dispose). */
export const timerReleaseMethods: ReadonlySet<string> = new Set(['unref', 'close', '[Symbol.dispose]']);

/** `timers/promises` `setInterval`: an async iterator of ticks, stopped by its `{ signal }` (options at index 2) or by leaving the loop. */
export const promiseIntervals: readonly (ApiRef & { options: number })[] = [
  { module: 'timers/promises', path: ['setInterval'], options: 2 },
];

/**
 * Shutdown registries that take a resource itself and close it at shutdown: a resource passed to
 * one is closed. Closers (functions) given to a registry are shutdown roots through
 * `shutdownLibraries`, `shutdownHookMethods` and `nestShutdownMethods`.
 */
export const resourceAdopters: readonly ApiRef[] = [
  { module: 'shutdown-lint/lifecycle', path: ['lifecycle', 'adopt'] },
];

/** Calls that close a server now under a deadline, its upgraded (WebSocket) sockets included. */
export const upgradeClosingServerCloses: readonly ApiRef[] = [
  { module: 'shutdown-lint/lifecycle', path: ['closeServer'] },
  { module: 'shutdown-lint/lifecycle', path: ['lifecycle', 'closeServer'] },
];

/** Registries that take a listening server and close it that way when shutdown begins. */
export const upgradeClosingServerAdopters: readonly ApiRef[] = [
  { module: 'shutdown-lint/lifecycle', path: ['lifecycle', 'addServer'] },
];

/**
 * Wrappers that track every socket of a server from its `'connection'` event, upgraded ones
 * included, and end them all when they stop it: by the `stop` method of what they return, run at
 * shutdown, or (with no `stop`) on the signals they handle themselves.
 */
export const socketTrackingStops: readonly { ref: ApiRef; server: number | { option: string }; stop?: string }[] = [
  { ref: { module: 'stoppable', path: [] }, server: 0, stop: 'stop' },
  {
    ref: { module: 'http-terminator', path: ['createHttpTerminator'] },
    server: { option: 'server' },
    stop: 'terminate',
  },
  // terminus wraps the server with stoppable and stops it on its signals.
  { ref: { module: '@godaddy/terminus', path: ['createTerminus'] }, server: 0 },
  { ref: { module: 'http-graceful-shutdown', path: [] }, server: 0 },
];

/** The project's runtime, the form the codemods rewrite into. */
export const lifecycleModule = 'shutdown-lint/lifecycle';

/** What each call of the project's runtime, `shutdown-lint/lifecycle`, does for shutdown. */
export type LifecycleRole =
  /** `track(work)`: shutdown waits for the work. */
  | 'tracks'
  /** `defer(close)`, `adopt(resource, close)`: the closer runs at shutdown, bounded. */
  | 'closes-at-shutdown'
  /** `closeServer(server, { timeoutMs })`: a close with a deadline and a force path. */
  | 'bounded-close'
  /** `handleSignals()`: the SIGTERM/SIGINT listener that runs `shutdown()`. */
  | 'handles-signals'
  /** `shutdown()`: the drain itself. */
  | 'drains'
  /** `addServer(server)`: drained first at shutdown. */
  | 'adopts-server';

export const lifecycleMethods: Readonly<Record<string, LifecycleRole>> = {
  track: 'tracks',
  defer: 'closes-at-shutdown',
  adopt: 'closes-at-shutdown',
  closeServer: 'bounded-close',
  handleSignals: 'handles-signals',
  shutdown: 'drains',
  addServer: 'adopts-server',
};

/**
 * The runtime's calls, by binding: methods of the process-wide `lifecycle` export, and the
 * named `closeServer` export. (Methods of `createLifecycle()` instances go by kind, `lifecycle.Lifecycle`.)
 */
export const lifecycleCalls: readonly (ApiRef & { role: LifecycleRole })[] = [
  ...Object.entries(lifecycleMethods).map(([method, role]) => ({
    module: 'shutdown-lint/lifecycle',
    path: ['lifecycle', method],
    role,
  })),
  { module: 'shutdown-lint/lifecycle', path: ['closeServer'], role: 'bounded-close' },
];

/** Methods whose function argument runs at shutdown, on a receiver of the given kind. */
export const shutdownHookMethods: readonly {
  kind: string;
  method: string;
  events?: readonly string[];
  bounded: boolean;
}[] = [
  { kind: 'lightship.Lightship', method: 'registerShutdownHandler', bounded: true },
  { kind: 'fastify.Instance', method: 'addHook', events: ['onClose', 'preClose'], bounded: false },
  { kind: 'lifecycle.Lifecycle', method: 'defer', bounded: true },
  { kind: 'lifecycle.Lifecycle', method: 'adopt', bounded: true },
];

/**
 * Calls that drain HTTP servers other than a server kind's own close: the lifecycle's
 * `closeServer(server)`, and its `shutdown()`, which drains the servers handed to `addServer` first.
 */
export const serverDrainCalls: readonly ApiRef[] = [
  { module: 'shutdown-lint/lifecycle', path: ['closeServer'] },
  { module: 'shutdown-lint/lifecycle', path: ['lifecycle', 'closeServer'] },
  { module: 'shutdown-lint/lifecycle', path: ['lifecycle', 'shutdown'] },
];

/**
 * Shutdown hooks by when they run against the HTTP server's close (runtime-facts §2, §3): NestJS
 * runs `onModuleDestroy` and `beforeApplicationShutdown` before it closes the server and
 * `onApplicationShutdown` after; Fastify `preClose` before, `onClose` after; terminus
 * `beforeShutdown` before its drain, `onSignal`/`onShutdown` after; http-graceful-shutdown
 * `preShutdown` before, `onShutdown`/`finally` after; the lifecycle runs its closers after the
 * servers handed to `addServer` have drained. `owner` is the trigger of the root (library or kind label).
 */
export const shutdownHookPhases: readonly {
  owner: string;
  hook: string;
  phase: 'before-server-close' | 'after-server-close';
  instead?: string;
}[] = [
  { owner: 'nestjs', hook: 'onModuleDestroy', phase: 'before-server-close', instead: 'onApplicationShutdown' },
  {
    owner: 'nestjs',
    hook: 'beforeApplicationShutdown',
    phase: 'before-server-close',
    instead: 'onApplicationShutdown',
  },
  { owner: 'nestjs', hook: 'onApplicationShutdown', phase: 'after-server-close' },
  { owner: 'Fastify app', hook: 'preClose', phase: 'before-server-close', instead: 'onClose' },
  { owner: 'Fastify app', hook: 'onClose', phase: 'after-server-close' },
  { owner: 'terminus', hook: 'beforeShutdown', phase: 'before-server-close', instead: 'onSignal' },
  { owner: 'terminus', hook: 'onSignal', phase: 'after-server-close' },
  { owner: 'terminus', hook: 'onShutdown', phase: 'after-server-close' },
  { owner: 'http-graceful-shutdown', hook: 'preShutdown', phase: 'before-server-close', instead: 'onShutdown' },
  { owner: 'http-graceful-shutdown', hook: 'onShutdown', phase: 'after-server-close' },
  { owner: 'http-graceful-shutdown', hook: 'finally', phase: 'after-server-close' },
  { owner: 'shutdown-lint/lifecycle', hook: 'defer', phase: 'after-server-close' },
  { owner: 'shutdown-lint/lifecycle', hook: 'adopt', phase: 'after-server-close' },
];

/** Libraries whose hooks run in registration order (lightship, FIFO) or in reverse (the lifecycle, Fastify `onClose`: LIFO). */
export const hookRegistrationOrder: readonly { owner: string; order: 'fifo' | 'lifo' }[] = [
  { owner: 'lightship registerShutdownHandler', order: 'fifo' },
  { owner: 'Fastify app addHook', order: 'lifo' },
  { owner: 'shutdown-lint/lifecycle', order: 'lifo' },
];

/**
 * Workers that run work of their own with a resource: the function that does the work (an
 * argument of the creation, or properties of an object given to one of its methods) and the
 * methods that stop it and wait for the work in flight (runtime-facts §4).
 */
export const workerKinds: readonly {
  kind: string;
  work: { argument: number } | { method: string; properties: readonly string[] };
  drain: readonly string[];
}[] = [
  { kind: 'bullmq.Worker', work: { argument: 1 }, drain: ['close'] },
  {
    kind: 'kafkajs.Consumer',
    work: { method: 'run', properties: ['eachMessage', 'eachBatch'] },
    drain: ['disconnect', 'stop'],
  },
];

/**
 * Library values that query through a store handed to the call that makes them, with no close of
 * their own: drizzle's `drizzle(client)` (or `drizzle({ client })`) per driver module. Code that
 * uses the view (`db.select()…`) uses the store: close-in-reverse-order counts a use of the view,
 * or of a name declared with the view's type (`db: LibSQLDatabase`), as a use of the store.
 */
export interface StoreViewSpec extends ApiRef {
  kind: string;
  /** The declared type of the view the module exports (`LibSQLDatabase`). */
  type: string;
  /** Where the call takes the store: a positional argument, or this property of an options object there. */
  store: { argument: number; option?: string };
  /** The kinds of store it takes. */
  of: readonly string[];
}

function storeViews(): StoreViewSpec[] {
  const drizzle = (module: string, type: string, of: readonly string[]): StoreViewSpec => ({
    module,
    path: ['drizzle'],
    kind: 'drizzle.Database',
    type,
    store: { argument: 0, option: 'client' },
    of,
  });
  return [
    drizzle('drizzle-orm/libsql', 'LibSQLDatabase', ['libsql.Client']),
    drizzle('drizzle-orm/node-postgres', 'NodePgDatabase', ['pg.Pool', 'pg.Client']),
    drizzle('drizzle-orm/mysql2', 'MySql2Database', ['mysql2.Pool', 'mysql2.Connection']),
    drizzle('drizzle-orm/better-sqlite3', 'BetterSQLite3Database', ['better-sqlite3.Database']),
  ];
}

export const storeViewCalls: readonly StoreViewSpec[] = storeViews();

/** NestJS lifecycle methods that run when the app shuts down (runtime-facts §3 NestJS). */
export const nestShutdownMethods: ReadonlySet<string> = new Set([
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

export const nestHttpMethodDecorators: ReadonlySet<string> = new Set([
  'Get',
  'Post',
  'Put',
  'Patch',
  'Delete',
  'Options',
  'Head',
  'All',
  'Sse',
]);

/** Fetch-API route handlers exported by name (Next.js route.ts, Remix/SvelteKit-style). */
export const fetchRouteExportNames: ReadonlySet<string> = new Set([
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
]);

/** Calls that run a callback later and drop what it returns. */
export const callbackDroppers: readonly ApiRef[] = [
  { module: 'global', path: ['setTimeout'] },
  { module: 'global', path: ['setImmediate'] },
  { module: 'global', path: ['setInterval'] },
  { module: 'global', path: ['queueMicrotask'] },
  { module: 'global', path: ['process', 'nextTick'] },
  { module: 'timers', path: ['setTimeout'] },
  { module: 'timers', path: ['setImmediate'] },
  { module: 'timers', path: ['setInterval'] },
];

/** Calls whose returned promise is meant to float: test runners register tests this way. */
export const knownSafeCalls: readonly ApiRef[] = [
  ...['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'].flatMap((name) => [
    { module: 'test', path: [name] },
    { module: 'test', path: ['test', name] },
    { module: 'test', path: ['default', name] },
  ]),
  { module: 'test', path: [] },
];

/** Things that end the process at once. */
export const processExits: readonly ApiRef[] = [
  { module: 'global', path: ['process', 'exit'] },
  { module: 'global', path: ['process', 'abort'] },
  { module: 'global', path: ['process', 'reallyExit'] },
  { module: 'global', path: ['process', 'kill'] },
];

/** Kind categories whose instances keep a program running: it serves, or holds work in flight. */
export const longRunningCategories: ReadonlySet<KindCategory> = new Set(['server', 'app', 'router', 'resource']);

/** Categories of things that keep a program serving until it is told to stop. */
export const servingCategories: ReadonlySet<KindCategory> = new Set(['server', 'app', 'router']);

/** Kind categories that are open once created: work can be in flight on them. Servers and apps open when they listen. */
export const openCategories: ReadonlySet<KindCategory> = new Set(['resource']);

/**
 * Process events whose default action already ends the process (runtime-facts §1.6: unhandled
 * rejections throw since v15): an exit in their listener ends it no sooner than Node would.
 */
export const crashEvents: ReadonlySet<string> = new Set(['uncaughtException', 'unhandledRejection']);

/** Events of a server that report it failed to open (`listen` got EADDRINUSE or EACCES). */
export const serverFailureEvents: ReadonlySet<string> = new Set(['error']);

/** Values only a worker thread uses: a file that uses them is a worker script, where `process.exit` ends the thread. */
export const workerThreadValues: readonly ApiRef[] = [
  { module: 'worker_threads', path: ['parentPort'] },
  { module: 'worker_threads', path: ['workerData'] },
];

/**
 * Method and function names that release or drain something, for code whose receivers have no
 * known kind (plain JavaScript, a project's own wrappers): `db.disconnect()`, `queue.stop()`.
 */
export const cleanupNames: RegExp =
  /^\$?(close|end|quit|disconnect|destroy|stop|shutdown|terminate|flush|drain|dispose|cleanup|cleanUp|teardown|tearDown|release)(?=$|[A-Z])|(Close|Quit|Disconnect|Destroy|Stop|Shutdown|Terminate|Flush|Drain|Dispose|Cleanup|Teardown)$/;

/**
 * Calls that end connections at once. `closeAllConnections` says what it does on any receiver;
 * `destroy` and `terminate` are common names (a Sequelize row, a knex pool), so they count only
 * on a receiver whose name says it is a connection.
 */
export const forceCloseCalls: readonly { method: string; receiver?: RegExp }[] = [
  { method: 'closeAllConnections' },
  { method: 'destroy', receiver: /sock|conn|session|client|stream|^req$|^res$|request|response/i },
  { method: 'destroySoon', receiver: /sock|conn|stream/i },
  { method: 'resetAndDestroy', receiver: /sock|conn/i },
  { method: 'terminate', receiver: /ws|socket|client|terminator|connection/i },
];

/** Timers that can arm a deadline. */
export const deadlineTimers: readonly ApiRef[] = [
  { module: 'global', path: ['setTimeout'] },
  { module: 'timers', path: ['setTimeout'] },
  { module: 'timers/promises', path: ['setTimeout'] },
  { module: 'global', path: ['AbortSignal', 'timeout'] },
];

/** Races that bound what they race. */
export const promiseRaces: readonly ApiRef[] = [
  { module: 'global', path: ['Promise', 'race'] },
  { module: 'global', path: ['Promise', 'any'] },
];

/** Calls that accept an AbortSignal where leaving it out loses nothing: local file reads and writes. */
export const signalOptionalCalls: readonly ApiRef[] = ['fs/promises', 'fs'].flatMap((module) =>
  ['readFile', 'writeFile', 'appendFile'].flatMap((name) => [
    { module, path: [name] },
    ...(module === 'fs' ? [{ module, path: ['promises', name] }] : []),
  ]),
);

/** APIs known to take `{ signal }`, by the options argument's position: for when their types are missing. */
export const signalAcceptingCalls: readonly (ApiRef & { options: number })[] = [
  { module: 'global', path: ['fetch'], options: 1 },
  { module: 'undici', path: ['fetch'], options: 1 },
  { module: 'undici', path: ['request'], options: 1 },
  { module: 'timers/promises', path: ['setTimeout'], options: 2 },
  { module: 'timers/promises', path: ['setInterval'], options: 2 },
  { module: 'timers/promises', path: ['setImmediate'], options: 1 },
  { module: 'events', path: ['once'], options: 2 },
  { module: 'events', path: ['on'], options: 2 },
];

/** Calls that run work meant to outlive the request (Next.js `after`, `waitUntil`): it must not inherit its cancellation. */
export const detachedWorkCalls: readonly ApiRef[] = [
  { module: 'next/server', path: ['after'] },
  { module: '@vercel/functions', path: ['waitUntil'] },
];
export const detachedWorkMethods: ReadonlySet<string> = new Set(['waitUntil']);

/** Options types whose signal only destroys a stream the call builds (`createHash(alg, opts)`, zlib, fs streams). */
export const signalOptionalOptionTypes: ReadonlySet<string> = new Set(['StreamOptions']);

/** Methods that take a signal only to unregister themselves (`addEventListener(type, fn, { signal })`). */
export const signalOptionalMethods: ReadonlySet<string> = new Set(['addEventListener']);

/** Remix route modules (in `app/routes/`) export their request handlers under these names. */
export const remixRouteExportNames: ReadonlySet<string> = new Set(['loader', 'action']);

const kindsByName = new Map(kinds.map((k) => [k.kind, k]));

/**
 * The method names whose receiver's kind can matter when indexing a call: a kind's methods that
 * open resources, register handlers, or register shutdown hooks. Any other method call's receiver
 * need not be classified.
 */
export const kindedMethodNames: ReadonlySet<string> = new Set([
  ...kinds.flatMap((k) => [...Object.keys(k.methods ?? {}), ...Object.keys(k.handlerMethods ?? {})]),
  ...shutdownHookMethods.map((h) => h.method),
]);

export function kindSpec(kind: string): KindSpec | undefined {
  return kindsByName.get(kind);
}

export function sameRef(a: ApiRef, b: ApiRef): boolean {
  return a.module === b.module && a.path.length === b.path.length && a.path.every((p, i) => p === b.path[i]);
}

export function findFactory(ref: ApiRef): FactorySpec | undefined {
  return factories.find((f) => sameRef(f, ref));
}

export function findShutdownLibrary(ref: ApiRef): ShutdownLibrarySpec | undefined {
  return shutdownLibraries.find((l) => sameRef(l, ref));
}

export function refIn(ref: ApiRef, list: readonly ApiRef[]): boolean {
  return list.some((entry) => sameRef(entry, ref));
}

/** The kind a declared type carries, from its module and name. */
export function kindForType(ref: ApiRef): string | undefined {
  for (const spec of kinds) {
    if (spec.types?.some((t) => sameRef(t, ref))) return spec.kind;
  }
  return undefined;
}

/**
 * Module-level calls that only read, outside the process: an HTTP GET of a known client, a query
 * named for a read. With `options`, the call is a read only when that argument is absent or an
 * object literal whose `method` is absent (the default is GET), `'GET'` or `'HEAD'`
 * (`fetch(url)`, `fetch(url, { headers })`); any other init, or one the code builds elsewhere,
 * may be a write. Work made only of such reads and in-process effects has nothing for shutdown to
 * wait for (no-untracked-promise).
 */
export const readCalls: readonly (ApiRef & { options?: number; http?: true })[] = [
  ...httpReadMethods.flatMap((name) => [
    { module: 'axios', path: [name], http: true as const },
    { module: 'axios', path: ['default', name], http: true as const },
  ]),
  ...['get', 'head'].flatMap((name) => [
    { module: 'got', path: [name], http: true as const },
    { module: 'got', path: ['default', name], http: true as const },
  ]),
  { module: 'got', path: [], options: 1, http: true },
  { module: 'got', path: ['default'], options: 1, http: true },
  { module: 'global', path: ['fetch'], options: 1, http: true },
  { module: 'undici', path: ['fetch'], options: 1, http: true },
  { module: 'undici', path: ['request'], options: 1, http: true },
  { module: 'node-fetch', path: [], options: 1, http: true },
  { module: 'node-fetch', path: ['default'], options: 1, http: true },
  // redbean-node's `R`: queries that return rows, cells or beans (`R.getCell('SELECT …')`).
  ...['getCell', 'getRow', 'getCol', 'getAll', 'find', 'findOne', 'load', 'count'].map((name) => ({
    module: 'redbean-node',
    path: ['R', name],
  })),
];

/**
 * ORM model base classes: a class of the program extending one, at any depth (outline's
 * `Collection extends ParanoidModel extends IdModel extends Model`), is a table's model, and these
 * of its static methods query the table and write nothing (`Collection.findAll({ where })`).
 */
export const modelBaseClasses: readonly (ApiRef & { staticReads: readonly string[] })[] = [
  'sequelize',
  'sequelize-typescript',
].flatMap((module) =>
  [['Model'], ['default', 'Model']].map((path) => ({
    module,
    path,
    staticReads: ['findAll', 'findOne', 'findByPk', 'findAndCountAll', 'count', 'max', 'min', 'sum', 'aggregate'],
  })),
);

/** Methods of a response a read call gave that read its body (`await res.json()`). */
export const responseBodyMethods: ReadonlySet<string> = new Set(['json', 'text', 'arrayBuffer', 'blob', 'formData']);

/**
 * Modules whose every export computes in the process and returns plain data (lodash's
 * `uniqWith`, `compare-versions`, `semver`), and single functions of Node that do
 * (`crypto.randomUUID`): calling one changes nothing outside the process.
 */
export const inProcessModules: ReadonlySet<string> = new Set([
  'lodash',
  'lodash-es',
  'compare-versions',
  'semver',
  'axios-rate-limit',
]);
export function isInProcessModule(module: string): boolean {
  return inProcessModules.has(module) || module.startsWith('lodash/') || module.startsWith('lodash.');
}
export const inProcessCalls: readonly ApiRef[] = [
  ...['randomUUID', 'createHash', 'randomBytes'].map((name) => ({ module: 'crypto', path: [name] })),
  // Making an axios instance opens nothing: its requests are what count.
  { module: 'axios', path: ['create'] },
  { module: 'axios', path: ['default', 'create'] },
];
