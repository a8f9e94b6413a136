// ESLint's `stylish` formatter, reproduced so people who know ESLint read our output at a glance.
// Two differences on purpose: paths are relative to the working directory, and colour is decided
// by the caller (context.color) instead of by sniffing a stream, which keeps this function pure.
import * as path from 'node:path';
import type { LintMessage, LintResult, Reporter } from '../results.js';

type Style = 'underline' | 'red' | 'yellow' | 'dim' | 'bold' | 'reset';

// The same open/close codes node:util's styleText uses, so coloured output matches ESLint's byte
// for byte; each style closes only itself so styles can nest.
const ANSI: Record<Style, [string, string]> = {
  underline: ['\u001b[4m', '\u001b[24m'],
  red: ['\u001b[31m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  bold: ['\u001b[1m', '\u001b[22m'],
  reset: ['\u001b[0m', '\u001b[0m'],
};

type Styler = (style: Style, text: string) => string;

const plain: Styler = (_style, text) => text;
const ansi: Styler = (style, text) => `${ANSI[style][0]}${text}${ANSI[style][1]}`;

function pluralize(word: string, count: number): string {
  return count === 1 ? word : `${word}s`;
}

/** ESLint drops a trailing period unless a space precedes it (so `...` style endings survive). */
function messageText(message: LintMessage): string {
  const text = message.message;
  return text.length > 1 && text.endsWith('.') && text.at(-2) !== ' ' ? text.slice(0, -1) : text;
}

/**
 * One file's rows. ESLint lays out [line (right-aligned), column, type, message, rule] as a text
 * table joined by two spaces, then turns the gap between line and column into a colon; the padding
 * computed here yields the same columns directly.
 */
function fileRows(messages: LintMessage[], style: Styler): string {
  const rows = messages.map((message) => ({
    line: String(message.line || 0),
    column: String(message.column || 0),
    isError: message.fatal === true || message.severity === 2,
    text: messageText(message),
    ruleId: message.ruleId ?? '',
  }));
  const width = (pick: (row: (typeof rows)[number]) => string) => Math.max(...rows.map((row) => pick(row).length));
  const lineWidth = width((row) => row.line);
  const columnWidth = width((row) => row.column);
  const typeWidth = width((row) => (row.isError ? 'error' : 'warning'));
  const textWidth = width((row) => row.text);

  return rows
    .map((row) => {
      const type = row.isError ? style('red', 'error') : style('yellow', 'warning');
      const typePad = ' '.repeat(typeWidth - (row.isError ? 'error' : 'warning').length);
      const cells = [
        ' '.repeat(lineWidth - row.line.length),
        style('dim', `${row.line}:${row.column}`),
        ' '.repeat(columnWidth - row.column.length),
        '  ',
        type,
        typePad,
        '  ',
        row.text.padEnd(textWidth),
        '  ',
        row.ruleId ? style('dim', row.ruleId) : '',
      ];
      return `  ${cells.join('')}`.trimEnd();
    })
    .join('\n');
}

export const stylish: Reporter = (results, context) => {
  const style = context.color ? ansi : plain;
  let output = '\n';
  let errorCount = 0;
  let warningCount = 0;
  let fixableErrorCount = 0;
  let fixableWarningCount = 0;

  for (const result of results) {
    if (result.messages.length === 0) continue;
    errorCount += result.errorCount;
    warningCount += result.warningCount;
    fixableErrorCount += result.fixableErrorCount;
    fixableWarningCount += result.fixableWarningCount;
    output += `${style('underline', displayPath(result, context.cwd))}\n`;
    output += `${fileRows(result.messages, style)}\n\n`;
  }

  const total = errorCount + warningCount;
  if (total === 0) return '';

  const summaryColor = results.some(hasErrorMessage) ? 'red' : 'yellow';
  const summary = (text: string) => `${style(summaryColor, style('bold', text))}\n`;
  output += summary(
    `\u2716 ${total}${pluralize(' problem', total)} (${errorCount}${pluralize(' error', errorCount)}, ` +
      `${warningCount}${pluralize(' warning', warningCount)})`,
  );
  if (fixableErrorCount > 0 || fixableWarningCount > 0) {
    output += summary(
      `  ${fixableErrorCount}${pluralize(' error', fixableErrorCount)} and ` +
        `${fixableWarningCount}${pluralize(' warning', fixableWarningCount)} potentially fixable with the \`--fix\` option.`,
    );
  }
  // ESLint wraps everything in a reset so a colour left open by a message cannot leak into the shell.
  return style('reset', output);
};

function hasErrorMessage(result: LintResult): boolean {
  return result.messages.some((message) => message.fatal === true || message.severity === 2);
}

function displayPath(result: LintResult, cwd: string): string {
  return path.isAbsolute(result.filePath) ? path.relative(cwd, result.filePath) : result.filePath;
}
