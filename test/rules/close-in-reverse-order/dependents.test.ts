// What uses what, and where a close runs against a drain: the order questions close-in-reverse-order asks.
import { join } from 'node:path';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import { ts } from '../../../src/core/typescript.js';
import { closeOrderIn, usedResourceClosedBy } from '../../../rules/close-in-reverse-order/dependents.js';
import { ProgramIndex } from '../../../src/core/program-index.js';
import { repoRoot } from '../../support/fixtures.js';
import { nodesOf, programOf, programWithFile } from '../../support/programs.js';

const header = `
import http from 'node:http';
import { once } from 'node:events';
import pg from 'pg';
const pool = new pg.Pool();
const server = http.createServer(async (_req, res) => res.end(String((await pool.query('select 1')).rowCount)));
server.listen(3000);
`;

const cases: [string, string][] = [
  ['await new Promise((r) => server.close(r)); await pool.end();', 'after'],
  ['server.close(() => void pool.end());', 'after'],
  ['server.close(); await once(server, "close"); await pool.end();', 'after'],
  ['await pool.end(); server.close();', 'before'],
  ['void pool.end().then(() => server.close());', 'before'],
  ['server.close(); await pool.end();', 'during'],
  ['await Promise.all([pool.end(), new Promise((r) => server.close(r))]);', 'during'],
  ['server.close(); setTimeout(() => void pool.end(), 1000);', 'unknown'],
  ['if (process.env.A) await pool.end(); else server.close();', 'unknown'],
];

describe('closeOrderIn', () => {
  // One program: each case is a SIGTERM listener of its own.
  const fileName = join(repoRoot, 'fixtures', 'docs', 'dependents-core.ts');
  const listeners = cases.map(([body]) => `process.once('SIGTERM', async () => {\n${body}\n});`).join('\n');
  const program = programWithFile(fileName, `${header}\n${listeners}\n`);
  const file = program.getSourceFile(fileName)!;
  const index = ProgramIndex.for(ts, program);
  const calls = nodesOf(file).filter((n): n is TS.CallExpression => ts.isCallExpression(n));
  const roots = index.shutdownRoots.filter((r) => r.trigger.startsWith('process.once'));

  it.each(cases.map(([body, expected], i) => [body, expected, i] as const))('%s -> %s', (_, expected, i) => {
    const root = roots[i]!;
    const inRoot = (text: string): TS.CallExpression =>
      calls.find((c) => c.expression.getText(file) === text && c.pos >= root.fn.pos && c.end <= root.fn.end)!;
    expect(closeOrderIn(index, root.fn, inRoot('pool.end'), inRoot('server.close'))).toBe(expected);
  });
});

describe('usedResourceClosedBy', () => {
  it('knows that the request handler uses the pool, and what drains the server', () => {
    const fileName = join(repoRoot, 'fixtures', 'docs', 'dependents-core-uses.ts');
    const program = programWithFile(
      fileName,
      `${header}\nconst unused = new pg.Pool();\nprocess.once('SIGTERM', async () => {\n  await unused.end();\n  server.close();\n  await pool.end();\n});\n`,
    );
    const file = program.getSourceFile(fileName)!;
    const index = ProgramIndex.for(ts, program);
    const ends = nodesOf(file).filter(
      (n): n is TS.CallExpression =>
        ts.isCallExpression(n) && ['unused.end', 'pool.end'].includes(n.expression.getText(file)),
    );
    expect(ends.map((c) => usedResourceClosedBy(index, c)?.name)).toEqual([undefined, 'pool']);
    const users = usedResourceClosedBy(index, ends[1]!)!.users;
    expect(users.map((u) => [u.type, u.drains.map((d) => d.getText(file))])).toEqual([['server', ['server.close()']]]);
  });
});

