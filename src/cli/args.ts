// Command-line arguments -> options. Errors are UsageErrors (one line, exit code 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Severity } from '../core/rule.js';
import { UsageError } from '../core/project.js';
import type { FormatName } from './reporters/index.js';
import type { Shard } from './shard.js';
import { defaultGroupThreshold } from './group.js';

/**
 * node:util's `parseArgs` (strict, positionals allowed), with its error turned into a one-line
 * UsageError that names the command's `--help` (`shutdown-lint`, `shutdown-lint plan`).
 */
export function parseArgsOrUsage<const O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
  command: string,
): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O }>> {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message.split('\n')[0]!.replace(/\.$/, '')}. Run ${command} --help for the options.`,
    );
  }
}

export interface CliOptions {
  targets: string[];
  format: FormatName;
  outputFile: string | undefined;
  ruleSeverities: Record<string, Severity>;
  maxWarnings: number | undefined;
  quiet: boolean;
  /** Lint only this part of the files (`--shard i/n`, 1-based). */
  shard: Shard | undefined;
  /** Print where the time went and the type questions asked, on stderr. */
  stats: boolean;
  /** `--cache`: where the results are kept, or undefined for no cache. */
  cacheLocation: string | undefined;
  /** `--group-at`: sites of one cause reported once (0: every site). */
  groupAt: number;
  help: boolean;
  version: boolean;
}

const formats: readonly FormatName[] = ['stylish', 'json', 'sarif', 'github'];
const severities: readonly Severity[] = ['off', 'warn', 'error'];

export const usage = `Usage: shutdown-lint [options] [paths...]
       shutdown-lint migrate <codemod|all> [--dry-run] [--force] [paths...]
       shutdown-lint plan [--format text|mermaid] [paths...]

Finds what a Node.js service loses on SIGTERM. Lints every JavaScript/TypeScript file under the
paths (default: .), each with the nearest tsconfig/jsconfig that includes it (the configs under a
folder and their references too); a file no config includes gets an inferred program.

Options:
  -f, --format <name>       stylish (default), json, sarif, github
  -o, --output-file <path>  write the report to a file instead of stdout
      --rule <id=severity>  off, warn or error for one rule; repeatable
      --max-warnings <n>    exit 1 when there are more than n warnings
      --quiet               report errors only
      --shard <i/n>         lint part i of n (1 <= i <= n): each file falls in one part, by a hash
                            of its path; the whole program is still analysed in every part
      --cache               reuse the results of every program (tsconfig project) none of whose
                            inputs changed; a changed file re-lints the programs holding it
      --cache-location <p>  where (default: node_modules/.cache/shutdown-lint of the nearest
                            folder with a package.json)
      --group-at <n>        report a finding that n or more call sites share, because they all run
                            one function or class of the program, once, at its declaration, with
                            every site listed (default 5; 0 reports every site; off with --shard)
      --stats               print to stderr where the time went (loading the programs, the
                            analysis) and how many type questions each program asked
  -h, --help                show this help
  -v, --version             show the version

Exit codes: 0 no errors, 1 errors (or too many warnings), 2 usage error (a path with no files,
an unwritable --output-file). A config that cannot be used whole is a warning on stderr.
Disable a finding with // shutdown-lint-disable-next-line <rule-id> -- <reason>`;

function usageCacheLocation(): never {
  throw new UsageError('--cache-location needs --cache as well.');
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const parsed = parseArgsOrUsage(
    argv,
    {
      format: { type: 'string', short: 'f' },
      'output-file': { type: 'string', short: 'o' },
      rule: { type: 'string', multiple: true },
      'max-warnings': { type: 'string' },
      quiet: { type: 'boolean' },
      shard: { type: 'string' },
      stats: { type: 'boolean' },
      cache: { type: 'boolean' },
      'group-at': { type: 'string' },
      'cache-location': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
    'shutdown-lint',
  );
  const { values, positionals } = parsed;
  const format = (values.format ?? 'stylish') as FormatName;
  if (!formats.includes(format)) {
    throw new UsageError(`--format ${values.format}: unknown format. Use one of ${formats.join(', ')}.`);
  }
  const ruleSeverities: Record<string, Severity> = {};
  for (const entry of values.rule ?? []) {
    const match = /^([^=]+)=(.+)$/.exec(entry);
    const severity = match?.[2] as Severity | undefined;
    if (!match || !severity || !severities.includes(severity)) {
      throw new UsageError(`--rule ${entry}: expected <rule-id>=off|warn|error.`);
    }
    ruleSeverities[match[1]!.trim()] = severity;
  }
  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) {
      throw new UsageError(`--max-warnings ${values['max-warnings']}: expected a whole number of 0 or more.`);
    }
  }
  let groupAt = defaultGroupThreshold;
  if (values['group-at'] !== undefined) {
    groupAt = Number(values['group-at']);
    if (!Number.isInteger(groupAt) || groupAt < 0 || groupAt === 1) {
      throw new UsageError(`--group-at ${values['group-at']}: expected 0 (every site) or a whole number of 2 or more.`);
    }
  }
  let shard: Shard | undefined;
  if (values.shard !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(values.shard);
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (!match || count < 1 || index < 1 || index > count) {
      throw new UsageError(`--shard ${values.shard}: expected i/n with 1 <= i <= n, such as 1/4.`);
    }
    shard = { index, count };
  }
  return {
    targets: positionals,
    format,
    outputFile: values['output-file'],
    ruleSeverities,
    maxWarnings,
    quiet: values.quiet ?? false,
    shard,
    stats: values.stats ?? false,
    groupAt,
    cacheLocation: values.cache
      ? (values['cache-location'] ?? '')
      : values['cache-location'] !== undefined
        ? usageCacheLocation()
        : undefined,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
