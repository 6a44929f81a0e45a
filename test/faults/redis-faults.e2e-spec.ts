import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { metricValue } from '../support/metrics';
import { freePort } from '../support/ports';
import { RedisServer } from '../support/redis-server';
import { TestDatabase } from '../support/test-database';

const TOKEN = 'fault-token';
const writeHeaders = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const PUBLISH_FAILURES = 'service_registry_invalidation_publish_failures_total';
const RESYNCS = 'service_registry_invalidation_resyncs_total';

/**
 * Issue #10 rows 1–4 with a real redis-server this file starts, freezes (SIGSTOP), thaws and
 * kills, under two real registry processes sharing one database.
 */
describe('Redis faults', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let a: AppProcess;
  let b: AppProcess;

  const env = () => ({
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    SERVICE_REGISTRY_TOKEN: TOKEN,
    APPHUB_DISABLE_SERVICE_POLLING: '1',
    // Long enough that only an invalidation (or a resync) can explain a fresh view.
    SERVICE_REGISTRY_CACHE_MAX_AGE_MS: '600000',
    LOG_LEVEL: 'info',
  });

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    redis = await RedisServer.start();
    [a, b] = await AppProcess.startMany(2, { env: env() });
    const created = await a.fetch('/services', {
      method: 'POST',
      headers: writeHeaders,
      body: JSON.stringify({ slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101' }),
    });
    expect(created.status).toBe(201);
    await eventually(async () => expect((await b.fetch('/services/billing')).status).toBe(200));
  });

  afterAll(async () => {
    redis?.thaw();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await database?.drop();
  });

  const statusMessage = async (replica: AppProcess) =>
    ((await (await replica.fetch('/services/billing')).json()) as { data: { statusMessage: string | null } }).data.statusMessage;
  const patch = (replica: AppProcess, body: object) =>
    replica.fetch('/services/billing', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify(body) });
  const metric = async (replica: AppProcess, name: string) => metricValue(await (await replica.fetch('/metrics')).text(), name);
  const readiness = async (replica: AppProcess) => {
    const response = await replica.fetch('/readyz');
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers a write while Redis is frozen (row 1): the response arrives with Redis still stopped, and B hears of it once Redis resumes', async () => {
    const failuresBefore = await metric(a, PUBLISH_FAILURES);
    redis.freeze();
    try {
      const response = await patch(a, { statusMessage: 'written while frozen' });
      // Order, not time: the write was answered while Redis could answer nothing.
      expect(redis.isFrozen()).toBe(true);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data: { statusMessage: string } }).data.statusMessage).toBe('written while frozen');
      // The bounded PUBLISH gave up, still during the freeze, and was counted.
      await eventually(async () => expect(await metric(a, PUBLISH_FAILURES)).toBeGreaterThan(failuresBefore));
      expect(redis.isFrozen()).toBe(true);
    } finally {
      redis.thaw();
    }
    // The PUBLISH had reached Redis' socket: once it resumes, B gets the message.
    await eventually(async () => expect(await statusMessage(b)).toBe('written while frozen'));
  });

  it('answers writes while Redis is down (row 2), counts every failed publish and logs them once per interval', async () => {
    await redis.kill();
    const failuresBefore = await metric(a, PUBLISH_FAILURES);
    const linesBefore = a.logs.match(/Could not publish \d+ invalidation/g)?.length ?? 0;
    const writes = 8;
    try {
      for (let i = 1; i <= writes; i++) {
        const response = await patch(a, { statusMessage: `down ${i}` });
        expect(response.status).toBe(200);
      }
      await eventually(async () => expect(await metric(a, PUBLISH_FAILURES)).toBe(failuresBefore + writes));
      // At once, or summed up at the end of the current interval: fewer lines than failures.
      const lines = await eventually(() => {
        const count = (a.logs.match(/Could not publish \d+ invalidation/g)?.length ?? 0) - linesBefore;
        expect(count).toBeGreaterThanOrEqual(1);
        return count;
      });
      expect(lines).toBeLessThan(writes);
    } finally {
      await redis.start();
    }
    await eventually(async () => expect((await readiness(a)).status).toBe(200));
  });

  it('makes B drop its caches when its subscription comes back, before it reports ready (row 3)', async () => {
    await eventually(async () => expect((await readiness(b)).status).toBe(200));
    await patch(a, { statusMessage: 'before the outage' });
    await eventually(async () => expect(await statusMessage(b)).toBe('before the outage'));
    const resyncsBefore = await metric(b, RESYNCS);

    await redis.kill();
    // B knows it is not subscribed: not ready.
    await eventually(async () => {
      const { status, body } = await readiness(b);
      expect(status).toBe(503);
      expect(body).toMatchObject({ error: { invalidations: { status: 'down' } } });
    });
    // A write whose invalidation is lost to B: Redis is down.
    expect((await patch(a, { statusMessage: 'during the outage' })).status).toBe(200);
    // B still serves its cached view (the max age is ten minutes).
    expect(await statusMessage(b)).toBe('before the outage');

    await redis.start();
    await eventually(async () => expect((await readiness(b)).status).toBe(200));
    // Ready again means resynced: the first read after it shows the write made during the outage.
    expect(await statusMessage(b)).toBe('during the outage');
    expect(await metric(b, RESYNCS)).toBe(resyncsBefore + 1);
    expect(b.logs).toContain('Subscribed to service-registry:invalidate again: dropped every cached view');
  });

  it('exits on SIGTERM while Redis is frozen, Redis still frozen when it has exited (row 4)', async () => {
    const app = await AppProcess.start({ env: env() });
    redis.freeze();
    try {
      expect(await app.stop(120_000)).toBe('SIGTERM');
      expect(redis.isFrozen()).toBe(true);
    } finally {
      redis.thaw();
    }
  });

  it('starts with Redis unreachable, says so naming REDIS_URL without its password, and exits on SIGTERM (row 4)', async () => {
    const deadPort = await freePort();
    const app = await AppProcess.start({
      env: { ...env(), REDIS_URL: `redis://:S3cret-pass@127.0.0.1:${deadPort}` },
      waitForReady: false,
    });
    try {
      await eventually(() => expect(app.logs).toMatch(/REDIS_URL \(redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\): connection refused/));
      const { status, body } = await readiness(app);
      expect(status).toBe(503);
      expect(body).toMatchObject({ error: { redis: { status: 'down' }, invalidations: { status: 'down' } } });
    } finally {
      expect(await app.stop(120_000)).toBe('SIGTERM');
    }
    expect(app.logs).not.toContain('S3cret-pass');
  });
});
