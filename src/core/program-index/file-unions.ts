// Unions of the files' facts by name, in program order, kept across program versions. The
// program's calls by callee name, its assignments by name and its re-bindings are each the union
// of its files' (file-facts.ts), the files in program order. An editor's new program shares all
// but the edited files with the previous one, so a union is kept as each file's segment and the
// new program's is the previous one's with the edited files' segments replaced: no walk over the
// program's 2,000 files' facts per edit. A union answers exactly as one built cold from the same
// files: the same items, in the same order.

/**
 * Deliberately wrong patches, for the test that proves it can fail: keep the edited files' old
 * facts in the unions, or put their new ones after every other file's instead of in program order.
 */
export const unionFaults = { keepOldFacts: false, appendNewFacts: false };

/** A file whose facts differ between two versions of the program: its position among the files, its facts before and after. */
export interface FileChange<F> {
  readonly pos: number;
  readonly before: F;
  readonly after: F;
}

/**
 * Where the files of a new program version differ from the previous version's, by the identity of
 * their facts (kept per SourceFile: an unchanged file has the same facts object); undefined when
 * the files moved (added, removed, reordered) or too many changed for a patch to pay.
 */
export function changedFiles<F>(before: readonly F[], after: readonly F[]): FileChange<F>[] | undefined {
  if (before.length !== after.length) return undefined;
  const changes: FileChange<F>[] = [];
  const most = Math.max(8, after.length >> 4);
  for (let pos = 0; pos < after.length; pos++) {
    if (before[pos] === after[pos]) continue;
    if (changes.length === most) return undefined;
    changes.push({ pos, before: before[pos]!, after: after[pos]! });
  }
  return changes;
}

interface Segment<T> {
  readonly pos: number;
  readonly items: T;
}

const noItems: readonly never[] = [];

/**
 * Segments by name: for each name, the files that have it (their position, and what they have),
 * by position. Shared by a version and the next one patched from it, so never changed in place:
 * a patched one keeps the map it was patched from and the names the edits changed beside it (a
 * program's thousands of names are not copied per edit).
 */
class Segments<T> {
  private constructor(
    private readonly base: ReadonlyMap<string, readonly Segment<T>[]>,
    /** The names changed since `base`: their segments (undefined: no file has the name now). */
    private readonly changed: ReadonlyMap<string, readonly Segment<T>[] | undefined>,
  ) {}

  static of<T>(files: readonly ReadonlyMap<string, T>[]): Segments<T> {
    const byName = new Map<string, Segment<T>[]>();
    files.forEach((file, pos) => {
      for (const [name, items] of file) {
        const list = byName.get(name);
        if (list) list.push({ pos, items });
        else byName.set(name, [{ pos, items }]);
      }
    });
    return new Segments(byName, new Map());
  }

  get(name: string): readonly Segment<T>[] | undefined {
    return this.changed.size && this.changed.has(name) ? this.changed.get(name) : this.base.get(name);
  }

  /**
   * The segments with the changed files' replaced; `touched` gets each name whose union may differ
   * (`same` says that a file's items for a name make the same union as before: equal name sets).
   */
  patched(
    changes: readonly FileChange<ReadonlyMap<string, T>>[],
    touched: Set<string>,
    same: (before: T, after: T) => boolean,
  ): Segments<T> {
    if (unionFaults.keepOldFacts) return this;
    const changed = new Map(this.changed);
    for (const { pos, before, after } of changes) {
      for (const name of new Set([...before.keys(), ...after.keys()])) {
        const was = before.get(name);
        const now = after.get(name);
        const current = changed.has(name) ? changed.get(name) : this.base.get(name);
        const next = (current ?? []).filter((segment) => segment.pos !== pos);
        if (now !== undefined) {
          let at = unionFaults.appendNewFacts ? -1 : next.findIndex((segment) => segment.pos > pos);
          if (at < 0) at = next.length;
          next.splice(at, 0, { pos, items: now });
        }
        changed.set(name, next.length ? next : undefined);
        if (was === undefined || now === undefined || !same(was, now)) touched.add(name);
      }
    }
    // Folded into the base once the changes are many (an editor's session of edits).
    if (changed.size > 256 + (this.base.size >> 3)) {
      const base = new Map(this.base);
      for (const [name, segments] of changed) {
        if (segments) base.set(name, segments);
        else base.delete(name);
      }
      return new Segments(base, new Map());
    }
    return new Segments(this.base, changed);
  }
}

/**
 * The unions a version built, by name, and those of the version it was patched from for the names
 * the patch did not touch (the same union): each version builds a union once, none is copied.
 */
class Unions<U> {
  private readonly own = new Map<string, U>();

  constructor(
    private readonly inherited: ReadonlyMap<string, U> = new Map(),
    private readonly touched: ReadonlySet<string> = new Set(),
  ) {}

  /** The union built for `name` in this version or the one patched from, if any (asked on every lookup: no closure). */
  cached(name: string): U | undefined {
    let union = this.own.get(name);
    if (union === undefined && this.inherited.size && !this.touched.has(name)) {
      union = this.inherited.get(name);
      if (union !== undefined) this.own.set(name, union);
    }
    return union;
  }

