// require-signal-handler: a service that starts listening with nothing that handles SIGTERM. The
// default action ends the process at once (exit 143) with requests in flight; as PID 1 in a
// container the signal is ignored until SIGKILL (runtime-facts §1.7, §1.8).
import type * as ts from 'typescript';
import { checkTestFilesSchema, isTestFile, loadedOnlyByTests } from '../../src/core/files.js';
import { closedWhereStarted, listenStartOf, runsInProgram, runsServerless } from './listening.js';
import { defineRule, type RuleContext } from '../../src/core/rule.js';
import { signalsHandledFor } from '../../src/core/signal-handling.js';

export type MessageId = 'noSignalHandler' | 'noSigtermHandler';

export interface Options {
  /** Also report listens in test files. */
  checkTestFiles: boolean;
}

/** What a finding carries for its message and its codemod. */
export type RequireSignalHandlerData = {
  name: string;
  label: string;
  /** The catalogue kind of what listens (the codemod hands it to the lifecycle accordingly). */
  kind: string;
  /** The signals the service does handle, comma-separated. */
  signals?: string;
};

type Context = RuleContext<MessageId, Options, RequireSignalHandlerData>;

export default defineRule<MessageId, Options, RequireSignalHandlerData>({
  meta: {
    id: 'require-signal-handler',
    description: 'Require a service that starts listening to handle SIGTERM',
    goLesson: 'no `signal.NotifyContext(ctx, syscall.SIGTERM)`: the process dies mid-request',
    recommended: 'error',
    requiresTypeChecking: true,
    hasSuggestions: false,
    messages: {
      noSignalHandler:
        '`{{name}}` starts listening ({{label}}), but nothing in this service handles SIGTERM: a deploy ' +
        'ends the process at once (exit 143) with requests in flight, and as PID 1 in a container the ' +
        "signal is ignored until SIGKILL. Handle it and drain the server (`process.once('SIGTERM', …)`, " +
        '`lifecycle.handleSignals()`, close-with-grace).',
      noSigtermHandler:
        '`{{name}}` starts listening ({{label}}), but this service handles only {{signals}}, not ' +
        'SIGTERM, which is what orchestrators and `docker stop` send: the process ends at once (exit ' +
        '143) with requests in flight, or as PID 1 ignores it until SIGKILL. Handle SIGTERM the same way.',
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        checkTestFiles: checkTestFilesSchema,
      },
    },
    defaultOptions: { checkTestFiles: false },
  },

  create(context) {
    const t = context.ts;
    if (
      !context.options.checkTestFiles &&
      (isTestFile(context.sourceFile.fileName) || loadedOnlyByTests(context.index, context.sourceFile))
    )
      return {};
    const check = (node: ts.Node): void => checkListen(context, node as ts.CallExpression | ts.NewExpression);
    return { [t.SyntaxKind.CallExpression]: check, [t.SyntaxKind.NewExpression]: check };
  },
});

function checkListen(context: Context, node: ts.CallExpression | ts.NewExpression): void {
  const { index } = context;
  const start = listenStartOf(index, node);
  if (!start) return;
  const handled = signalsHandledFor(index, context.sourceFile);
  if (handled.sigterm) return;
  // A library package of a monorepo, started by a deployed entry in another package that handles
  // SIGTERM (`services/api.ts`: `process.on('SIGTERM', () => app.destroy())`).
  if (index.isHandledByDeployedEntry(context.sourceFile)) return;
  if (!runsInProgram(index, node) || closedWhereStarted(index, start) || runsServerless(index, context.sourceFile))
    return;
  // `kind` is for the codemod, which hands the server to the lifecycle in the way its kind needs.
  const data = { name: start.name, label: start.label, kind: start.kind };
  if (handled.signals.length > 0) {
    context.report({ node, messageId: 'noSigtermHandler', data: { ...data, signals: handled.signals.join(', ') } });
  } else {
    context.report({ node, messageId: 'noSignalHandler', data });
  }
}
