// The deploy side reads package.json through one cache; a long-lived process (an editor, the
// test runner) must see an edit made between two reads.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPackageJson } from '../../src/core/deploy/process-chain.js';

describe('readPackageJson', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-pkg-'));
    dirs.push(dir);
    return join(dir, 'package.json');
  };

  it('sees an edit to a package.json it has read before', () => {
    const path = fresh();
    writeFileSync(path, JSON.stringify({ name: 'api', scripts: { start: 'node server.js' } }));
    expect(readPackageJson(path)?.scripts?.start).toBe('node server.js');
    writeFileSync(path, JSON.stringify({ name: 'api', scripts: { start: 'node dist/main.js --inspect' } }));
    // Same second on coarse clocks: move the mtime so that only the content could tell them apart.
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(readPackageJson(path)?.scripts?.start).toBe('node dist/main.js --inspect');
  });

  it('forgets a package.json that was removed, and reads one that is not JSON as absent', () => {
    const path = fresh();
    writeFileSync(path, JSON.stringify({ name: 'api' }));
    expect(readPackageJson(path)?.name).toBe('api');
    rmSync(path);
    expect(readPackageJson(path)).toBeUndefined();
    writeFileSync(path, '{ name: api }');
    expect(readPackageJson(path)).toBeUndefined();
  });
});
