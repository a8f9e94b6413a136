// The acceptance tests of shutdown-lint/lifecycle (issue 5): each drill runs a server from
// fixtures/lifecycle in its own process on the built runtime, real clients from here, and a real
// SIGTERM, following the seeds' test matrix (003, Appendix EE). Deadlines are hundreds of ms and
// the bounds generous: the machines are shared.
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { get, startDrill, type Drill } from './drill-support.js';

const drills: Drill[] = [];
const agents: http.Agent[] = [];

async function drill(fixture: string, config: object, until?: string): Promise<Drill> {
  const started = await startDrill(fixture, config, until);
  drills.push(started);
  return started;
}

function keepAliveAgent(): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
  agents.push(agent);
  return agent;
}

afterEach(() => {
  for (const started of drills.splice(0)) if (started.child.exitCode === null) started.child.kill('SIGKILL');
  for (const agent of agents.splice(0)) agent.destroy();
});

describe('shutdown-lint/lifecycle under SIGTERM (node:http, ESM)', () => {
  it('exits at once with code 0 when no request is in flight', async () => {
    const server = await drill('drill-server.mjs', {});
    const sent = server.kill();
    const exit = await server.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - sent).toBeLessThan(1_500);
  });

  it('lets an in-flight request complete, with Connection: close, then exits 0', async () => {
    const server = await drill('drill-server.mjs', {});
    const answer = get(server.ports[0], '/slow?ms=800', keepAliveAgent());
    await server.waitFor('request');
    const sent = server.kill();
    const [response, exit] = await Promise.all([answer, server.exited]);
    expect(response).toMatchObject({ status: 200, body: 'slow done', connection: 'close' });
    expect(exit.code).toBe(0);
    expect(response.at).toBeLessThanOrEqual(exit.at);
    expect(exit.at - sent).toBeGreaterThan(300);
    expect(exit.at - sent).toBeLessThan(4_000);
  });

  it('does not let idle keep-alive connections hold the exit', async () => {
    const server = await drill('drill-server.mjs', {});
    const agent = keepAliveAgent();
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(server.ports[0], '/fast', agent)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const idle = Object.values(agent.freeSockets).flat().length;
    expect(idle).toBeGreaterThan(1);
    const sent = server.kill();
    const exit = await server.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - sent).toBeLessThan(1_500);
  });

  it('cuts a long request at the server deadline and exits 1', async () => {
    const server = await drill('drill-server.mjs', { serverTimeoutMs: 500 });
    const answer = get(server.ports[0], '/slow?ms=30000', keepAliveAgent());
    await server.waitFor('request');
    const sent = server.kill();
    const [response, exit] = await Promise.all([answer, server.exited]);
    expect(response.error).toMatch(/ECONNRESET|socket hang up/);
    expect(response.at - sent).toBeGreaterThan(400);
    expect(response.at - sent).toBeLessThan(3_000);
    expect(exit.code).toBe(1);
    expect(exit.at - sent).toBeLessThan(3_000);
  });

  it('sends a WebSocket client close code 1001 and terminates the connection at the deadline', async () => {
    const server = await drill('drill-server.mjs', { serverTimeoutMs: 700 });
    const client = new WebSocket(`ws://127.0.0.1:${server.ports[0]}/`);
    const closed = new Promise<{ code: number; at: number }>((resolve) =>
      client.on('close', (code) => resolve({ code, at: Date.now() })),
    );
    client.on('error', () => {});
    await server.waitFor('ws-open');
    const sent = server.kill();
    const [close, exit] = await Promise.all([closed, server.exited]);
    expect(close.code).toBe(1001);
    // The drill server never answers the close frame: the socket lives until the deadline.
    expect(close.at - sent).toBeGreaterThan(600);
    expect(close.at - sent).toBeLessThan(4_000);
    expect(exit.code).toBe(1);
  });

  it('sends the close frame when the drain begins, to a raw WebSocket client that never answers it', async () => {
    const server = await drill('drill-server.mjs', { serverTimeoutMs: 800 });
    const socket = net.connect(server.ports[0], '127.0.0.1');
    const received: Array<{ bytes: Buffer; at: number }> = [];
    socket.on('data', (bytes) => received.push({ bytes, at: Date.now() }));
    const ended = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.on('error', () => {});
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET / HTTP/1.1\r\nHost: drill\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await server.waitFor('ws-open');
    const sent = server.kill();
    const at = await ended;
    const frames = received.filter(({ bytes }) => bytes[0] === 0x88);
    // Unmasked close frame, 2-byte payload: status 1001 (going away).
    expect(frames.map(({ bytes }) => [...bytes.subarray(0, 4)])).toEqual([[0x88, 0x02, 0x03, 0xe9]]);
    expect(frames[0].at - sent).toBeLessThan(600);
    expect(at - sent).toBeGreaterThan(700);
    expect(at - sent).toBeLessThan(4_000);
  });

  it('exits at once with 128 + 15 on a second SIGTERM', async () => {
    const server = await drill('drill-server.mjs', { timeoutMs: 20_000, serverTimeoutMs: 20_000 });
    void get(server.ports[0], '/slow?ms=30000', keepAliveAgent());
    await server.waitFor('request');
    server.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = server.kill();
    const exit = await server.exited;
    expect(exit.code).toBe(143);
    expect(exit.at - second).toBeLessThan(1_500);
  });

  it('exits cleanly on SIGTERM during start-up, closing what start-up adopts afterwards', async () => {
    const server = await drill('drill-server.mjs', { startupMs: 400 }, 'starting');
    const sent = server.kill();
    const exit = await server.exited;
    expect(exit.code).toBe(0);
    expect(server.events.map((event) => event.event)).toEqual(
      expect.arrayContaining(['connected', 'db-closed', 'listening', 'exit']),
    );
    expect(exit.at - sent).toBeLessThan(3_000);
  });

  it('exits cleanly on SIGTERM during a start-up that never finishes, through the force-exit timer', async () => {
    const server = await drill('drill-server.mjs', { startupMs: -1 }, 'starting');
    const sent = server.kill();
    const exit = await server.exited;
    expect(exit.code).toBe(0);
    expect(server.stderr()).toContain('still alive after shutdown finished');
    expect(exit.at - sent).toBeGreaterThan(700);
    expect(exit.at - sent).toBeLessThan(4_000);
  });

  it('drains several servers in parallel', async () => {
    const server = await drill('drill-server.mjs', { servers: 3, serverTimeoutMs: 1_000 });
    const agent = keepAliveAgent();
    const answers = server.ports.map((port) => get(port, '/slow?ms=30000', agent));
    await server.waitFor('request', 3);
    const sent = server.kill();
    const [responses, exit] = await Promise.all([Promise.all(answers), server.exited]);
    const cut = responses.map((response) => response.at - sent);
    expect(responses.every((response) => response.error !== undefined)).toBe(true);
    // One after the other would take 3 s; in parallel, all three are cut at about 1 s.
    expect(Math.min(...cut)).toBeGreaterThan(900);
    expect(Math.max(...cut) - Math.min(...cut)).toBeLessThan(700);
    expect(exit.at - sent).toBeLessThan(2_300);
  });

  it('awaits tracked tasks within the deadline', async () => {
    const server = await drill('drill-server.mjs', {});
    expect(await get(server.ports[0], '/task?ms=700')).toMatchObject({ status: 200 });
    const sent = server.kill();
    const exit = await server.exited;
    const done = await server.waitFor('task-done');
    expect(exit.code).toBe(0);
    expect(done.at).toBeLessThanOrEqual(exit.at);
    expect(exit.at - sent).toBeGreaterThan(300);
  });

  it('awaits a task tracked after shutdown began', async () => {
    const server = await drill('drill-server.mjs', { trackOnAbortMs: 500 });
    const sent = server.kill();
    const exit = await server.exited;
    expect(server.events.some((event) => event.event === 'abort-task-done')).toBe(true);
    expect(exit.code).toBe(0);
    expect(exit.at - sent).toBeGreaterThan(300);
  });

  it('stops waiting for tracked tasks at the overall deadline and exits 1', async () => {
    const server = await drill('drill-server.mjs', { timeoutMs: 600 });
    await get(server.ports[0], '/task?ms=30000');
    const sent = server.kill();
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.events.some((event) => event.event === 'task-done')).toBe(false);
    expect(server.stderr()).toContain('tracked task(s) still pending');
    expect(exit.at - sent).toBeGreaterThan(500);
    expect(exit.at - sent).toBeLessThan(5_000);
  });

  it('runs closers last-in first-out, after the servers and tasks', async () => {
    const server = await drill('drill-server.mjs', {
      closers: [{ name: 'db' }, { name: 'cache' }, { name: 'consumer' }],
    });
    expect(await get(server.ports[0], '/task?ms=300')).toMatchObject({ status: 200 });
    server.kill();
    const exit = await server.exited;
    expect(exit.code).toBe(0);
    const order = server.events.map((event) => (event.event === 'closer' ? event.name : event.event));
    expect(order.slice(order.indexOf('task-done'))).toEqual(['task-done', 'consumer', 'cache', 'db', 'exit']);
  });

  it('runs every closer when one throws and one hangs, and exits 1', async () => {
    const server = await drill('drill-server.mjs', {
      closers: [{ name: 'first' }, { name: 'hangs', hangs: true, timeoutMs: 400 }, { name: 'throws', throws: true }],
    });
    const sent = server.kill();
    const exit = await server.exited;
    expect(server.names('closer')).toEqual(['throws', 'hangs', 'first']);
    expect(exit.code).toBe(1);
    expect(server.stderr()).toContain('closer "throws" failed');
    expect(server.stderr()).toContain('closer "hangs" did not finish within 400 ms');
    expect(exit.at - sent).toBeGreaterThan(300);
    expect(exit.at - sent).toBeLessThan(3_000);
  });
});

