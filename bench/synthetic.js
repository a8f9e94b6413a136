#!/usr/bin/env node
// A seeded synthetic Node.js service for the benchmark: an Express app and a Fastify API over
// domains (routes, service, repository on a pg pool, types, validation), shared utilities, a
// shutdown module, and an import graph in which services depend on other domains' services. A few
// hazards are planted at a known low rate, each marked `// HAZARD <rule-id>` on the line above the
// line shutdown-lint reports (the demo service's convention). Same seed and size: same files,
// same bytes.
//
//   node bench/synthetic.js <out-dir> [--files n] [--seed n] [--node-modules dir]
//
// The types resolve through a `node_modules` symlink to this repository's node_modules (express,
// fastify, pg, @types/node), so tsc and typescript-eslint do real type work on it.
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

const nouns = [
  'account',
  'invoice',
  'order',
  'customer',
  'payment',
  'refund',
  'shipment',
  'product',
  'catalog',
  'price',
  'coupon',
  'cart',
  'review',
  'rating',
  'ticket',
  'agent',
  'team',
  'member',
  'project',
  'task',
  'comment',
  'attachment',
  'webhook',
  'session',
  'device',
  'region',
  'warehouse',
  'stock',
  'supplier',
  'contract',
  'subscription',
  'plan',
  'feature',
  'experiment',
  'segment',
  'campaign',
  'message',
  'template',
  'report',
  'dashboard',
  'metric',
  'alert',
  'incident',
  'schedule',
  'shift',
  'location',
  'vehicle',
  'route',
  'booking',
  'room',
  'tenant',
  'policy',
  'role',
  'permission',
  'token',
  'exportJob',
  'importJob',
  'batch',
  'ledger',
  'transfer',
];

const fieldKinds = [
  { name: 'title', type: 'string', column: 'title', sample: "'untitled'", check: 'string' },
  { name: 'description', type: 'string', column: 'description', sample: "''", check: 'string' },
  { name: 'amount', type: 'number', column: 'amount', sample: '0', check: 'number' },
  { name: 'quantity', type: 'number', column: 'quantity', sample: '1', check: 'number' },
  { name: 'status', type: 'string', column: 'status', sample: "'active'", check: 'string' },
  { name: 'currency', type: 'string', column: 'currency', sample: "'EUR'", check: 'string' },
  { name: 'priority', type: 'number', column: 'priority', sample: '0', check: 'number' },
  { name: 'archived', type: 'boolean', column: 'archived', sample: 'false', check: 'boolean' },
  { name: 'email', type: 'string', column: 'email', sample: "''", check: 'string' },
  { name: 'externalRef', type: 'string', column: 'external_ref', sample: "''", check: 'string' },
  { name: 'weight', type: 'number', column: 'weight', sample: '0', check: 'number' },
  { name: 'enabled', type: 'boolean', column: 'enabled', sample: 'true', check: 'boolean' },
];

const pascal = (s) => s[0].toUpperCase() + s.slice(1);
const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The hazard kinds, their planting rate per domain, and the rule that must report each. */
export const hazardKinds = [
  { kind: 'untracked-audit', rule: 'no-untracked-promise', rate: 0.06 },
  { kind: 'async-interval', rule: 'no-untracked-promise', rate: 0.02 },
  { kind: 'unclosed-pool', rule: 'no-unclosed-resource', rate: 0.02 },
  { kind: 'dropped-signal', rule: 'require-abort-signal', rate: 0.03 },
  { kind: 'exit-in-library', rule: 'no-exit-before-cleanup', rate: 0.015 },
  { kind: 'unbounded-close', rule: 'require-close-timeout', rate: 0.01 },
];

const fixedFiles = [
  'src/main.ts',
  'src/app.ts',
  'src/api.ts',
  'src/config.ts',
  'src/shutdown.ts',
  'src/db/pool.ts',
  'src/lib/logger.ts',
  'src/lib/errors.ts',
  'src/lib/audit.ts',
  'src/lib/pagination.ts',
  'src/lib/validate.ts',
  'src/lib/ids.ts',
  'src/lib/http-client.ts',
];
const filesPerDomain = 5;

/** The plan: which domains exist, who depends on whom, where the hazards go. Pure function of (files, seed). */
function plan(fileCount, seed) {
  if (!Number.isInteger(fileCount) || fileCount < 100 || fileCount > 5000) {
    throw new Error(`--files ${fileCount}: expected a whole number from 100 to 5000.`);
  }
  const rng = random(seed);
  const countOf = (hazard, domainCount) => Math.max(1, Math.round(hazard.rate * domainCount));
  const eventStreams = (domainCount) =>
    countOf(
      hazardKinds.find((h) => h.kind === 'unbounded-close'),
      domainCount,
    );
  // Each unbounded-close domain has one file more (its event stream); utilities fill the rest.
  let domainCount = Math.floor((fileCount - fixedFiles.length) / filesPerDomain);
  while (fixedFiles.length + domainCount * filesPerDomain + eventStreams(domainCount) > fileCount) domainCount--;
  const utilCount = fileCount - fixedFiles.length - domainCount * filesPerDomain - eventStreams(domainCount);
  const domains = [];
  for (let i = 0; i < domainCount; i++) {
    const base = nouns[i % nouns.length];
    const name = i < nouns.length ? base : `${base}${Math.floor(i / nouns.length) + 1}`;
    const fieldCount = 3 + rng.int(4);
    const shuffled = [...fieldKinds];
    for (let k = shuffled.length - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      [shuffled[k], shuffled[j]] = [shuffled[j], shuffled[k]];
    }
    const fields = shuffled.slice(0, fieldCount);
    // Dependencies on earlier domains, mostly near ones (a layered graph, not a star).
    const dependencies = new Set();
    const wanted = i === 0 ? 0 : 1 + rng.int(Math.min(3, i));
    for (let k = 0; k < wanted * 3 && dependencies.size < wanted; k++) {
      const back = rng.chance(0.7) ? 1 + rng.int(Math.min(8, i)) : 1 + rng.int(i);
      dependencies.add(i - back);
    }
    domains.push({
      index: i,
      name,
      entity: pascal(name),
      table: `${snake(name)}s`,
      fields,
      dependencies: [...dependencies].sort((a, b) => a - b),
      framework: rng.chance(0.35) ? 'fastify' : 'express',
      usesUtil: utilCount > 0 && rng.chance(0.5) ? rng.int(utilCount) : -1,
      hazards: new Set(),
    });
  }
  // Each hazard kind at its rate, at least once, in distinct domains where it fits.
  for (const hazard of hazardKinds) {
    const count = countOf(hazard, domainCount);
    const candidates = domains.filter((d) => d.hazards.size === 0);
    for (let n = 0; n < count && candidates.length > 0; n++) {
      const [domain] = candidates.splice(rng.int(candidates.length), 1);
      domain.hazards.add(hazard.kind);
    }
  }
  return { domains, utilCount, seed };
}

