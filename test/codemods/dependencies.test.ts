// The package.json edit `migrate` makes so a migrated service boots: shutdown-lint in
// dependencies, at the version it runs as, in the file's own indentation, order and line ends.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addRuntimeDependency, planDependencies, runningVersionRange } from '../../codemods/lib/dependencies.js';

const edit = (text: string): string => {
  const result = addRuntimeDependency(text, '^0.1.0');
  if (!result || 'error' in result) throw new Error(`no edit: ${JSON.stringify(result)}`);
  return result.after;
};

describe('addRuntimeDependency', () => {
  it('adds dependencies before devDependencies when there are none, in the file indentation', () => {
    expect(edit('{\n\t"name": "a",\n\t"devDependencies": {\n\t\t"x": "1"\n\t}\n}\n')).toBe(
      '{\n\t"name": "a",\n\t"dependencies": {\n\t\t"shutdown-lint": "^0.1.0"\n\t},\n\t"devDependencies": {\n\t\t"x": "1"\n\t}\n}\n',
    );
    expect(edit('{\n  "name": "a"\n}')).toBe(
      '{\n  "name": "a",\n  "dependencies": {\n    "shutdown-lint": "^0.1.0"\n  }\n}',
    );
  });

  it('inserts in name order when the dependencies are sorted, last when they are not', () => {
    expect(edit('{\n  "dependencies": {\n    "a": "1",\n    "z": "1"\n  }\n}\n')).toBe(
      '{\n  "dependencies": {\n    "a": "1",\n    "shutdown-lint": "^0.1.0",\n    "z": "1"\n  }\n}\n',
    );
    expect(edit('{\n  "dependencies": {\n    "z": "1",\n    "a": "1"\n  }\n}\n')).toBe(
      '{\n  "dependencies": {\n    "z": "1",\n    "a": "1",\n    "shutdown-lint": "^0.1.0"\n  }\n}\n',
    );
  });

  it('moves it from devDependencies, dropping an emptied devDependencies, and keeps CRLF', () => {
    expect(edit('{\r\n  "name": "a",\r\n  "devDependencies": {\r\n    "shutdown-lint": "^0.0.1"\r\n  }\r\n}\r\n')).toBe(
      '{\r\n  "name": "a",\r\n  "dependencies": {\r\n    "shutdown-lint": "^0.1.0"\r\n  }\r\n}\r\n',
    );
    const result = addRuntimeDependency('{"devDependencies": {"shutdown-lint": "1"}}', '^0.1.0');
    expect(result && 'action' in result && result.action).toBe(
      'moved shutdown-lint@^0.1.0 from devDependencies to dependencies',
    );
  });

  it('leaves a package that already depends on it, or is shutdown-lint, and names bad JSON', () => {
    expect(addRuntimeDependency('{"dependencies": {"shutdown-lint": "^0.0.1"}}', '^0.1.0')).toBeUndefined();
    expect(addRuntimeDependency('{"name": "shutdown-lint"}', '^0.1.0')).toBeUndefined();
    expect(addRuntimeDependency('{"name": ', '^0.1.0')).toMatchObject({
      error: expect.stringMatching(/^is not valid JSON/),
    });
    expect(addRuntimeDependency('{"dependencies": []}', '^0.1.0')).toEqual({
      error: '"dependencies" is not an object',
    });
  });
});

describe('planDependencies', () => {
  it('edits each nearest package.json once, and names files with none or a broken one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shutdown-lint-deps-'));
    try {
      mkdirSync(join(dir, 'svc', 'src'), { recursive: true });
      mkdirSync(join(dir, 'bad'), { recursive: true });
      writeFileSync(join(dir, 'svc', 'package.json'), '{\n  "name": "svc"\n}\n');
      writeFileSync(join(dir, 'bad', 'package.json'), '{');
      const plan = planDependencies(
        [join(dir, 'svc', 'src', 'a.ts'), join(dir, 'svc', 'src', 'b.ts'), join(dir, 'bad', 'c.ts')],
        '^9.9.9',
      );
      expect(plan.edits.map((e) => [e.path, e.action])).toEqual([
        [join(dir, 'svc', 'package.json'), 'added shutdown-lint@^9.9.9 to dependencies'],
      ]);
      expect(plan.edits[0]!.before).toBe(readFileSync(join(dir, 'svc', 'package.json'), 'utf8'));
      expect(plan.problems).toEqual([
        {
          path: join(dir, 'bad', 'package.json'),
          reason: expect.stringMatching(/^is not valid JSON .*: add shutdown-lint@\^9\.9\.9/),
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the version this package runs as', () => {
    const own = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(runningVersionRange()).toBe(`^${own.version}`);
  });
});
