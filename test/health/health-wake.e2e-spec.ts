import Redis from 'ioredis';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { RedisServer } from '../support/redis-server';
import { StubTargets } from '../support/stub-targets';
import { TestDatabase } from '../support/test-database';

/** A long interval: a service is checked again only if something makes it due. */
const INTERVAL_MS = 60_000;
const TOKEN = 'wake-test-token';

describe('health checks of new and changed services', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let publisher: Redis;
  let targets: StubTargets;
  let app: AppProcess;

  /** Registers a service due now, as a writer of `services` does. */
  async function registerDue(slug: string): Promise<void> {
    await database.query(
      `INSERT INTO services (id, slug, display_name, kind, base_url, source) VALUES ($1, $2, $2, 'http', $3, 'external')`,
      [`external:${slug}`, slug, `${targets.url}/ok/${slug}`],
    );
  }

  /** Waits until `slug` has a stored snapshot (with `status`, if given) and returns its rows. */
  function stored(slug: string, status?: string): Promise<{ status: string; base_url: string }[]> {
    return eventually(async () => {
      const rows = await database.query<{ status: string; base_url: string }>(
        `SELECT status, base_url FROM service_health_snapshots WHERE service_slug = $1 AND ($2::text IS NULL OR status = $2) ORDER BY version`,
        [slug, status ?? null],
      );
      expect(rows.length).toBeGreaterThan(0);
      return rows;
    });
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
        SERVICE_HEALTH_TIMEOUT_MS: '5000',
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

  // How soon (one tick with no signal, milliseconds after an announced write) is scheduling,
  // checked on a fake clock in src/health/health-poller.scheduling.spec.ts. Here: the real
  // process gets there through each path.
  it('checks a service that became due with no other signal', async () => {
    await registerDue('quiet');
    expect(await stored('quiet')).toEqual([{ status: 'healthy', base_url: `${targets.url}/ok/quiet` }]);
    expect(targets.hitsOf('/ok/quiet/healthz')).toHaveLength(1);
  });

  it('checks a service when another process announces the write on Redis', async () => {
    for (const index of [0, 1, 2]) {
      const slug = `announced-${index}`;
      await registerDue(slug);
      const message = { origin: 'another-process', reason: 'service-create', services: [slug], publishedAt: new Date().toISOString() };
      await publisher.publish('service-registry:invalidate', JSON.stringify(message));
      expect(await stored(slug)).toEqual([{ status: 'healthy', base_url: `${targets.url}/ok/${slug}` }]);
    }
  });

  it('checks a service registered through the API, and again with its new baseUrl when re-pointed', async () => {
    const write = (method: string, path: string, body: unknown) =>
      app.fetch(path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const slug = 'api-made';
    expect((await write('POST', '/services', { slug, displayName: 'API made', kind: 'http', baseUrl: `${targets.url}/ok/${slug}` })).status).toBe(201);
    expect(await stored(slug)).toEqual([{ status: 'healthy', base_url: `${targets.url}/ok/${slug}` }]);

    expect((await write('PATCH', `/services/${slug}`, { baseUrl: `${targets.url}/fail/${slug}` })).status).toBe(200);
    // The re-pointed service is checked again long before its interval (a minute) is up.
    expect(await stored(slug, 'degraded')).toEqual([{ status: 'degraded', base_url: `${targets.url}/fail/${slug}` }]);
    const { data } = (await (await app.fetch(`/services/${slug}`)).json()) as { data: { status: string; health: { baseUrl: string } } };
    expect(data.status).toBe('degraded');
    expect(data.health.baseUrl).toBe(`${targets.url}/fail/${slug}`);
  });
});
