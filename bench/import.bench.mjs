#!/usr/bin/env node
// Import of a module of N services through the CLI (issue 13, item 5) against a COPY of the
// same rows in one transaction (psql \copy, the rows the import wrote, exported first) plus a
// bare node start, all in this run, rounds alternating, each on a fresh database cloned from
// a migrated template. Then an unchanged re-import: its time and the rows it wrote
// (pg_stat_xact counters of its own transaction are not reachable from outside, so: every
// table's n_tup_ins + n_tup_upd + n_tup_del before and after, read once the stats are flushed).
//
//   npm run build && node bench/import.bench.mjs [services=10000] [rounds=3]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { benchDatabase, databaseUrl, ROOT, SERVER_URL, summary, withClient } from './support.mjs';

const SERVICES = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const run = promisify(execFile);
const TABLES = ['services', 'service_manifests', 'module_resource_contexts', 'module_versions'];

const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
const moduleDir = join(dir, 'module');
await run('mkdir', ['-p', moduleDir]);
writeFileSync(
  join(moduleDir, 'service-manifest.json'),
  JSON.stringify({
    services: Array.from({ length: SERVICES }, (_, n) => ({
      slug: `svc-${n + 1}`,
      displayName: `Service ${n + 1}`,
      kind: 'http',
      baseUrl: `http://127.0.0.1:${20000 + (n % 40000)}`,
      metadata: { team: `team-${n % 17}` },
      env: [{ key: 'MODE', value: 'live' }],
    })),
  }),
);

const template = await benchDatabase('bench_import_tpl');
let clones = 0;
async function freshDatabase() {
  const name = `bench_import_${process.pid}_${(clones += 1)}`;
  await withClient(SERVER_URL, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template.name}`));
  return { name, url: databaseUrl(name), drop: () => withClient(SERVER_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

async function timed(work) {
  const started = performance.now();
  const result = await work();
  return { seconds: (performance.now() - started) / 1000, result };
}

const cli = (url) =>
  run(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'backfill', '--path', moduleDir, '--module', 'bench'], {
    env: { PATH: process.env.PATH, DATABASE_URL: url, REDIS_URL: 'inline', LOG_LEVEL: 'warn' },
    maxBuffer: 64 * 1024 * 1024,
  });

async function writes(url) {
  await sleep(1000); // statistics are flushed by the backends at most every 500 ms
  return withClient(url, async (client) => {
    const { rows } = await client.query(
      `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int AS n FROM pg_stat_user_tables WHERE relname = ANY($1)`,
      [TABLES],
    );
    return rows[0].n;
  });
}

try {
  // The rows to COPY: what one import writes, exported.
  const reference = await freshDatabase();
  await cli(reference.url);
  const copyScript = join(dir, 'copy.sql');
  const lines = [];
  for (const table of TABLES) {
    const file = join(dir, `${table}.copy`);
    await run('psql', [reference.url, '-q', '-c', `\\copy ${table} TO '${file}'`]);
    lines.push(`\\copy ${table} FROM '${file}'`);
  }
  writeFileSync(copyScript, `${lines.join('\n')}\n`);
  await reference.drop();

  const results = { cli: [], copy: [], nodeStart: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const forCli = await freshDatabase();
    const { seconds, result } = await timed(() => cli(forCli.url));
    results.cli.push(seconds);
    if (!/0 changed, 0 unchanged, 0 removed/.test(result.stdout)) throw new Error(`unexpected import: ${result.stdout}`);
    await forCli.drop();
    const forCopy = await freshDatabase();
    results.copy.push((await timed(() => run('psql', [forCopy.url, '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', copyScript]))).seconds);
    await forCopy.drop();
    results.nodeStart.push((await timed(() => run(process.execPath, ['-e', '0']))).seconds);
  }

  // Unchanged re-import: time and rows written.
  const again = await freshDatabase();
  await cli(again.url);
  const before = await writes(again.url);
  const reimport = await timed(() => cli(again.url));
  const written = (await writes(again.url)) - before;
  await again.drop();

  const show = (values) => {
    const { min, median, max } = summary(values);
    return `${min.toFixed(2)} / ${median.toFixed(2)} / ${max.toFixed(2)} s`;
  };
  const baseline = results.copy.map((seconds, round) => seconds + results.nodeStart[round]);
  const ratios = results.cli.map((seconds, round) => seconds / baseline[round]);
  console.log(`Import of ${SERVICES} services, ${ROUNDS} rounds (min / median / max)`);
  console.log(`  CLI backfill (wall)              ${show(results.cli)}`);
  console.log(`  COPY of the same rows (psql -1)  ${show(results.copy)}`);
  console.log(`  node -e 0                        ${show(results.nodeStart)}`);
  console.log(`  CLI / (COPY + node start)        ${summary(ratios).min.toFixed(2)} / ${summary(ratios).median.toFixed(2)} / ${summary(ratios).max.toFixed(2)}  (target ≤ 3: ${summary(ratios).median <= 3 ? 'met' : 'NOT met'} at the median)`);
  console.log(`  unchanged re-import: ${reimport.seconds.toFixed(2)} s, ${written} rows written in ${TABLES.join(', ')}; ${reimport.result.stdout.trim().split('\n').pop()}`);
} finally {
  await template.drop();
  rmSync(dir, { recursive: true, force: true });
}
