import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import transform from '../../codemods/unflushed-buffer-to-lifecycle-defer.js';
import { describeCodemod } from './define.js';
import { codemodFixture, commentsOf, typeErrors } from './support.js';

describeCodemod(transform, {
  'left.ts': [
    '6: the client is started through a function imported by name',
    '9: made in `startTracing`, not at module or service scope',
    '13: `audit.closeAndFlush()` already runs off the shutdown path',
    "19: `errors.end()` runs on the shutdown path, but nothing waits for `'finish'`",
  ],
  'script.ts': ['4: a script is not stopped by a signal: flush `producer`'],
});

// Flushed only off the shutdown path (a function only the tests call): OpenTelemetry's SDK and
// providers shut down once, so they are adopted and the other flush stays; a Segment client (left.ts)
// is left for a person, since a second `closeAndFlush` is not known to be harmless.
describe('unflushed-buffer-to-lifecycle-defer on telemetry flushed off the shutdown path', () => {
  const fixture = codemodFixture(transform.codemod.name);
  const input = fixture.cases.find((c) => c.name === 'off-path.ts')!;

  it('adopts what require-flush reports as flushed off the path, and keeps the other flush', () => {
    expect(fixture.analysed(input.inputPath).findings.map((f) => `${f.line} ${f.messageId}`)).toEqual([
      '7 flushedOffShutdownPath',
      '14 flushedOffShutdownPath',
    ]);
    const output = fixture.apply(transform, input.inputPath).output!;
    expect(output).toContain('return sdk.shutdown();');
    expect(output).toContain('await meters.shutdown();');
  });
});

// Sentry's client is the module's own: a `Sentry.close()` anywhere in a program closes every
// `Sentry.init()` of it, and a `lifecycle.defer` anywhere handles SIGTERM for pino. So these inputs
// (a service that leaves SIGTERM to Node's default action) and their outputs are two projects.
describe('unflushed-buffer-to-lifecycle-defer on module clients and pino', () => {
  const name = transform.codemod.name;
  const before = codemodFixture(`${name}/module-clients/before`);
  const after = codemodFixture(`${name}/module-clients/after`);
  const outputPath = (inputPath: string): string =>
    inputPath.replace('/before/', '/after/').replace('.input.', '.output.');

  it('has cases', () => {
    expect(before.cases.map((c) => c.name)).toEqual(['pino.ts', 'sentry.cjs', 'sentry.ts']);
  });

  it('the projects type-check', () => {
    expect(typeErrors(before.dir)).toEqual([]);
    expect(typeErrors(after.dir)).toEqual([]);
  });

  for (const c of before.cases) {
    describe(c.name, () => {
      const expected = readFileSync(outputPath(c.inputPath), 'utf8');

      it('is reported, and rewritten into the output with nothing left', () => {
        expect(before.analysed(c.inputPath).findings.map((f) => f.ruleId)).toEqual(['require-flush']);
        const result = before.apply(transform, c.inputPath);
        expect(result.output).toBe(expected);
        expect(result.left).toEqual([]);
        for (const comment of commentsOf(c.input)) expect(expected).toContain(comment);
      });

      it('no rule reports the output, and a second run changes nothing', () => {
        expect(after.analysed(outputPath(c.inputPath)).findings).toEqual([]);
        expect(after.apply(transform, outputPath(c.inputPath)).output).toBeNull();
      });
    });
  }
});
