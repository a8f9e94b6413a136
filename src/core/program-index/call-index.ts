// The program's calls and `new`s, in program order, and looked up by the callee's or an argument's
// last name: rules ask "who calls `end`" without scanning every call of the program.
import type * as ts from 'typescript';
import { skipOuterExpressions, type TS } from '../ts-utils.js';

export type AnyCall = ts.CallExpression | ts.NewExpression;

export class CallIndex {
  /** Every call and `new` in the program's own files, each file's in source order. */
  readonly calls: AnyCall[] = [];

  constructor(private readonly ts: TS) {}

  add(call: AnyCall): void {
    this.calls.push(call);
  }

  private callsByName: Map<string, (ts.CallExpression | ts.NewExpression)[]> | undefined;
  private callsByArgumentName: Map<string, (ts.CallExpression | ts.NewExpression)[]> | undefined;

  /** The calls and `new`s whose callee's last name is `name` (`f()`, `a.b.f()`, `new F()`), in program order. */
  callsNamed(name: string): readonly (ts.CallExpression | ts.NewExpression)[] {
    this.indexCallsByName();
    return this.callsByName!.get(name) ?? [];
  }

  /** The calls given an argument whose last name is `name` (`on('x', f)`, `run(a.f)`), in program order. */
  callsWithArgumentNamed(name: string): readonly (ts.CallExpression | ts.NewExpression)[] {
    this.indexCallsByName();
    return this.callsByArgumentName!.get(name) ?? [];
  }

  private indexCallsByName(): void {
    if (this.callsByName) return;
    const t = this.ts;
    const byName = new Map<string, (ts.CallExpression | ts.NewExpression)[]>();
    const byArgument = new Map<string, (ts.CallExpression | ts.NewExpression)[]>();
    const add = (map: typeof byName, e: ts.Expression, call: ts.CallExpression | ts.NewExpression): void => {
      const x = skipOuterExpressions(t, e);
      const name = t.isIdentifier(x) ? x.text : t.isPropertyAccessExpression(x) ? x.name.text : undefined;
      if (name === undefined) return;
      const list = map.get(name);
      if (!list) map.set(name, [call]);
      else if (list[list.length - 1] !== call) list.push(call);
    };
    for (const call of this.calls) {
      add(byName, call.expression, call);
      for (const arg of call.arguments ?? []) add(byArgument, arg, call);
    }
    this.callsByName = byName;
    this.callsByArgumentName = byArgument;
  }
}
