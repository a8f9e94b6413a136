// The field corpus' scoring and validation (scripts/field/score.js), on a tiny synthetic corpus and
// a fake report shaped as the CLI's `-f json` prints it (ESLint's JSON formatter).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rules as ruleList } from '../../rules/index.js';
import { deployRules } from '../../rules/deploy/index.js';
import { describe, expect, it } from 'vitest';

interface Finding {
  rule: string;
  path: string;
  line: number;
  messageId?: string;
  message?: string;
}
interface Counts {
  hazards: number;
  matched: number;
  true: number;
  false: number;
  debatable: number;
  unjudged: number;
  traps: number;
  trapsHit: number;
  recall: number | null;
  precision: number | null;
}
interface Score {
  hazards: { id: string; matched: boolean }[];
  traps: { id: string; hit: boolean }[];
  findings: (Finding & { verdict: string; hazard?: string; trap?: string })[];
  rules: Record<string, Omit<Counts, 'recall' | 'precision'>>;
  totals: Counts;
}
interface ScoreModule {
  validateService(service: unknown, rules: Iterable<string> | Map<string, Iterable<string>>): string[];
  readFindings(report: unknown, root: string): { findings: Finding[]; other: { path: string; message: string }[] };
  scoreService(service: unknown, findings: Finding[], options?: { rule?: string }): Score;
  summarize(scores: Score[]): { rules: Record<string, Counts>; totals: Counts };
}

const root = resolve(import.meta.dirname, '..', '..');
const { validateService, readFindings, scoreService, summarize } = (await import(
  pathToFileURL(join(root, 'scripts', 'field', 'score.js')).href
)) as ScoreModule;
// As the harness knows them: the code rules with their message ids, the deploy checks without.
const rules = new Map<string, string[]>([
  ...ruleList.map((rule): [string, string[]] => [rule.meta.id, Object.keys(rule.meta.messages)]),
  ...deployRules.map((rule): [string, string[]] => [rule.meta.id, []]),
]);

function service(): Record<string, unknown> & { judgements: Record<string, unknown>[] } {
  return {
    repo: 'acme/orders',
    commit: 'a'.repeat(40),
    kind: 'Express API, JavaScript',
    paths: ['.'],
    shutdownCode: 'server.js:40 closes the server on SIGTERM and nothing else',
    hazards: [
      {
        id: 'H1',
        rule: 'no-untracked-promise',
        path: 'src/routes.js',
        lines: [10, 12],
        why: 'receipt sent after the response',
      },
      { id: 'H2', rule: 'no-unclosed-resource', path: 'src/db.js', lines: [3, 3], why: 'pool never closed' },
      { id: 'H3', rule: 'require-close-timeout', path: 'server.js', lines: [41, 41], why: 'close without a deadline' },
    ],
    traps: [{ id: 'T1', rule: 'no-untracked-promise', path: 'server.js', lines: [50, 50], why: 'the entry promise' }],
    judgements: [],
  };
}

const checkout = '/tmp/checkouts/acme+orders@aaaaaaaaaaaa';
function report(messages: { file: string; ruleId: string | null; line: number; messageId?: string }[]): unknown {
  const files = new Map<string, unknown[]>();
  for (const m of messages) {
    const list = files.get(m.file) ?? [];
    list.push({
      ruleId: m.ruleId,
      severity: 2,
      message: `message of ${m.ruleId ?? 'parser'}`,
      line: m.line,
      column: 3,
      messageId: m.messageId,
    });
    files.set(m.file, list);
  }
  return [...files].map(([file, list]) => ({
    filePath: `${checkout}/${file}`,
    messages: list,
    errorCount: list.length,
  }));
}

