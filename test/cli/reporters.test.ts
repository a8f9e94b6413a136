import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import type { LintMessage, LintResult, ReportContext } from '../../src/cli/results.js';
import { reporters } from '../../src/cli/reporters/index.js';

const cwd = path.resolve('/repo');

function result(relativePath: string, messages: LintMessage[], extra: Partial<LintResult> = {}): LintResult {
  const count = (severity: 1 | 2) => messages.filter((message) => message.severity === severity).length;
  return {
    filePath: path.join(cwd, relativePath),
    messages,
    suppressedMessages: [],
    errorCount: count(2),
    fatalErrorCount: messages.filter((message) => message.fatal).length,
    warningCount: count(1),
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
    ...extra,
  };
}

const server = result(
  'src/server.ts',
  [
    {
      ruleId: 'shutdown/no-floating-shutdown',
      severity: 2,
      message: 'Promise returned by close() is not awaited.',
      line: 3,
      column: 5,
      endLine: 3,
      endColumn: 20,
      messageId: 'floating',
      nodeType: 'CallExpression',
    },
    {
      ruleId: 'shutdown/bounded-close',
      severity: 1,
      message: 'server.close() waits for keep-alive connections with no deadline.',
      line: 10,
      column: 1,
      endLine: 12,
      endColumn: 3,
      messageId: 'unbounded',
      nodeType: 'CallExpression',
      suggestions: [
        {
          desc: 'Call server.closeIdleConnections() after close().',
          messageId: 'closeIdle',
          fix: { range: [140, 140], text: '\nserver.closeIdleConnections();' },
        },
      ],
    },
  ],
  {
    suppressedMessages: [
      {
        ruleId: 'shutdown/no-process-exit',
        severity: 2,
        message: 'process.exit() skips cleanup.',
        line: 20,
        column: 3,
        endLine: 20,
        endColumn: 17,
        nodeType: 'CallExpression',
        suppressions: [{ kind: 'directive', justification: 'CLI entry point' }],
      },
    ],
  },
);

const clean = result('src/clean.ts', []);

const broken = result(
  'src/broken.ts',
  [
    {
      ruleId: null,
      fatal: true,
      severity: 2,
      message: "Parsing error: ')' expected.",
      line: 4,
      column: 12,
      nodeType: null,
    },
  ],
  { source: 'function stop(\n' },
);

// A space and a comma in the path, and `%`, `:` and a newline in the message: all need escaping somewhere.
const awkward = result('src/my dir/a,b.ts', [
  {
    ruleId: 'shutdown/no-process-exit',
    severity: 1,
    message: '100% of requests: dropped\nby process.exit()',
    line: 2,
    column: 3,
    endLine: 2,
    endColumn: 17,
    nodeType: 'CallExpression',
  },
]);

const results = [server, clean, broken, awkward];

const context: ReportContext = {
  cwd,
  // Bare ids, as RuleMeta carries them: the SARIF reporter qualifies them to match result ruleIds.
  rules: [
    {
      id: 'no-floating-shutdown',
      description: 'Await shutdown promises.',
      helpUri: 'https://example.test/rules/no-floating-shutdown',
      defaultSeverity: 'error',
    },
    {
      id: 'bounded-close',
      description: 'Bound server.close() with a deadline.',
      helpUri: 'https://example.test/rules/bounded-close',
      defaultSeverity: 'warn',
    },
    {
      id: 'no-process-exit',
      description: 'Let cleanup run before exiting.',
      helpUri: 'https://example.test/rules/no-process-exit',
      defaultSeverity: 'warn',
    },
  ],
  toolVersion: '0.1.0',
  color: false,
};

/**
 * ESLint's own stylish formatter. It prints paths as given, so it gets them relative to cwd; and
 * ESLint sorts results by path before formatting, so callers pass them sorted to compare like with like.
 */
async function eslintStylish(input: LintResult[], color: boolean): Promise<string> {
  const formatter = await new ESLint({ cwd, overrideConfigFile: true }).loadFormatter('stylish');
  const relative = input.map((entry) => ({ ...entry, filePath: path.relative(cwd, entry.filePath) }));
  return formatter.format(relative as unknown as ESLint.LintResult[], { color } as never);
}

const byPath = (input: LintResult[]) =>
  input.toSorted((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));

