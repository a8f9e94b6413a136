// The field corpus' arithmetic, kept free of I/O so that it can be tested on a synthetic corpus:
// validating a service file, turning the CLI's ESLint-shaped JSON into findings, and scoring the
// findings against the labels (fixtures/field/README.md, "Scoring").

const HEX40 = /^[0-9a-f]{40}$/;
const REPO = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const VERDICTS = new Set(['true', 'false', 'debatable']);
const RULE_PREFIX = 'shutdown/';

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value) => typeof value === 'string' && value.trim() !== '';
const isLine = (value) => Number.isInteger(value) && value >= 1;

function checkPath(path, where, problems) {
  if (!isText(path)) problems.push(`${where}: path is missing`);
  else if (path.startsWith('/') || path.includes('\\') || path.split('/').includes('..'))
    problems.push(`${where}: path "${path}" must be relative to the repository root, with /`);
}

function checkRule(rule, ruleIds, where, problems) {
  if (!isText(rule)) problems.push(`${where}: rule is missing`);
  else if (rule.startsWith(RULE_PREFIX))
    problems.push(`${where}: rule "${rule}" must be given without the ${RULE_PREFIX} prefix`);
  else if (!ruleIds.has(rule)) problems.push(`${where}: unknown rule "${rule}"`);
}

/**
 * The problems of one parsed service file (an empty list when it is valid).
 * @param {unknown} service the parsed JSON
 * @param {Iterable<string> | Map<string, Iterable<string>>} knownRules the rule ids, without the
 *   `shutdown/` prefix; as a map, each with its message ids, which judgements are then held to
 * @returns {string[]}
 */
export function validateService(service, knownRules) {
  const ruleIds = new Set(knownRules instanceof Map ? knownRules.keys() : knownRules);
  const messageIds = knownRules instanceof Map ? knownRules : undefined;
  const problems = [];
  if (!isObject(service)) return ['the file is not a JSON object'];
  if (!isText(service.repo) || !REPO.test(service.repo)) problems.push('repo must be "owner/name"');
  if (typeof service.commit !== 'string' || !HEX40.test(service.commit))
    problems.push('commit must be 40 lower-case hex digits');
  if (!isText(service.kind)) problems.push('kind is missing');
  if (!Array.isArray(service.paths) || service.paths.length === 0 || !service.paths.every(isText))
    problems.push('paths must be a non-empty list of paths');
  if (!isText(service.shutdownCode)) problems.push('shutdownCode is missing');
  const ids = new Map();
  for (const list of ['hazards', 'traps']) {
    if (!Array.isArray(service[list])) {
      problems.push(`${list} must be a list`);
      continue;
    }
    service[list].forEach((label, index) => {
      const where = `${list}[${index}]${isObject(label) && isText(label.id) ? ` (${label.id})` : ''}`;
      if (!isObject(label)) return void problems.push(`${where}: not an object`);
      if (!isText(label.id)) problems.push(`${where}: id is missing`);
      else if (ids.has(label.id)) problems.push(`${where}: id ${label.id} is used twice`);
      else ids.set(label.id, list);
      checkRule(label.rule, ruleIds, where, problems);
      checkPath(label.path, where, problems);
      const lines = label.lines;
      if (!Array.isArray(lines) || lines.length !== 2 || !isLine(lines[0]) || !isLine(lines[1]))
        problems.push(`${where}: lines must be [first, last], two line numbers`);
      else if (lines[0] > lines[1]) problems.push(`${where}: lines [${lines[0]}, ${lines[1]}] run backwards`);
      if (!isText(label.why)) problems.push(`${where}: why is missing`);
    });
  }
  if (service.judgements !== undefined) {
    if (!Array.isArray(service.judgements)) problems.push('judgements must be a list');
    else {
      const seen = new Set();
      service.judgements.forEach((judgement, index) => {
        const where = `judgements[${index}]`;
        if (!isObject(judgement)) return void problems.push(`${where}: not an object`);
        checkRule(judgement.rule, ruleIds, where, problems);
        checkPath(judgement.path, where, problems);
        if (!isLine(judgement.line)) problems.push(`${where}: line must be a line number`);
        if (judgement.messageId !== undefined && !isText(judgement.messageId))
          problems.push(`${where}: messageId must be text`);
        else if (
          judgement.messageId !== undefined &&
          messageIds?.has(judgement.rule) &&
          ![...messageIds.get(judgement.rule)].includes(judgement.messageId)
        )
          problems.push(`${where}: ${judgement.rule} has no message "${judgement.messageId}"`);
        if (!VERDICTS.has(judgement.verdict)) problems.push(`${where}: verdict must be "true", "false" or "debatable"`);
        if (judgement.verdict === 'false' && !isText(judgement.class))
          problems.push(`${where}: a false verdict names its class of mistake`);
        if (judgement.hazard !== undefined) {
          if (ids.get(judgement.hazard) !== 'hazards')
            problems.push(`${where}: hazard "${judgement.hazard}" is no hazard id of this file`);
          else if (judgement.verdict !== 'true') problems.push(`${where}: only a true verdict can name a hazard`);
        }
        if (!isText(judgement.why)) problems.push(`${where}: why is missing`);
        const key = `${judgement.rule}|${judgement.path}|${judgement.line}|${judgement.messageId ?? ''}`;
        if (seen.has(key))
          problems.push(`${where}: judges ${judgement.rule} at ${judgement.path}:${judgement.line} a second time`);
        seen.add(key);
      });
    }
  }
  if (
    service.errors !== undefined &&
    (!Array.isArray(service.errors) || !service.errors.every((e) => typeof e === 'string'))
  )
    problems.push('errors must be a list of strings');
  return problems;
}