// ── File templates ──

function typesFile(d, domains) {
  const lines = [`// ${d.entity}: the domain's types.`];
  for (const dep of d.dependencies.slice(0, 1)) {
    const other = domains[dep];
    lines.push(`import type { ${other.entity}Id } from '../${other.name}/${other.name}.types.js';`);
  }
  lines.push('');
  lines.push(`export type ${d.entity}Id = string & { readonly __brand: '${d.entity}Id' };`);
  lines.push('');
  lines.push(`export interface ${d.entity} {`);
  lines.push(`  id: ${d.entity}Id;`);
  for (const f of d.fields) lines.push(`  ${f.name}: ${f.type};`);
  for (const dep of d.dependencies.slice(0, 1))
    lines.push(`  ${domains[dep].name}Id: ${domains[dep].entity}Id | null;`);
  lines.push('  createdAt: Date;');
  lines.push('  updatedAt: Date;');
  lines.push('}');
  lines.push('');
  lines.push(`export type New${d.entity} = Omit<${d.entity}, 'id' | 'createdAt' | 'updatedAt'>;`);
  lines.push('');
  lines.push(`export type ${d.entity}Patch = Partial<New${d.entity}>;`);
  lines.push('');
  lines.push(`export interface ${d.entity}Summary {`);
  lines.push('  total: number;');
  lines.push('  newest: Date | null;');
  lines.push('  oldest: Date | null;');
  for (const f of d.fields.filter((f) => f.type === 'number')) lines.push(`  ${f.name}Sum: number;`);
  lines.push('}');
  lines.push('');
  lines.push(`export interface ${d.entity}Row {`);
  lines.push('  id: string;');
  for (const f of d.fields) lines.push(`  ${f.column}: ${f.type};`);
  for (const dep of d.dependencies.slice(0, 1)) lines.push(`  ${snake(domains[dep].name)}_id: string | null;`);
  lines.push('  created_at: Date;');
  lines.push('  updated_at: Date;');
  lines.push('}');
  lines.push('');
  return lines.join('\n');
}

function validationFile(d, domains) {
  const ref = d.dependencies.slice(0, 1).map((i) => domains[i]);
  const lines = [
    `import { ValidationError } from '../../lib/errors.js';`,
    `import { isRecord, optionalString, requireField } from '../../lib/validate.js';`,
    `import type { New${d.entity}, ${d.entity}Patch } from './${d.name}.types.js';`,
  ];
  for (const other of ref)
    lines.push(`import type { ${other.entity}Id } from '../${other.name}/${other.name}.types.js';`);
  lines.push('');
  if (d.hazards.has('exit-in-library')) {
    lines.push('let limits: { maxLength: number } | undefined;');
    lines.push('');
    lines.push('function currentLimits(): { maxLength: number } {');
    lines.push('  if (limits) return limits;');
    lines.push(`  const raw = process.env.${snake(d.name).toUpperCase()}_MAX_LENGTH ?? '200';`);
    lines.push('  const maxLength = Number(raw);');
    lines.push('  if (!Number.isInteger(maxLength) || maxLength <= 0) {');
    lines.push(`    console.error('invalid limit for ${d.name}', raw);`);
    lines.push(
      `    // HAZARD no-exit-before-cleanup: a validation helper, read on the first request, ends the whole service.`,
    );
    lines.push('    process.exit(1);');
    lines.push('  }');
    lines.push('  limits = { maxLength };');
    lines.push('  return limits;');
    lines.push('}');
  } else {
    lines.push(`const maxLength = Number(process.env.${snake(d.name).toUpperCase()}_MAX_LENGTH ?? 200);`);
    lines.push('');
    lines.push('function currentLimits(): { maxLength: number } {');
    lines.push('  return { maxLength };');
    lines.push('}');
  }
  lines.push('');
  lines.push(`export function parseNew${d.entity}(input: unknown): New${d.entity} {`);
  lines.push(`  if (!isRecord(input)) throw new ValidationError('${d.name}: expected an object');`);
  lines.push('  return {');
  for (const f of d.fields) {
    if (f.check === 'string')
      lines.push(`    ${f.name}: requireField(input, '${f.name}', 'string').slice(0, currentLimits().maxLength),`);
    else lines.push(`    ${f.name}: requireField(input, '${f.name}', '${f.check}'),`);
  }
  for (const other of ref)
    lines.push(`    ${other.name}Id: (optionalString(input, '${other.name}Id') ?? null) as ${other.entity}Id | null,`);
  lines.push('  };');
  lines.push('}');
  lines.push('');
  lines.push(`export function parse${d.entity}Patch(input: unknown): ${d.entity}Patch {`);
  lines.push(`  if (!isRecord(input)) throw new ValidationError('${d.name}: expected an object');`);
  lines.push(`  const patch: ${d.entity}Patch = {};`);
  for (const f of d.fields) {
    lines.push(`  if ('${f.name}' in input) patch.${f.name} = requireField(input, '${f.name}', '${f.check}');`);
  }
  lines.push('  return patch;');
  lines.push('}');
  lines.push('');
  return lines.join('\n');
}

