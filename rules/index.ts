// The rule list. A meta test holds it equal to the files in this folder.
import type { AnyRule } from '../src/core/rule.js';
import closeInReverseOrder from './close-in-reverse-order/close-in-reverse-order.js';
import noExitBeforeCleanup from './no-exit-before-cleanup/no-exit-before-cleanup.js';
import noUncancellableLoop from './no-uncancellable-loop/no-uncancellable-loop.js';
import noUnclosedResource from './no-unclosed-resource/no-unclosed-resource.js';
import noUntrackedPromise from './no-untracked-promise/no-untracked-promise.js';
import requireAbortSignal from './require-abort-signal/require-abort-signal.js';
import requireCloseTimeout from './require-close-timeout/require-close-timeout.js';
import requireFlush from './require-flush/require-flush.js';
import requireSignalHandler from './require-signal-handler/require-signal-handler.js';
import requireWebsocketDrain from './require-websocket-drain/require-websocket-drain.js';

export const rules: readonly AnyRule[] = [
  noUntrackedPromise,
  requireCloseTimeout,
  requireAbortSignal,
  noExitBeforeCleanup,
  noUnclosedResource,
  requireSignalHandler,
  closeInReverseOrder,
  requireWebsocketDrain,
  requireFlush,
  noUncancellableLoop,
];
