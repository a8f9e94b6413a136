// GitHub Actions workflow commands: each message becomes an annotation on the pull request's diff.
// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
import * as path from 'node:path';
import type { LintMessage, Reporter } from '../results.js';

/** Message data: a newline would end the command, and `%` introduces the escapes themselves. */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** Property values additionally must not contain the `:` and `,` that delimit properties. */
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** GitHub matches `file` against repository paths, which always use `/`. */
function repoPath(filePath: string, cwd: string): string {
  const relative = path.isAbsolute(filePath) ? path.relative(cwd, filePath) : filePath;
  return relative.split(path.sep).join('/');
}

function annotation(file: string, message: LintMessage): string {
  const properties: [string, string | number | undefined][] = [
    ['file', file],
    ['line', message.line],
    ['col', message.column],
    ['endLine', message.endLine],
    ['endColumn', message.endColumn],
    // A fatal message has no rule; GitHub then shows its default title.
    ['title', message.ruleId ?? undefined],
  ];
  const props = properties
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  const command = message.fatal === true || message.severity === 2 ? 'error' : 'warning';
  return `::${command} ${props}::${escapeData(message.message)}`;
}

export const github: Reporter = (results, context) =>
  results
    .flatMap((result) => result.messages.map((message) => annotation(repoPath(result.filePath, context.cwd), message)))
    .join('\n');