function repositoryFile(d, domains) {
  const ref = d.dependencies.slice(0, 1).map((i) => domains[i]);
  const columns = [
    'id',
    ...d.fields.map((f) => f.column),
    ...ref.map((o) => `${snake(o.name)}_id`),
    'created_at',
    'updated_at',
  ];
  const insertColumns = [...d.fields.map((f) => f.column), ...ref.map((o) => `${snake(o.name)}_id`)];
  const insertValues = [...d.fields.map((f) => `input.${f.name}`), ...ref.map((o) => `input.${o.name}Id`)];
  const ownPool = d.hazards.has('unclosed-pool');
  const lines = [`import type { QueryResultRow } from 'pg';`];
  if (ownPool) lines.push(`import pg from 'pg';`);
  lines.push(`import { pool } from '../../db/pool.js';`);
  lines.push(`import type { Page } from '../../lib/pagination.js';`);
  lines.push(
    `import type { ${d.entity}, ${d.entity}Id, ${d.entity}Patch, ${d.entity}Row, New${d.entity} } from './${d.name}.types.js';`,
  );
  for (const other of ref)
    lines.push(`import type { ${other.entity}Id } from '../${other.name}/${other.name}.types.js';`);
  lines.push('');
  if (ownPool) {
    lines.push(`// Reads go to the replica for ${d.name} reports.`);
    lines.push(`// HAZARD no-unclosed-resource: a second pool that no shutdown path ends.`);
    lines.push(`const replica = new pg.Pool({ connectionString: process.env.REPLICA_URL, max: 4 });`);
    lines.push('');
  }
  const reader = ownPool ? 'replica' : 'pool';
  lines.push(`const selectColumns = '${columns.join(', ')}';`);
  lines.push('');
  lines.push(`function to${d.entity}(row: ${d.entity}Row): ${d.entity} {`);
  lines.push('  return {');
  lines.push(`    id: row.id as ${d.entity}Id,`);
  for (const f of d.fields) lines.push(`    ${f.name}: row.${f.column},`);
  for (const other of ref) lines.push(`    ${other.name}Id: row.${snake(other.name)}_id as ${other.entity}Id | null,`);
  lines.push('    createdAt: row.created_at,');
  lines.push('    updatedAt: row.updated_at,');
  lines.push('  };');
  lines.push('}');
  lines.push('');
  lines.push(`async function query<Row extends QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {`);
  lines.push(`  const result = await pool.query<Row>(text, values);`);
  lines.push('  return result.rows;');
  lines.push('}');
  lines.push('');
  lines.push(`export async function find${d.entity}(id: ${d.entity}Id): Promise<${d.entity} | undefined> {`);
  lines.push(
    `  const rows = await query<${d.entity}Row>(\`select \${selectColumns} from ${d.table} where id = $1\`, [id]);`,
  );
  lines.push(`  return rows[0] ? to${d.entity}(rows[0]) : undefined;`);
  lines.push('}');
  lines.push('');
  lines.push(`export async function list${d.entity}s(page: Page): Promise<${d.entity}[]> {`);
  lines.push(`  const result = await ${reader}.query<${d.entity}Row>(`);
  lines.push(`    \`select \${selectColumns} from ${d.table} order by created_at desc limit $1 offset $2\`,`);
  lines.push('    [page.limit, page.offset],');
  lines.push('  );');
  lines.push(`  return result.rows.map(to${d.entity});`);
  lines.push('}');
  lines.push('');
  lines.push(`export async function insert${d.entity}(input: New${d.entity}): Promise<${d.entity}> {`);
  lines.push(`  const rows = await query<${d.entity}Row>(`);
  lines.push(
    `    \`insert into ${d.table} (${insertColumns.join(', ')}) values (${insertColumns.map((_, i) => `$${i + 1}`).join(', ')}) returning \${selectColumns}\`,`,
  );
  lines.push(`    [${insertValues.join(', ')}],`);
  lines.push('  );');
  lines.push(`  return to${d.entity}(rows[0]!);`);
  lines.push('}');
  lines.push('');
  lines.push(
    `export async function update${d.entity}(id: ${d.entity}Id, patch: ${d.entity}Patch): Promise<${d.entity} | undefined> {`,
  );
  lines.push('  const sets: string[] = [];');
  lines.push('  const values: unknown[] = [id];');
  for (const f of d.fields) {
    lines.push(`  if (patch.${f.name} !== undefined) {`);
    lines.push(`    values.push(patch.${f.name});`);
    lines.push(`    sets.push(\`${f.column} = $\${values.length}\`);`);
    lines.push('  }');
  }
  lines.push(`  if (sets.length === 0) return find${d.entity}(id);`);
  lines.push(`  const rows = await query<${d.entity}Row>(`);
  lines.push(
    `    \`update ${d.table} set \${sets.join(', ')}, updated_at = now() where id = $1 returning \${selectColumns}\`,`,
  );
  lines.push('    values,');
  lines.push('  );');
  lines.push(`  return rows[0] ? to${d.entity}(rows[0]) : undefined;`);
  lines.push('}');
  lines.push('');
  lines.push(`export async function insert${d.entity}s(inputs: New${d.entity}[]): Promise<${d.entity}[]> {`);
  lines.push('  const client = await pool.connect();');
  lines.push('  try {');
  lines.push(`    await client.query('begin');`);
  lines.push(`    const created: ${d.entity}[] = [];`);
  lines.push('    for (const input of inputs) {');
  lines.push(`      const result = await client.query<${d.entity}Row>(`);
  lines.push(
    `        \`insert into ${d.table} (${insertColumns.join(', ')}) values (${insertColumns.map((_, i) => `$${i + 1}`).join(', ')}) returning \${selectColumns}\`,`,
  );
  lines.push(`        [${insertValues.join(', ')}],`);
  lines.push('      );');
  lines.push(`      created.push(to${d.entity}(result.rows[0]!));`);
  lines.push('    }');
  lines.push(`    await client.query('commit');`);
  lines.push('    return created;');
  lines.push('  } catch (error) {');
  lines.push(`    await client.query('rollback');`);
  lines.push('    throw error;');
  lines.push('  } finally {');
  lines.push('    client.release();');
  lines.push('  }');
  lines.push('}');
  lines.push('');
  const searchable = d.fields.find((f) => f.type === 'string');
  lines.push(`export async function search${d.entity}s(term: string, page: Page): Promise<${d.entity}[]> {`);
  if (searchable) {
    lines.push(`  const rows = await query<${d.entity}Row>(`);
    lines.push(
      `    \`select \${selectColumns} from ${d.table} where ${searchable.column} ilike $1 order by created_at desc limit $2 offset $3\`,`,
    );
    lines.push('    [`%${term}%`, page.limit, page.offset],');
    lines.push('  );');
  } else {
    lines.push(
      `  const rows = await query<${d.entity}Row>(\`select \${selectColumns} from ${d.table} where id::text like $1 limit $2 offset $3\`, [\`\${term}%\`, page.limit, page.offset]);`,
    );
  }
  lines.push(`  return rows.map(to${d.entity});`);
  lines.push('}');
  lines.push('');
  lines.push(`export async function delete${d.entity}(id: ${d.entity}Id): Promise<boolean> {`);
  lines.push(`  const result = await pool.query(\`delete from ${d.table} where id = $1\`, [id]);`);
  lines.push('  return (result.rowCount ?? 0) > 0;');
  lines.push('}');
  for (const other of ref) {
    lines.push('');
    lines.push(`export async function count${d.entity}sFor${other.entity}(id: ${other.entity}Id): Promise<number> {`);
    lines.push(
      `  const rows = await query<{ count: string }>(\`select count(*) as count from ${d.table} where ${snake(other.name)}_id = $1\`, [id]);`,
    );
    lines.push(`  return Number(rows[0]?.count ?? 0);`);
    lines.push('}');
  }
  if (d.hazards.has('async-interval')) {
    lines.push('');
    lines.push(`export async function purgeArchived${d.entity}s(): Promise<number> {`);
    lines.push(
      `  const result = await pool.query(\`delete from ${d.table} where updated_at < now() - interval '30 days'\`);`,
    );
    lines.push('  return result.rowCount ?? 0;');
    lines.push('}');
  }
  lines.push('');
  return lines.join('\n');
}

