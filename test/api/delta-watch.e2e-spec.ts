import { request as httpRequest } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { AppProcess } from '../support/app-process';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { metricValue } from '../support/metrics';
import { RedisServer } from '../support/redis-server';
import { StubTargets } from '../support/stub-targets';
import { TestDatabase } from '../support/test-database';

const TOKEN = 'delta-token';
const writeHeaders = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

interface Delta {
  index: number;
  since: number;
  resync: boolean;
  upserts: { slug: string; statusMessage: string | null; health: { status: string } | null }[];
  removals: string[];
}

/** One GET with the bytes as sent (no decompression). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('delta watch, patched caches and compressed views (two replicas, Redis)', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let targets: StubTargets;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    redis = await RedisServer.start();
    targets = await StubTargets.start();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      SERVICE_REGISTRY_TOKEN: TOKEN,
      APPHUB_DISABLE_SERVICE_POLLING: '1',
      // Long enough that only a message can explain a refresh.
      SERVICE_REGISTRY_CACHE_MAX_AGE_MS: '600000',
    };
    [a, b] = await AppProcess.startMany(2, { env });
    for (const slug of ['billing', 'search']) {
      const response = await a.fetch('/services', {
        method: 'POST',
        headers: writeHeaders,
        body: JSON.stringify({ slug, displayName: slug, kind: 'http', baseUrl: `${targets.url}/ok/${slug}` }),
      });
      expect(response.status).toBe(201);
    }
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await targets?.stop();
    await redis?.stop();
    await database?.drop();
  });

  const index = async (replica: AppProcess) => Number((await replica.fetch('/services')).headers.get('x-registry-index'));
  const misses = async (replica: AppProcess) => metricValue(await (await replica.fetch('/metrics')).text(), 'service_registry_cache_misses_total');

  it("answers a watcher on B with only the service a PATCH on A changed, and B's list matches A's byte for byte", async () => {
    await eventually(async () => expect(((await (await b.fetch('/services')).json()) as { meta: { total: number } }).meta.total).toBe(2));
    const since = await index(b);
    const watch = b.fetch(`/services/changes?since=${since}&wait=60s`);
    const patched = await a.fetch('/services/search', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify({ statusMessage: 'reindexing' }) });
    expect(patched.status).toBe(200);
    const response = await watch;
    expect(response.status).toBe(200);
    const delta = (await response.json()) as Delta;
    expect(delta).toMatchObject({ since, resync: false, removals: [] });
    expect(delta.index).toBeGreaterThan(since);
    expect(delta.upserts.map((service) => service.slug)).toEqual(['search']);
    expect(delta.upserts[0].statusMessage).toBe('reindexing');
    expect(response.headers.get('x-registry-index')).toBe(String(delta.index));
    const [fromA, fromB] = await Promise.all([a.fetch('/services').then((r) => r.text()), b.fetch('/services').then((r) => r.text())]);
    expect(fromB).toBe(fromA);
  });

  it('answers at the end of its wait with nothing when nothing changed', async () => {
    const since = await index(b);
    const delta = (await (await b.fetch(`/services/changes?since=${since}&wait=300ms`)).json()) as Delta;
    expect(delta).toEqual({ index: since, since, resync: false, upserts: [], removals: [] });
  });

  it('patches health results into the cached list on the other replica instead of dropping it', async () => {
    const before = (await (await b.fetch('/services/billing')).json()) as { data: { health: unknown } };
    expect(before.data.health).toBeNull();
    await b.fetch('/services'); // B's list is cached
    const missesBefore = await misses(b);
    const checked = await a.fetch('/services/billing/health-check', { method: 'POST', headers: writeHeaders });
    expect(checked.status).toBe(200);
    await eventually(async () => {
      const list = (await (await b.fetch('/services')).json()) as { data: { slug: string; status: string; health: { status: string } | null }[] };
      expect(list.data.find((service) => service.slug === 'billing')).toMatchObject({ status: 'healthy', health: { status: 'healthy' } });
    });
    // The list was re-derived from the patched dataset: no read went to Postgres for it.
    expect(await misses(b)).toBe(missesBefore);
  });

  it('reports a check that only moved checkedAt to ?health=all watchers only, and a check that changed what the service shows to every watcher', async () => {
    const registered = await a.fetch('/services', {
      method: 'POST',
      headers: writeHeaders,
      body: JSON.stringify({ slug: 'ledger', displayName: 'ledger', kind: 'http', baseUrl: `${targets.url}/script/ledger` }),
    });
    expect(registered.status).toBe(201);
    targets.script('ledger', ['ok', 'ok', 'fail']);
    const check = async () => expect((await a.fetch('/services/ledger/health-check', { method: 'POST', headers: writeHeaders })).status).toBe(200);
    const delta = async (query: string) => (await (await b.fetch(`/services/changes?${query}`)).json()) as Delta & { upserts: { health: { observedStatus: string; checkedAt: string } }[] };

    await check(); // the first check: healthy
    const since = await index(a);
    await eventually(async () => expect(await index(b)).toBeGreaterThanOrEqual(since));
    const waiting = delta(`since=${since}&wait=60s`);
    await check(); // healthy again: only checkedAt, latencyMs and the counters move
    await eventually(async () => expect(await index(b)).toBeGreaterThan(since));

    const quiet = await delta(`since=${since}&wait=0ms`);
    expect(quiet).toMatchObject({ since, resync: false, upserts: [], removals: [] });
    expect(quiet.index).toBeGreaterThan(since);
    const everyCheck = await delta(`since=${since}&wait=0ms&health=all`);
    expect(everyCheck.upserts.map((service) => service.slug)).toEqual(['ledger']);
    expect(everyCheck.upserts[0].health.observedStatus).toBe('healthy');
    const explicit = await delta(`since=${since}&wait=0ms&health=changes`);
    expect(explicit.upserts).toEqual([]);

    await check(); // fails: the observed status changes
    // The watcher waiting since before the quiet check answers with this one, not that one.
    const changed = await waiting;
    expect(changed.upserts.map((service) => service.slug)).toEqual(['ledger']);
    expect(changed.upserts[0].health.observedStatus).toBe('degraded');
  });

  it('tells a watcher to resync when a write in between changed everything (a backfill)', async () => {
    const since = await index(b);
    const backfill = await runCli(['backfill', '--path', 'modules/observatory/dist', '--module', 'observatory'], { DATABASE_URL: database.url, REDIS_URL: redis.url });
    expect(backfill.code).toBe(0);
    await eventually(async () => expect(await index(b)).toBeGreaterThan(since));
    const delta = (await (await b.fetch(`/services/changes?since=${since}&wait=0ms`)).json()) as Delta;
    expect(delta).toMatchObject({ since, resync: true, upserts: [], removals: [] });
    expect(delta.index).toBeGreaterThan(since);
  });

  it('tells a watcher to resync when its index is older than what the replica remembers', async () => {
    const fresh = await AppProcess.start({
      env: { DATABASE_URL: database.url, REDIS_URL: redis.url, SERVICE_REGISTRY_TOKEN: TOKEN, APPHUB_DISABLE_SERVICE_POLLING: '1' },
    });
    try {
      const delta = (await (await fresh.fetch('/services/changes?since=1&wait=0ms')).json()) as Delta;
      expect(delta.resync).toBe(true);
    } finally {
      await fresh.stop();
    }
  });

  it('sends each view compressed as the client accepts, with an ETag per encoding and its 304', async () => {
    const identity = await rawGet(`${b.url}/services`);
    const gzip = await rawGet(`${b.url}/services`, { 'Accept-Encoding': 'gzip' });
    const br = await rawGet(`${b.url}/services`, { 'Accept-Encoding': 'gzip;q=0.5, br' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(br.headers['content-encoding']).toBe('br');
    for (const reply of [identity, gzip, br]) expect(reply.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(gzip.body).equals(identity.body)).toBe(true);
    expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);
    expect(gzip.body.length).toBeLessThan(identity.body.length);
    expect(new Set([identity.headers.etag, gzip.headers.etag, br.headers.etag]).size).toBe(3);
    const notModified = await rawGet(`${b.url}/services`, { 'Accept-Encoding': 'gzip', 'If-None-Match': String(gzip.headers.etag) });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    const refused = await rawGet(`${b.url}/services`, { 'Accept-Encoding': 'gzip;q=0, br;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('validates the delta query and reserves the slug "changes"', async () => {
    const missing = await b.fetch('/services/changes');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect((await b.fetch('/services/changes?since=-1')).status).toBe(400);
    const badHealth = await b.fetch('/services/changes?since=0&wait=0ms&health=every');
    expect(badHealth.status).toBe(400);
    expect(JSON.stringify(await badHealth.json())).toContain('health must be changes or all');
    const reserved = await a.fetch('/services', {
      method: 'POST',
      headers: writeHeaders,
      body: JSON.stringify({ slug: 'changes', displayName: 'x', kind: 'http', baseUrl: 'http://127.0.0.1:1' }),
    });
    expect(reserved.status).toBe(400);
  });
});