describe('closeServer() from a service SIGTERM handler of its own, on a server the lifecycle never saw', () => {
  it('completes the request in flight, ends the upgraded connection at the deadline, and lets the process exit', async () => {
    const server = await drill('drill-server.mjs', { ownHandler: true, serverTimeoutMs: 700 });
    const client = new WebSocket(`ws://127.0.0.1:${server.ports[0]}/`);
    const closed = new Promise<number>((resolve) => client.on('close', () => resolve(Date.now())));
    client.on('error', () => {});
    await server.waitFor('ws-open');
    const answer = get(server.ports[0], '/slow?ms=300', keepAliveAgent());
    await server.waitFor('request');
    const sent = server.kill();
    const [response, closedAt, exit] = await Promise.all([answer, closed, server.exited]);
    expect(response).toMatchObject({ status: 200, body: 'slow done', connection: 'close' });
    expect(closedAt - sent).toBeGreaterThan(600);
    expect(closedAt - sent).toBeLessThan(4_000);
    expect(server.events.some((event) => event.event === 'closed')).toBe(true);
    expect(exit.code).toBe(0);
  });
});

describe('shutdown-lint/lifecycle under SIGTERM (HTTPS)', () => {
  it('lets an in-flight request complete with Connection: close, without waiting for idle keep-alives', async () => {
    const server = await drill('drill-server.mjs', { tls: true });
    const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
    agents.push(agent);
    const idle = await Promise.all(Array.from({ length: 3 }, () => get(server.ports[0], '/fast', agent)));
    expect(idle.every((answer) => answer.status === 200)).toBe(true);
    const answer = get(server.ports[0], '/slow?ms=600', agent);
    await server.waitFor('request', 4);
    const sent = server.kill();
    const [response, exit] = await Promise.all([answer, server.exited]);
    expect(response).toMatchObject({ status: 200, body: 'slow done', connection: 'close' });
    expect(exit.code).toBe(0);
    expect(exit.at - sent).toBeLessThan(3_000);
  });

  it('cuts a long request at the deadline', async () => {
    const server = await drill('drill-server.mjs', { tls: true, serverTimeoutMs: 500 });
    const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
    agents.push(agent);
    const answer = get(server.ports[0], '/slow?ms=30000', agent);
    await server.waitFor('request');
    const sent = server.kill();
    const [response, exit] = await Promise.all([answer, server.exited]);
    expect(response.error).toBeDefined();
    expect(response.at - sent).toBeGreaterThan(400);
    expect(exit.code).toBe(1);
  });
});