function serviceFile(d, domains, utilCount) {
  const deps = d.dependencies.map((i) => domains[i]);
  const ref = deps.slice(0, 1);
  const lines = [
    `import { recordEvent } from '../../lib/audit.js';`,
    `import { NotFoundError, ValidationError } from '../../lib/errors.js';`,
  ];
  if (d.hazards.has('dropped-signal')) lines.push(`import { getJson } from '../../lib/http-client.js';`);
  lines.push(`import { logger } from '../../lib/logger.js';`);
  lines.push(`import { pageOf, type Page } from '../../lib/pagination.js';`);
  if (d.usesUtil >= 0 && d.usesUtil < utilCount)
    lines.push(`import { normalize${d.usesUtil} } from '../../lib/util/normalize-${d.usesUtil}.js';`);
  for (const other of deps)
    lines.push(`import { get${other.entity} } from '../${other.name}/${other.name}.service.js';`);
  lines.push(`import * as repository from './${d.name}.repository.js';`);
  lines.push(`import type { ${d.entity}, ${d.entity}Id, ${d.entity}Summary } from './${d.name}.types.js';`);
  lines.push(`import { parse${d.entity}Patch, parseNew${d.entity} } from './${d.name}.validation.js';`);
  lines.push('');
  lines.push(`const log = logger.child('${d.name}');`);
  lines.push('');
  lines.push(`export async function get${d.entity}(id: string): Promise<${d.entity}> {`);
  lines.push(`  const found = await repository.find${d.entity}(id as ${d.entity}Id);`);
  lines.push(`  if (!found) throw new NotFoundError('${d.name}', id);`);
  lines.push('  return found;');
  lines.push('}');
  lines.push('');
  lines.push(
    `export async function list${d.entity}s(query: Record<string, unknown>): Promise<{ items: ${d.entity}[]; page: Page }> {`,
  );
  lines.push('  const page = pageOf(query);');
  lines.push(`  const items = await repository.list${d.entity}s(page);`);
  lines.push('  return { items, page };');
  lines.push('}');
  lines.push('');
  lines.push(`export async function create${d.entity}(input: unknown, actor: string): Promise<${d.entity}> {`);
  lines.push(`  const data = parseNew${d.entity}(input);`);
  for (const other of ref) {
    lines.push(`  if (data.${other.name}Id !== null) await get${other.entity}(data.${other.name}Id);`);
  }
  if (d.usesUtil >= 0 && d.usesUtil < utilCount) {
    const stringField = d.fields.find((f) => f.type === 'string');
    if (stringField) lines.push(`  data.${stringField.name} = normalize${d.usesUtil}(data.${stringField.name});`);
  }
  lines.push(`  const created = await repository.insert${d.entity}(data);`);
  lines.push(`  await recordEvent('${d.name}.created', created.id, actor);`);
  lines.push(`  log.info('created', { id: created.id });`);
  lines.push('  return created;');
  lines.push('}');
  lines.push('');
  lines.push(
    `export async function update${d.entity}(id: string, input: unknown, actor: string): Promise<${d.entity}> {`,
  );
  lines.push(`  const patch = parse${d.entity}Patch(input);`);
  lines.push(`  const updated = await repository.update${d.entity}(id as ${d.entity}Id, patch);`);
  lines.push(`  if (!updated) throw new NotFoundError('${d.name}', id);`);
  lines.push(`  await recordEvent('${d.name}.updated', updated.id, actor);`);
  lines.push('  return updated;');
  lines.push('}');
  lines.push('');
  lines.push(`export async function remove${d.entity}(id: string, actor: string): Promise<void> {`);
  lines.push(`  const removed = await repository.delete${d.entity}(id as ${d.entity}Id);`);
  lines.push(`  if (!removed) throw new NotFoundError('${d.name}', id);`);
  lines.push(`  await recordEvent('${d.name}.deleted', id, actor);`);
  lines.push('}');
  lines.push('');
  lines.push(`export async function import${d.entity}s(inputs: unknown, actor: string): Promise<${d.entity}[]> {`);
  lines.push(`  if (!Array.isArray(inputs)) throw new ValidationError('${d.name}: expected an array');`);
  lines.push(`  const parsed = inputs.map((input) => parseNew${d.entity}(input));`);
  lines.push(`  const created = await repository.insert${d.entity}s(parsed);`);
  lines.push(`  await Promise.all(created.map((item) => recordEvent('${d.name}.imported', item.id, actor)));`);
  lines.push(`  log.info('imported', { count: created.length });`);
  lines.push('  return created;');
  lines.push('}');
  lines.push('');
  lines.push(`export async function search${d.entity}s(query: Record<string, unknown>): Promise<${d.entity}[]> {`);
  lines.push(`  const term = typeof query.q === 'string' ? query.q.trim() : '';`);
  lines.push(
    `  if (term.length < 2) throw new ValidationError('${d.name}: the search term needs two characters or more');`,
  );
  lines.push(`  return repository.search${d.entity}s(term, pageOf(query));`);
  lines.push('}');
  lines.push('');
  lines.push(`export function summarize${d.entity}s(items: readonly ${d.entity}[]): ${d.entity}Summary {`);
  lines.push(`  const summary: ${d.entity}Summary = {`);
  lines.push('    total: items.length,');
  lines.push('    newest: null,');
  lines.push('    oldest: null,');
  for (const f of d.fields.filter((f) => f.type === 'number')) lines.push(`    ${f.name}Sum: 0,`);
  lines.push('  };');
  lines.push('  for (const item of items) {');
  lines.push('    if (!summary.newest || item.createdAt > summary.newest) summary.newest = item.createdAt;');
  lines.push('    if (!summary.oldest || item.createdAt < summary.oldest) summary.oldest = item.createdAt;');
  for (const f of d.fields.filter((f) => f.type === 'number'))
    lines.push(`    summary.${f.name}Sum += item.${f.name};`);
  lines.push('  }');
  lines.push('  return summary;');
  lines.push('}');
  for (const other of deps.slice(1)) {
    lines.push('');
    lines.push(
      `export async function ${d.name}With${other.entity}(id: string, ${other.name}Id: string): Promise<{ ${d.name}: ${d.entity}; ${other.name}Name: string }> {`,
    );
    lines.push(
      `  const [${d.name}, ${other.name}] = await Promise.all([get${d.entity}(id), get${other.entity}(${other.name}Id)]);`,
    );
    lines.push(`  return { ${d.name}, ${other.name}Name: String(${other.name}.id) };`);
    lines.push('}');
  }
  if (d.hazards.has('dropped-signal')) {
    lines.push('');
    lines.push(`// HAZARD require-abort-signal: takes the caller's signal and never passes it on.`);
    lines.push(
      `export async function fetch${d.entity}Rates(currency: string, signal?: AbortSignal): Promise<Record<string, number>> {`,
    );
    lines.push(`  return getJson<Record<string, number>>(\`/rates/\${encodeURIComponent(currency)}\`);`);
    lines.push('}');
  }
  if (d.hazards.has('async-interval')) {
    lines.push('');
    lines.push(`export function start${d.entity}Purge(): void {`);
    lines.push(`  // HAZARD no-untracked-promise: setInterval drops the async tick's promise.`);
    lines.push('  setInterval(async () => {');
    lines.push(`    const purged = await repository.purgeArchived${d.entity}s();`);
    lines.push(`    log.info('purged', { purged });`);
    // unref'd: a purge may skip its hour at shutdown, so only the dropped tick is a hazard here.
    lines.push('  }, 3_600_000).unref();');
    lines.push('}');
  }
  lines.push('');
  return lines.join('\n');
}

