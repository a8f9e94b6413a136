// The ProgramIndex: servers, request handlers and shutdown paths of a whole program, typed
// (fixtures/core/service) and with no types at all (fixtures/core/untyped-service).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ts } from '../../src/core/typescript.js';
import { ProgramIndex } from '../../src/core/program-index.js';
import { fixtureProject, repoRoot } from '../support/fixtures.js';
import { functionNamed, programOf, programWithFile } from '../support/programs.js';

function nameOf(node: import('typescript').Node): string {
  const named = node as { name?: import('typescript').Node };
  if (named.name) return named.name.getText();
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent)))
    return parent.name.getText();
  return `<anonymous ${node.getSourceFile().fileName.split('/').pop()}:${node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1}>`;
}

describe('a typed service', () => {
  const program = programOf(fixtureProject('core', 'service').dir);
  const index = ProgramIndex.for(ts, program);

  it('is built once per program', () => {
    expect(ProgramIndex.for(ts, program)).toBe(index);
  });

  it('finds the servers the program creates', () => {
    expect(index.servers.map((s) => s.kind).sort()).toEqual([
      'express.App',
      'express.Router',
      'fastify.Instance',
      'http.Server',
    ]);
  });

  it('finds the request handlers of every framework, through references and wrappers', () => {
    const handlers = [...index.handlers.values()].map((h) => `${h.framework} ${nameOf(h.fn)}`).sort();
    expect(handlers).toEqual(
      [
        'express create', // router.post('/orders', catchAsync(ordersController.create))
        'express <anonymous catch-async.ts:5>', // …and the middleware catchAsync returns
        'express health',
        'express listOrders', // router.get('/orders', listOrders), from another module
        'fastify childRoute', // child.route({ handler }) in a plugin registered inline
        'fastify listItems', // instance.get in a plugin registered by name
        'fetch-route GET', // app/api/things/route.ts
        'nestjs findAll', // @Get() in a @Controller
        'node:http rawHandler',
      ].sort(),
    );
  });

  it('finds the shutdown roots: signal listeners, libraries, framework hooks', () => {
    const triggers = index.shutdownRoots.map((r) => r.trigger).sort();
    expect(triggers).toEqual(
      [
        "process.once('SIGTERM'|'SIGINT')",
        "process.on('SIGHUP')",
        'close-with-grace',
        'terminus',
        'http-graceful-shutdown',
        'Fastify app addHook',
        'onApplicationShutdown',
        "once(process, 'SIGTERM')",
      ].sort(),
    );
    const bounded = Object.fromEntries(index.shutdownRoots.map((r) => [r.trigger, r.bounded]));
    expect(bounded['close-with-grace']).toBe(true);
    expect(bounded["process.once('SIGTERM'|'SIGINT')"]).toBe(false);
  });

  it('follows the shutdown path across modules', () => {
    const closeEverything = functionNamed(program, 'closeEverything');
    const roots = index.shutdownRootsOf(
      (closeEverything as import('typescript').FunctionDeclaration).body!.statements[0]!,
    );
    expect(roots.map((r) => r.trigger)).toContain("process.once('SIGTERM'|'SIGINT')");
  });

  it('knows which module is an entry', () => {
    const main = program.getSourceFiles().find((f) => f.fileName.endsWith('/service/src/main.ts'))!;
    const app = program.getSourceFiles().find((f) => f.fileName.endsWith('/service/src/app.ts'))!;
    expect(index.isEntryModule(main)).toBe(true);
    expect(index.isEntryModule(app)).toBe(false);
  });

  it('answers the kind of a value through variables, imports and annotations', () => {
    const closeEverything = functionNamed(program, 'closeEverything') as import('typescript').FunctionDeclaration;
    let serverRef: import('typescript').Expression | undefined;
    const visit = (node: import('typescript').Node): void => {
      if (ts.isPropertyAccessExpression(node) && node.name.text === 'close') serverRef = node.expression;
      ts.forEachChild(node, visit);
    };
    visit(closeEverything);
    expect(index.kindOf(serverRef!)).toBe('http.Server'); // const server = app.listen(3000), app imported
  });
});

