// Shell strings (shell-form CMD, `sh -c` arguments, package.json scripts, Procfile lines,
// entrypoint scripts) read with a real shell parser, so that "is node the last simple command",
// "is it exec'd", "is there a pipe, a `&`, a trap on TERM and a wait" are answered from the AST.
import parseShell from '@ericcornelissen/bash-parser';

/** One simple command of a script, with its words and where it stands. */
export interface ShellCommand {
  words: string[];
  /** Offsets of the command in the script. */
  start: number;
  end: number;
  /** Run with `&`. */
  background: boolean;
  /** Part of a pipeline (`node x | tee log`). */
  piped: boolean;
  /** Has redirections (`> log 2>&1`). */
  redirected: boolean;
  /** Inside `if`, `while`, `case`, a function or a subshell rather than at the top level of the script. */
  nested: boolean;
}

export interface ShellScript {
  commands: ShellCommand[];
  /** The last top-level simple command: the one busybox ash and bash exec in place of the shell. */
  last: ShellCommand | undefined;
  /** `trap '…' TERM` (or SIGTERM, 15) somewhere in the script. */
  trapsTerm: boolean;
  /** `wait` somewhere in the script. */
  waits: boolean;
  /** The parser could not read it. */
  error?: string;
}

interface BashNode {
  type: string;
  text?: string;
  name?: BashNode;
  prefix?: BashNode[];
  suffix?: BashNode[];
  commands?: BashNode[];
  left?: BashNode;
  right?: BashNode;
  async?: boolean;
  loc?: { start: { char: number }; end: { char: number } };
  [key: string]: unknown;
}

const parseCache = new Map<string, ShellScript>();

export function parseShellScript(text: string): ShellScript {
  let script = parseCache.get(text);
  if (script) return script;
  script = { commands: [], last: undefined, trapsTerm: false, waits: false };
  try {
    // A shebang or comment line is not a command; bash-parser reads comments itself.
    const ast = parseShell(text, { insertLOC: true }) as BashNode;
    const top = ast.commands ?? [];
    for (const node of top) collect(node, script, { piped: false, nested: false, background: false });
    const lastTop = top[top.length - 1];
    const lastCommands = lastTop ? lastCommandsOf(lastTop) : [];
    script.last =
      lastCommands.length === 1 ? script.commands.find((c) => c.start === locStart(lastCommands[0]!)) : undefined;
    for (const command of script.commands) {
      const [name, ...args] = command.words;
      if (name === 'trap' && args.slice(1).some((a) => /^(SIG)?TERM$|^15$/.test(a))) script.trapsTerm = true;
      if (name === 'wait') script.waits = true;
    }
  } catch (error) {
    script.error = (error as Error).message.split('\n')[0];
  }
  parseCache.set(text, script);
  return script;
}

function locStart(node: BashNode): number {
  return node.loc?.start.char ?? 0;
}

/** The simple command(s) that run last in a top-level list item: `a && b` ends with b, a pipeline with all of its parts. */
function lastCommandsOf(node: BashNode): BashNode[] {
  if (node.type === 'Command') return [node];
  if (node.type === 'LogicalExpression' && node.right) return lastCommandsOf(node.right);
  if (node.type === 'Pipeline') return node.commands ?? [];
  return [];
}

function collect(
  node: BashNode,
  script: ShellScript,
  context: { piped: boolean; nested: boolean; background: boolean },
): void {
  if (node.type === 'Command') {
    const words = [node.name?.text, ...(node.suffix ?? []).filter((s) => s.type === 'Word').map((s) => s.text)].filter(
      (w): w is string => typeof w === 'string',
    );
    script.commands.push({
      words,
      start: locStart(node),
      end: node.loc?.end.char !== undefined ? node.loc.end.char + 1 : locStart(node),
      background: context.background || node.async === true,
      piped: context.piped,
      redirected:
        (node.suffix ?? []).some((s) => s.type === 'Redirect') ||
        (node.prefix ?? []).some((p) => p.type === 'Redirect'),
      nested: context.nested,
    });
    return;
  }
  if (node.type === 'Pipeline') {
    for (const c of node.commands ?? []) collect(c, script, { ...context, piped: true });
    return;
  }
  if (node.type === 'LogicalExpression') {
    if (node.left) collect(node.left, script, context);
    if (node.right) collect(node.right, script, context);
    return;
  }
  // Compound commands: every command inside is nested.
  for (const value of Object.values(node)) {
    const children = Array.isArray(value) ? value : [value];
    for (const child of children) {
      if (child && typeof child === 'object' && typeof (child as BashNode).type === 'string' && child !== node.loc) {
        collect(child as BashNode, script, { ...context, nested: true });
      }
    }
  }
}

/** Words of a command without leading `VAR=value` assignments (bash-parser keeps those in the prefix). */
export function commandName(command: ShellCommand): string | undefined {
  return command.words[0];
}
