import Redis from 'ioredis';
import { AppProcess } from '../support/app-process';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { metricValue } from '../support/metrics';
import { RedisServer } from '../support/redis-server';
import { TestDatabase } from '../support/test-database';

const TOKEN = 'replica-token';
const writeHeaders = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

describe('two replicas sharing Postgres and Redis', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    redis = await RedisServer.start();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      SERVICE_REGISTRY_TOKEN: TOKEN,
      APPHUB_DISABLE_SERVICE_POLLING: '1',
      // Long enough that only an invalidation message can explain a quick refresh.
      SERVICE_REGISTRY_CACHE_MAX_AGE_MS: '600000',
      SERVICE_REGISTRY_CACHE_STATS_INTERVAL_MS: '300',
      LOG_LEVEL: 'info',
    };
    [a, b] = await AppProcess.startMany(2, { env });
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await database?.drop();
  });

  const services = async (replica: AppProcess) => (await replica.fetch('/services')).text();
  /** `GET /services/:slug` on one replica. */
  const service = async (replica: AppProcess, slug: string) =>
    ((await (await replica.fetch(`/services/${slug}`)).json()) as { data: { status: string; statusMessage: string | null } }).data;

  it('serve byte-identical /services after a backfill through the CLI', async () => {
    // Warm both caches first, so the replicas can only see the import through an invalidation.
    expect(await services(a)).toBe(await services(b));
    const backfill = await runCli(['backfill', '--path', 'modules/observatory/dist', '--module', 'observatory'], {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
    });
    expect(backfill.code).toBe(0);
    await eventually(async () => {
      const [fromA, fromB] = await Promise.all([services(a), services(b)]);
      expect(fromA).toContain('"observatory-dashboard"');
      expect(fromB).toContain('"observatory-dashboard"');
    });
    const [fromA, fromB] = await Promise.all([services(a), services(b)]);
    expect(fromA).toBe(fromB);
    expect(JSON.parse(fromA).meta).toMatchObject({ total: 2, sourceCounts: { module: 2, external: 0 } });
  });

  it('show a write made on one replica on the other', async () => {

    const created = await a.fetch('/services', {
      method: 'POST',
      headers: writeHeaders,
      body: JSON.stringify({ slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101' }),
    });
    expect(created.status).toBe(201);
    await eventually(async () => expect(await services(b)).toContain('"billing"'));
    expect(await services(a)).toBe(await services(b));

    const patched = await a.fetch('/services/billing', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify({ status: 'degraded', statusMessage: 'on fire' }) });
    expect(patched.status).toBe(200);
    await eventually(async () => expect((await service(b, 'billing')).status).toBe('degraded'));

    const [fromA, fromB] = await Promise.all([a.fetch('/services'), b.fetch('/services')]);
    expect(await fromA.text()).toBe(await fromB.text());
    expect(fromA.headers.get('etag')).toBe(fromB.headers.get('etag'));
    expect(fromA.headers.get('x-registry-index')).toBe(fromB.headers.get('x-registry-index'));
  });

  it('wakes a watcher on replica B when replica A writes', async () => {
    const current = await b.fetch('/services');
    const index = Number(current.headers.get('x-registry-index'));
    // A wait longer than the request's own timeout: only a wake-up can answer it in time.
    const hitsBefore = metricValue(await (await b.fetch('/metrics')).text(), 'service_registry_cache_hits_total');
    const watch = b.fetch(`/services?index=${index}&wait=5m`);
    // The watch has read the list (one cache hit) and waits: now the write.
    await eventually(async () =>
      expect(metricValue(await (await b.fetch('/metrics')).text(), 'service_registry_cache_hits_total')).toBeGreaterThan(hitsBefore),
    );
    await a.fetch('/services/billing', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify({ statusMessage: 'watched from B' }) });
    const response = await watch;
    expect(Number(response.headers.get('x-registry-index'))).toBeGreaterThan(index);
    expect(JSON.stringify(await response.json())).toContain('watched from B');
  });

  it('logs [service-registry] cache hit/miss lines periodically', async () => {
    await eventually(() => expect(a.logs).toMatch(/\[service-registry\].*cache hits=\d+ misses=\d+ ratio=[\d.]+/));
  });

  it('keeps serving reads and accepting writes while Redis is down', async () => {
    await redis.kill();
    try {
      const read = await b.fetch('/services');
      expect(read.status).toBe(200);
      const write = await a.fetch('/services/billing', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify({ statusMessage: 'redis is down' }) });
      expect(write.status).toBe(200);
      // A sees its own write at once; B only once its cache ages out or Redis is back.
      expect((await service(a, 'billing')).statusMessage).toBe('redis is down');
      expect((await b.fetch('/readyz')).status).toBe(503);
    } finally {
      await redis.start();
    }
    await eventually(async () => expect((await b.fetch('/readyz')).status).toBe(200));
    // Readiness pings the command connection only; wait until both replicas have subscribed
    // again, as Redis itself reports it.
    await eventually(async () => {
      const client = new Redis(redis.url);
      try {
        const clients = String(await client.client('LIST')).split('\n');
        expect(clients.filter((line) => / name=service-registry:subscriber .* sub=1 /.test(` ${line} `))).toHaveLength(2);
      } finally {
        client.disconnect();
      }
    });
    // The next write after Redis returns reaches B again.
    await a.fetch('/services/billing', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify({ statusMessage: 'redis is back' }) });
    await eventually(async () => expect((await service(b, 'billing')).statusMessage).toBe('redis is back'));
  });
});
