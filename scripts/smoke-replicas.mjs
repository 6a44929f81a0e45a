#!/usr/bin/env node
// The runbook's minikube validation on one machine: two registry replicas on two ports
// sharing one Postgres and one Redis. Backfills the observatory module through the CLI,
// compares /services on both, triggers a health check and a PATCH on one replica and
// confirms the other shows them. Prints each check; exits non-zero on the first failure.
//
//   npm run smoke:replicas                     # machine Postgres/Redis on 127.0.0.1
//   DATABASE_URL=postgres://… REDIS_URL=redis://… npm run smoke:replicas
//
// It works in a scratch database created on the DATABASE_URL server and dropped at the end.
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, process.env.REGISTRY_DIST ?? 'dist');
const SERVER_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const TOKEN = `smoke-${process.pid}`;
const SLUG = 'observatory-dashboard';
const run = promisify(execFile);

const started = [];
let scratch = null;

function check(message) {
  console.log(`ok   ${message}`);
}

function withDatabase(url, name) {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startReplica(name, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(DIST, 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const replica = { name, port, child, url: `http://127.0.0.1:${port}` };
  started.push(replica);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`replica ${name} exited (${child.exitCode}): ${stderr.trim()}`);
    const status = await fetch(`${replica.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
    if (status === 200) return replica;
    if (Date.now() > deadline) throw new Error(`replica ${name} not ready within 60 s: ${stderr.trim()}`);
    await sleep(100);
  }
}

async function call(replica, path, init = {}) {
  const response = await fetch(`${replica.url}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers };
}

async function eventually(what, probe, timeoutMs = 10_000) {
  const begin = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - begin;
    if (Date.now() - begin > timeoutMs) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function main() {
  scratch = `smoke_replicas_${process.pid}_${Date.now()}`;
  await admin(`CREATE DATABASE ${scratch}`);
  const env = {
    DATABASE_URL: withDatabase(SERVER_URL, scratch),
    REDIS_URL,
    SERVICE_REGISTRY_TOKEN: TOKEN,
    APPHUB_DISABLE_SERVICE_POLLING: '1',
  };
  check(`scratch database ${scratch} on ${new URL(SERVER_URL).host}, Redis ${new URL(REDIS_URL).host}`);

  const [a, b] = await Promise.all([startReplica('A', env), startReplica('B', env)]);
  check(`replica A on :${a.port} and replica B on :${b.port} are ready`);
  const before = [await call(a, '/services'), await call(b, '/services')];
  if (before[0].text !== before[1].text) throw new Error('replicas disagree before the backfill');

  const backfill = await run(process.execPath, [join(DIST, 'cli.js'), 'backfill', '--path', 'modules/observatory/dist', '--module', 'observatory'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  check(`backfill: ${backfill.stdout.trim().split('\n').filter(Boolean).at(-1)}`);

  let listed = null;
  const tookList = await eventually('both replicas list the observatory services', async () => {
    const [fromA, fromB] = await Promise.all([call(a, '/services'), call(b, '/services')]);
    listed = fromA;
    return fromA.text === fromB.text && fromA.text.includes(`"${SLUG}"`);
  });
  const total = JSON.parse(listed.text).meta.total;
  check(`/services byte-identical on A and B (${total} services, ${listed.text.length} bytes, ${tookList} ms after the backfill)`);

  const checked = await call(a, `/services/${SLUG}/health-check`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
  if (checked.status !== 200 && checked.status !== 201) throw new Error(`health check on A answered ${checked.status}: ${checked.text}`);
  const snapshot = JSON.parse(checked.text).data;
  const tookHealth = await eventually('B shows the health snapshot taken on A', async () => {
    const item = JSON.parse((await call(b, `/services/${SLUG}`)).text).data;
    return item.health !== null && item.health.checkedAt === snapshot.checkedAt;
  });
  check(`health check on A (${snapshot.status}, version ${snapshot.version}) visible on B after ${tookHealth} ms`);

  const patched = await call(a, `/services/${SLUG}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ statusMessage: `smoke ${scratch}` }),
  });
  if (patched.status !== 200) throw new Error(`PATCH on A answered ${patched.status}: ${patched.text}`);
  const tookPatch = await eventually('B shows the PATCH made on A', async () => {
    const item = JSON.parse((await call(b, `/services/${SLUG}`)).text).data;
    return item.statusMessage === `smoke ${scratch}`;
  });
  check(`PATCH on A visible on B after ${tookPatch} ms`);

  const [finalA, finalB] = await Promise.all([call(a, '/services'), call(b, '/services')]);
  if (finalA.text !== finalB.text) throw new Error('replicas disagree at the end');
  check(`final /services byte-identical (index ${finalA.headers.get('x-registry-index')})`);
}

async function cleanUp() {
  await Promise.all(
    started.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
    }),
  );
  if (scratch) await admin(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`).catch(() => undefined);
}

main()
  .then(async () => {
    await cleanUp();
    console.log('smoke:replicas passed');
  })
  .catch(async (error) => {
    console.error(`FAIL ${error.message}`);
    await cleanUp();
    process.exitCode = 1;
  });