describe('stylish', () => {
  it('prints rows per file and a summary, skipping clean files', () => {
    expect(reporters.stylish(results, context)).toBe(
      [
        '',
        'src/server.ts',
        '   3:5  error    Promise returned by close() is not awaited                        shutdown/no-floating-shutdown',
        '  10:1  warning  server.close() waits for keep-alive connections with no deadline  shutdown/bounded-close',
        '',
        'src/broken.ts',
        "  4:12  error  Parsing error: ')' expected",
        '',
        'src/my dir/a,b.ts',
        '  2:3  warning  100% of requests: dropped',
        'by process.exit()  shutdown/no-process-exit',
        '',
        '\u2716 4 problems (2 errors, 2 warnings)',
        '',
      ].join('\n'),
    );
  });

  it('matches ESLint\u2019s stylish formatter byte for byte, with and without colour', async () => {
    const fixable = [{ ...server, fixableWarningCount: 1 }, clean, broken, awkward];
    for (const color of [false, true]) {
      for (const input of [byPath(results), byPath(fixable), [awkward]]) {
        expect(reporters.stylish(input, { ...context, color })).toBe(await eslintStylish(input, color));
      }
    }
  });

  it('adds ANSI escapes only when colour is on', () => {
    expect(reporters.stylish(results, context)).not.toContain('\u001b[');
    const coloured = reporters.stylish(results, { ...context, color: true });
    expect(coloured).toContain('\u001b[31merror\u001b[39m');
    expect(coloured).toContain('\u001b[33mwarning\u001b[39m');
    expect(coloured).toContain('\u001b[4msrc/server.ts\u001b[24m');
  });

  it('prints nothing when there are no problems', () => {
    expect(reporters.stylish([clean], context)).toBe('');
    expect(reporters.stylish([], context)).toBe('');
  });
});

describe('json', () => {
  it('is JSON.stringify of the results, as ESLint\u2019s json formatter', () => {
    const output = reporters.json(results, context);
    expect(output).toBe(JSON.stringify(results));
    expect(JSON.parse(output)).toEqual(results);
  });
});

describe('github', () => {
  it('prints one workflow command per message, escaped', () => {
    expect(reporters.github(results, context).split('\n')).toEqual([
      '::error file=src/server.ts,line=3,col=5,endLine=3,endColumn=20,title=shutdown/no-floating-shutdown::Promise returned by close() is not awaited.',
      '::warning file=src/server.ts,line=10,col=1,endLine=12,endColumn=3,title=shutdown/bounded-close::server.close() waits for keep-alive connections with no deadline.',
      "::error file=src/broken.ts,line=4,col=12::Parsing error: ')' expected.",
      '::warning file=src/my dir/a%2Cb.ts,line=2,col=3,endLine=2,endColumn=17,title=shutdown/no-process-exit::100%25 of requests: dropped%0Aby process.exit()',
    ]);
  });

  it('escapes `:` and line breaks in property values', () => {
    const odd = result('odd:\r\nname.ts', [{ ...awkward.messages[0], message: 'm' }]);
    expect(reporters.github([odd], context)).toBe(
      '::warning file=odd%3A%0D%0Aname.ts,line=2,col=3,endLine=2,endColumn=17,title=shutdown/no-process-exit::m',
    );
  });

  it('prints nothing when there are no problems', () => {
    expect(reporters.github([clean], context)).toBe('');
  });
});

/**
 * The SARIF 2.1.0 schema as published with Microsoft's @microsoft/jest-sarif (the 2.1.0-rtm.5
 * schema from SchemaStore). It is written in JSON Schema draft-04, which Ajv 8 does not load;
 * the checks below prove the only draft-04 features that differ from draft-07 are absent apart
 * from the root `id`, so renaming that to `$id` lets the draft-07 validator apply it unchanged.
 */