describe('field: readFindings', () => {
  it('reads the CLI report with paths relative to the checkout and the rule without its prefix', () => {
    const { findings, other } = readFindings(
      report([
        { file: 'src/routes.js', ruleId: 'shutdown/no-untracked-promise', line: 11, messageId: 'untrackedInHandler' },
        { file: 'src/broken.js', ruleId: null, line: 1 },
      ]),
      `${checkout}/`,
    );
    expect(findings).toEqual([
      {
        rule: 'no-untracked-promise',
        path: 'src/routes.js',
        line: 11,
        column: 3,
        messageId: 'untrackedInHandler',
        message: 'message of shutdown/no-untracked-promise',
      },
    ]);
    expect(other).toHaveLength(1);
    expect(other[0].path).toBe('src/broken.js');
  });
});

describe('field: scoreService', () => {
  const findings = (list: [string, string, number, string?][]): Finding[] =>
    list.map(([rule, path, line, messageId]) => ({ rule, path, line, messageId }));

  it('matches a finding of the same rule inside a hazard range, and nothing outside it', () => {
    const score = scoreService(
      service(),
      findings([
        ['no-untracked-promise', 'src/routes.js', 12], // H1's last line: matched
        ['no-unclosed-resource', 'src/db.js', 4], // one line below H2: not matched
        ['no-exit-before-cleanup', 'server.js', 41], // H3's line, another rule: not matched
      ]),
    );
    expect(score.hazards.map((h) => [h.id, h.matched])).toEqual([
      ['H1', true],
      ['H2', false],
      ['H3', false],
    ]);
    expect(score.findings.map((f) => f.verdict)).toEqual(['true', 'unjudged', 'unjudged']);
    expect(score.totals).toMatchObject({
      hazards: 3,
      matched: 1,
      true: 1,
      false: 0,
      unjudged: 2,
      recall: 1 / 3,
      precision: 1,
    });
    expect(score.rules['no-unclosed-resource']).toMatchObject({ hazards: 1, matched: 0, unjudged: 1 });
  });

  it('counts a finding in a trap as false, and in another file as unjudged', () => {
    const score = scoreService(
      service(),
      findings([
        ['no-untracked-promise', 'server.js', 50],
        ['no-untracked-promise', 'src/other.js', 50],
      ]),
    );
    expect(score.findings.map((f) => [f.verdict, f.trap])).toEqual([
      ['false', 'T1'],
      ['unjudged', undefined],
    ]);
    expect(score.traps).toEqual([expect.objectContaining({ id: 'T1', hit: true })]);
    expect(score.totals).toMatchObject({ true: 0, false: 1, precision: 0, trapsHit: 1, traps: 1 });
  });

  it('lets a judgement override the ranges, with its messageId when it gives one', () => {
    const s = service();
    s.judgements = [
      // A finding inside H1's range that is really about something else.
      {
        rule: 'no-untracked-promise',
        path: 'src/routes.js',
        line: 10,
        messageId: 'untrackedInHandler',
        verdict: 'false',
        class: 'x',
        why: 'y',
      },
      // A finding outside H2's range that is H2 (reported at the pool's use, say).
      { rule: 'no-unclosed-resource', path: 'src/db.js', line: 9, verdict: 'true', hazard: 'H2', why: 'y' },
      { rule: 'require-close-timeout', path: 'server.js', line: 60, verdict: 'debatable', why: 'y' },
    ];
    const score = scoreService(
      s,
      findings([
        ['no-untracked-promise', 'src/routes.js', 10, 'untrackedInHandler'],
        ['no-untracked-promise', 'src/routes.js', 10, 'unusedLocalInHandler'], // other messageId: the range decides
        ['no-unclosed-resource', 'src/db.js', 9],
        ['require-close-timeout', 'server.js', 60],
      ]),
    );
    expect(score.findings.map((f) => f.verdict)).toEqual(['false', 'true', 'true', 'debatable']);
    expect(score.hazards.map((h) => h.matched)).toEqual([true, true, false]);
    expect(score.totals).toMatchObject({ true: 2, false: 1, debatable: 1, precision: 2 / 3, recall: 2 / 3 });
  });

  it('scores one rule with { rule }', () => {
    const score = scoreService(
      service(),
      findings([
        ['no-untracked-promise', 'src/routes.js', 11],
        ['no-unclosed-resource', 'src/db.js', 3],
      ]),
      {
        rule: 'no-unclosed-resource',
      },
    );
    expect(score.hazards.map((h) => h.id)).toEqual(['H2']);
    expect(score.findings).toHaveLength(1);
    expect(score.totals).toMatchObject({ hazards: 1, matched: 1, traps: 0 });
  });

  it('sums services per rule and overall', () => {
    const a = scoreService(service(), findings([['no-untracked-promise', 'src/routes.js', 11]]));
    const b = scoreService(service(), findings([['no-untracked-promise', 'server.js', 50]]));
    const { rules: perRule, totals } = summarize([a, b]);
    expect(perRule['no-untracked-promise']).toMatchObject({
      hazards: 2,
      matched: 1,
      true: 1,
      false: 1,
      recall: 0.5,
      precision: 0.5,
    });
    expect(totals).toMatchObject({ hazards: 6, matched: 1, true: 1, false: 1 });
    expect(perRule['require-close-timeout'].precision).toBeNull();
  });
});