describe('shutdown-lint/lifecycle under SIGTERM (CommonJS require)', () => {
  it('completes an in-flight request, runs closers LIFO and exits 0', async () => {
    const server = await drill('drill-server.cjs', { closers: [{ name: 'first' }, { name: 'second' }] });
    const answer = get(server.ports[0], '/slow?ms=600', keepAliveAgent());
    await server.waitFor('request');
    server.kill();
    const [response, exit] = await Promise.all([answer, server.exited]);
    expect(response).toMatchObject({ status: 200, body: 'slow done', connection: 'close' });
    expect(server.names('closer')).toEqual(['second', 'first']);
    expect(exit.code).toBe(0);
  });
});

describe('shutdown-lint/lifecycle under SIGTERM (Fastify)', () => {
  it('completes an in-flight request, runs onClose hooks and does not wait for idle keep-alives', async () => {
    const server = await drill('fastify-server.mjs', {});
    const idleAgent = keepAliveAgent();
    expect(await get(server.ports[0], '/fast', idleAgent)).toMatchObject({ status: 200 });
    const answer = get(server.ports[0], '/slow?ms=600', keepAliveAgent());
    await server.waitFor('request');
    const sent = server.kill();
    const [response, exit] = await Promise.all([answer, server.exited]);
    expect(response).toMatchObject({ status: 200, body: 'slow done' });
    expect(server.events.some((event) => event.event === 'on-close')).toBe(true);
    expect(exit.code).toBe(0);
    // Fastify alone would wait for the idle socket's 72 s keep-alive timeout.
    expect(exit.at - sent).toBeLessThan(4_000);
  });

  it('cuts a long request at the deadline and still runs onClose hooks', async () => {
    const server = await drill('fastify-server.mjs', { serverTimeoutMs: 500 });
    const answer = get(server.ports[0], '/slow?ms=30000', keepAliveAgent());
    await server.waitFor('request');
    const sent = server.kill();
    const [response, exit] = await Promise.all([answer, server.exited]);
    expect(response.error).toBeDefined();
    expect(server.events.some((event) => event.event === 'on-close')).toBe(true);
    expect(exit.code).toBe(1);
    expect(exit.at - sent).toBeLessThan(4_000);
  });
});

