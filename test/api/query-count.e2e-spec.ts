import request from 'supertest';
import { HealthRetention } from '../../src/health/health-retention.service';
import { InvalidationBus } from '../../src/registry-cache/invalidation-bus';
import { ServicesDatasetQuery } from '../../src/services/services-dataset.query';
import { InProcessApp, startInProcessApp } from '../support/in-process-app';
import { RedisServer } from '../support/redis-server';
import { TestDatabase } from '../support/test-database';

/** Services `from..to` with an active manifest, a module context and three health snapshots each. */
async function seed(database: TestDatabase, from: number, to: number): Promise<void> {
  await database.query(
    `INSERT INTO services (id, slug, display_name, kind, base_url, source, module_id)
     SELECT 'module:bench:svc-' || n, 'svc-' || n, 'Service ' || n, 'http', 'http://127.0.0.1:' || (20000 + n), 'module', 'bench'
       FROM generate_series($1::int, $2::int) n`,
    [from, to],
  );
  await database.query(
    `INSERT INTO service_manifests (module_id, module_version, service_slug, definition, checksum)
     SELECT 'bench', 1, 'svc-' || n, jsonb_build_object('slug', 'svc-' || n), md5(n::text) FROM generate_series($1::int, $2::int) n`,
    [from, to],
  );
  await database.query(
    `INSERT INTO module_resource_contexts (module_id, resource_type, resource_id)
     SELECT 'bench', 'service', 'svc-' || n FROM generate_series($1::int, $2::int) n`,
    [from, to],
  );
  await database.query(
    `INSERT INTO service_health_snapshots (service_slug, version, status, latency_ms, status_code, checked_at, base_url, health_endpoint)
     SELECT 'svc-' || n, v, 'healthy', v, 200, now() - (3 - v) * interval '1 minute', 'http://127.0.0.1:' || (20000 + n), '/healthz'
       FROM generate_series($1::int, $2::int) n, generate_series(1, 3) v`,
    [from, to],
  );
  // The latest of each, as the poller writes it beside its snapshot.
  await database.query(
    `INSERT INTO service_health_latest (service_slug, version, status, observed_status, latency_ms, status_code, checked_at, base_url,
                                        health_endpoint, consecutive_successes, since, recent_statuses)
     SELECT service_slug, version, status, status, latency_ms, status_code, checked_at, base_url, health_endpoint, 3, checked_at,
            '{healthy,healthy,healthy}'
       FROM service_health_snapshots WHERE version = 3 AND service_slug = ANY(SELECT 'svc-' || n FROM generate_series($1::int, $2::int) n)`,
    [from, to],
  );
}

describe('database round trips behind GET /services', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let registry: InProcessApp;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    // Nothing but the requests under test may query Postgres while statements are counted:
    // a Redis of its own (so no inline index watcher polls, and no other test's invalidation
    // arrives), polling off (startInProcessApp), and the retention run at start finished.
    redis = await RedisServer.start();
    registry = await startInProcessApp({ DATABASE_URL: database.url, REDIS_URL: redis.url });
    await registry.app.get(HealthRetention).prune();
  });

  afterAll(async () => {
    await registry?.close();
    await redis?.stop();
    await database?.drop();
  });

  it('fills the cache with the same number of queries for 10 and for 1,000 services, and serves cached reads with none', async () => {
    await seed(database, 1, 10);
    let body: { data: unknown[] } = { data: [] };
    const forTen = await registry.countQueries(async () => {
      body = (await request(registry.server).get('/services').expect(200)).body;
    });
    expect(body.data).toHaveLength(10);

    await seed(database, 11, 1000);
    await registry.app.get(InvalidationBus).publish({ reason: 'test-seed' });
    const forThousand = await registry.countQueries(async () => {
      body = (await request(registry.server).get('/services?moduleId=bench').expect(200)).body;
    });
    expect(body.data).toHaveLength(1000);
    expect((body.data[999] as { health: { latencyMs: number } }).health.latencyMs).toBe(3);
    expect(forThousand).toBe(forTen);
    expect(forThousand).toBeLessThanOrEqual(1);

    const cached = await registry.countQueries(async () => {
      await request(registry.server).get('/services?moduleId=bench').expect(200);
      await request(registry.server).get('/services/svc-500').expect(200);
      await request(registry.server).get('/services?moduleId=bench&status=unknown').expect(200);
    });
    expect(cached).toBe(0);
  });

  it('reads the latest health of every service from service_health_latest, never from the snapshots table', async () => {
    await database.query('ANALYZE');
    const plan = await database.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${ServicesDatasetQuery.SQL}`);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/service_health_latest/);
    expect(text).not.toMatch(/service_health_snapshots/);
  });
});