function loadSarifSchema(): object {
  const require = createRequire(import.meta.url);
  const text = readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8');
  const { $schema, id, ...schema } = JSON.parse(text) as { $schema: string; id: string };
  expect($schema).toBe('http://json-schema.org/draft-04/schema#');
  expect(text).not.toMatch(/"exclusiveM(in|ax)imum"/);
  expect(text.match(/"id"\s*:\s*"/g)).toHaveLength(1);
  return { $id: id, ...schema };
}

function sarifValidator() {
  // The schema's `language` pattern has a stray `]`, legal only in a non-unicode RegExp; we emit no
  // `language`, so compiling patterns without the `u` flag changes nothing we are checked on.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  // Hand-written format checks, so the test needs no further package. A URI reference may only
  // hold RFC 3986 characters or %XX escapes: this is what catches a path that was not encoded.
  const uriReference = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
  ajv.addFormat('uri-reference', uriReference);
  ajv.addFormat('uri', (value: string) => uriReference.test(value) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value));
  // The reporter writes no timestamps; this only has to be defined for the schema to compile.
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
  return ajv.compile(loadSarifSchema());
}

// Loose on purpose: the test reads the log the way a SARIF consumer would, as plain JSON.
type Json = any;

describe('sarif', () => {
  const log: Json = JSON.parse(reporters.sarif(results, context));
  const run = log.runs[0];

  it('is valid against the SARIF 2.1.0 JSON schema', () => {
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('is rejected by the same validator when it is broken', () => {
    const validate = sarifValidator();
    const badLevel = structuredClone(log);
    badLevel.runs[0].results[0].level = 'fatal';
    expect(validate(badLevel)).toBe(false);
    const rawSpace = structuredClone(log);
    rawSpace.runs[0].artifacts[3].location.uri = 'src/my dir/a,b.ts';
    expect(validate(rawSpace)).toBe(false);
  });

  it('describes the tool and its rules', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({ name: 'shutdown-lint', version: '0.1.0' });
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
    expect(run.tool.driver.rules).toEqual([
      {
        id: 'shutdown/no-floating-shutdown',
        shortDescription: { text: 'Await shutdown promises.' },
        helpUri: 'https://example.test/rules/no-floating-shutdown',
        defaultConfiguration: { level: 'error' },
      },
      {
        id: 'shutdown/bounded-close',
        shortDescription: { text: 'Bound server.close() with a deadline.' },
        helpUri: 'https://example.test/rules/bounded-close',
        defaultConfiguration: { level: 'warning' },
      },
      {
        id: 'shutdown/no-process-exit',
        shortDescription: { text: 'Let cleanup run before exiting.' },
        helpUri: 'https://example.test/rules/no-process-exit',
        defaultConfiguration: { level: 'warning' },
      },
    ]);
  });

  it('does not qualify rule ids twice', () => {
    const qualified = { ...context, rules: context.rules.map((rule) => ({ ...rule, id: `shutdown/${rule.id}` })) };
    expect(
      JSON.parse(reporters.sarif(results, qualified)).runs[0].tool.driver.rules.map((rule: Json) => rule.id),
    ).toEqual(run.tool.driver.rules.map((rule: Json) => rule.id));
  });

  it('lists every file, clean ones included, relative to %SRCROOT% and percent-encoded', () => {
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///repo/' } });
    expect(run.artifacts.map((artifact: Json) => artifact.location)).toEqual([
      { uri: 'src/server.ts', uriBaseId: '%SRCROOT%' },
      { uri: 'src/clean.ts', uriBaseId: '%SRCROOT%' },
      { uri: 'src/broken.ts', uriBaseId: '%SRCROOT%' },
      { uri: 'src/my%20dir/a%2Cb.ts', uriBaseId: '%SRCROOT%' },
    ]);
    for (const [index, artifact] of run.artifacts.entries()) {
      const resolved = new URL(artifact.location.uri, run.originalUriBaseIds['%SRCROOT%'].uri);
      expect(fileURLToPath(resolved)).toBe(results[index].filePath);
    }
  });

  it('reports findings with rule, level, message and region', () => {
    expect(run.results).toHaveLength(4);
    const [floating, unbounded, suppressed, exit] = run.results;
    expect(floating).toEqual({
      ruleId: 'shutdown/no-floating-shutdown',
      ruleIndex: 0,
      level: 'error',
      message: { text: 'Promise returned by close() is not awaited.' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/server.ts', uriBaseId: '%SRCROOT%', index: 0 },
            region: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 20 },
          },
        },
      ],
    });
    expect(unbounded).toMatchObject({ ruleId: 'shutdown/bounded-close', ruleIndex: 1, level: 'warning' });
    expect(suppressed).toMatchObject({
      ruleId: 'shutdown/no-process-exit',
      ruleIndex: 2,
      suppressions: [{ kind: 'inSource', justification: 'CLI entry point' }],
    });
    expect(exit).toMatchObject({
      ruleIndex: 2,
      message: { text: '100% of requests: dropped\nby process.exit()' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'src/my%20dir/a%2Cb.ts', index: 3 } } }],
    });
    for (const sarifResult of run.results) {
      expect(run.tool.driver.rules[sarifResult.ruleIndex].id).toBe(sarifResult.ruleId);
    }
  });

  it('reports a parse error as a tool execution notification, not a result', () => {
    expect(run.invocations).toEqual([
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          {
            level: 'error',
            message: { text: "Parsing error: ')' expected." },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'src/broken.ts', uriBaseId: '%SRCROOT%', index: 2 },
                  region: { startLine: 4, startColumn: 12 },
                },
              },
            ],
          },
        ],
      },
    ]);
    expect(run.results.some((sarifResult: Json) => sarifResult.ruleId === null)).toBe(false);
  });

  it('gives a file outside cwd an absolute file URI', () => {
    const outside = { ...clean, filePath: path.resolve('/elsewhere/x.ts') };
    const outsideRun = JSON.parse(reporters.sarif([outside], context)).runs[0];
    expect(outsideRun.artifacts[0].location).toEqual({ uri: 'file:///elsewhere/x.ts' });
    expect(sarifValidator()(JSON.parse(reporters.sarif([outside], context)))).toBe(true);
  });

  it('is a valid, empty log when nothing was linted', () => {
    const empty = JSON.parse(reporters.sarif([], { ...context, rules: [] }));
    expect(empty.runs[0].results).toEqual([]);
    expect(sarifValidator()(empty)).toBe(true);
  });
});