describe('a JavaScript service with no node_modules and no types', () => {
  const program = programOf(fixtureProject('core', 'untyped-service').dir);
  const index = ProgramIndex.for(ts, program);

  it('still finds servers, handlers and shutdown hooks through module bindings', () => {
    expect(index.servers.map((s) => s.kind).sort()).toEqual(
      ['hono.App', 'http.Server', 'koa.App', 'koa.Router', 'lightship.Lightship'].sort(),
    );
    expect([...index.handlers.values()].map((h) => `${h.framework} ${nameOf(h.fn)}`).sort()).toEqual([
      'hono honoRoute',
      'koa koaRoute',
    ]);
    expect(index.shutdownRoots.map((r) => `${r.trigger} ${nameOf(r.fn)}`)).toEqual([
      'lightship registerShutdownHandler lightshipHandler',
    ]);
  });

  it('knows koa.listen() and serve() return HTTP servers', () => {
    const handler = functionNamed(program, 'lightshipHandler') as import('typescript').FunctionExpression;
    const receivers: string[] = [];
    const visit = (node: import('typescript').Node): void => {
      if (ts.isPropertyAccessExpression(node) && node.name.text === 'close')
        receivers.push(index.kindOf(node.expression) ?? 'unknown');
      ts.forEachChild(node, visit);
    };
    visit(handler);
    expect(receivers).toEqual(['http.Server', 'http.Server']);
  });
});

describe('name facts: which names the checker is asked about', () => {
  const fileName = join(repoRoot, 'fixtures', 'core', `names-${Math.random().toString(36).slice(2)}.ts`);
  const program = programWithFile(
    fileName,
    `
    import { Pool as PgPool } from 'pg';
    import { randomUUID as uuid } from 'node:crypto';
    import http from 'node:http';
    export const pool = new PgPool();
    const db = pool;
    const { pool: viaDeps } = { pool: db };
    export { db as database };
    class Store { constructor(private readonly client: PgPool) {} run() { return this.client; } }
    type Alias = PgPool;
    const typed: Alias | undefined = undefined;
    const model = makeModel('User');
    function makeModel(name: string) { return { name, id: uuid() }; }
    exports.legacy = function () {};
    export default { handler() {} };
    void [viaDeps, Store, typed, model, http];
  `,
  );
  const index = ProgramIndex.for(ts, program);

  it('knows every name a program function can be called by, and no other', () => {
    for (const name of ['makeModel', 'run', 'handler', 'legacy', 'default', 'pool', 'db', 'database'])
      expect(index.mayNameProgramFunction(name), name).toBe(true);
    for (const name of ['query', 'end', 'listen', 'json']) expect(index.mayNameProgramFunction(name), name).toBe(false);
  });

  it('follows a value through every re-binding, syntactically', () => {
    const names = index.namesThatCanDenote(['pool']);
    for (const name of ['pool', 'db', 'database', 'viaDeps', 'http']) expect(names.has(name), name).toBe(true);
    expect(names.has('uuid')).toBe(false);
    expect(names.has('model')).toBe(false);
  });

  it('finds declarations by the type they are annotated with, through renamed imports, and variables by their initialiser', () => {
    const names = index.namesThatCanDenote([], { annotatedWith: ['Pool'], initializedBy: ['makeModel'] });
    expect(names.has('client')).toBe(true);
    expect(names.has('model')).toBe(true);
    expect(names.has('typed')).toBe(false); // annotated with an alias type, which the checker-side matching does not follow either
  });
});