function expressRoutesFile(d) {
  const untracked = d.hazards.has('untracked-audit');
  const lines = [`import { Router } from 'express';`];
  if (untracked) lines.push(`import { recordEvent } from '../../lib/audit.js';`);
  lines.push(`import * as service from './${d.name}.service.js';`);
  lines.push('');
  lines.push(`export const ${d.name}Router = Router();`);
  lines.push('');
  lines.push(`${d.name}Router.get('/', async (req, res) => {`);
  lines.push(`  const result = await service.list${d.entity}s(req.query as Record<string, unknown>);`);
  lines.push('  res.json(result);');
  lines.push('});');
  lines.push('');
  lines.push(`${d.name}Router.get('/search', async (req, res) => {`);
  lines.push(`  res.json(await service.search${d.entity}s(req.query as Record<string, unknown>));`);
  lines.push('});');
  lines.push('');
  lines.push(`${d.name}Router.get('/summary', async (req, res) => {`);
  lines.push(`  const { items } = await service.list${d.entity}s(req.query as Record<string, unknown>);`);
  lines.push(`  res.json(service.summarize${d.entity}s(items));`);
  lines.push('});');
  lines.push('');
  lines.push(`${d.name}Router.post('/bulk', async (req, res) => {`);
  lines.push(
    `  const created = await service.import${d.entity}s(req.body, String(req.headers['x-user'] ?? 'anonymous'));`,
  );
  lines.push('  res.status(201).json({ count: created.length, items: created });');
  lines.push('});');
  lines.push('');
  lines.push(`${d.name}Router.get('/:id', async (req, res) => {`);
  lines.push(`  const found = await service.get${d.entity}(req.params.id);`);
  if (untracked) {
    lines.push(`  // HAZARD no-untracked-promise: the read audit outlives the response.`);
    lines.push(
      `  recordEvent('${d.name}.read', found.id, String(req.headers['x-user'] ?? 'anonymous')).catch(() => undefined);`,
    );
  }
  lines.push('  res.json(found);');
  lines.push('});');
  lines.push('');
  lines.push(`${d.name}Router.post('/', async (req, res) => {`);
  lines.push(
    `  const created = await service.create${d.entity}(req.body, String(req.headers['x-user'] ?? 'anonymous'));`,
  );
  lines.push('  res.status(201).json(created);');
  lines.push('});');
  lines.push('');
  lines.push(`${d.name}Router.patch('/:id', async (req, res) => {`);
  lines.push(
    `  const updated = await service.update${d.entity}(req.params.id, req.body, String(req.headers['x-user'] ?? 'anonymous'));`,
  );
  lines.push('  res.json(updated);');
  lines.push('});');
  lines.push('');
  lines.push(`${d.name}Router.delete('/:id', async (req, res) => {`);
  lines.push(`  await service.remove${d.entity}(req.params.id, String(req.headers['x-user'] ?? 'anonymous'));`);
  lines.push('  res.status(204).end();');
  lines.push('});');
  lines.push('');
  return lines.join('\n');
}

