// WBO (lovasoa/whitebophir), a collaborative whiteboard: plain node:http + socket.io, boards kept in
// memory and saved to SVG files a while after each edit. It has shutdown code of its own: SIGTERM
// disconnects the sockets, saves and unloads every board, closes the server and exits 0. Its
// OpenTelemetry NodeSDK (BatchLogRecordProcessor to OTLP when an endpoint is set) is never shut
// down (field label H1, require-flush).
//
// Drill: clients speak socket.io's wire protocol over WebSocket (engine.io v4, as the browser's
// client does), 4 boards with 3 clients each, every client drawing rectangles (a CREATE each, up
// to 4 unacknowledged), SIGTERM after 1.5 s. The server acknowledges an edit by broadcasting it back
// to its sender with a sequence number; afterwards the saved board files say which acknowledged
// edits were kept. A local OTLP/HTTP (JSON) collector counts the log records that reached it,
// against the records the service printed (its logfmt exporter sees the same records).
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

const boards = Number(process.env.PROOF_BOARDS ?? 4);
const perBoard = Number(process.env.PROOF_BOARD_CLIENTS ?? 3);
const loadMs = Number(process.env.PROOF_LOAD_MS ?? 1500);
const window = 4;
const rectangle = 3; // TOOL_CODE_BY_ID.rectangle in client-data/tools/manifest.js
const create = 1; // MutationType.CREATE

function collector() {
  const logs = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/logs') {
        try {
          for (const resource of JSON.parse(body).resourceLogs ?? [])
            for (const scope of resource.scopeLogs ?? [])
              for (const record of scope.logRecords ?? []) logs.push(record);
        } catch {
          // not JSON: not counted
        }
      }
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, logs, server })),
  );
}

/** One drawing client: engine.io v4 over WebSocket, socket.io packets inside. */
function drawer(port, board, name) {
  const state = {
    board,
    acked: new Set(),
    sent: 0,
    connected: false,
    disconnected: false,
    closeCode: undefined,
    sid: '',
  };
  const ws = new WebSocket(
    `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&board=${board}&baselineSeq=0&tool=rectangle&color=%23123456&size=10`,
  );
  let drawing = false;
  let inFlight = 0;
  const send = () => {
    while (drawing && inFlight < window && ws.readyState === WebSocket.OPEN) {
      const n = state.sent++;
      inFlight++;
      const mutation = { tool: rectangle, type: create, id: `${name}x${n}`, color: '#123456', size: 10, opacity: 1 };
      ws.send(`42${JSON.stringify(['broadcast', { ...mutation, x: n % 500, y: 10, x2: (n % 500) + 20, y2: 40 }])}`);
    }
  };
  ws.on('message', (data) => {
    const text = String(data);
    if (text.startsWith('0')) ws.send('40');
    else if (text === '2') ws.send('3');
    else if (text.startsWith('40')) {
      state.sid = JSON.parse(text.slice(2)).sid;
      state.connected = true;
    } else if (text.startsWith('41')) state.disconnected = true;
    else if (text.startsWith('42')) {
      const [event, payload] = JSON.parse(text.slice(2));
      if (event === 'broadcast' && payload?.mutation?.socket === state.sid) {
        state.acked.add(payload.mutation.id);
        inFlight--;
        send();
      } else if (event === 'mutation_rejected' || event === 'rate-limited') {
        state.rejected = (state.rejected ?? 0) + 1;
        inFlight--;
        send();
      } else if (event === 'broadcast' && payload?.type === 5 && !drawing) {
        // The connection's replay batch: the board is ready.
        drawing = true;
        send();
      }
    }
  });
  ws.on('close', (code) => (state.closeCode = code));
  ws.on('error', () => {});
  state.stop = () => (drawing = false);
  return state;
}

function savedIds(file) {
  if (!existsSync(file)) return new Set();
  return new Set([...readFileSync(file, 'utf8').matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
}

export default {
  repo: 'lovasoa/whitebophir',
  commit: 'ba5ce0821106d5ff792a840e2b53e2e32aa8f25e',
  load: `socket.io whiteboard, boards saved to SVG files, its own SIGTERM handler (save every board, close, exit 0), OpenTelemetry logs to OTLP. ${boards} boards × ${perBoard} socket.io clients drawing rectangles (up to ${window} unacknowledged each), SIGTERM after ${loadMs} ms; a local OTLP collector counts the log records that arrive.`,
  columns: [
    { title: 'variant', value: (row) => row.variant },
    { title: 'edits acknowledged', value: (row) => row.acked },
    { title: 'acknowledged edits lost from the saved boards', value: (row) => row.lost },
    {
      title: 'clients told to disconnect (socket.io) / WebSocket close codes',
      value: (row) => `${row.toldToDisconnect}/${row.clients}; ${row.closeCodes.join(', ')}`,
    },
    {
      title: 'log records exported / printed',
      value: (row) =>
        `${row.exported}/${row.printed} (${row.printed - row.exported} lost${row.shutdownLogged ? '' : ', "server.shutdown_completed" among them'})`,
    },
  ],
  async drill(dir, { boot }) {
    const history = join(dir, 'proof-boards');
    mkdirSync(history, { recursive: true });
    const otlp = await collector();
    try {
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const names = Array.from({ length: boards }, (_, b) => `proof${b}`);
      const clients = [];
      const result = await boot({
        env: {
          PORT: String(port),
          HOST: '127.0.0.1',
          WBO_HISTORY_DIR: history,
          WBO_MAX_EMIT_COUNT: '*:1000000/5s',
          WBO_MAX_CONSTRUCTIVE_ACTIONS_PER_IP: '*:1000000/10s',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlp.port}`,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        },
        ready: () =>
          new Promise((resolve) =>
            http
              .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
                res.resume();
                resolve(res.statusCode < 500);
              })
              .on('error', () => resolve(false)),
          ),
        async load({ signal, exited }) {
          for (const board of names)
            for (let c = 0; c < perBoard; c++) clients.push(drawer(port, board, `${board}c${c}`));
          await sleep(loadMs);
          signal();
          await exited;
          for (const client of clients) client.stop();
          // Let the close frames and the collector's last requests arrive.
          await sleep(300);
          return {};
        },
      });
      let acked = 0;
      let lost = 0;
      for (const board of names) {
        const saved = savedIds(join(history, `board-${board}.svg`));
        for (const client of clients.filter((c) => c.board === board))
          for (const id of client.acked) {
            acked++;
            if (!saved.has(id)) lost++;
          }
      }
      const printed = result.output.split('\n').filter((line) => / event=/.test(line)).length;
      const exported = otlp.logs.length;
      const shutdownLogged = otlp.logs.some((record) =>
        JSON.stringify(record.body ?? '').includes('server.shutdown_completed'),
      );
      return {
        ...result,
        acked,
        lost,
        clients: clients.length,
        toldToDisconnect: clients.filter((c) => c.disconnected).length,
        closeCodes: [...new Set(clients.map((c) => c.closeCode ?? 'open'))],
        printed,
        exported,
        shutdownLogged,
      };
    } finally {
      otlp.server.close();
    }
  },
};
