// Drills: a drill server in its own process (fixtures/lifecycle), real clients here, a real signal.
// Times are taken in this process when an event arrives, relative to the signal.
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'lifecycle');

export interface DrillEvent {
  event: string;
  at: number;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

export interface Drill {
  child: ChildProcess;
  events: DrillEvent[];
  ports: number[];
  stderr: () => string;
  exited: Promise<Exit>;
  waitFor(event: string, count?: number): Promise<DrillEvent>;
  kill(signal?: NodeJS.Signals): number;
  names(event: string): unknown[];
}

export async function startDrill(fixture: string, config: object, until = 'listening'): Promise<Drill> {
  const child = spawn(process.execPath, [join(fixtures, fixture), JSON.stringify(config)], {
    cwd: fixtures,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: DrillEvent[] = [];
  const waiters: Array<() => void> = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push({ ...(JSON.parse(line) as { event: string }), at: Date.now() });
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal, at: Date.now() });
      for (const wake of waiters.splice(0)) wake();
    });
  });
  let exitedYet = false;
  void exited.then(() => {
    exitedYet = true;
  });
  const waitFor = async (event: string, count = 1): Promise<DrillEvent> => {
    for (;;) {
      const found = events.filter((candidate) => candidate.event === event);
      if (found.length >= count) return found[count - 1];
      if (exitedYet) throw new Error(`drill exited before "${event}"; stderr:\n${stderr}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const drill: Drill = {
    child,
    events,
    ports: [],
    stderr: () => stderr,
    exited,
    waitFor,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      child.kill(signal);
      return Date.now();
    },
    names(event: string) {
      return events.filter((candidate) => candidate.event === event).map((candidate) => candidate.name);
    },
  };
  const ready = await waitFor(until);
  drill.ports = (ready.ports as number[] | undefined) ?? [];
  return drill;
}

export interface Answer {
  status?: number;
  connection?: string;
  body?: string;
  error?: string;
  at: number;
}

/** One GET (HTTPS with an https.Agent); resolves with the answer or the error code, never rejects. */
export function get(port: number, path: string, agent?: http.Agent): Promise<Answer> {
  return new Promise((resolve) => {
    const client = agent instanceof https.Agent ? https : http;
    const request = client.get({ host: '127.0.0.1', port, path, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode, connection: response.headers.connection, body, at: Date.now() }),
      );
      response.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ error: error.code ?? error.message, at: Date.now() }),
      );
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message, at: Date.now() }),
    );
  });
}