function fastifyRoutesFile(d) {
  const untracked = d.hazards.has('untracked-audit');
  const lines = [`import type { FastifyInstance } from 'fastify';`];
  if (untracked) lines.push(`import { recordEvent } from '../../lib/audit.js';`);
  lines.push(`import * as service from './${d.name}.service.js';`);
  lines.push('');
  lines.push('interface IdParams {');
  lines.push('  id: string;');
  lines.push('}');
  lines.push('');
  lines.push(`export async function ${d.name}Routes(app: FastifyInstance): Promise<void> {`);
  lines.push(
    `  app.get('/${d.table}', async (request) => service.list${d.entity}s(request.query as Record<string, unknown>));`,
  );
  lines.push('');
  lines.push(
    `  app.get('/${d.table}/search', async (request) => service.search${d.entity}s(request.query as Record<string, unknown>));`,
  );
  lines.push('');
  lines.push(`  app.get('/${d.table}/summary', async (request) => {`);
  lines.push(`    const { items } = await service.list${d.entity}s(request.query as Record<string, unknown>);`);
  lines.push(`    return service.summarize${d.entity}s(items);`);
  lines.push('  });');
  lines.push('');
  lines.push(`  app.post('/${d.table}/bulk', async (request, reply) => {`);
  lines.push(
    `    const created = await service.import${d.entity}s(request.body, String(request.headers['x-user'] ?? 'anonymous'));`,
  );
  lines.push('    return reply.code(201).send({ count: created.length, items: created });');
  lines.push('  });');
  lines.push('');
  lines.push(`  app.get<{ Params: IdParams }>('/${d.table}/:id', async (request) => {`);
  lines.push(`    const found = await service.get${d.entity}(request.params.id);`);
  if (untracked) {
    lines.push(`    // HAZARD no-untracked-promise: the read audit outlives the response.`);
    lines.push(`    void recordEvent('${d.name}.read', found.id, String(request.headers['x-user'] ?? 'anonymous'));`);
  }
  lines.push('    return found;');
  lines.push('  });');
  lines.push('');
  lines.push(`  app.post('/${d.table}', async (request, reply) => {`);
  lines.push(
    `    const created = await service.create${d.entity}(request.body, String(request.headers['x-user'] ?? 'anonymous'));`,
  );
  lines.push('    return reply.code(201).send(created);');
  lines.push('  });');
  lines.push('');
  lines.push(`  app.patch<{ Params: IdParams }>('/${d.table}/:id', async (request) =>`);
  lines.push(
    `    service.update${d.entity}(request.params.id, request.body, String(request.headers['x-user'] ?? 'anonymous')),`,
  );
  lines.push('  );');
  lines.push('');
  lines.push(`  app.delete<{ Params: IdParams }>('/${d.table}/:id', async (request, reply) => {`);
  lines.push(
    `    await service.remove${d.entity}(request.params.id, String(request.headers['x-user'] ?? 'anonymous'));`,
  );
  lines.push('    return reply.code(204).send();');
  lines.push('  });');
  lines.push('}');
  lines.push('');
  return lines.join('\n');
}

function utilFile(k, rng) {
  const separators = ['-', '_', '.', ' '];
  const sep = rng.pick(separators);
  return [
    `// Normalisation shared by several domains (variant ${k}).`,
    `const collapse = /[\\s${sep === ' ' ? '' : `\\${sep}`}]+/g;`,
    '',
    `export function normalize${k}(value: string): string {`,
    `  return value.trim().replace(collapse, '${sep}').slice(0, ${64 + rng.int(192)});`,
    '}',
    '',
    `export function same${k}(a: string, b: string): boolean {`,
    `  return normalize${k}(a).toLowerCase() === normalize${k}(b).toLowerCase();`,
    '}',
    '',
  ].join('\n');
}

