#!/usr/bin/env node
// GET /services throughput with the replica cache against the same app with the cache off
// (SERVICE_REGISTRY_CACHE_MAX_AGE_MS=0: every read queries Postgres and serialises), both
// measured in this run on the same data: 1,000 services, each with an active manifest, a
// module context and 20 health snapshots. Loopback only, bounded in count.
//
//   npm run build && node bench/services-read.bench.mjs [requests=4000] [concurrency=16]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, SERVER_URL, withClient } from './support.mjs';

const REQUESTS = Number(process.argv[2] ?? 4000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const SERVICES = 1000;

function databaseUrl(name) {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startApp(env) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env, PORT: String(port), LOG_LEVEL: 'warn', REDIS_URL: 'inline', APPHUB_DISABLE_SERVICE_POLLING: '1' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return { url, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }) };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('app did not start');
}

async function load(url) {
  let next = 0;
  const latencies = [];
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next += 1;
        const t0 = performance.now();
        const response = await fetch(`${url}/services`);
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`GET /services answered ${response.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - begin) / 1000;
  latencies.sort((x, y) => x - y);
  return { rps: REQUESTS / seconds, p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)] };
}

const name = `bench_read_${process.pid}`;
await withClient(SERVER_URL, (client) => client.query(`CREATE DATABASE ${name}`));
try {
  const url = databaseUrl(name);
  // Migrate by starting the app once, then seed.
  const first = await startApp({ DATABASE_URL: url });
  await first.stop();
  await withClient(url, async (client) => {
    await client.query(`INSERT INTO services (id, slug, display_name, kind, base_url, source, module_id)
      SELECT 'module:bench:svc-' || n, 'svc-' || n, 'Service ' || n, 'http', 'http://127.0.0.1:' || (20000 + n), 'module', 'bench' FROM generate_series(1, ${SERVICES}) n`);
    await client.query(`INSERT INTO service_manifests (module_id, module_version, service_slug, definition, checksum)
      SELECT 'bench', 1, 'svc-' || n, jsonb_build_object('slug', 'svc-' || n, 'env', jsonb_build_array(jsonb_build_object('key', 'A', 'value', 'x'))), md5(n::text) FROM generate_series(1, ${SERVICES}) n`);
    await client.query(`INSERT INTO module_resource_contexts (module_id, resource_type, resource_id) SELECT 'bench', 'service', 'svc-' || n FROM generate_series(1, ${SERVICES}) n`);
    await client.query(`INSERT INTO service_health_snapshots (service_slug, version, status, latency_ms, status_code, checked_at, base_url, health_endpoint)
      SELECT 'svc-' || n, v, 'healthy', v, 200, now() - (20 - v) * interval '1 minute', 'http://127.0.0.1:' || (20000 + n), '/healthz'
        FROM generate_series(1, ${SERVICES}) n, generate_series(1, 20) v`);
    await client.query(`INSERT INTO service_health_latest (service_slug, version, status, observed_status, latency_ms, status_code, checked_at,
        base_url, health_endpoint, consecutive_successes, since)
      SELECT service_slug, version, status, status, latency_ms, status_code, checked_at, base_url, health_endpoint, 20, checked_at
        FROM service_health_snapshots WHERE version = 20`);
    await client.query('ANALYZE');
  });

  const results = {};
  for (const [label, maxAge] of [['uncached (baseline)', '0'], ['cached', '30000']]) {
    const app = await startApp({ DATABASE_URL: url, SERVICE_REGISTRY_CACHE_MAX_AGE_MS: maxAge });
    try {
      await load(app.url); // warm-up (JIT, connections)
      results[label] = await load(app.url);
    } finally {
      await app.stop();
    }
  }
  console.log(`GET /services, ${SERVICES} services, ${REQUESTS} requests, concurrency ${CONCURRENCY}`);
  for (const [label, r] of Object.entries(results)) {
    console.log(`  ${label.padEnd(20)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms`);
  }
  console.log(`  cached / uncached throughput ratio: ${(results.cached.rps / results['uncached (baseline)'].rps).toFixed(1)}x`);
} finally {
  await withClient(SERVER_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