describe('shutdown-lint/lifecycle under SIGTERM (HTTP/2)', () => {
  it('sends GOAWAY, lets the stream in flight complete, and exits 0', async () => {
    const server = await drill('http2-server.mjs', {});
    const session = http2.connect(`http://127.0.0.1:${server.ports[0]}`);
    session.on('error', () => {});
    const goaway = new Promise<number>((resolve) => session.on('goaway', () => resolve(Date.now())));
    const stream = session.request({ ':path': '/slow?ms=800' });
    const answer = new Promise<{ status: unknown; body: string; at: number }>((resolve, reject) => {
      let status: unknown;
      let body = '';
      stream.setEncoding('utf8');
      stream.on('response', (headers) => {
        status = headers[':status'];
      });
      stream.on('data', (chunk: string) => {
        body += chunk;
      });
      stream.on('end', () => resolve({ status, body, at: Date.now() }));
      stream.on('error', reject);
    });
    await server.waitFor('request');
    const sent = server.kill();
    const [goawayAt, response, exit] = await Promise.all([goaway, answer, server.exited]);
    session.destroy();
    expect(goawayAt - sent).toBeLessThan(600);
    expect(response).toMatchObject({ status: 200, body: 'slow done' });
    expect(exit.code).toBe(0);
    expect(exit.at - sent).toBeLessThan(4_000);
  });
});

