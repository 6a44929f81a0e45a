#!/usr/bin/env node
// The first uncached GET /services (issue 13): time to the response's first byte at 10,000
// services with 100 snapshots each (1M rows), against the dataset statement without the
// latest-health join (`service_health_latest` joined `ON false`: the same columns, all null,
// the table never read), run by a pg client on the same data in the same run.
//   - first read: a replica started afresh (nothing cached, nothing compiled yet), its first
//     GET /services; `rounds` times, each on a new replica;
//   - uncached reads: one replica with SERVICE_REGISTRY_CACHE_MAX_AGE_MS=0, so every read runs
//     the statement and builds the list; `reads` of them, alternating with the baseline.
// Beside TTFB, the CPU time each side spends (user + system, all threads): the registry's per
// uncached read (from /proc, so ~1 ms resolution on the mean of `reads`), the pg client's per
// baseline statement. Less sensitive than TTFB to other work on a shared machine, and it leaves
// out the Postgres server's time, which both sides share.
// REPLICA_NODE_ARGS: node options for the replicas (e.g. the ones `npm start` and the image
// use: `--max-semi-space-size=4 --heap-growing-percent=20`). Loopback only, bounded in count.
//
//   npm run build && node bench/cold-read.bench.mjs [services=10000] [snapshots=100] [rounds=3] [reads=10]
import { createRequire } from 'node:module';
import { request as httpRequest } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchDatabase, cpuSeconds, percentile, ROOT, seedServices, startApp, withClient } from './support.mjs';

const SERVICES = Number(process.argv[2] ?? 10_000);
const SNAPSHOTS = Number(process.argv[3] ?? 100);
const ROUNDS = Number(process.argv[4] ?? 3);
const READS = Number(process.argv[5] ?? 10);
const NODE_ARGS = (process.env.REPLICA_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

const { ServicesDatasetQuery } = createRequire(import.meta.url)(join(ROOT, 'dist', 'services', 'services-dataset.query.js'));
const LATEST_JOIN = 'LEFT JOIN service_health_latest h ON h.service_slug = s.slug';
if (!ServicesDatasetQuery.SQL.includes(LATEST_JOIN)) throw new Error('the dataset statement no longer joins service_health_latest as this bench expects');
const WITHOUT_LATEST = ServicesDatasetQuery.SQL.replace(LATEST_JOIN, 'LEFT JOIN service_health_latest h ON false');

/** One GET: ms to the response's first byte (headers in), ms to its last, bytes. */
function timedGet(url) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    httpRequest(url, (response) => {
      const firstByte = performance.now() - started;
      let bytes = 0;
      response.on('data', (chunk) => (bytes += chunk.length));
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`GET ${url} answered ${response.statusCode}`));
        else resolve({ firstByte, total: performance.now() - started, bytes });
      });
    })
      .on('error', reject)
      .end();
  });
}

/** The baseline statement: ms to its parsed rows; `cpu` collects this process's CPU ms for it. */
async function baselineQuery(client, cpu = []) {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const { rows } = await client.query(WITHOUT_LATEST);
  const elapsed = performance.now() - started;
  const { user, system } = process.cpuUsage(cpuBefore);
  if (rows.length !== SERVICES) throw new Error(`baseline: ${rows.length} rows`);
  cpu.push((user + system) / 1000);
  return elapsed;
}

const median = (values) => percentile(values, 0.5);
const range = (values) => `${Math.min(...values).toFixed(0)} / ${median(values).toFixed(0)} / ${Math.max(...values).toFixed(0)} ms`;

const database = await benchDatabase('bench_cold');
try {
  await seedServices(database.url, SERVICES, { snapshots: SNAPSHOTS });
  await withClient(database.url, async (client) => {
    await client.query(`INSERT INTO service_health_latest (service_slug, version, status, observed_status, latency_ms, status_code, checked_at, base_url, health_endpoint, consecutive_successes, since)
      SELECT service_slug, version, status, status, latency_ms, status_code, checked_at, base_url, health_endpoint, ${SNAPSHOTS}, now() - interval '1 day'
        FROM service_health_snapshots WHERE version = ${SNAPSHOTS}`);
    await client.query('VACUUM ANALYZE');
  });
  const first = [];
  const firstBaseline = [];
  const uncached = [];
  const uncachedBaseline = [];
  const baselineCpu = [];
  let registryCpu = 0;
  let bytes = 0;
  await withClient(database.url, async (client) => {
    await baselineQuery(client); // warm the buffers for both
    for (let round = 0; round < ROUNDS; round += 1) {
      const app = await startApp({ DATABASE_URL: database.url, LOG_LEVEL: 'warn' }, { nodeArgs: NODE_ARGS });
      try {
        const read = await timedGet(`${app.url}/services`);
        first.push(read.firstByte);
        bytes = read.bytes;
      } finally {
        await app.stop();
      }
      firstBaseline.push(await baselineQuery(client));
    }
    const app = await startApp({ DATABASE_URL: database.url, LOG_LEVEL: 'warn', SERVICE_REGISTRY_CACHE_MAX_AGE_MS: '0' }, { nodeArgs: NODE_ARGS });
    try {
      await timedGet(`${app.url}/services`); // compiled once
      for (let read = 0; read < READS; read += 1) {
        const cpuBefore = await cpuSeconds(app.pid);
        uncached.push((await timedGet(`${app.url}/services`)).firstByte);
        registryCpu += (await cpuSeconds(app.pid)) - cpuBefore;
        uncachedBaseline.push(await baselineQuery(client, baselineCpu));
      }
    } finally {
      await app.stop();
    }
  });
  console.log(
    `GET /services uncached, ${SERVICES} services x ${SNAPSHOTS} snapshots (${(SERVICES * SNAPSHOTS).toLocaleString('en')} rows), ${(bytes / 2 ** 20).toFixed(1)} MiB body${NODE_ARGS.length ? `, replicas: node ${NODE_ARGS.join(' ')}` : ''}`,
  );
  console.log(`  first read of a new replica, TTFB (min / median / max of ${ROUNDS}): ${range(first)}`);
  console.log(`  dataset statement without the latest-health join (pg client, same rounds): ${range(firstBaseline)}`);
  console.log(`  ratio (medians): ${(median(first) / median(firstBaseline)).toFixed(2)}x`);
  console.log(`  uncached reads (max age 0), TTFB (of ${READS}): ${range(uncached)}`);
  console.log(`  dataset statement without the latest-health join (alternating): ${range(uncachedBaseline)}`);
  console.log(`  ratio (medians): ${(median(uncached) / median(uncachedBaseline)).toFixed(2)}x`);
  const baselineCpuMean = baselineCpu.reduce((sum, ms) => sum + ms, 0) / baselineCpu.length;
  console.log(
    `  CPU per uncached read (mean): registry ${((registryCpu * 1000) / READS).toFixed(0)} ms (whole request, all threads), pg client for the baseline ${baselineCpuMean.toFixed(0)} ms`,
  );
  console.log(`  load average at the end: ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
} finally {
  await database.drop();
}
