#!/usr/bin/env node
// The services dataset read (src/services/services-dataset.query.ts) as it is, latest health from
// service_health_latest, against the read it replaced (a LATERAL backward probe of the
// (service_slug, version) snapshots index per service), both timed in this run on the same
// data: 1,000 services with 300 snapshots each (300,000 rows), an active manifest and a module
// context each. Reports the median of each over the same number of alternating runs.
//
//   npm run build && node bench/latest-health-read.bench.mjs [runs=60] [services=1000] [snapshots=300]
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT, SERVER_URL, withClient } from './support.mjs';

const RUNS = Number(process.argv[2] ?? 60);
const SERVICES = Number(process.argv[3] ?? 1000);
const SNAPSHOTS = Number(process.argv[4] ?? 300);

const { ServicesDatasetQuery } = createRequire(import.meta.url)(join(ROOT, 'dist', 'services', 'services-dataset.query.js'));
const CURRENT = ServicesDatasetQuery.SQL;
// The statement before service_health_latest (commit 9f5ca4f), kept here as the baseline.
const LATERAL = `
    SELECT idx.value AS registry_index, s.id, s.slug, s.display_name, s.kind, s.base_url, s.source,
           s.module_id, s.status, s.status_message, s.capabilities, s.metadata, s.last_healthy_at,
           s.created_at, s.updated_at,
           m.module_id AS manifest_module_id, m.module_version AS manifest_module_version, m.checksum AS manifest_checksum,
           h.status AS health_status, h.status_message AS health_status_message, h.checked_at AS health_checked_at,
           h.latency_ms AS health_latency_ms, h.status_code AS health_status_code, h.base_url AS health_base_url,
           h.health_endpoint AS health_endpoint, c.module_ids AS context_module_ids
      FROM (SELECT (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM registry_change_index) AS value) idx
      LEFT JOIN services s ON true
      LEFT JOIN service_manifests m ON m.service_slug = s.slug AND m.superseded_at IS NULL
      LEFT JOIN LATERAL (
             SELECT status, status_message, checked_at, latency_ms, status_code, base_url, health_endpoint
               FROM service_health_snapshots
              WHERE service_slug = s.slug
              ORDER BY version DESC
              LIMIT 1) h ON true
      LEFT JOIN LATERAL (
             SELECT array_agg(module_id ORDER BY module_id) AS module_ids
               FROM module_resource_contexts
              WHERE resource_type = 'service' AND resource_id = s.slug) c ON true
     ORDER BY s.slug`;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const name = `bench_latest_${process.pid}`;
await withClient(SERVER_URL, (client) => client.query(`CREATE DATABASE ${name}`));
try {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'migrate'], { env: { PATH: process.env.PATH, DATABASE_URL: url.toString(), REDIS_URL: 'inline' }, stdio: 'ignore' });
  const times = { current: [], lateral: [] };
  await withClient(url.toString(), async (client) => {
    await client.query(`INSERT INTO services (id, slug, display_name, kind, base_url, source, module_id, health_version)
      SELECT 'module:bench:svc-' || n, 'svc-' || n, 'Service ' || n, 'http', 'http://127.0.0.1:' || (20000 + n), 'module', 'bench', ${SNAPSHOTS}
        FROM generate_series(1, ${SERVICES}) n`);
    await client.query(`INSERT INTO service_manifests (module_id, module_version, service_slug, definition, checksum)
      SELECT 'bench', 1, 'svc-' || n, jsonb_build_object('slug', 'svc-' || n), md5(n::text) FROM generate_series(1, ${SERVICES}) n`);
    await client.query(`INSERT INTO module_resource_contexts (module_id, resource_type, resource_id) SELECT 'bench', 'service', 'svc-' || n FROM generate_series(1, ${SERVICES}) n`);
    await client.query(`INSERT INTO service_health_snapshots (service_slug, version, status, observed_status, latency_ms, status_code, checked_at, base_url, health_endpoint, since)
      SELECT 'svc-' || n, v, 'healthy', 'healthy', v % 50, 200, now() - (${SNAPSHOTS} - v) * interval '30 seconds', 'http://127.0.0.1:' || (20000 + n), '/healthz', now() - interval '1 day'
        FROM generate_series(1, ${SERVICES}) n, generate_series(1, ${SNAPSHOTS}) v`);
    await client.query(`INSERT INTO service_health_latest (service_slug, version, status, observed_status, latency_ms, status_code, checked_at, base_url, health_endpoint, consecutive_successes, since)
      SELECT service_slug, version, status, observed_status, latency_ms, status_code, checked_at, base_url, health_endpoint, ${SNAPSHOTS}, since
        FROM service_health_snapshots WHERE version = ${SNAPSHOTS}`);
    await client.query('VACUUM ANALYZE');
    for (const sql of [CURRENT, LATERAL]) await client.query(sql); // warm the buffers
    for (let run = 0; run < RUNS; run += 1) {
      for (const [label, sql] of [['current', CURRENT], ['lateral', LATERAL]]) {
        const t0 = performance.now();
        const { rows } = await client.query(sql);
        times[label].push(performance.now() - t0);
        if (rows.length !== SERVICES) throw new Error(`${label}: ${rows.length} rows`);
      }
    }
  });
  const current = median(times.current);
  const lateral = median(times.lateral);
  console.log(`services dataset read, ${SERVICES} services x ${SNAPSHOTS} snapshots, ${RUNS} runs each (median, client round trip):`);
  console.log(`  service_health_latest join   ${current.toFixed(2)} ms`);
  console.log(`  LATERAL index probe (before) ${lateral.toFixed(2)} ms`);
  console.log(`  before / now: ${(lateral / current).toFixed(2)}x`);
} finally {
  await withClient(SERVER_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
