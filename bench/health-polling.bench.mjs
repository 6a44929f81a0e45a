#!/usr/bin/env node
// GET /services while the registry polls 10,000 stub targets every 30 s (issue 13, item 3):
// read latency percentiles, the cache's hit ratio over the window (from /metrics), the
// replica's RSS and CPU, checks per second, and what delta watchers receive: one as by
// default (checks that only move checkedAt/latency/counters are not reported) and one with
// `?health=all` (every check: the baseline, in the same window). One target in `flip-every`
// (default 100) fails every other check, so it changes on every check. Baseline in the same
// run: the same reads against the same replica with polling off (nothing changes).
// REPLICA_NODE_ARGS and REPLICA_ENV: node options and environment for the replicas (e.g. the
// ones `npm start` and the image use: `--max-semi-space-size=4 --heap-growing-percent=20` and
// `MALLOC_ARENA_MAX=2`). SCRAPE_EVERY_S: also read /metrics that often during each window, as
// Prometheus would (at 10,000 services a scrape is ~170,000 lines). Loopback only, bounded in time.
//
// RSS is sampled every second over the window (max) and at its end. With COMPARE_ENV set
// (e.g. `COMPARE_ENV='MALLOC_ARENA_MAX=2'`) or COMPARE_NODE_ARGS (node options before the
// script, e.g. `--heap-growing-percent=20`), a second polling window of the same length runs
// on a fresh replica started with those added (to REPLICA_NODE_ARGS too), for a before/after in
// one run.
//
//   npm run build && node bench/health-polling.bench.mjs [services=10000] [seconds=60] [reads/s=10] [flip-every=100]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { benchDatabase, cpuSeconds, fmt, freePort, percentile, ROOT, seedServices, startApp, withClient } from './support.mjs';

