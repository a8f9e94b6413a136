// One root cause, reported once. When the findings of one rule and message at `threshold` or more
// call sites all run the same function or class of the program (`redisCache.clear()` dropped in
// sixteen route handlers, a worker class every script creates and never closes), the report shows
// one finding at that declaration, with the count, the first sites in its message and every site as
// a related location (SARIF relatedLocations), instead of one finding per site. The CLI does this
// after the analysis and the cache, on the whole run's results; the ESLint face, which sees one file
// at a time, reports each site where it is.
import { relative } from 'node:path';
import { emptyLintResult, type LintMessage, type LintResult } from './results.js';

/** The CLI's default: five sites of one cause are one finding (`--group-at`). */
export const defaultGroupThreshold = 5;

/** How many sites the message names before "and N more". */
const namedSites = 3;

interface Site {
  result: LintResult;
  message: LintMessage;
}

function keyOf(message: LintMessage): string | undefined {
  const { cause } = message;
  if (!cause || !message.ruleId) return undefined;
  return [message.ruleId, message.messageId ?? message.message, cause.filePath, cause.line, cause.column].join('\0');
}

function recount(result: LintResult): void {
  result.errorCount = result.messages.filter((m) => m.severity === 2).length;
  result.warningCount = result.messages.filter((m) => m.severity === 1).length;
  result.fatalErrorCount = result.messages.filter((m) => m.fatal).length;
  result.fixableErrorCount = 0;
  result.fixableWarningCount = 0;
  if (result.messages.length === 0) delete result.source;
}

function bySite(a: Site, b: Site): number {
  if (a.result.filePath !== b.result.filePath) return a.result.filePath < b.result.filePath ? -1 : 1;
  return a.message.line - b.message.line || a.message.column - b.message.column;
}

function groupedMessage(sites: readonly Site[], cwd: string): LintMessage {
  const first = sites[0]!.message;
  const cause = first.cause!;
  const where = (site: Site) => `${relative(cwd, site.result.filePath) || site.result.filePath}:${site.message.line}`;
  const named = sites.slice(0, namedSites).map(where).join(', ');
  const more = sites.length > namedSites ? ` and ${sites.length - namedSites} more` : '';
  return {
    ruleId: first.ruleId,
    severity: sites.some((site) => site.message.severity === 2) ? 2 : 1,
    message:
      `\`${cause.name}\` is the one cause of ${sites.length} findings, at ${named}${more}. The first: ` +
      `${first.message} Fix it here once, or at each call site.`,
    line: cause.line,
    column: cause.column,
    endLine: cause.line,
    endColumn: cause.column + cause.name.length,
    ...(first.messageId !== undefined ? { messageId: first.messageId } : {}),
    nodeType: 'Identifier',
    relatedLocations: sites.map((site, i) => ({
      filePath: site.result.filePath,
      line: site.message.line,
      column: site.message.column,
      message: `call site ${i + 1} of ${sites.length}: ${site.message.message}`,
    })),
    cause,
  };
}

/**
 * Replaces, in place, every group of `threshold` or more findings that share a rule, a message and
 * a cause by one finding at the cause; returns the results (with a result added for a cause's file
 * that had none), sorted by path. A threshold below 2 leaves the results as they are.
 */
export function groupByCause(results: LintResult[], threshold: number, cwd: string): LintResult[] {
  if (threshold < 2) return results;
  const groups = new Map<string, Site[]>();
  for (const result of results) {
    for (const message of result.messages) {
      const key = keyOf(message);
      if (!key) continue;
      let sites = groups.get(key);
      if (!sites) groups.set(key, (sites = []));
      sites.push({ result, message });
    }
  }
  const byPath = new Map(results.map((result) => [result.filePath, result]));
  const touched = new Set<LintResult>();
  for (const sites of groups.values()) {
    if (sites.length < threshold) continue;
    sites.sort(bySite);
    const grouped = groupedMessage(sites, cwd);
    const leaving = new Set(sites.map((site) => site.message));
    for (const site of sites) {
      site.result.messages = site.result.messages.filter((message) => !leaving.has(message));
      touched.add(site.result);
    }
    const home = grouped.cause!.filePath;
    let result = byPath.get(home);
    if (!result) {
      result = emptyLintResult(home);
      byPath.set(home, result);
      results.push(result);
    }
    result.messages.push(grouped);
    result.messages.sort((a, b) => a.line - b.line || a.column - b.column);
    touched.add(result);
  }
  for (const result of touched) recount(result);
  return results.sort((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));
}
