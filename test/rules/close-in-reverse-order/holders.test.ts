// Holders of a resource the program writes itself (a singleton, a lazy value): what a holder call
// holds, and which of the holder's members close it.
import { join } from 'node:path';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import { ts } from '../../../src/core/typescript.js';
import { ProgramIndex } from '../../../src/core/program-index.js';
import { resourceHeldBy, resourceHolderNamedBy } from '../../../rules/close-in-reverse-order/holders.js';
import { repoRoot } from '../../support/fixtures.js';
import { nodesOf, programWithFile } from '../../support/programs.js';

const holders = `
import pg from 'pg';
import type { Redis } from 'ioredis';

export function singleton<T>(name: string, factory: () => T | Promise<T>, opts: { cleanupFunc?: (t: T) => unknown } = {}) {
  let value: T | undefined;
  void Promise.resolve(factory()).then((v) => (value = v));
  const result = () => value as T;
  result.close = async () => {
    if (value !== undefined && opts.cleanupFunc) await opts.cleanupFunc(value);
  };
  return result;
}

export function lazy<T>(make: () => Promise<T>, { onDispose }: { onDispose?: (t: T) => unknown } = {}) {
  let made: Promise<T> | undefined;
  return {
    get: () => (made ??= make()),
    async dispose() {
      if (made) await onDispose?.(await made);
    },
  };
}

export function memo<T>(make: () => T, release: (t: T) => void) {
  let made: T | undefined;
  const holder = { get: () => (made ??= make()), stop: () => { if (made) release(made); } };
  return holder;
}

// Runs the cleanup, but hands out something else than it returns.
export function detached<T>(make: () => T, cleanup: (t: T) => void) {
  const inner = { close: () => cleanup(make()) };
  void inner;
  return { get: make, close: () => {} };
}

// A holder class: the cleanup kept by a parameter property, or as a property of kept options.
export class Lazy<T> {
  private value: Promise<T> | undefined;
  constructor(
    private readonly make: () => Promise<T>,
    private readonly release?: (t: T) => unknown,
  ) {}
  get(): Promise<T> {
    return (this.value ??= this.make());
  }
  async close(): Promise<void> {
    if (this.value) await this.release?.(await this.value);
  }
}

export class Pooled<T> {
  private readonly options: { onDispose: (t: T) => unknown };
  private readonly value: T;
  constructor(make: () => T, options: { onDispose: (t: T) => unknown }) {
    this.value = make();
    this.options = options;
  }
  dispose = (): unknown => this.options.onDispose(this.value);
  // Not a close: a method that happens to run the cleanup under another name.
  refresh(): unknown {
    return this.options.onDispose(this.value);
  }
}

async function createPool() {
  const pool = new pg.Pool();
  await pool.query('select 1');
  return pool;
}
const makeMap = () => new Map<string, string>();
async function closeQuietly(resource: pg.Pool) {
  try {
    await resource.end();
  } catch {}
}
`;

const cases: [string, string, { kind: string; closeMethods: string[] } | undefined][] = [
  [
    'through an options property, kind from the type argument and the factory',
    `singleton<pg.Pool>('db', createPool, { cleanupFunc: async (p: pg.Pool) => { await p.end(); } })`,
    { kind: 'pg.Pool', closeMethods: ['close'] },
  ],
  [
    'kind from the factory alone',
    `singleton('db', createPool, { cleanupFunc: (p) => p.end() })`,
    { kind: 'pg.Pool', closeMethods: ['close'] },
  ],
  [
    'kind from the type argument alone',
    `singleton<pg.Pool>('db', () => (globalThis as any).connect(), { cleanupFunc: (p) => p.end() })`,
    { kind: 'pg.Pool', closeMethods: ['close'] },
  ],
  [
    'a destructured cleanup, run by a method of the object returned',
    `lazy(createPool, { onDispose: (p) => p.end() })`,
    { kind: 'pg.Pool', closeMethods: ['dispose'] },
  ],
  [
    'a cleanup parameter, run by a member of the object kept in a returned local',
    `memo(() => new pg.Pool(), (p) => void p.end())`,
    { kind: 'pg.Pool', closeMethods: ['stop'] },
  ],
  [
    'a helper that closes its parameter, as the cleanup',
    `singleton('db', createPool, { cleanupFunc: closeQuietly })`,
    { kind: 'pg.Pool', closeMethods: ['close'] },
  ],
  [
    'a cleanup that hands its value to a helper that closes it',
    `lazy(createPool, { onDispose: async (p) => { await closeQuietly(p); } })`,
    { kind: 'pg.Pool', closeMethods: ['dispose'] },
  ],
  [
    'a holder class, the cleanup in a parameter property',
    `new Lazy(createPool, (p) => p.end())`,
    { kind: 'pg.Pool', closeMethods: ['close'] },
  ],
  [
    'a holder class, the cleanup a property of the options it keeps',
    `new Pooled<pg.Pool>(() => new pg.Pool(), { onDispose: (p) => p.end() })`,
    { kind: 'pg.Pool', closeMethods: ['dispose'] },
  ],
  ['a holder class given a cleanup that closes nothing', `new Lazy(createPool, () => undefined)`, undefined],
  ['a cleanup that closes nothing', `singleton('db', createPool, { cleanupFunc: () => {} })`, undefined],
  [
    'a cleanup that closes something else',
    `singleton('db', createPool, { cleanupFunc: () => other.end() })`,
    undefined,
  ],
  ['no cleanup given', `singleton('db', createPool)`, undefined],
  ['a factory of no resource', `singleton('names', makeMap, { cleanupFunc: (m) => m.clear() })`, undefined],
  [
    'a type argument that disagrees with the factory',
    `singleton<Redis>('db', createPool as any, { cleanupFunc: (p: any) => p.end() })`,
    undefined,
  ],
  [
    'a close that does not run the cleanup on what is returned',
    `detached(() => new pg.Pool(), (p) => void p.end())`,
    undefined,
  ],
];

describe('resourceHeldBy', () => {
  const fileName = join(repoRoot, 'fixtures', 'docs', 'resource-holders-core.ts');
  const declarations = cases.map(([, call], i) => `export const held${i} = ${call};`).join('\n');
  const program = programWithFile(fileName, `${holders}\nconst other = new pg.Pool();\n${declarations}\n`);
  const file = program.getSourceFile(fileName)!;
  const index = ProgramIndex.for(ts, program);
  const initializers = nodesOf(file)
    .filter((n): n is TS.VariableDeclaration => ts.isVariableDeclaration(n) && /^held\d+$/.test(n.name.getText(file)))
    .map((d) => d.initializer as TS.CallExpression | TS.NewExpression);

  it.each(cases.map(([name, , expected], i) => [name, expected, i] as const))('%s', (_, expected, i) => {
    const held = resourceHeldBy(index, initializers[i]!);
    expect(held && { kind: held.kind, closeMethods: [...held.closeMethods] }).toEqual(expected);
  });

  it('finds the holder a name keeps, through the variable', () => {
    const name = nodesOf(file).find((n): n is TS.Identifier => ts.isIdentifier(n) && n.text === 'held0')!;
    expect(resourceHolderNamedBy(index, name)?.holder).toBe(initializers[0]);
  });
});