describe('shutdown-lint/lifecycle under SIGTERM (ws WebSocketServer and socket.io Server in addServer)', () => {
  function rawUpgrade(port: number, path = '/'): { socket: net.Socket; ended: Promise<number> } {
    const socket = net.connect(port, '127.0.0.1');
    const ended = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.on('error', () => {});
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: drill\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    return { socket, ended };
  }

  it('sends every ws client 1001, waits for their answer and exits 0 well before the deadline', async () => {
    const server = await drill('ws-server.mjs', { serverTimeoutMs: 3_000 });
    const clients = [0, 1].map(() => new WebSocket(`ws://127.0.0.1:${server.ports[0]}/`));
    const closes = clients.map(
      (client) =>
        new Promise<{ code: number; reason: string; at: number }>((resolve) => {
          client.on('error', () => {});
          client.on('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() }));
        }),
    );
    await server.waitFor('ws-open', 2);
    const sent = server.kill();
    const [results, exit] = await Promise.all([Promise.all(closes), server.exited]);
    for (const close of results) {
      expect(close.code).toBe(1001);
      expect(close.reason).toBe('server shutting down');
      expect(close.at - sent).toBeLessThan(1_500);
    }
    expect(exit.code).toBe(0);
    expect(exit.at - sent).toBeLessThan(2_000);
    // The internal http server is closed too: nobody can connect any more.
    const refused = await new Promise<string>((resolve) => {
      const late = net.connect(server.ports[0], '127.0.0.1');
      late.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? ''));
      late.on('connect', () => resolve('connected'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('terminates a ws client that never answers the close frame at the deadline, and exits 1', async () => {
    const server = await drill('ws-server.mjs', { serverTimeoutMs: 800 });
    const polite = new WebSocket(`ws://127.0.0.1:${server.ports[0]}/`);
    const politeClosed = new Promise<number>((resolve) => polite.on('close', (code) => resolve(code)));
    polite.on('error', () => {});
    const stuck = rawUpgrade(server.ports[0]);
    const received: Array<{ bytes: Buffer; at: number }> = [];
    stuck.socket.on('data', (bytes) => received.push({ bytes, at: Date.now() }));
    await server.waitFor('ws-open', 2);
    const sent = server.kill();
    const [at, exit, politeCode] = await Promise.all([stuck.ended, server.exited, politeClosed]);
    expect(politeCode).toBe(1001);
    const frames = received.filter(({ bytes }) => bytes[0] === 0x88);
    expect(frames.length).toBe(1);
    // Unmasked close frame whose payload starts with status 1001.
    expect([...frames[0].bytes.subarray(2, 4)]).toEqual([0x03, 0xe9]);
    expect(frames[0].at - sent).toBeLessThan(600);
    expect(at - sent).toBeGreaterThan(700);
    expect(at - sent).toBeLessThan(4_000);
    expect(exit.code).toBe(1);
    expect(exit.at - sent).toBeLessThan(4_000);
  });

  it('closes a socket.io server with its clients through io.close() and exits 0', async () => {
    const server = await drill('ws-server.mjs', { socketIo: true, serverTimeoutMs: 3_000 });
    const client = new WebSocket(`ws://127.0.0.1:${server.ports[0]}/socket.io/?EIO=4&transport=websocket`);
    const messages: string[] = [];
    client.on('error', () => {});
    client.on('message', (data) => {
      const text = data.toString();
      messages.push(text);
      if (text.startsWith('0{')) client.send('40');
    });
    const closed = new Promise<number>((resolve) => client.on('close', () => resolve(Date.now())));
    await server.waitFor('ws-open');
    const sent = server.kill();
    const [at, exit] = await Promise.all([closed, server.exited]);
    // The namespace connect was acknowledged ("40{sid}"); io.close() then closed the transport.
    expect(messages.some((message) => message.startsWith('40{'))).toBe(true);
    expect(at - sent).toBeLessThan(1_500);
    expect(exit.code).toBe(0);
    expect(exit.at - sent).toBeLessThan(2_000);
  });
});
