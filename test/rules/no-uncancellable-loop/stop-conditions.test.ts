// Stop conditions of repeating work: endless loops, their ways out, and what counts as a stop flag.
import type * as TS from 'typescript';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ts } from '../../../src/core/typescript.js';
import { ProgramIndex } from '../../../src/core/program-index.js';
import { consultsStop, endlessLoopKeyword, loopHasExit } from '../../../rules/no-uncancellable-loop/stop-conditions.js';
import { repoRoot } from '../../support/fixtures.js';
import { nodesOf, programWithFile } from '../../support/programs.js';

/** Each endless loop of the code: whether it has a way out, and whether it consults a stop. */
function loops(code: string): { keyword: string; exit: boolean; stop: boolean }[] {
  const fileName = join(repoRoot, 'fixtures', 'core', `stop-conditions-${Math.random().toString(36).slice(2)}.ts`);
  const program = programWithFile(fileName, code);
  const index = ProgramIndex.for(ts, program);
  return nodesOf(program.getSourceFile(fileName)!)
    .filter((n): n is TS.IterationStatement => endlessLoopKeyword(ts, n) !== undefined)
    .map((loop) => ({
      keyword: endlessLoopKeyword(ts, loop)!,
      exit: loopHasExit(index, loop),
      stop: consultsStop(index, [loop]),
    }));
}

describe('endless loops', () => {
  it('recognises the endless forms only', () => {
    expect(
      loops(
        `declare let go: boolean; while (true) {} while (1) {} for (;;) {} for (; true; ) {} do {} while (true); while (go) {} while (0) {}`,
      ).map((l) => l.keyword),
    ).toEqual(['while', 'while', 'for', 'for', 'do']);
  });

  it('finds the ways out: labels, nested loops and switches, caught and rethrown errors', () => {
    expect(
      loops(`
        declare function step(): Promise<number>;
        outer: while (true) { for (;;) { continue outer; } }
        outer2: while (true) { for (;;) { break outer2; } }
        while (true) { switch (await step()) { case 1: break; } }
        while (true) { try { throw new Error(); } catch { } }
        while (true) { try { await step(); } catch (e) { throw e; } }
        while (true) { if (await step()) process.exit(1); }
      `).map((l) => l.exit),
    ).toEqual([
      // outer: never leaves; its inner for (;;) leaves through `continue outer`
      false,
      true,
      // outer2 leaves through `break outer2`, and so does its inner loop
      true,
      true,
      false,
      false,
      true,
      true,
    ]);
  });

  it('counts signals and stop flags declared outside the loop, not locals', () => {
    expect(
      loops(`
        declare const signal: AbortSignal;
        declare function step(options?: { signal?: AbortSignal }): Promise<boolean>;
        let stopped = false;
        export function stop() { stopped = true; }
        while (true) { if (stopped) await step(); }
        while (true) { await step({ signal }); }
        while (true) { const done = await step(); if (done) await step(); }
        while (true) { if (signal.aborted) await step(); }
      `).map((l) => l.stop),
    ).toEqual([true, true, false, true]);
  });
});
