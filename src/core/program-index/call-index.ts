// The program's calls and `new`s, in program order, and looked up by the callee's or an argument's
// last name: rules ask "who calls `end`" without scanning every call of the program. Each file's
// lookup is built from its calls once and kept with its facts (file-facts.ts); a program's is
// their union, built on the first question.
import type * as ts from 'typescript';
import { skipOuterExpressions, type TS } from '../ts-utils.js';

export type AnyCall = ts.CallExpression | ts.NewExpression;

type CallsByName = Map<string, AnyCall[]>;

/** One file's calls by callee name and by argument name, kept per file's call list. */
const namesOfCalls = new WeakMap<readonly AnyCall[], { byName: CallsByName; byArgument: CallsByName }>();

export class CallIndex {
  /** Every call and `new` in the program's own files, each file's in source order. */
  readonly calls: readonly AnyCall[];
  private callsByName: CallsByName | undefined;
  private callsByArgumentName: CallsByName | undefined;

  /** `files`: each file's calls in source order, the files in program order. */
  constructor(
    private readonly ts: TS,
    private readonly files: readonly (readonly AnyCall[])[],
  ) {
    this.calls = files.flat();
  }

  /** The calls and `new`s whose callee's last name is `name` (`f()`, `a.b.f()`, `new F()`), in program order. */
  callsNamed(name: string): readonly AnyCall[] {
    this.indexCallsByName();
    return this.callsByName!.get(name) ?? [];
  }

  /** The calls given an argument whose last name is `name` (`on('x', f)`, `run(a.f)`), in program order. */
  callsWithArgumentNamed(name: string): readonly AnyCall[] {
    this.indexCallsByName();
    return this.callsByArgumentName!.get(name) ?? [];
  }

  private indexCallsByName(): void {
    if (this.callsByName) return;
    const byName: CallsByName = new Map();
    const byArgument: CallsByName = new Map();
    const union = (into: CallsByName, from: CallsByName): void => {
      for (const [name, calls] of from) {
        const list = into.get(name);
        if (list) for (const call of calls) list.push(call);
        else into.set(name, [...calls]);
      }
    };
    for (const calls of this.files) {
      const ofFile = this.namesOfFileCalls(calls);
      union(byName, ofFile.byName);
      union(byArgument, ofFile.byArgument);
    }
    this.callsByName = byName;
    this.callsByArgumentName = byArgument;
  }

  private namesOfFileCalls(calls: readonly AnyCall[]): { byName: CallsByName; byArgument: CallsByName } {
    let kept = namesOfCalls.get(calls);
    if (kept) return kept;
    const t = this.ts;
    const byName: CallsByName = new Map();
    const byArgument: CallsByName = new Map();
    const add = (map: CallsByName, e: ts.Expression, call: AnyCall): void => {
      const x = skipOuterExpressions(t, e);
      const name = t.isIdentifier(x) ? x.text : t.isPropertyAccessExpression(x) ? x.name.text : undefined;
      if (name === undefined) return;
      const list = map.get(name);
      if (!list) map.set(name, [call]);
      else if (list[list.length - 1] !== call) list.push(call);
    };
    for (const call of calls) {
      add(byName, call.expression, call);
      for (const arg of call.arguments ?? []) add(byArgument, arg, call);
    }
    kept = { byName, byArgument };
    namesOfCalls.set(calls, kept);
    return kept;
  }
}
