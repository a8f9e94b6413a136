// The codemods, in the order `migrate all` runs them on a file (a test holds this list equal to
// the folder). Adding one is its file, its doc and its fixtures, and a line here.
import type { CodemodTransform } from './lib/codemod.js';
import droppedSignalToForwardedSignal from './dropped-signal-to-forwarded-signal.js';
import noSignalHandlerToLifecycleHandleSignals from './no-signal-handler-to-lifecycle-handle-signals.js';
import processExitToLifecycleShutdown from './process-exit-to-lifecycle-shutdown.js';
import storeCloseToCloseAfterDrain from './store-close-to-close-after-drain.js';
import serverCloseToLifecycleCloseServer from './server-close-to-lifecycle-close-server.js';
import uncancellableLoopToLifecycleSignal from './uncancellable-loop-to-lifecycle-signal.js';
import unclosedResourceToLifecycleAdopt from './unclosed-resource-to-lifecycle-adopt.js';
import unflushedBufferToLifecycleDefer from './unflushed-buffer-to-lifecycle-defer.js';
import untrackedPromiseToLifecycleTrack from './untracked-promise-to-lifecycle-track.js';
import websocketServerToLifecycleAddServer from './websocket-server-to-lifecycle-add-server.js';

export const codemods: readonly CodemodTransform[] = [
  untrackedPromiseToLifecycleTrack,
  serverCloseToLifecycleCloseServer,
  unclosedResourceToLifecycleAdopt,
  unflushedBufferToLifecycleDefer,
  processExitToLifecycleShutdown,
  droppedSignalToForwardedSignal,
  noSignalHandlerToLifecycleHandleSignals,
  uncancellableLoopToLifecycleSignal,
  websocketServerToLifecycleAddServer,
  storeCloseToCloseAfterDrain,
];