describe('field: validateService', () => {
  it('accepts a valid file', () => {
    expect(validateService(service(), rules)).toEqual([]);
  });

  it.each([
    ['a short commit', (s: Record<string, any>) => (s.commit = 'abc123'), /commit/],
    ['a missing kind', (s: Record<string, any>) => delete s.kind, /kind/],
    [
      'an unknown rule',
      (s: Record<string, any>) => (s.hazards[0].rule = 'no-such-rule'),
      /unknown rule "no-such-rule"/,
    ],
    [
      'a prefixed rule',
      (s: Record<string, any>) => (s.traps[0].rule = 'shutdown/no-untracked-promise'),
      /without the shutdown\/ prefix/,
    ],
    ['backwards lines', (s: Record<string, any>) => (s.hazards[1].lines = [5, 3]), /run backwards/],
    ['one line number', (s: Record<string, any>) => (s.hazards[1].lines = [5]), /lines must be/],
    ['a duplicate id', (s: Record<string, any>) => (s.traps[0].id = 'H1'), /id H1 is used twice/],
    ['an absolute path', (s: Record<string, any>) => (s.hazards[0].path = '/src/routes.js'), /relative/],
    [
      'a judgement naming no hazard of the file',
      (s: Record<string, any>) =>
        s.judgements.push({
          rule: 'no-untracked-promise',
          path: 'a.js',
          line: 1,
          verdict: 'true',
          hazard: 'T1',
          why: 'y',
        }),
      /hazard "T1" is no hazard id/,
    ],
    [
      'a false judgement without its class',
      (s: Record<string, any>) =>
        s.judgements.push({ rule: 'no-untracked-promise', path: 'a.js', line: 1, verdict: 'false', why: 'y' }),
      /class of mistake/,
    ],
    [
      'a judgement naming a message its rule does not have',
      (s: Record<string, any>) =>
        s.judgements.push({
          rule: 'no-untracked-promise',
          path: 'a.js',
          line: 1,
          messageId: 'untrackedPromise',
          verdict: 'true',
          why: 'y',
        }),
      /no-untracked-promise has no message "untrackedPromise"/,
    ],
    [
      'an unknown verdict',
      (s: Record<string, any>) =>
        s.judgements.push({ rule: 'no-untracked-promise', path: 'a.js', line: 1, verdict: 'maybe', why: 'y' }),
      /verdict/,
    ],
  ])('rejects %s', (_name, spoil, problem) => {
    const s = service();
    spoil(s);
    const problems = validateService(s, rules);
    expect(problems.join('\n')).toMatch(problem);
  });

  it('accepts every service file of the corpus', () => {
    const dir = join(root, 'fixtures', 'field', 'services');
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
    for (const file of files) {
      const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { repo: string };
      expect(validateService(parsed, rules), file).toEqual([]);
      expect(file).toBe(`${parsed.repo.replace('/', '+')}.json`);
    }
  });
});