  set(name: string, union: U): U {
    this.own.set(name, union);
    return union;
  }

  /** The unions of the version patched from this one, whose patch touched `touched`. */
  patched(touched: ReadonlySet<string>): Unions<U> {
    return new Unions(this.own, touched);
  }
}

/** Lists by name (calls by callee name, assignments by name): each file's list in source order, the files in program order. */
export class ListsByName<T> {
  private constructor(
    private readonly segments: Segments<readonly T[]>,
    private readonly unions: Unions<readonly T[]>,
  ) {}

  static of<T>(files: readonly ReadonlyMap<string, readonly T[]>[]): ListsByName<T> {
    return new ListsByName(Segments.of(files), new Unions());
  }

  /** The union of the files' lists for `name` (an empty list when none has it). */
  get(name: string): readonly T[] {
    const union = this.unions.cached(name);
    if (union !== undefined) return union;
    const segments = this.segments.get(name);
    return this.unions.set(
      name,
      !segments ? noItems : segments.length === 1 ? segments[0]!.items : segments.flatMap((s) => s.items),
    );
  }

  /** The lists of the next version of the program: the changed files' lists replaced. */
  patched(changes: readonly FileChange<ReadonlyMap<string, readonly T[]>>[]): ListsByName<T> {
    const touched = new Set<string>();
    // A file's list holds nodes, and an edited file's nodes are new (or moved): never the same.
    const segments = this.segments.patched(changes, touched, () => false);
    return new ListsByName(segments, this.unions.patched(touched));
  }
}

/** Sets of names by name (re-bindings, declarations by annotation): the union of the files' sets, in program order. */
export class SetsByName {
  private constructor(
    private readonly segments: Segments<ReadonlySet<string>>,
    private readonly unions: Unions<ReadonlySet<string> | null>,
  ) {}

  static of(files: readonly ReadonlyMap<string, ReadonlySet<string>>[]): SetsByName {
    return new SetsByName(Segments.of(files), new Unions());
  }

  /** The union of the files' sets for `key`, undefined when no file has it. */
  get(key: string): ReadonlySet<string> | undefined {
    const union = this.unions.cached(key);
    if (union !== undefined) return union ?? undefined;
    const segments = this.segments.get(key);
    if (!segments) {
      this.unions.set(key, null);
      return undefined;
    }
    const set = new Set<string>();
    for (const segment of segments) for (const name of segment.items) set.add(name);
    this.unions.set(key, set);
    return set;
  }

  patched(changes: readonly FileChange<ReadonlyMap<string, ReadonlySet<string>>>[]): SetsByName {
    const touched = new Set<string>();
    const segments = this.segments.patched(changes, touched, sameNames);
    return new SetsByName(segments, this.unions.patched(touched));
  }
}

/** Whether two sets hold the same names in the same order (a union built from either is the same). */
export function sameNames(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  const other = b.values();
  for (const name of a) if (other.next().value !== name) return false;
  return true;
}

/**
 * A set of names the files have (declared names, process holders), asked only whether it holds a
 * name: counted per file, so that an edit can remove one. A patched set keeps the counts it was
 * patched from and the counts the edits changed beside them (a few names): copying the counts of a
 * program's every declared name per edit would cost what the patch saves.
 */
export class CountedNames {
  private constructor(
    private readonly counts: ReadonlyMap<string, number>,
    /** The counts changed since `counts` (0: none left). */
    private readonly changed: ReadonlyMap<string, number>,
  ) {}

  static of(files: Iterable<ReadonlySet<string>>): CountedNames {
    const counts = new Map<string, number>();
    for (const file of files) for (const name of file) counts.set(name, (counts.get(name) ?? 0) + 1);
    return new CountedNames(counts, new Map());
  }

  has(name: string): boolean {
    const count = this.changed.size ? this.changed.get(name) : undefined;
    return count === undefined ? this.counts.has(name) : count > 0;
  }

  patched(changes: readonly FileChange<ReadonlySet<string>>[]): CountedNames {
    if (unionFaults.keepOldFacts) return this;
    let changed: Map<string, number> | undefined;
    const count = (name: string): number => changed!.get(name) ?? this.counts.get(name) ?? 0;
    for (const { before, after } of changes) {
      if (sameNames(before, after)) continue;
      changed ??= new Map(this.changed);
      for (const name of before) if (!after.has(name)) changed.set(name, count(name) - 1);
      for (const name of after) if (!before.has(name)) changed.set(name, count(name) + 1);
    }
    if (!changed) return this;
    // Folded into the counts once the changes are many (an editor's session of edits).
    if (changed.size > 64 + (this.counts.size >> 4)) {
      const counts = new Map(this.counts);
      for (const [name, n] of changed) {
        if (n > 0) counts.set(name, n);
        else counts.delete(name);
      }
      return new CountedNames(counts, new Map());
    }
    return new CountedNames(this.counts, changed);
  }
}