/**
 * The findings of the CLI's `-f json` report, with paths relative to the checkout (with /).
 * Messages without a shutdown rule (a file that does not parse) are returned apart.
 * @param {Array<{filePath: string, messages: Array<{ruleId: string|null, line?: number, column?: number, messageId?: string, message: string}>}>} report
 * @param {string} root the checkout the CLI ran in (absolute)
 */
export function readFindings(report, root) {
  const base = root.replace(/\\/g, '/').replace(/\/+$/, '');
  const findings = [];
  const other = [];
  for (const file of Array.isArray(report) ? report : []) {
    const absolute = String(file.filePath).replace(/\\/g, '/');
    const path = absolute.startsWith(`${base}/`) ? absolute.slice(base.length + 1) : absolute;
    for (const message of file.messages ?? []) {
      if (typeof message.ruleId === 'string' && message.ruleId.startsWith(RULE_PREFIX)) {
        findings.push({
          rule: message.ruleId.slice(RULE_PREFIX.length),
          path,
          line: message.line,
          column: message.column,
          messageId: message.messageId,
          message: message.message,
        });
      } else other.push({ path, line: message.line, ruleId: message.ruleId ?? null, message: message.message });
    }
  }
  findings.sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.rule.localeCompare(b.rule),
  );
  return { findings, other };
}

const inRange = (label, finding) =>
  label.path === finding.path && label.lines[0] <= finding.line && finding.line <= label.lines[1];

function judgementFor(service, finding) {
  return (service.judgements ?? []).find(
    (j) =>
      j.rule === finding.rule &&
      j.path === finding.path &&
      j.line === finding.line &&
      (j.messageId === undefined || j.messageId === finding.messageId),
  );
}

/**
 * Scores one service: every finding is classified (a judgement first, then a hazard's range, then a
 * trap's), and every hazard is matched or missed.
 * @param {object} service a valid service file
 * @param {Array<{rule: string, path: string, line: number, messageId?: string, message?: string}>} findings
 * @param {{rule?: string}} [options] `rule`: score that rule only
 */
