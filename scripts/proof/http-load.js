// HTTP clients for the proof's load, behaving as real ones do during a rollout (the same rules as
// `npm run drill`): each keeps one keep-alive connection and opens no new one once the service stops
// accepting (a refused connection means the load balancer sends it elsewhere: not a failure), nor
// once the service said it closes the connection after SIGTERM. A reset on a reused idle socket is
// retried once while the service still runs (Node's docs: `request.reusedSocket`), since the server
// closed that connection before reading the request; every other error is a request cut off.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

function once(agent, port, request) {
  return new Promise((resolve) => {
    const req = http.request({ agent, port, host: '127.0.0.1', ...request }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, text, closing: res.headers.connection === 'close' }));
      res.on('error', (error) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error) =>
      resolve({
        error: error.code ?? error.message,
        refused: error.code === 'ECONNREFUSED',
        unread: req.reusedSocket && error.code === 'ECONNRESET',
      }),
    );
    req.end(request.body);
  });
}

export async function ready(port, path) {
  const agent = new http.Agent({ keepAlive: false });
  const result = await once(agent, port, { method: 'GET', path });
  return result.status === 200;
}

/**
 * Runs `clients` loops of `request(i, n)` until the service has exited or refuses; `accept(response)`
 * says whether a response acknowledges the work. Returns { acked, failed: [why…] } once all stopped.
 */
export async function httpLoad({ port, clients, request, accept, running, signalled }) {
  let acked = 0;
  const failed = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (let n = 0; running(); n++) {
        let result = await once(agent, port, request(i, n));
        if (result.unread) {
          await sleep(100);
          if (running()) result = await once(agent, port, request(i, n));
        }
        if (result.refused) break;
        if (result.error) failed.push(result.error);
        else if (accept(result)) acked++;
        else failed.push(`HTTP ${result.status}`);
        if (signalled() && result.closing) break;
      }
      agent.destroy();
    }),
  );
  return { acked, failed };
}

export const summarizeFailures = (failed) =>
  failed.length === 0
    ? '0'
    : `${failed.length} (${[...new Set(failed)].map((why) => `${why} ×${failed.filter((f) => f === why).length}`).join(', ')})`;
