// Inline disable comments in the CLI, against ESLint itself as the oracle.
//
// fixtures/cli/directive-edges/src/ has one file per case. Every call there is labelled:
// `sendReceipt('suppressed')` must be suppressed, `sendReceipt('reported')` must be reported.
// For the eslint-* files, ESLint's Linter (with a stand-in `shutdown/no-untracked-promise` rule that
// reports exactly those calls) first confirms the labels, then the CLI must agree with ESLint on
// which findings are suppressed and with which justification: directives.ts promises that "the
// CLI and the ESLint face suppress alike". The shutdown-lint-* files are the CLI's own syntax.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tsParser from '@typescript-eslint/parser';
import { Linter, type Rule } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LintResult } from '../../src/cli/results.js';
import { cli, fixture, resultsByFile } from './cli-support.js';

const directory = fixture('directive-edges');
const ruleId = 'shutdown/no-untracked-promise';
const label = /sendReceipt\('(suppressed|reported)'\)/g;

interface Call {
  line: number;
  /** 0-based, as ESLint's loc. */
  column: number;
  expected: 'suppressed' | 'reported';
}

function labelledCalls(text: string): Call[] {
  const calls: Call[] = [];
  const lines = text.split('\n');
  lines.forEach((lineText, index) => {
    for (const match of lineText.matchAll(label)) {
      calls.push({ line: index + 1, column: match.index, expected: match[1] as Call['expected'] });
    }
  });
  return calls;
}

/** What a reader can compare: [line, justification] of suppressed findings, lines of reported ones. */
interface Outcome {
  suppressed: [number, string][];
  reported: number[];
}

function eslintOutcome(fileName: string, text: string): Outcome {
  const calls = labelledCalls(text);
  const standIn: Rule.RuleModule = {
    meta: { type: 'problem', schema: [] },
    create: (context) => ({
      Program() {
        for (const call of calls) {
          context.report({
            loc: {
              start: { line: call.line, column: call.column },
              end: { line: call.line, column: call.column + 11 },
            },
            message: 'stand-in',
          });
        }
      },
    }),
  };
  // getSuppressedMessages() is public API (docs: Linter#getSuppressedMessages) missing from ESLint's types.
  const linter = new Linter({ configType: 'flat' }) as Linter & {
    getSuppressedMessages(): Linter.SuppressedLintMessage[];
  };
  const messages = linter.verify(
    text,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tsParser },
        plugins: { shutdown: { rules: { 'no-untracked-promise': standIn } } },
        rules: { [ruleId]: 'error' },
      },
    ],
    { filename: fileName },
  );
  const fatal = messages.find((message) => message.fatal);
  if (fatal) throw new Error(`ESLint could not parse ${fileName}: ${fatal.message}`);
  return {
    suppressed: linter
      .getSuppressedMessages()
      .filter((message) => message.ruleId === ruleId)
      .map((message) => [message.line, message.suppressions.map((s) => s.justification).join('\n')]),
    reported: messages.filter((message) => message.ruleId === ruleId).map((message) => message.line),
  };
}

function cliOutcome(result: LintResult): Outcome {
  return {
    suppressed: result.suppressedMessages
      .filter((message) => message.ruleId === ruleId)
      .map((message) => [message.line, message.suppressions.map((s) => s.justification).join('\n')]),
    reported: result.messages.filter((message) => message.ruleId === ruleId).map((message) => message.line),
  };
}

function labelled(text: string): { suppressed: number[]; reported: number[] } {
  const calls = labelledCalls(text);
  return {
    suppressed: calls.filter((call) => call.expected === 'suppressed').map((call) => call.line),
    reported: calls.filter((call) => call.expected === 'reported').map((call) => call.line),
  };
}

/** Files where the CLI is known to disagree with ESLint: none now; name one here with the reason. */
const knownBugs: Record<string, string> = {};

const files = readdirSync(path.join(directory, 'src'))
  .filter((name) => name.endsWith('.ts'))
  .sort();

describe('inline directives, checked against ESLint', { timeout: 120_000 }, () => {
  let results: Map<string, LintResult>;
  beforeAll(() => {
    const run = cli(directory, ['--format', 'json']);
    expect(run.stderr).toBe('');
    results = resultsByFile(run, directory);
  }, 120_000);

  it('the fixture has the cases this test knows about', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const name of Object.keys(knownBugs)) expect(files).toContain(name);
    for (const name of files)
      expect(labelledCalls(readFileSync(path.join(directory, 'src', name), 'utf8')).length).toBeGreaterThan(0);
  });

  describe.each(files.filter((name) => name.startsWith('eslint-')))('%s', (name) => {
    const fileName = path.join(directory, 'src', name);
    const text = readFileSync(fileName, 'utf8');

    it('ESLint suppresses exactly the calls labelled suppressed', () => {
      const eslint = eslintOutcome(fileName, text);
      const expected = labelled(text);
      expect({ suppressed: eslint.suppressed.map(([line]) => line), reported: eslint.reported }).toEqual(expected);
    });

    (knownBugs[name] ? it.fails : it)(
      `the CLI suppresses as ESLint does${knownBugs[name] ? ` (known bug: ${knownBugs[name]})` : ''}`,
      () => {
        const result = results.get(`src/${name}`);
        expect(result, `no result for src/${name}`).toBeDefined();
        expect(cliOutcome(result!)).toEqual(eslintOutcome(fileName, text));
      },
    );
  });

  describe.each(files.filter((name) => name.startsWith('shutdown-lint-')))('%s', (name) => {
    const text = readFileSync(path.join(directory, 'src', name), 'utf8');

    (knownBugs[name] ? it.fails : it)(
      `the CLI suppresses exactly the calls labelled suppressed${knownBugs[name] ? ` (known bug: ${knownBugs[name]})` : ''}`,
      () => {
        const result = results.get(`src/${name}`);
        expect(result, `no result for src/${name}`).toBeDefined();
        const outcome = cliOutcome(result!);
        expect({ suppressed: outcome.suppressed.map(([line]) => line), reported: outcome.reported }).toEqual(
          labelled(text),
        );
      },
    );
  });
});