export function scoreService(service, findings, options = {}) {
  const keep = (rule) => options.rule === undefined || rule === options.rule;
  const hazards = service.hazards.filter((h) => keep(h.rule));
  const traps = service.traps.filter((t) => keep(t.rule));
  const matched = new Map(hazards.map((h) => [h.id, []]));
  const trapsHit = new Map();
  const classified = [];
  for (const finding of findings.filter((f) => keep(f.rule))) {
    const judgement = judgementFor(service, finding);
    let verdict = 'unjudged';
    let hazard;
    let trap;
    if (judgement) {
      verdict = judgement.verdict;
      hazard = judgement.hazard;
      if (verdict === 'true' && hazard === undefined)
        hazard = hazards.find((h) => h.rule === finding.rule && inRange(h, finding))?.id;
      if (verdict === 'false') trap = traps.find((t) => t.rule === finding.rule && inRange(t, finding))?.id;
    } else {
      hazard = hazards.find((h) => h.rule === finding.rule && inRange(h, finding))?.id;
      if (hazard !== undefined) verdict = 'true';
      else {
        trap = traps.find((t) => t.rule === finding.rule && inRange(t, finding))?.id;
        if (trap !== undefined) verdict = 'false';
      }
    }
    if (verdict === 'true' && hazard !== undefined && matched.has(hazard)) matched.get(hazard).push(finding);
    if (trap !== undefined) trapsHit.set(trap, [...(trapsHit.get(trap) ?? []), finding]);
    classified.push({ ...finding, verdict, hazard, trap, class: judgement?.class, why: judgement?.why });
  }

  const rules = {};
  const ruleOf = (rule) =>
    (rules[rule] ??= { hazards: 0, matched: 0, true: 0, false: 0, debatable: 0, unjudged: 0, traps: 0, trapsHit: 0 });
  for (const h of hazards) {
    ruleOf(h.rule).hazards += 1;
    if (matched.get(h.id).length > 0) ruleOf(h.rule).matched += 1;
  }
  for (const t of traps) {
    ruleOf(t.rule).traps += 1;
    if (trapsHit.has(t.id)) ruleOf(t.rule).trapsHit += 1;
  }
  for (const f of classified) ruleOf(f.rule)[f.verdict] += 1;

  return {
    repo: service.repo,
    commit: service.commit,
    hazards: hazards.map((h) => ({
      id: h.id,
      rule: h.rule,
      path: h.path,
      lines: h.lines,
      matched: matched.get(h.id).length > 0,
    })),
    traps: traps.map((t) => ({ id: t.id, rule: t.rule, path: t.path, lines: t.lines, hit: trapsHit.has(t.id) })),
    findings: classified,
    rules,
    totals: totalsOf(Object.values(rules)),
  };
}

function totalsOf(counts) {
  const totals = { hazards: 0, matched: 0, true: 0, false: 0, debatable: 0, unjudged: 0, traps: 0, trapsHit: 0 };
  for (const count of counts) for (const key of Object.keys(totals)) totals[key] += count[key];
  return withRatios(totals);
}

/** Recall (matched / hazards) and precision (true / (true + false)), or null when undefined. */
export function withRatios(counts) {
  return {
    ...counts,
    recall: counts.hazards === 0 ? null : counts.matched / counts.hazards,
    precision: counts.true + counts.false === 0 ? null : counts.true / (counts.true + counts.false),
  };
}

/** Sums service scores: per rule and overall. */
export function summarize(scores) {
  const rules = {};
  for (const score of scores) {
    for (const [rule, count] of Object.entries(score.rules)) {
      const sum = (rules[rule] ??= {
        hazards: 0,
        matched: 0,
        true: 0,
        false: 0,
        debatable: 0,
        unjudged: 0,
        traps: 0,
        trapsHit: 0,
      });
      for (const key of Object.keys(sum)) sum[key] += count[key];
    }
  }
  const sorted = Object.fromEntries(
    Object.keys(rules)
      .sort()
      .map((rule) => [rule, withRatios(rules[rule])]),
  );
  return { rules: sorted, totals: totalsOf(Object.values(rules)) };
}
