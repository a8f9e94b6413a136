// The proof every codemod gives on its fixture pairs: input -> output exactly; the output
// type-checks and its rule no longer reports what was rewritten; a second run changes nothing;
// comments are kept; run alone (as `npx jscodeshift -t …` runs it) it finds the same findings
// itself and reports what it leaves for a person.
import { describe, expect, it } from 'vitest';
import type { CodemodTransform } from '../../codemods/lib/codemod.js';
import { codemodFixture, commentsOf, jscodeshiftApi, typeErrors } from './support.js';

/** `case file name` -> `line: reason fragment` of each finding left for a person. */
export type ExpectedLeft = Record<string, string[]>;

export function describeCodemod(transform: CodemodTransform, expectedLeft: ExpectedLeft = {}): void {
  const { name } = transform.codemod;
  const rule = transform.codemod.rule.meta.id;
  describe(name, () => {
    const fixture = codemodFixture(name);

    it('has fixture pairs', () => {
      expect(fixture.cases.filter((c) => c.expected !== undefined).length).toBeGreaterThan(0);
      expect(Object.keys(expectedLeft).every((file) => fixture.cases.some((c) => c.name === file))).toBe(true);
    });

    it('the fixture project, inputs and outputs, type-checks', () => {
      expect(typeErrors(fixture.dir)).toEqual([]);
    });

    for (const c of fixture.cases) {
      describe(c.name, () => {
        it('rewrites the input into the output, leaving for a person only what it says', () => {
          const result = fixture.apply(transform, c.inputPath);
          expect(result.output ?? c.input).toBe(c.expected ?? c.input);
          expect(result.left.map((l) => `${l.line}: ${l.reason}`)).toEqual(
            (expectedLeft[c.name] ?? []).map((fragment) => expect.stringContaining(fragment)),
          );
          if (c.expected === undefined) expect(result.output).toBeNull();
        });

        it('keeps every comment', () => {
          const result = fixture.apply(transform, c.inputPath);
          const output = result.output ?? c.input;
          for (const comment of commentsOf(c.input)) expect(output).toContain(comment);
        });

        if (c.outputPath) {
          const outputPath = c.outputPath;
          it(`${rule} reports on the output only what was left for a person, and no other rule reports it`, () => {
            const left = (expectedLeft[c.name] ?? []).length;
            const findings = fixture.analysed(outputPath).findings;
            expect(findings.filter((f) => f.ruleId === rule)).toHaveLength(left);
            expect(
              findings.filter((f) => f.ruleId !== rule).map((f) => `${f.line}: ${f.ruleId} ${f.messageId}`),
            ).toEqual([]);
          });

          it('changes nothing on a second run', () => {
            expect(fixture.apply(transform, outputPath).output).toBeNull();
          });
        }

        it('run alone, it analyses the file itself and reports what it leaves', () => {
          const reports: string[] = [];
          const output = transform({ path: c.inputPath, source: c.input }, jscodeshiftApi(reports), {});
          expect(output).toBe(c.expected ?? null);
          expect(reports).toHaveLength((expectedLeft[c.name] ?? []).length);
          expect(reports.every((r) => r.includes('left for a person'))).toBe(true);
        });
      });
    }
  });
}
