// A unified diff of two texts, for `migrate --dry-run`: lines compared after the common head and
// tail are set aside (a migration changes a few places in a file), three lines of context.

type Op = { kind: ' ' | '-' | '+'; line: string };

function lineOps(before: readonly string[], after: readonly string[]): Op[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  )
    tail++;
  const a = before.slice(head, before.length - tail);
  const b = after.slice(head, after.length - tail);
  // Longest common subsequence over the changed middle.
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let k = b.length - 1; k >= 0; k--) {
      lcs[i]![k] = a[i] === b[k] ? lcs[i + 1]![k + 1]! + 1 : Math.max(lcs[i + 1]![k]!, lcs[i]![k + 1]!);
    }
  }
  const ops: Op[] = before.slice(0, head).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let k = 0;
  while (i < a.length || k < b.length) {
    if (i < a.length && k < b.length && a[i] === b[k]) {
      ops.push({ kind: ' ', line: a[i++]! });
      k++;
    } else if (i < a.length && (k === b.length || lcs[i + 1]![k]! >= lcs[i]![k + 1]!)) {
      ops.push({ kind: '-', line: a[i++]! });
    } else {
      ops.push({ kind: '+', line: b[k++]! });
    }
  }
  for (const line of before.slice(before.length - tail)) ops.push({ kind: ' ', line });
  return ops;
}

/** `--- a/<name>` / `+++ b/<name>` and its hunks; empty when the texts are equal. */
export function unifiedDiff(name: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = lineOps(before.split('\n'), after.split('\n'));
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let n = 0;
  while (n < changed.length) {
    const start = Math.max(0, changed[n]! - context);
    let end = Math.min(ops.length, changed[n]! + context + 1);
    while (n + 1 < changed.length && changed[n + 1]! - context <= end)
      end = Math.min(ops.length, changed[++n]! + context + 1);
    n++;
    const lineOf = (upTo: number, side: '-' | '+'): number =>
      ops.slice(0, upTo).filter((op) => op.kind === ' ' || op.kind === side).length;
    const hunk = ops.slice(start, end);
    const oldCount = hunk.filter((op) => op.kind !== '+').length;
    const newCount = hunk.filter((op) => op.kind !== '-').length;
    out.push(
      `@@ -${lineOf(start, '-') + (oldCount ? 1 : 0)},${oldCount} +${lineOf(start, '+') + (newCount ? 1 : 0)},${newCount} @@`,
    );
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
  }
  return `${out.join('\n')}\n`;
}