describe('usedResourceClosedBy, through a view of the store', () => {
  // No declarations of these packages: the view and its type are known from the imports alone.
  const program = (second: string): { index: ProgramIndex; file: TS.SourceFile } => {
    const fileName = join(repoRoot, 'fixtures', 'docs', 'dependents-views.ts');
    const code = `
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createClient } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
const main = createClient({ url: 'file:main.db' });
const audit = createClient({ url: 'file:audit.db' });
const db = drizzle(main);
${second}
async function list(database: LibSQLDatabase) { return database.all('select 1'); }
const app = new Hono();
app.get('/notes', async (c) => c.json(await list(db)));
app.get('/typed', async (c) => c.json(await list(c.get('db'))));
const server = serve({ fetch: app.fetch, port: 3000 });
process.once('SIGTERM', () => {
  main.close();
  audit.close();
  server.close();
});
`;
    const built = programWithFile(fileName, code);
    return { index: ProgramIndex.for(ts, built), file: built.getSourceFile(fileName)! };
  };
  const usedOf = ({ index, file }: { index: ProgramIndex; file: TS.SourceFile }): (string | undefined)[] =>
    nodesOf(file)
      .filter(
        (n): n is TS.CallExpression =>
          ts.isCallExpression(n) && /^(main|audit)\.close$/.test(n.expression.getText(file)),
      )
      .map((c) => usedResourceClosedBy(index, c)?.name);

  it('takes the view kept of a store as a use of that store, and no other store', () => {
    // `audit` is not viewed: neither `db` nor a `LibSQLDatabase` parameter holds it.
    expect(usedOf(program(''))).toEqual(['main', undefined]);
  });

  it('takes a name declared with the view type, reached through a dependencies object, as a use', () => {
    // The handler destructures `db` from a parameter typed `{ db: Database }` (fixture views-ordered).
    const index = ProgramIndex.for(
      ts,
      programOf(join(repoRoot, 'fixtures', 'rules', 'close-in-reverse-order-views-ordered')),
    );
    const close = index.calls.find(
      (c) => ts.isCallExpression(c) && c.getText() === 'client.close()',
    ) as TS.CallExpression;
    expect(usedResourceClosedBy(index, close)?.users.map((u) => u.label)).toEqual(['the HTTP server']);
  });

  it('takes the declared type as no store when two are viewed that way, and still knows the view kept of each', () => {
    // `db` is main's view wherever it goes; a `LibSQLDatabase` parameter could hold either.
    expect(usedOf(program('const auditDb = drizzle(audit);'))).toEqual(['main', undefined]);
  });

  it('takes a view a handler uses as a use of the store it was made of', () => {
    expect(
      usedOf(
        program(
          'const auditDb = drizzle(audit);\napp.get("/audit", async (c) => c.json(await auditDb.all("select 1")));',
        ),
      ),
    ).toEqual(['main', 'audit']);
  });

  it('knows a better-sqlite3 database viewed by drizzle, closed while the server drains', () => {
    const fileName = join(repoRoot, 'fixtures', 'docs', 'dependents-views-sqlite.ts');
    const built = programWithFile(
      fileName,
      `
import http from 'node:http';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
const sqlite = new Database('notes.db');
const unused = new Database('cache.db');
const db = drizzle(sqlite);
const count = (database: BetterSQLite3Database) => database.all('select count(*) from notes');
const server = http.createServer((_req, res) => res.end(JSON.stringify(count(db))));
server.listen(3000);
process.once('SIGTERM', () => {
  server.close();
  sqlite.close();
  unused.close();
});
`,
    );
    const file = built.getSourceFile(fileName)!;
    const index = ProgramIndex.for(ts, built);
    const closes = nodesOf(file).filter(
      (n): n is TS.CallExpression =>
        ts.isCallExpression(n) && /^(sqlite|unused)\.close$/.test(n.expression.getText(file)),
    );
    expect(closes.map((c) => usedResourceClosedBy(index, c)?.label)).toEqual(['better-sqlite3 database', undefined]);
  });

  it('takes a view only of the store kinds its module takes', () => {
    // drizzle-orm/libsql given a pg pool is not a view of it: the handler's `db` is not the pool.
    const fileName = join(repoRoot, 'fixtures', 'docs', 'dependents-views-mismatch.ts');
    const built = programWithFile(
      fileName,
      `
import http from 'node:http';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/libsql';
const pool = new pg.Pool();
const db = drizzle(pool as never);
const server = http.createServer(async (_req, res) => res.end(JSON.stringify(await db.all('select 1'))));
server.listen(3000);
process.once('SIGTERM', () => {
  server.close();
  void pool.end();
});
`,
    );
    const file = built.getSourceFile(fileName)!;
    const end = nodesOf(file).find(
      (n): n is TS.CallExpression => ts.isCallExpression(n) && n.expression.getText(file) === 'pool.end',
    )!;
    expect(usedResourceClosedBy(ProgramIndex.for(ts, built), end)).toBeUndefined();
  });
});
