// lifecycle.requestSignal(req, res): the AbortSignal a node:http (or Express, Koa, NestJS on
// Express) request does not carry on the Node versions a service runs on. `IncomingMessage`
// had no `signal` before Node 26.1.0, and the first releases with one abort it once the body has
// been read (nodejs/node#64390): work forwarded `req.signal` there is either never cancelled or
// cancelled for every request. This one aborts when the client goes away before the response has
// finished (the response's 'close' with `writableFinished` false: runtime-facts §3; the request's
// own 'close' fires when its body is consumed) or when shutdown begins, and never after the
// response finished. One signal per request, whatever the number of calls.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the response must offer: a node:http ServerResponse, or anything shaped like one. */
type Response = Pick<ServerResponse, 'writableFinished' | 'once' | 'off'> & { closed?: boolean; destroyed?: boolean };

const signals = new WeakMap<object, AbortSignal>();

export function requestSignal(
  request: IncomingMessage,
  response: ServerResponse | undefined,
  shutdown: AbortSignal,
): AbortSignal {
  const cached = signals.get(request);
  if (cached) return cached;
  // Express and frameworks on it keep the response on the request.
  const res = (response ?? (request as { res?: unknown }).res) as Response | undefined;
  if (!res || typeof res.once !== 'function') {
    throw new TypeError(
      'shutdown-lint/lifecycle: requestSignal(req, res) needs the response: without it a finished request cannot be told from a dropped one',
    );
  }
  const controller = new AbortController();
  signals.set(request, controller.signal);
  const detach = (): void => {
    res.off('close', onClose);
    shutdown.removeEventListener('abort', onShutdown);
  };
  const abort = (reason: unknown): void => {
    detach();
    controller.abort(reason);
  };
  function onClose(): void {
    if (res!.writableFinished) detach();
    else abort(new DOMException('The client closed the connection before the response finished', 'AbortError'));
  }
  function onShutdown(): void {
    abort(shutdown.reason);
  }
  if (res.writableFinished) return controller.signal;
  if (res.closed || res.destroyed) {
    onClose();
    return controller.signal;
  }
  if (shutdown.aborted) {
    controller.abort(shutdown.reason);
    return controller.signal;
  }
  res.once('close', onClose);
  shutdown.addEventListener('abort', onShutdown, { once: true });
  return controller.signal;
}
