// `--shard i/n`: which files one part of a CI matrix lints. A file's part is a hash of its path
// relative to the working directory (with `/`), so it does not depend on the order files are found
// in, on the other files, or on the machine: adding a file moves only that file, and the n parts
// together lint every file exactly once.
import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** The 1-based part of `n` a path falls in. */
export function shardOfPath(relativePath: string, count: number): number {
  const digest = createHash('sha256').update(relativePath).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/** A predicate over absolute file paths: is this file in the shard? */
export function inShard(shard: Shard, cwd: string): (file: string) => boolean {
  return (file) => shardOfPath(relative(cwd, file).split(sep).join('/'), shard.count) === shard.index;
}
