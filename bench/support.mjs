// Shared pieces of the benchmarks: a private database seeded with N services, the registry
// started from dist/ on a free loopback port, wrk runs, small statistics. Loopback only.
import { spawn, execFile } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function replicaOutput() {
  return process.env.BENCH_REPLICA_LOG ? openSync(process.env.BENCH_REPLICA_LOG, 'a') : 'ignore';
}

export function databaseUrl(name) {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts dist/main.js; resolves once /readyz answers 200. With BENCH_REPLICA_LOG=<file> in the
 * environment, every replica's output is appended to that file (else it is dropped).
 */
export async function startApp(env, { stdio = replicaOutput(), nodeArgs = [] } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, REDIS_URL: 'inline', APPHUB_DISABLE_SERVICE_POLLING: '1', LOG_FORMAT: 'json', ...env, PORT: String(port) },
    stdio: ['ignore', stdio, stdio],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) {
      return {
        url,
        pid: child.pid,
        child,
        stop: () =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      };
    }
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}`);
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('app did not start');
}

/** A database of its own, migrated by starting the app once; `drop()` removes it. */
export async function benchDatabase(prefix) {
  const name = `${prefix}_${process.pid}`;
  await withClient(SERVER_URL, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(name);
  const first = await startApp({ DATABASE_URL: url });
  await first.stop();
  return { name, url, drop: () => withClient(SERVER_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

/**
 * `count` services of module `bench` (svc-1 … svc-N) with an active manifest, a module context
 * and `snapshots` health snapshots each; base URLs at `baseUrl(n)`.
 */
export async function seedServices(url, count, { snapshots = 20, baseUrl = (n) => `'http://127.0.0.1:' || (20000 + ${n})` } = {}) {
  await withClient(url, async (client) => {
    await client.query(`INSERT INTO services (id, slug, display_name, kind, base_url, source, module_id)
      SELECT 'module:bench:svc-' || n, 'svc-' || n, 'Service ' || n, 'http', ${baseUrl('n')}, 'module', 'bench' FROM generate_series(1, ${count}) n`);
    await client.query(`INSERT INTO service_manifests (module_id, module_version, service_slug, definition, checksum)
      SELECT 'bench', 1, 'svc-' || n, jsonb_build_object('slug', 'svc-' || n, 'env', jsonb_build_array(jsonb_build_object('key', 'A', 'value', 'x'))), md5(n::text) FROM generate_series(1, ${count}) n`);
    await client.query(`INSERT INTO module_resource_contexts (module_id, resource_type, resource_id) SELECT 'bench', 'service', 'svc-' || n FROM generate_series(1, ${count}) n`);
    if (snapshots > 0) {
      await client.query(`INSERT INTO service_health_snapshots (service_slug, version, status, latency_ms, status_code, checked_at, base_url, health_endpoint)
        SELECT 'svc-' || n, v, 'healthy', v, 200, now() - (${snapshots} - v) * interval '1 minute', ${baseUrl('n')}, '/healthz'
          FROM generate_series(1, ${count}) n, generate_series(1, ${snapshots}) v`);
      await client.query(`UPDATE services SET health_version = ${snapshots}`);
    }
    await client.query('ANALYZE');
  });
}

const execFileAsync = promisify(execFile);

/** One wrk run: requests/s and transfer bytes/s. `headers` as ['Name: value', …]. */
export async function wrk(url, { seconds = 5, connections = 16, headers = [] } = {}) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...headers.flatMap((header) => ['-H', header]), url];
  const { stdout } = await execFileAsync('wrk', args);
  const rps = Number(/Requests\/sec:\s+([0-9.]+)/.exec(stdout)[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const errors = /Socket errors: (.*)/.exec(stdout)?.[1] ?? null;
  const p99 = /99%\s+([0-9.]+)(us|ms|s)/.exec(stdout);
  return { rps, non2xx, errors, p99ms: p99 ? Number(p99[1]) * { us: 0.001, ms: 1, s: 1000 }[p99[2]] : null };
}

/** CPU seconds (user + system) a process has used so far (Linux /proc). */
export async function cpuSeconds(pid) {
  const { readFile } = await import('node:fs/promises');
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

export function fmt(n, digits = 0) {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
