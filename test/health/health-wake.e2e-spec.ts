import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../support/app-process';
import { RedisServer } from '../support/redis-server';
import { StubTargets } from '../support/stub-targets';
import { TestDatabase } from '../support/test-database';

/** A long interval: the poller looks for due services only once a second (its tick). */
const INTERVAL_MS = 60_000;
const TICK_MS = 1_000;
const TOKEN = 'wake-test-token';

describe('health checks of new and changed services', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let publisher: Redis;
  let targets: StubTargets;
  let app: AppProcess;

  /** Registers a service due now, as a writer of `services` does, and returns when that was. */
  async function registerDue(slug: string): Promise<number> {
    await database.query(
      `INSERT INTO services (id, slug, display_name, kind, base_url, source) VALUES ($1, $2, $2, 'http', $3, 'external')`,
      [`external:${slug}`, slug, `${targets.url}/ok/${slug}`],
    );
    return Date.now();
  }

  /** Milliseconds from `since` until `slug` has a stored snapshot. */
  async function storedAfter(slug: string, since: number): Promise<number> {
    for (const deadline = Date.now() + 5_000; Date.now() < deadline; await sleep(10)) {
      const rows = await database.query(`SELECT 1 FROM service_health_snapshots WHERE service_slug = $1`, [slug]);
      if (rows.length > 0) return Date.now() - since;
    }
    throw new Error(`${slug} was not checked within 5 s`);
  }

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    redis = await RedisServer.start();
    publisher = new Redis(redis.url);
    targets = await StubTargets.start();
    app = await AppProcess.start({
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        SERVICE_HEALTH_INTERVAL_MS: String(INTERVAL_MS),
        SERVICE_HEALTH_TIMEOUT_MS: '300',
        SERVICE_REGISTRY_TOKEN: TOKEN,
      },
    });
  });

  afterAll(async () => {
    await app?.stop();
    publisher?.disconnect();
    await targets?.stop();
    await redis?.stop();
    await database?.drop();
  });

  it('checks a service within one tick of it becoming due, with no other signal', async () => {
    const registeredAt = await registerDue('quiet');
    const tookMs = await storedAfter('quiet', registeredAt);
    console.info(`a new service with no invalidation was checked and stored after ${tookMs} ms`);
    expect(tookMs).toBeLessThan(TICK_MS + 500);
  });

  it('checks a service within milliseconds when another process announces the write', async () => {
    // Three times at different moments of the tick, so a tick that happens to come right
    // after the write cannot pass for the wake-up.
    const delays: number[] = [];
    for (const [index, pause] of [0, 330, 670].entries()) {
      await sleep(pause);
      const slug = `announced-${index}`;
      const registeredAt = await registerDue(slug);
      const message = { origin: 'another-process', reason: 'service-create', services: [slug], publishedAt: new Date().toISOString() };
      await publisher.publish('service-registry:invalidate', JSON.stringify(message));
      delays.push(await storedAfter(slug, registeredAt));
    }
    console.info(`announced services were checked and stored after ${delays.join(', ')} ms`);
    for (const delay of delays) expect(delay).toBeLessThan(300);
  });

  it('checks a service registered or re-pointed through the API within milliseconds', async () => {
    const write = (method: string, path: string, body: unknown) =>
      app.fetch(path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const slug = 'api-made';
    const registeredAt = Date.now();
    expect((await write('POST', '/services', { slug, displayName: 'API made', kind: 'http', baseUrl: `${targets.url}/ok/${slug}` })).status).toBe(201);
    const firstMs = await storedAfter(slug, registeredAt);

    const patchedAt = Date.now();
    expect((await write('PATCH', `/services/${slug}`, { baseUrl: `${targets.url}/fail/${slug}` })).status).toBe(200);
    let patchedMs = Number.POSITIVE_INFINITY;
    for (const deadline = Date.now() + 5_000; Date.now() < deadline; await sleep(10)) {
      const rows = await database.query(`SELECT 1 FROM service_health_snapshots WHERE service_slug = $1 AND status = 'degraded'`, [slug]);
      if (rows.length > 0) {
        patchedMs = Date.now() - patchedAt;
        break;
      }
    }
    console.info(`registered through the API: checked after ${firstMs} ms; re-pointed: checked after ${patchedMs} ms`);
    expect(firstMs).toBeLessThan(300);
    expect(patchedMs).toBeLessThan(300);
    const { data } = (await (await app.fetch(`/services/${slug}`)).json()) as { data: { status: string; health: { baseUrl: string } } };
    expect(data.status).toBe('degraded');
    expect(data.health.baseUrl).toBe(`${targets.url}/fail/${slug}`);
  });
});
