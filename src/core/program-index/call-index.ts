// The program's calls and `new`s, in program order, and looked up by the callee's or an argument's
// last name: rules ask "who calls `end`" without scanning every call of the program. Each file's
// lookup is built from its calls once and kept with its facts (file-facts.ts); a program's is
// their union, built on the first question, or the previous program version's patched for the
// edited files (file-unions.ts).
import type * as ts from 'typescript';
import { skipOuterExpressions, type TS } from '../ts-utils.js';
import { changedFiles, ListsByName, type FileChange } from './file-unions.js';

export type AnyCall = ts.CallExpression | ts.NewExpression;

type CallsByName = Map<string, AnyCall[]>;

/** One file's calls by callee name and by argument name, kept per file's call list. */
const namesOfCalls = new WeakMap<readonly AnyCall[], { byName: CallsByName; byArgument: CallsByName }>();

export class CallIndex {
  private allCalls: readonly AnyCall[] | undefined;
  private callsByName: ListsByName<AnyCall> | undefined;
  private callsByArgumentName: ListsByName<AnyCall> | undefined;
  private previous: CallIndex | undefined;

  /**
   * `files`: each file's calls in source order, the files in program order. With `previous` (the
   * index of the previous version of the program), its lookups by name are kept and patched for
   * the files whose calls changed, as they are built: on the first question.
   */
  constructor(
    private readonly ts: TS,
    private readonly files: readonly (readonly AnyCall[])[],
    previous?: CallIndex,
  ) {
    // Only a lookup already built is patched (so no chain of versions is kept waiting).
    this.previous = previous?.callsByName ? previous : undefined;
  }

  /** Every call and `new` in the program's own files, each file's in source order. */
  get calls(): readonly AnyCall[] {
    return (this.allCalls ??= this.files.flat());
  }

  /** The calls and `new`s whose callee's last name is `name` (`f()`, `a.b.f()`, `new F()`), in program order. */
  callsNamed(name: string): readonly AnyCall[] {
    this.indexCallsByName();
    return this.callsByName!.get(name);
  }

  /** The calls given an argument whose last name is `name` (`on('x', f)`, `run(a.f)`), in program order. */
  callsWithArgumentNamed(name: string): readonly AnyCall[] {
    this.indexCallsByName();
    return this.callsByArgumentName!.get(name);
  }

  private indexCallsByName(): void {
    if (this.callsByName) return;
    const previous = this.previous;
    this.previous = undefined;
    const changes = previous && changedFiles(previous.files, this.files);
    if (previous && changes) {
      const of = (lookup: 'byName' | 'byArgument'): FileChange<CallsByName>[] =>
        changes.map(({ pos, before, after }) => ({
          pos,
          before: this.namesOfFileCalls(before)[lookup],
          after: this.namesOfFileCalls(after)[lookup],
        }));
      this.callsByName = previous.callsByName!.patched(of('byName'));
      this.callsByArgumentName = previous.callsByArgumentName!.patched(of('byArgument'));
      return;
    }
    const ofFiles = this.files.map((calls) => this.namesOfFileCalls(calls));
    this.callsByName = ListsByName.of(ofFiles.map((file) => file.byName));
    this.callsByArgumentName = ListsByName.of(ofFiles.map((file) => file.byArgument));
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
