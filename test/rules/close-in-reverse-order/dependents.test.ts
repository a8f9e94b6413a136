// What uses what, and where a close runs against a drain: the order questions close-in-reverse-order asks.
import { join } from 'node:path';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import { ts } from '../../../src/core/typescript.js';
import { closeOrderIn, usedResourceClosedBy } from '../../../rules/close-in-reverse-order/dependents.js';
import { ProgramIndex } from '../../../src/core/program-index.js';
import { repoRoot } from '../../support/fixtures.js';
import { nodesOf, programWithFile } from '../../support/programs.js';

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