describe('calls through a base class or an interface', () => {
  const fileName = join(repoRoot, 'fixtures', 'core', `dispatch-${Math.random().toString(36).slice(2)}.ts`);
  const program = programWithFile(
    fileName,
    `
    interface Closer { close(): Promise<void>; }
    abstract class Extension { async stop(): Promise<void> {} abstract start(): void; }
    class Frontend extends Extension { start() {} override async stop() { await Promise.resolve(); } }
    class Health extends Extension { start() {} stopHealth() {} }
    class Deep extends Frontend { override stop = async () => {}; }
    class Pool implements Closer { async close() {} }
    export async function stopAll(extensions: Extension[], closers: Closer[]) {
      for (const extension of extensions) await extension.stop();
      for (const closer of closers) await closer.close();
    }
  `,
  );
  const index = ProgramIndex.for(ts, program);
  const calls: import('typescript').CallExpression[] = [];
  const visit = (node: import('typescript').Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) calls.push(node);
    ts.forEachChild(node, visit);
  };
  visit(program.getSourceFile(fileName)!);
  /** `Class.member` of a method, or of a property holding an arrow. */
  const label = (fn: import('typescript').Node): string => {
    const member = ts.isMethodDeclaration(fn) ? fn : fn.parent;
    const cls = member.parent as import('typescript').ClassLikeDeclaration;
    return `${cls.name?.getText()}.${(member as import('typescript').ClassElement).name?.getText()}`;
  };
  const resolved = (method: string): string[] => {
    const call = calls.find(
      (c) => (c.expression as import('typescript').PropertyAccessExpression).name.text === method,
    );
    return index.resolveFunctions(call!.expression).map(label).sort();
  };

  it('runs every override of the method in the classes that extend or implement it', () => {
    // The base's own stop, Frontend's override and Deep's (a property holding an arrow); Health has none.
    expect(resolved('stop')).toEqual(['Deep.stop', 'Extension.stop', 'Frontend.stop']);
    expect(resolved('close')).toEqual(['Pool.close']);
  });
});

describe('a kind named in a type annotation, with no node_modules', () => {
  const fileName = join(repoRoot, 'fixtures', 'core', `annotated-${Math.random().toString(36).slice(2)}.ts`);
  // `noResolve`: socket.io's own types are not loaded, as in a checkout with no node_modules.
  const program = programWithFile(
    fileName,
    `
    import { Socket } from 'socket.io';
    export function joinRooms(socket: Socket & { userId?: string }, spare: Socket | undefined) {
      socket.join('team');
      spare?.join('team');
    }
  `,
    { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, noResolve: true, types: [] },
  );
  const index = ProgramIndex.for(ts, program);

  it('reads it in an intersection, as in a union', () => {
    const receivers: string[] = [];
    const visit = (node: import('typescript').Node): void => {
      if (ts.isPropertyAccessExpression(node) && node.name.text === 'join')
        receivers.push(index.kindOf(node.expression) ?? 'unknown');
      ts.forEachChild(node, visit);
    };
    visit(program.getSourceFile(fileName)!);
    expect(receivers).toEqual(['socketio.Socket', 'socketio.Socket']);
  });
});

describe('CommonJS modules required from TypeScript', () => {
  // `const padStore = require('./pad-store')` in a `.ts` file: the checker resolves no module there
  // (it follows `require` only in JavaScript), so without the index's own resolution the module
  // would import nothing, and the service would not reach it.
  const index = ProgramIndex.for(ts, programOf(fixtureProject('rules', 'no-untracked-promise').dir));
  const fileNamed = (name: string) => index.sourceFiles.find((f) => f.fileName.endsWith(`/src/${name}`))!;

  it('are loaded by the files that require them, and run with the service', () => {
    const store = fileNamed('pad-store.ts');
    const history = fileNamed('pad-history.ts');
    const importers = (file: import('typescript').SourceFile) =>
      index.importersOf(file).map((f) => f.fileName.split('/').pop());
    expect(importers(store)).toEqual(
      expect.arrayContaining(['invalid-required-module.ts', 'valid-required-module.ts']),
    );
    // `require('./pad-history.js')` names the TypeScript source, as in an ES import.
    expect(importers(history)).toEqual(
      expect.arrayContaining(['invalid-required-module.ts', 'valid-required-module.ts']),
    );
    expect(index.isPartOfService(store)).toBe(true);
  });
});
