#!/usr/bin/env node
// PATCH on replica A → replica B's watcher answers (issue 13, item 4), at 1,000 services, two
// replicas sharing Postgres and a private redis-server; in the same run, the floor under it:
// Redis pub/sub round trip (publish → subscriber) on the same Redis, and etcd put → watch event
// (a private etcd on loopback, Debian's etcd-server, through its JSON gateway). Each sample is
// one change: the watch is in place before the PATCH is sent; timed from the PATCH being sent
// to B's whole answer read. Both watch forms: the delta (`/services/changes`) and the full
// list (`/services?index=`). Loopback only, bounded in count.
//
//   npm run build && node bench/watch-propagation.bench.mjs [samples=200] [services=1000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { benchDatabase, freePort, percentile, seedServices, startApp } from './support.mjs';

const SAMPLES = Number(process.argv[2] ?? 200);
const SERVICES = Number(process.argv[3] ?? 1000);
const TOKEN = 'bench-token';

const stats = (values) =>
  `p50 ${percentile(values, 0.5).toFixed(2)} ms  p95 ${percentile(values, 0.95).toFixed(2)} ms  p99 ${percentile(values, 0.99).toFixed(2)} ms  max ${Math.max(...values).toFixed(2)} ms`;

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined); // not up yet: tried again below
    const ok = await client.connect().then(() => true, () => false);
    client.disconnect();
    if (ok) return { url, stop: () => child.kill('SIGTERM') };
    await sleep(50);
  }
  throw new Error('redis-server did not start');
}

async function startEtcd() {
  const [client, peer] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'bench-etcd-'));
  const child = spawn(
    'etcd',
    ['--data-dir', dir, '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `default=http://127.0.0.1:${peer}`],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${client}`;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return { url, stop: () => { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } };
    await sleep(50);
  }
  throw new Error('etcd did not start');
}

async function redisRoundTrips(url) {
  const subscriber = new Redis(url);
  const publisher = new Redis(url);
  const samples = [];
  let resolveMessage;
  subscriber.on('message', () => resolveMessage(performance.now()));
  await subscriber.subscribe('bench');
  for (let n = 0; n < SAMPLES; n += 1) {
    const received = new Promise((resolve) => (resolveMessage = resolve));
    const sent = performance.now();
    await publisher.publish('bench', JSON.stringify({ reason: 'bench', services: ['svc-1'], index: n }));
    samples.push((await received) - sent);
  }
  subscriber.disconnect();
  publisher.disconnect();
  return samples;
}

async function etcdPutToWatch(url) {
  const key = Buffer.from('/bench/key').toString('base64');
  const controller = new AbortController();
  const watch = await fetch(`${url}/v3/watch`, { method: 'POST', body: JSON.stringify({ create_request: { key } }), signal: controller.signal });
  const reader = watch.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const nextEvent = async () => {
    for (;;) {
      const newline = buffered.indexOf('\n');
      if (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const message = JSON.parse(line);
        if (message.result?.events?.length) return performance.now();
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('etcd watch ended');
      buffered += decoder.decode(value, { stream: true });
    }
  };
  await sleep(200); // the watch is created
  const samples = [];
  for (let n = 0; n < SAMPLES; n += 1) {
    const event = nextEvent();
    const sent = performance.now();
    await fetch(`${url}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key, value: Buffer.from(String(n)).toString('base64') }) }).then((r) => r.arrayBuffer());
    samples.push((await event) - sent);
  }
  controller.abort();
  return samples;
}

/** PATCH on A, answered by a watch on B that was waiting: ms from the PATCH sent to B's answer read. */
async function propagation(a, b, form) {
  const samples = [];
  const patchMs = [];
  let index = Number((await fetch(`${b.url}/services`).then(async (r) => (await r.arrayBuffer(), r))).headers.get('x-registry-index'));
  for (let n = 0; n < SAMPLES; n += 1) {
    const path = form === 'delta' ? `/services/changes?since=${index}&wait=30s` : `/services?index=${index}&wait=30s`;
    let answered;
    const watch = fetch(`${b.url}${path}`, { headers: { 'Accept-Encoding': 'identity' } }).then(async (response) => {
      const body = await response.text();
      answered = performance.now();
      return { index: Number(response.headers.get('x-registry-index')), body };
    });
    await sleep(15); // the watch is waiting on B
    const sent = performance.now();
    const patch = await fetch(`${a.url}/services/svc-${(n % SERVICES) + 1}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ statusMessage: `${form} ${n}` }),
    });
    await patch.arrayBuffer();
    patchMs.push(performance.now() - sent);
    if (patch.status !== 200) throw new Error(`PATCH answered ${patch.status}`);
    const result = await watch;
    if (!result.body.includes(`${form} ${n}`)) throw new Error(`B's answer does not hold PATCH ${n}`);
    samples.push(answered - sent);
    index = result.index;
  }
  return { samples, patchMs };
}

const database = await benchDatabase('bench_watch');
const redis = await startRedis();
const etcd = await startEtcd();
let a;
let b;
try {
  await seedServices(database.url, SERVICES);
  const env = { DATABASE_URL: database.url, REDIS_URL: redis.url, SERVICE_REGISTRY_TOKEN: TOKEN, LOG_LEVEL: 'warn' };
  [a, b] = await Promise.all([startApp(env), startApp(env)]);
  await Promise.all([fetch(`${a.url}/services`).then((r) => r.arrayBuffer()), fetch(`${b.url}/services`).then((r) => r.arrayBuffer())]);
  await propagation(a, b, 'delta').catch(() => undefined); // warm-up (JIT, connections)
  const rounds = { delta: [], list: [], patch: [], redis: [], etcd: [] };
  for (let round = 0; round < 2; round += 1) {
    const delta = await propagation(a, b, 'delta');
    const list = await propagation(a, b, 'list');
    rounds.delta.push(...delta.samples);
    rounds.list.push(...list.samples);
    rounds.patch.push(...delta.patchMs, ...list.patchMs);
    rounds.redis.push(...(await redisRoundTrips(redis.url)));
    rounds.etcd.push(...(await etcdPutToWatch(etcd.url)));
  }
  console.log(`PATCH on A → B's watch answers, ${SERVICES} services, ${SAMPLES} samples × 2 rounds each (alternating)`);
  console.log(`  B's delta watch (/services/changes) ${stats(rounds.delta)}`);
  console.log(`  B's list watch (/services?index=)   ${stats(rounds.list)}`);
  console.log(`  A's PATCH response                  ${stats(rounds.patch)}`);
  console.log(`  Redis pub/sub round trip            ${stats(rounds.redis)}`);
  console.log(`  etcd put → watch event              ${stats(rounds.etcd)}`);
  console.log(`  delta p99 / etcd p99: ${(percentile(rounds.delta, 0.99) / percentile(rounds.etcd, 0.99)).toFixed(2)}; target p99 ≤ 25 ms: ${percentile(rounds.delta, 0.99) <= 25 ? 'met' : 'NOT met'}`);
} finally {
  await Promise.all([a?.stop(), b?.stop()]);
  redis.stop();
  etcd.stop();
  await database.drop();
}
