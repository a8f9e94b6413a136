// The ProgramIndex: servers, request handlers and shutdown paths of a whole program, typed
// (fixtures/core/service) and with no types at all (fixtures/core/untyped-service).
import { describe, expect, it } from 'vitest';
import { ts } from '../../src/cli/typescript.js';
import { ProgramIndex } from '../../src/core/program-index.js';
import { fixtureProject } from '../support/fixtures.js';
import { functionNamed, programOf } from '../support/programs.js';

function nameOf(node: import('typescript').Node): string {
  const named = node as { name?: import('typescript').Node };
  if (named.name) return named.name.getText();
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent))) return parent.name.getText();
  return `<anonymous ${node.getSourceFile().fileName.split('/').pop()}:${node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1}>`;
}

describe('a typed service', () => {
  const program = programOf(fixtureProject('core', 'service').dir);
  const index = ProgramIndex.for(ts, program);

  it('is built once per program', () => {
    expect(ProgramIndex.for(ts, program)).toBe(index);
  });

  it('finds the servers the program creates', () => {
    expect(index.servers.map((s) => s.kind).sort()).toEqual(['express.App', 'express.Router', 'fastify.Instance', 'http.Server']);
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
    const roots = index.shutdownRootsOf((closeEverything as import('typescript').FunctionDeclaration).body!.statements[0]!);
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
    expect(index.servers.map((s) => s.kind).sort()).toEqual(['hono.App', 'http.Server', 'koa.App', 'koa.Router', 'lightship.Lightship'].sort());
    expect([...index.handlers.values()].map((h) => `${h.framework} ${nameOf(h.fn)}`).sort()).toEqual(['hono honoRoute', 'koa koaRoute']);
    expect(index.shutdownRoots.map((r) => `${r.trigger} ${nameOf(r.fn)}`)).toEqual(['lightship registerShutdownHandler lightshipHandler']);
  });

  it('knows koa.listen() and serve() return HTTP servers', () => {
    const handler = functionNamed(program, 'lightshipHandler') as import('typescript').FunctionExpression;
    const receivers: string[] = [];
    const visit = (node: import('typescript').Node): void => {
      if (ts.isPropertyAccessExpression(node) && node.name.text === 'close') receivers.push(index.kindOf(node.expression) ?? 'unknown');
      ts.forEachChild(node, visit);
    };
    visit(handler);
    expect(receivers).toEqual(['http.Server', 'http.Server']);
  });
});