const staticFiles = {
  'src/config.ts': `// Configuration read once at startup, before anything is opened.
export interface Config {
  port: number;
  apiPort: number;
  databaseUrl: string;
  shutdownTimeoutMs: number;
  ratesUrl: string;
}

function numberFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(\`\${name} must be a number, got \${raw}\`);
  return value;
}

export const config: Config = {
  port: numberFrom('PORT', 3000),
  apiPort: numberFrom('API_PORT', 3001),
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://localhost/service',
  shutdownTimeoutMs: numberFrom('SHUTDOWN_TIMEOUT_MS', 10_000),
  ratesUrl: process.env.RATES_URL ?? 'http://rates.internal',
};
`,
  'src/db/pool.ts': `import pg from 'pg';
import { config } from '../config.js';

export const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 20, idleTimeoutMillis: 5_000 });

pool.on('error', (error) => {
  console.error('idle client error', error);
});
`,
  'src/lib/logger.ts': `// A small structured logger writing JSON lines synchronously to stdout.
type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

function write(scope: string, level: Level, message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(\`\${JSON.stringify({ time: new Date().toISOString(), level, scope, message, ...fields })}\\n\`);
}

function make(scope: string): Logger {
  return {
    debug: (message, fields) => write(scope, 'debug', message, fields),
    info: (message, fields) => write(scope, 'info', message, fields),
    warn: (message, fields) => write(scope, 'warn', message, fields),
    error: (message, fields) => write(scope, 'error', message, fields),
    child: (child) => make(\`\${scope}.\${child}\`),
  };
}

export const logger = make('service');
`,
  'src/lib/errors.ts': `export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends HttpError {
  constructor(what: string, id: string) {
    super(404, \`\${what} \${id} not found\`);
  }
}

export class ValidationError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

export function statusOf(error: unknown): number {
  return error instanceof HttpError ? error.status : 500;
}
`,
  'src/lib/audit.ts': `import { pool } from '../db/pool.js';

export async function recordEvent(action: string, subject: string, actor: string): Promise<void> {
  await pool.query('insert into audit_events (action, subject, actor) values ($1, $2, $3)', [action, subject, actor]);
}
`,
  'src/lib/pagination.ts': `export interface Page {
  limit: number;
  offset: number;
}

export function pageOf(query: Record<string, unknown>): Page {
  const limit = Math.min(Math.max(Number(query.limit ?? 50) || 50, 1), 500);
  const offset = Math.max(Number(query.offset ?? 0) || 0, 0);
  return { limit, offset };
}
`,
  'src/lib/validate.ts': `import { ValidationError } from './errors.js';

type Checks = { string: string; number: number; boolean: boolean };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireField<K extends keyof Checks>(input: Record<string, unknown>, name: string, kind: K): Checks[K] {
  const value = input[name];
  if (typeof value !== kind) throw new ValidationError(\`\${name}: expected a \${kind}\`);
  return value as Checks[K];
}

export function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError(\`\${name}: expected a string\`);
  return value;
}
`,
  'src/lib/ids.ts': `import { randomUUID } from 'node:crypto';

export function newId(prefix: string): string {
  return \`\${prefix}_\${randomUUID().replaceAll('-', '')}\`;
}

export function isId(value: string, prefix: string): boolean {
  return value.startsWith(\`\${prefix}_\`) && value.length === prefix.length + 33;
}
`,
  'src/lib/http-client.ts': `import { config } from '../config.js';

export async function getJson<T>(path: string, options: { signal?: AbortSignal } = {}): Promise<T> {
  const response = await fetch(new URL(path, config.ratesUrl), { signal: options.signal ?? AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(\`GET \${path}: \${response.status}\`);
  return (await response.json()) as T;
}
`,
};

function appFile(domains) {
  const express = domains.filter((d) => d.framework === 'express');
  const lines = [`import express, { type NextFunction, type Request, type Response } from 'express';`];
  lines.push(`import { statusOf } from './lib/errors.js';`);
  lines.push(`import { logger } from './lib/logger.js';`);
  for (const d of express) lines.push(`import { ${d.name}Router } from './domains/${d.name}/${d.name}.routes.js';`);
  lines.push('');
  lines.push('export const app = express();');
  lines.push('app.use(express.json());');
  lines.push('');
  for (const d of express) lines.push(`app.use('/${d.table}', ${d.name}Router);`);
  lines.push('');
  lines.push(`app.get('/healthz', (_req, res) => {`);
  lines.push(`  res.send('ok');`);
  lines.push('});');
  lines.push('');
  lines.push('app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {');
  lines.push('  const status = statusOf(error);');
  lines.push(`  if (status >= 500) logger.error('request failed', { error: String(error) });`);
  lines.push('  res.status(status).json({ error: error instanceof Error ? error.message : String(error) });');
  lines.push('});');
  lines.push('');
  return lines.join('\n');
}

function apiFile(domains) {
  const fastify = domains.filter((d) => d.framework === 'fastify');
  const lines = [`import Fastify from 'fastify';`];
  lines.push(`import { statusOf } from './lib/errors.js';`);
  for (const d of fastify) lines.push(`import { ${d.name}Routes } from './domains/${d.name}/${d.name}.routes.js';`);
  lines.push('');
  lines.push('export const api = Fastify({ forceCloseConnections: true });');
  lines.push('');
  lines.push('api.setErrorHandler(async (error, _request, reply) => {');
  lines.push(
    '  return reply.code(statusOf(error)).send({ error: error instanceof Error ? error.message : String(error) });',
  );
  lines.push('});');
  lines.push('');
  for (const d of fastify) lines.push(`await api.register(${d.name}Routes, { prefix: '/v2' });`);
  lines.push('');
  return lines.join('\n');
}

function shutdownFile(domains) {
  const lines = [
    `import type { Server } from 'node:http';`,
    `import { api } from './api.js';`,
    `import { config } from './config.js';`,
    `import { pool } from './db/pool.js';`,
    `import { logger } from './lib/logger.js';`,
  ];
  lines.push('');
  lines.push('type Closer = { name: string; close: () => Promise<void> };');
  lines.push('const closers: Closer[] = [];');
  lines.push('');
  lines.push('/** Registers a close that shutdown runs, in reverse order of registration. */');
  lines.push('export function onShutdown(name: string, close: () => Promise<void>): void {');
  lines.push('  closers.push({ name, close });');
  lines.push('}');
  lines.push('');
  lines.push('function closeServer(server: Server): Promise<void> {');
  lines.push('  const force = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);');
  lines.push('  force.unref();');
  lines.push('  return new Promise<void>((resolve, reject) => {');
  lines.push('    server.close((error) => {');
  lines.push('      clearTimeout(force);');
  lines.push('      if (error) reject(error);');
  lines.push('      else resolve();');
  lines.push('    });');
  lines.push('  });');
  lines.push('}');
  lines.push('');
  lines.push('export async function shutdown(server: Server): Promise<void> {');
  lines.push(`  logger.info('shutting down');`);
  lines.push('  await Promise.all([closeServer(server), api.close()]);');
  lines.push('  for (const closer of closers.reverse()) {');
  lines.push('    try {');
  lines.push('      await closer.close();');
  lines.push('    } catch (error) {');
  lines.push(`      logger.error('close failed', { name: closer.name, error: String(error) });`);
  lines.push('    }');
  lines.push('  }');
  lines.push('  await pool.end();');
  lines.push('}');
  lines.push('');
  return lines.join('\n');
}

