// kutt (thedevs-network/kutt), a URL shortener: Express 4, knex on PostgreSQL here (its default
// SQLite driver, better-sqlite3, builds a native binary fetched from GitHub). It has no shutdown
// code of its own. Every redirect of a link with an owner records a visit after the response is
// on its way: `queue.visit.add(…)` without Redis calls the visit processor and drops its promise
// (links.handler.js "7. Create link visit"), which increments links.visit_count and upserts the
// hour's row of visits in a transaction that locks it (`forUpdate`), so concurrent visits to one
// link queue behind each other.
//
// Drill: `npm run migrate` (knex migrate:latest) on a throwaway PostgreSQL, one user and two links
// seeded, 16 keep-alive clients following the short links with a browser's user agent, SIGTERM
// after 1.5 s. Every 302 the clients got is a visit the service acknowledged; afterwards the
// database says how many it recorded (visit_count and the visits' totals).
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { startThrowawayPostgres } from '../postgres.js';
import { httpLoad, ready, summarizeFailures } from './http-load.js';

const clients = Number(process.env.PROOF_CLIENTS ?? 16);
const loadMs = Number(process.env.PROOF_LOAD_MS ?? 1500);
const links = ['proofa', 'proofb'];
const browser = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export default {
  repo: 'thedevs-network/kutt',
  commit: 'fc832d7e7243d5472714e17abfe84b908901e1a7',
  load: `Express + knex on PostgreSQL, no shutdown code of its own. \`npm run migrate\`, one user and ${links.length} links seeded, ${clients} keep-alive clients following the short links (a browser's user agent: each redirect records a visit after the response), SIGTERM after ${loadMs} ms.`,
  columns: [
    { title: 'variant', value: (row) => row.variant },
    { title: 'redirects answered (302)', value: (row) => row.acked },
    { title: 'visits counted (visit_count)', value: (row) => row.counted },
    { title: 'visits in stats (visits.total)', value: (row) => row.recorded },
    { title: 'visits lost', value: (row) => `${row.acked - Math.min(row.counted, row.recorded)}` },
    { title: 'requests failed', value: (row) => summarizeFailures(row.failed) },
  ],
  async drill(dir, { boot, run }) {
    const database = await startThrowawayPostgres();
    try {
      const url = new URL(database.url);
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const env = {
        NODE_ENV: 'production',
        PORT: String(port),
        DEFAULT_DOMAIN: `127.0.0.1:${port}`,
        JWT_SECRET: 'proof-secret',
        DB_CLIENT: 'pg',
        DB_HOST: url.hostname,
        DB_PORT: url.port,
        DB_NAME: url.pathname.slice(1),
        DB_USER: decodeURIComponent(url.username),
        DB_PASSWORD: '',
        REDIS_ENABLED: 'false',
      };
      run('npm', ['run', 'migrate'], dir, { ...process.env, ...env });
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      try {
        const user = await db.query(
          "insert into users (email, password, verified) values ('proof@localhost', 'x', true) returning id",
        );
        for (const address of links)
          await db.query("insert into links (address, target, user_id) values ($1, 'https://example.com/', $2)", [
            address,
            user.rows[0].id,
          ]);
        let signalled = false;
        const result = await boot({
          env,
          ready: () => ready(port, '/api/v2/health'),
          async load({ running, signal }) {
            const load = httpLoad({
              port,
              clients,
              running,
              signalled: () => signalled,
              request: (i) => ({
                method: 'GET',
                path: `/${links[i % links.length]}`,
                headers: { 'user-agent': browser },
              }),
              accept: (response) => response.status === 302,
            });
            await sleep(loadMs);
            signalled = true;
            signal();
            return load;
          },
        });
        const counted = await db.query('select coalesce(sum(visit_count), 0)::int as n from links');
        const recorded = await db.query('select coalesce(sum(total), 0)::int as n from visits');
        return { ...result, counted: counted.rows[0].n, recorded: recorded.rows[0].n };
      } finally {
        await db.end();
      }
    } finally {
      database.stop();
    }
  },
};
