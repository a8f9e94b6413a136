// lifecycle.requestSignal(req, res) on a real node:http server: a client that leaves aborts it, a
// request that finishes (its body read first, its keep-alive socket closed later) does not, and
// shutdown does.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLifecycle, type Lifecycle } from '../../src/lifecycle/index.js';

interface Seen {
  signal: AbortSignal;
  aborted: Promise<unknown>;
}

let server: http.Server;
let life: Lifecycle;
let seen: Seen[];
/** What the handler does once it has the signal; it answers unless told to hang. */
let respond: (req: http.IncomingMessage, res: http.ServerResponse) => void;
let savedExitCode: typeof process.exitCode;

beforeEach(async () => {
  savedExitCode = process.exitCode;
  life = createLifecycle({ logger: { error: () => undefined, warn: () => undefined } });
  seen = [];
  server = http.createServer((req, res) => {
    const signal = life.requestSignal(req, res);
    expect(life.requestSignal(req, res)).toBe(signal); // one per request
    seen.push({
      signal,
      aborted: new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason))),
    });
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  process.exitCode = savedExitCode;
});

const port = (): number => (server.address() as AddressInfo).port;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(5);
  expect(condition()).toBe(true);
}

describe('lifecycle.requestSignal', () => {
  it('aborts when the client closes the connection before the response finished', async () => {
    respond = () => undefined; // never answers
    const request = http.get({ port: port(), host: '127.0.0.1' });
    request.on('error', () => undefined);
    await until(() => seen.length === 1);
    expect(seen[0]!.signal.aborted).toBe(false);
    request.destroy();
    const reason = (await seen[0]!.aborted) as DOMException;
    expect(reason.name).toBe('AbortError');
    expect(reason.message).toMatch(/client closed the connection before the response finished/);
  });

  it('does not abort a request that finishes, after its body is read or when its keep-alive socket closes', async () => {
    respond = (req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('ok'), 30));
    };
    const agent = new http.Agent({ keepAlive: true });
    for (let i = 0; i < 2; i++) {
      const body = await new Promise<string>((resolve, reject) => {
        const request = http.request({ port: port(), host: '127.0.0.1', method: 'POST', agent }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve(text));
        });
        request.on('error', reject);
        request.end('x'.repeat(1000));
      });
      expect(body).toBe('ok');
    }
    agent.destroy();
    server.closeAllConnections();
    await sleep(50);
    expect(seen).toHaveLength(2);
    expect(seen.map((s) => s.signal.aborted)).toEqual([false, false]);
    // Nor does shutdown reach a request that is over.
    await life.shutdown('test');
    expect(seen.map((s) => s.signal.aborted)).toEqual([false, false]);
  });

  it('aborts a request in flight when shutdown begins, with the shutdown reason', async () => {
    respond = () => undefined;
    const request = http.get({ port: port(), host: '127.0.0.1' });
    request.on('error', () => undefined);
    await until(() => seen.length === 1);
    void life.shutdown('SIGTERM');
    expect(seen[0]!.signal.aborted).toBe(true);
    expect(String((seen[0]!.signal.reason as DOMException).message)).toMatch(/Shutting down \(SIGTERM\)/);
    request.destroy();
  });

  it('takes the response from req.res (Express), and names what is missing without one', () => {
    const response = new http.ServerResponse(new http.IncomingMessage(null as never));
    const expressLike = Object.assign(new http.IncomingMessage(null as never), { res: response });
    expect(life.requestSignal(expressLike).aborted).toBe(false);
    expect(() => life.requestSignal(new http.IncomingMessage(null as never))).toThrow(
      /requestSignal\(req, res\) needs the response/,
    );
  });
});