/** A server-sent-events stream per domain with the unbounded-close hazard (an extra file). */
function eventsFile(d) {
  return [
    `import { createServer, type ServerResponse } from 'node:http';`,
    '',
    'const subscribers = new Set<ServerResponse>();',
    '',
    `export const ${d.name}Events = createServer((req, res) => {`,
    `  res.writeHead(200, { 'content-type': 'text/event-stream' });`,
    '  subscribers.add(res);',
    `  req.on('close', () => subscribers.delete(res));`,
    '});',
    '',
    `export function publish${d.entity}Event(data: unknown): void {`,
    '  for (const subscriber of subscribers) subscriber.write(`data: ${JSON.stringify(data)}\\n\\n`);',
    '}',
    '',
    `process.once('SIGTERM', () => {`,
    `  // HAZARD require-close-timeout: the event stream waits for its subscribers with no deadline.`,
    `  ${d.name}Events.close();`,
    '});',
    '',
  ].join('\n');
}

function mainFile(domains) {
  const intervals = domains.filter((d) => d.hazards.has('async-interval'));
  const streams = domains.filter((d) => d.hazards.has('unbounded-close'));
  const lines = [
    `import { api } from './api.js';`,
    `import { app } from './app.js';`,
    `import { config } from './config.js';`,
    `import { logger } from './lib/logger.js';`,
    `import { shutdown } from './shutdown.js';`,
  ];
  for (const d of intervals)
    lines.push(`import { start${d.entity}Purge } from './domains/${d.name}/${d.name}.service.js';`);
  for (const d of streams) lines.push(`import { ${d.name}Events } from './domains/${d.name}/${d.name}.events.js';`);
  lines.push('');
  lines.push('const server = app.listen(config.port);');
  lines.push('await api.listen({ port: config.apiPort });');
  streams.forEach((d, i) => lines.push(`${d.name}Events.listen(config.apiPort + ${i + 1});`));
  for (const d of intervals) lines.push(`start${d.entity}Purge();`);
  lines.push(`logger.info('listening', { port: config.port, apiPort: config.apiPort });`);
  lines.push('');
  lines.push(`process.once('SIGTERM', () => {`);
  lines.push('  shutdown(server).then(');
  lines.push('    () => {');
  lines.push('      process.exitCode = 0;');
  lines.push('    },');
  lines.push('    (error) => {');
  lines.push(`      logger.error('shutdown failed', { error: String(error) });`);
  lines.push('      process.exitCode = 1;');
  lines.push('    },');
  lines.push('  );');
  lines.push('});');
  lines.push('');
  return lines.join('\n');
}

const tsconfig = `{
  "compilerOptions": {
    "strict": true,
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2023"],
    "types": ["node"],
    "skipLibCheck": true,
    "noEmit": true
  },
  "include": ["src"]
}
`;

/** Every file of the service: project-relative path -> content. */
export function generateFiles({ files = 500, seed = 1 } = {}) {
  const { domains, utilCount } = plan(files, seed);
  const out = new Map();
  out.set(
    'package.json',
    `${JSON.stringify({ name: `synthetic-service-${files}-${seed}`, private: true, type: 'module' }, null, 2)}\n`,
  );
  out.set('tsconfig.json', tsconfig);
  for (const [path, content] of Object.entries(staticFiles)) out.set(path, content);
  out.set('src/app.ts', appFile(domains));
  out.set('src/api.ts', apiFile(domains));
  out.set('src/shutdown.ts', shutdownFile(domains));
  out.set('src/main.ts', mainFile(domains));
  const utilRng = random(seed ^ 0x5eed);
  for (const d of domains) {
    const dir = `src/domains/${d.name}`;
    out.set(`${dir}/${d.name}.types.ts`, typesFile(d, domains));
    out.set(`${dir}/${d.name}.validation.ts`, validationFile(d, domains));
    out.set(`${dir}/${d.name}.repository.ts`, repositoryFile(d, domains));
    out.set(`${dir}/${d.name}.service.ts`, serviceFile(d, domains, utilCount));
    out.set(`${dir}/${d.name}.routes.ts`, d.framework === 'fastify' ? fastifyRoutesFile(d) : expressRoutesFile(d));
    if (d.hazards.has('unbounded-close')) out.set(`${dir}/${d.name}.events.ts`, eventsFile(d));
  }
  for (let k = 0; k < utilCount; k++) out.set(`src/lib/util/normalize-${k}.ts`, utilFile(k, utilRng));
  return out;
}

/** Writes the service into `dir` (emptied first) with a node_modules symlink for its types. */
export function writeService(dir, { files = 500, seed = 1, nodeModules = join(repositoryRoot, 'node_modules') } = {}) {
  const contents = generateFiles({ files, seed });
  rmSync(dir, { recursive: true, force: true });
  for (const [path, content] of contents) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  if (existsSync(nodeModules)) symlinkSync(resolve(nodeModules), join(dir, 'node_modules'), 'dir');
  return contents;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { files: { type: 'string' }, seed: { type: 'string' }, 'node-modules': { type: 'string' } },
  });
  if (positionals.length !== 1) {
    process.stderr.write(
      'Usage: node bench/synthetic.js <out-dir> [--files 100..5000] [--seed n] [--node-modules dir]\n',
    );
    process.exitCode = 2;
  } else {
    try {
      const written = writeService(resolve(positionals[0]), {
        files: Number(values.files ?? 500),
        seed: Number(values.seed ?? 1),
        ...(values['node-modules'] ? { nodeModules: values['node-modules'] } : {}),
      });
      const sources = [...written.keys()].filter((p) => p.endsWith('.ts')).length;
      process.stdout.write(`synthetic service: ${sources} TypeScript files in ${positionals[0]}\n`);
    } catch (error) {
      process.stderr.write(`synthetic: ${error.message}\n`);
      process.exitCode = 2;
    }
  }
}