const SERVICES = Number(process.argv[2] ?? 10_000);
const SECONDS = Number(process.argv[3] ?? 60);
const READS_PER_SECOND = Number(process.argv[4] ?? 10);
const FLIP_EVERY = Number(process.argv[5] ?? 100);
const REPLICA_NODE_ARGS = (process.env.REPLICA_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const COMPARE_NODE_ARGS = (process.env.COMPARE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
/** `NAME=value NAME2=value2` as an environment. */
const environment = (pairs) =>
  Object.fromEntries(
    (pairs ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
const REPLICA_ENV = environment(process.env.REPLICA_ENV);
const COMPARE_ENV = environment(process.env.COMPARE_ENV);
const SCRAPE_EVERY_S = Number(process.env.SCRAPE_EVERY_S ?? 0);
const INTERVAL_MS = 30_000;

/** One GET, body read whole (not decompressed): ms, status, bytes, X-Registry-Index. */
function timedGet(url, headers = {}) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (response) => {
      let bytes = 0;
      response.on('data', (chunk) => (bytes += chunk.length));
      response.on('end', () =>
        resolve({ ms: performance.now() - started, status: response.statusCode, bytes, index: Number(response.headers['x-registry-index']) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/**
 * The named values from one scrape of `/metrics`. One scrape, taken after RSS is read: at
 * 10,000 services a scrape is tens of MB of text (per-service series), whose garbage shows
 * in RSS for a while.
 */
async function metrics(url, names) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return names.map((name) => Number(new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN));
}

async function rss(pid) {
  const { readFile } = await import('node:fs/promises');
  return Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

/** Reads at a steady rate for `seconds`; latencies by encoding. */
async function readLoad(url, seconds, encodings) {
  const latencies = Object.fromEntries(encodings.map((encoding) => [encoding, []]));
  const bytes = Object.fromEntries(encodings.map((encoding) => [encoding, 0]));
  const pending = [];
  const end = Date.now() + seconds * 1000;
  for (let n = 0; Date.now() < end; n += 1) {
    const encoding = encodings[n % encodings.length];
    pending.push(
      timedGet(`${url}/services`, { 'Accept-Encoding': encoding }).then((result) => {
        if (result.status !== 200) throw new Error(`GET /services answered ${result.status}`);
        latencies[encoding].push(result.ms);
        bytes[encoding] += result.bytes;
      }),
    );
    await sleep(1000 / READS_PER_SECOND);
  }
  await Promise.all(pending);
  return { latencies, bytes };
}

/** `/metrics` read every SCRAPE_EVERY_S seconds for `seconds`, as Prometheus would: each scrape's ms and bytes. */
async function scraper(url, seconds) {
  const end = Date.now() + seconds * 1000;
  const scrapes = [];
  while (Date.now() < end) {
    await sleep(SCRAPE_EVERY_S * 1000);
    const result = await timedGet(`${url}/metrics`);
    if (result.status !== 200) throw new Error(`GET /metrics answered ${result.status}`);
    scrapes.push(result);
  }
  return scrapes;
}

/** A delta watcher following the registry for `seconds`: bytes and answers received. */
async function deltaWatcher(url, seconds, health) {
  const end = Date.now() + seconds * 1000;
  let since = (await timedGet(`${url}/services`)).index;
  let bytes = 0;
  let answers = 0;
  let upserts = 0;
  let resyncs = 0;
  while (Date.now() < end) {
    const response = await fetch(`${url}/services/changes?since=${since}&wait=5s&health=${health}`, { headers: { 'Accept-Encoding': 'identity' } });
    const text = await response.text();
    bytes += Buffer.byteLength(text);
    const delta = JSON.parse(text);
    answers += 1;
    upserts += delta.upserts.length;
    if (delta.resync) resyncs += 1;
    since = delta.index;
  }
  return { bytesPerSecond: bytes / seconds, answers, upserts, resyncs };
}

const database = await benchDatabase('bench_poll');
let app;
let stubs;
try {
  const stubPort = await freePort();
  stubs = fork(join(ROOT, 'bench', 'stub-target-server.mjs'), [String(stubPort)], { stdio: 'ignore' });
  await once(stubs, 'message');
  await seedServices(database.url, SERVICES, {
    snapshots: 1,
    baseUrl: (n) => `'http://127.0.0.1:${stubPort}/' || CASE WHEN ${n} % ${FLIP_EVERY} = 0 THEN 'flip' ELSE 'ok' END || '/svc-' || ${n}`,
  });
  // Steady state, as after the first round: checks due evenly over one interval, each
  // service's latest health what its last check (200 OK) left.
  await withClient(database.url, async (client) => {
    await client.query(`UPDATE services SET next_health_check_at = now() + (random() * ${INTERVAL_MS}) * interval '1 millisecond',
                                            status = 'healthy', status_message = 'HTTP 200 OK'`);
    await client.query(`INSERT INTO service_health_latest (service_slug, version, status, observed_status, status_message, latency_ms, status_code,
                          checked_at, base_url, health_endpoint, consecutive_failures, consecutive_successes, since, flapping, recent_statuses)
                        SELECT slug, health_version, 'healthy', 'healthy', 'HTTP 200 OK', 1, 200, now(), base_url, health_endpoint, 0, 10,
                               now() - interval '1 hour', false, array_fill('healthy'::text, ARRAY[10])
                          FROM services`);
  });

  const replicaEnv = { ...(process.env.REPLICA_NODE_OPTIONS ? { NODE_OPTIONS: process.env.REPLICA_NODE_OPTIONS } : {}), ...REPLICA_ENV };
  app = await startApp(
    { DATABASE_URL: database.url, LOG_LEVEL: 'warn', APPHUB_DISABLE_SERVICE_POLLING: '0', SERVICE_HEALTH_INTERVAL_MS: String(INTERVAL_MS), ...replicaEnv },
    { nodeArgs: REPLICA_NODE_ARGS },
  );
  const encodings = ['identity', 'gzip'];
  const report = [];
  // Warm-up: the dataset and both encodings built once.
  await readLoad(app.url, 5, encodings);

  const window = async (label, seconds, withWatcher) => {
    const [hits0, misses0] = await metrics(app.url, ['service_registry_cache_hits_total', 'service_registry_cache_misses_total']);
    const cpu0 = await cpuSeconds(app.pid);
    let rssMaxMb = 0;
    const sampler = setInterval(() => void rss(app.pid).then((mb) => (rssMaxMb = Math.max(rssMaxMb, mb)), () => undefined), 1000);
    const [load, watcher, everyCheck, scrapes] = await Promise.all([
      readLoad(app.url, seconds, encodings),
      withWatcher ? deltaWatcher(app.url, seconds, 'changes') : null,
      withWatcher ? deltaWatcher(app.url, seconds, 'all') : null,
      SCRAPE_EVERY_S > 0 ? scraper(app.url, seconds) : null,
    ]);
    clearInterval(sampler);
    const cpu = (await cpuSeconds(app.pid)) - cpu0;
    const rssMb = await rss(app.pid);
    const [hits1, misses1, heapBytes, externalBytes] = await metrics(app.url, [
      'service_registry_cache_hits_total',
      'service_registry_cache_misses_total',
      'nodejs_heap_size_used_bytes',
      'nodejs_external_memory_bytes',
    ]);
    const [hits, misses] = [hits1 - hits0, misses1 - misses0];
    const [heapMb, externalMb] = [heapBytes / 2 ** 20, externalBytes / 2 ** 20];
    report.push({ label, load, watcher, everyCheck, scrapes, hitRatio: hits / (hits + misses), misses, cpuShare: cpu / seconds, rssMb, rssMaxMb, heapMb, externalMb });
  };

  const snapshots0 = await withClient(database.url, async (client) => Number((await client.query('SELECT count(*) FROM service_health_snapshots')).rows[0].count));
  const started = Date.now();
  await window('polling 10,000 targets / 30 s', SECONDS, true);
  const elapsed = (Date.now() - started) / 1000;
  const snapshots1 = await withClient(database.url, async (client) => Number((await client.query('SELECT count(*) FROM service_health_snapshots')).rows[0].count));
  if (Object.keys(COMPARE_ENV).length > 0 || COMPARE_NODE_ARGS.length > 0) {
    await app.stop();
    app = await startApp(
      { DATABASE_URL: database.url, LOG_LEVEL: 'warn', APPHUB_DISABLE_SERVICE_POLLING: '0', SERVICE_HEALTH_INTERVAL_MS: String(INTERVAL_MS), ...replicaEnv, ...COMPARE_ENV },
      { nodeArgs: [...REPLICA_NODE_ARGS, ...COMPARE_NODE_ARGS] },
    );
    await readLoad(app.url, 5, encodings);
    await window(`polling, with ${[process.env.COMPARE_ENV, process.env.COMPARE_NODE_ARGS].filter(Boolean).join(' ')}`, SECONDS, true);
  }
  await app.stop();
  app = await startApp({ DATABASE_URL: database.url, LOG_LEVEL: 'warn', ...replicaEnv }, { nodeArgs: REPLICA_NODE_ARGS });
  await readLoad(app.url, 5, encodings);
  await window('baseline: same reads, polling off', Math.min(SECONDS, 20), false);

  console.log(`GET /services at ${READS_PER_SECOND}/s (alternating identity and gzip), ${SERVICES} services, ${SECONDS} s`);
  console.log(`  checks stored while polling: ${fmt((snapshots1 - snapshots0) / elapsed, 1)}/s (one per service per ${INTERVAL_MS / 1000} s = ${fmt(SERVICES / (INTERVAL_MS / 1000), 1)}/s)`);
  for (const { label, load, watcher, everyCheck, scrapes, hitRatio, misses, cpuShare, rssMb, rssMaxMb, heapMb, externalMb } of report) {
    console.log(
      `  ${label}: hit ratio ${hitRatio.toFixed(3)} (${misses} misses), replica CPU ${(cpuShare * 100).toFixed(0)} % of a core, RSS ${rssMb.toFixed(0)} MB at the end, ${rssMaxMb.toFixed(0)} MB max (heap used ${heapMb.toFixed(0)} MB, external ${externalMb.toFixed(0)} MB)`,
    );
    for (const [encoding, values] of Object.entries(load.latencies)) {
      console.log(
        `    ${encoding.padEnd(8)} p50 ${percentile(values, 0.5).toFixed(1)} ms  p95 ${percentile(values, 0.95).toFixed(1)} ms  p99 ${percentile(values, 0.99).toFixed(1)} ms  max ${Math.max(...values).toFixed(1)} ms  (${values.length} reads, ${fmt(load.bytes[encoding] / values.length / 1024)} KiB each)`,
      );
    }
    for (const [name, result] of [['delta watcher', watcher], ['delta watcher ?health=all', everyCheck]]) {
      if (!result) continue;
      console.log(`    ${name}: ${fmt(result.bytesPerSecond / 1000, 1)} kB/s, ${result.answers} answers, ${result.upserts} upserts, ${result.resyncs} resyncs`);
    }
    if (scrapes?.length) {
      const ms = scrapes.map((scrape) => scrape.ms);
      console.log(`    /metrics every ${SCRAPE_EVERY_S} s: ${scrapes.length} scrapes, p50 ${percentile(ms, 0.5).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms, ${fmt(scrapes[0].bytes / 2 ** 20, 1)} MiB each`);
    }
    if (watcher && everyCheck) console.log(`    default / ?health=all bytes: ${(watcher.bytesPerSecond / everyCheck.bytesPerSecond).toFixed(3)}`);
  }
} finally {
  await app?.stop();
  stubs?.kill('SIGTERM');
  await database.drop();
}
