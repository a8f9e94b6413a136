// Reading a service of the field corpus out of its bare git mirror: the pinned commit is extracted
// once into a cache of checkouts that later runs reuse (`npm run field` and `npm run proof`).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export const isGitDir = (dir) => existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects'));

export function findMirror(mirrors, repo) {
  const dir = join(mirrors, repo.replace('/', '+'));
  if (isGitDir(join(dir, 'repo'))) return join(dir, 'repo');
  if (isGitDir(dir)) return dir;
  return undefined;
}

/** Extracts the pinned commit once; a checkout is complete when its marker file exists. */
export function checkout(gitDir, service, checkouts) {
  const name = `${service.repo.replace('/', '+')}@${service.commit.slice(0, 12)}`;
  const dir = join(checkouts, name);
  const marker = join(checkouts, `${name}.complete`);
  const absentFile = join(checkouts, `${name}.absent`);
  const absentOf = () => (existsSync(absentFile) ? readFileSync(absentFile, 'utf8').split('\n').filter(Boolean) : []);
  if (existsSync(marker) && existsSync(dir)) return { dir, absent: absentOf() };
  rmSync(absentFile, { force: true });
  mkdirSync(checkouts, { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  const partial = mkdtempSync(join(checkouts, `${name}.partial-`));
  // A mirror may lack some blobs (snapshots leave out files of 4 MiB and more): those files are
  // left out of the checkout, and the run says which. `git archive` stops at the first missing
  // blob whatever the pathspec, so the tree is listed and each blob read through `cat-file --batch`.
  const list = spawnSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '-z', '--full-tree', service.commit], {
    maxBuffer: 2 ** 30,
  });
  if (list.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    return { error: `git ls-tree ${service.commit.slice(0, 12)} failed: ${firstLine(list.stderr)}` };
  }
  // `<mode> <type> <sha>\t<path>`; submodules (commits) have no content here.
  const entries = String(list.stdout)
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode, type, sha] = line.slice(0, tab).split(' ');
      return { mode, type, sha, path: line.slice(tab + 1) };
    })
    .filter((entry) => entry.type === 'blob');
  const absent = [];
  const batchSize = 2000;
  for (let at = 0; at < entries.length; at += batchSize) {
    const batch = entries.slice(at, at + batchSize);
    const read = spawnSync('git', ['--git-dir', gitDir, 'cat-file', '--batch'], {
      input: batch.map((entry) => `${entry.sha}\n`).join(''),
      maxBuffer: 2 ** 31 - 1,
    });
    if (read.status !== 0) {
      rmSync(partial, { recursive: true, force: true });
      return { error: `git cat-file failed: ${firstLine(read.stderr)}` };
    }
    const out = read.stdout;
    let offset = 0;
    for (const entry of batch) {
      const headerEnd = out.indexOf(10, offset);
      const header = out.subarray(offset, headerEnd).toString('utf8').split(' ');
      offset = headerEnd + 1;
      if (header[1] === 'missing') {
        absent.push(entry.path);
        continue;
      }
      const size = Number(header[2]);
      const content = out.subarray(offset, offset + size);
      offset += size + 1; // the content is followed by a newline
      const target = join(partial, entry.path);
      mkdirSync(dirname(target), { recursive: true });
      if (entry.mode === '120000') symlinkSync(content.toString('utf8'), target);
      else writeFileSync(target, content, { mode: entry.mode === '100755' ? 0o755 : 0o644 });
    }
  }
  if (absent.length > 0) writeFileSync(join(checkouts, `${name}.absent`), `${absent.join('\n')}\n`);
  renameSync(partial, dir);
  writeFileSync(marker, `${service.commit}\n`);
  return { dir, absent };
}

export function firstLine(buffer) {
  const text = String(buffer ?? '').trim();
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  // The last line of a stack trace says least; the first error line says most.
  return lines.find((line) => /error|cannot|unknown|invalid|fatal/i.test(line)) ?? lines[0] ?? '(no output)';
}
