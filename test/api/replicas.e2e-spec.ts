import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../support/app-process';
import { RedisServer } from '../support/redis-server';
import { TestDatabase } from '../support/test-database';

const TOKEN = 'replica-token';
const writeHeaders = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

/** Polls `read` until `accept` holds; returns the milliseconds it took. */
async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (accept(await read())) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`not visible within ${timeoutMs} ms`);
    await sleep(10);
  }
}

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
    [a, b] = await Promise.all([AppProcess.start({ env }), AppProcess.start({ env })]);
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

  it('serve byte-identical /services, and a write on one shows on the other', async () => {
    // Warm both caches first, so B can only see the write through an invalidation.
    expect(await services(a)).toBe(await services(b));

    const created = await a.fetch('/services', {
      method: 'POST',
      headers: writeHeaders,
      body: JSON.stringify({ slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101' }),
    });
    expect(created.status).toBe(201);
    await eventually(() => services(b), (body) => body.includes('"billing"'), 5_000);
    expect(await services(a)).toBe(await services(b));

    const patched = await a.fetch('/services/billing', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify({ status: 'degraded', statusMessage: 'on fire' }) });
    expect(patched.status).toBe(200);
    const tookMs = await eventually(() => service(b, 'billing'), (item) => item.status === 'degraded', 5_000);
    console.info(`PATCH on replica A visible on replica B after ${tookMs} ms`);

    const [fromA, fromB] = await Promise.all([a.fetch('/services'), b.fetch('/services')]);
    expect(await fromA.text()).toBe(await fromB.text());
    expect(fromA.headers.get('etag')).toBe(fromB.headers.get('etag'));
    expect(fromA.headers.get('x-registry-index')).toBe(fromB.headers.get('x-registry-index'));
  });

  it('wakes a watcher on replica B when replica A writes', async () => {
    const current = await b.fetch('/services');
    const index = Number(current.headers.get('x-registry-index'));
    const watch = b.fetch(`/services?index=${index}&wait=20s`);
    await sleep(100);
    await a.fetch('/services/billing', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify({ statusMessage: 'watched from B' }) });
    const response = await watch;
    expect(Number(response.headers.get('x-registry-index'))).toBeGreaterThan(index);
    expect(JSON.stringify(await response.json())).toContain('watched from B');
  });

  it('logs [service-registry] cache hit/miss lines periodically', async () => {
    await eventually(async () => a.logs, (logs) => /\[service-registry\].*cache hits=\d+ misses=\d+ ratio=[\d.]+/.test(logs), 5_000);
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
    await eventually(() => b.fetch('/readyz').then((response) => response.status), (status) => status === 200, 10_000);
    // The next write after Redis returns reaches B again.
    await a.fetch('/services/billing', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify({ statusMessage: 'redis is back' }) });
    await eventually(() => service(b, 'billing'), (item) => item.statusMessage === 'redis is back', 5_000);
  });
});
