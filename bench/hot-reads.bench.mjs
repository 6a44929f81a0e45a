#!/usr/bin/env node
// Cached reads against raw node:http serving the same bytes (issue 13, items 1 and 2), all
// measured in this run, rounds alternating: GET /services 200 and its If-None-Match 304 on
// the registry and on bench/raw-view-server.mjs; the registry's gzip and br answers against
// its identity answer (rate and bytes). wrk on loopback, one thread, bounded in time.
//
//   npm run build && node bench/hot-reads.bench.mjs [services=1000] [rounds=3] [seconds=5]
//
// The registry runs as it ships: LOG_LEVEL=info, JSON logs (to /dev/null here), one request
// line per request. Requires wrk (Debian: apt-get install wrk).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDatabase, cpuSeconds, fmt, freePort, ROOT, seedServices, startApp, summary, wrk } from './support.mjs';

const SERVICES = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 3);
const SECONDS = Number(process.argv[4] ?? 5);

/** One raw GET (no decompression): status, headers, body bytes. */
function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

const database = await benchDatabase('bench_hot');
const bodyFile = join(tmpdir(), `bench-hot-${process.pid}.json`);
let app;
let raw;
try {
  await seedServices(database.url, SERVICES);
  app = await startApp({ DATABASE_URL: database.url, LOG_LEVEL: 'info' });
  const identity = await rawGet(`${app.url}/services`);
  const gzip = await rawGet(`${app.url}/services`, { 'Accept-Encoding': 'gzip' });
  const br = await rawGet(`${app.url}/services`, { 'Accept-Encoding': 'gzip, br' });
  if (gzip.headers['content-encoding'] !== 'gzip' || br.headers['content-encoding'] !== 'br') throw new Error('no compressed answer');
  const etag = identity.headers.etag;
  writeFileSync(bodyFile, identity.body);

  const rawPort = await freePort();
  raw = fork(join(ROOT, 'bench', 'raw-view-server.mjs'), [String(rawPort), bodyFile, etag, identity.headers['x-registry-index']], { stdio: 'ignore' });
  await once(raw, 'message');
  const rawUrl = `http://127.0.0.1:${rawPort}/services`;
  const appUrl = `${app.url}/services`;
  const rawPid = raw.pid;

  const cases = {
    'raw 200': [rawUrl, [], rawPid],
    'registry 200': [appUrl, [], app.pid],
    'raw 304': [rawUrl, [`If-None-Match: ${etag}`], rawPid],
    'registry 304': [appUrl, [`If-None-Match: ${etag}`], app.pid],
    'registry gzip 200': [appUrl, ['Accept-Encoding: gzip'], app.pid],
    'registry br 200': [appUrl, ['Accept-Encoding: gzip, br'], app.pid],
  };
  const results = Object.fromEntries(Object.keys(cases).map((name) => [name, { rps: [], cpuUs: [] }]));
  for (const [name, [url, headers]] of Object.entries(cases)) await wrk(url, { seconds: 1, headers }); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, [url, headers, pid]] of Object.entries(cases)) {
      const cpuBefore = await cpuSeconds(pid);
      const result = await wrk(url, { seconds: SECONDS, headers });
      const cpu = (await cpuSeconds(pid)) - cpuBefore;
      if (result.non2xx > 0 && !name.includes('304')) throw new Error(`${name}: ${result.non2xx} non-2xx answers`);
      results[name].rps.push(result.rps);
      results[name].cpuUs.push((cpu / (result.rps * SECONDS)) * 1e6);
    }
  }

  const line = (name) => {
    const { min, median, max } = summary(results[name].rps);
    return `${name.padEnd(20)} ${fmt(min)} / ${fmt(median)} / ${fmt(max)} req/s, server CPU ${fmt(summary(results[name].cpuUs).median)} µs/request`;
  };
  const ratio = (a, b) => results[a].rps.map((value, round) => value / results[b].rps[round]);
  const ratioLine = (label, values, target) => {
    const { min, median, max } = summary(values);
    return `${label.padEnd(34)} ${min.toFixed(2)} / ${median.toFixed(2)} / ${max.toFixed(2)}  (target ${target}: ${median >= target ? 'met' : 'NOT met'} at the median)`;
  };
  console.log(`GET /services, ${SERVICES} services, ${identity.body.length} B identity, ${gzip.body.length} B gzip, ${br.body.length} B br; ${ROUNDS} rounds of ${SECONDS} s, wrk -t1 -c16 (min / median / max)`);
  for (const name of Object.keys(cases)) console.log(`  ${line(name)}`);
  console.log(`  ${ratioLine('cached 200 / raw 200', ratio('registry 200', 'raw 200'), 0.85)}`);
  console.log(`  ${ratioLine('304 / raw 304', ratio('registry 304', 'raw 304'), 0.5)}`);
  console.log(`  ${ratioLine('gzip / identity (rate)', ratio('registry gzip 200', 'registry 200'), 0.9)}`);
  console.log(`  ${ratioLine('br / identity (rate)', ratio('registry br 200', 'registry 200'), 0.9)}`);
  console.log(`  gzip bytes / identity bytes: ${((gzip.body.length / identity.body.length) * 100).toFixed(1)} % (target ≤ 15 %); br: ${((br.body.length / identity.body.length) * 100).toFixed(1)} %`);
} finally {
  raw?.kill('SIGTERM');
  await app?.stop();
  rmSync(bodyFile, { force: true });
  await database.drop();
}
