import { DataSource } from 'typeorm';
import { HealthThresholds1764320000000 } from '../../migrations/1764320000000-HealthThresholds';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { REGISTRY_ENTITIES } from '../../src/registry-entities';
import { TestDatabase } from '../support/test-database';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000);

/**
 * The migration that brings thresholds fills `service_health_latest` from the snapshots a
 * registry already has, and marks their transitions: run here on history stored the old way
 * (the migration is undone, rows are written as the previous version wrote them, then it runs).
 */
describe('migration 1764320000000: service_health_latest backfill', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    dataSource = await new DataSource(buildDataSourceOptions(database.url, REGISTRY_ENTITIES)).initialize();
    const runner = dataSource.createQueryRunner();
    const migration = new HealthThresholds1764320000000();
    try {
      await migration.down(runner);
      const history: Record<string, string[]> = {
        steady: ['healthy', 'healthy', 'degraded', 'degraded'],
        flappy: ['healthy', 'degraded', 'healthy', 'unreachable', 'healthy'],
        unchecked: [],
      };
      for (const [slug, statuses] of Object.entries(history)) {
        await runner.query(
          `INSERT INTO services (id, slug, display_name, kind, base_url, source, health_version) VALUES ($1, $2, $2, 'http', 'http://127.0.0.1:9', 'external', $3)`,
          [`external:${slug}`, slug, statuses.length],
        );
        for (const [index, status] of statuses.entries()) {
          await runner.query(
            `INSERT INTO service_health_snapshots (service_slug, version, status, latency_ms, checked_at, base_url, health_endpoint)
             VALUES ($1, $2, $3, $2, $4, 'http://127.0.0.1:9', '/healthz')`,
            [slug, index + 1, status, at(index)],
          );
        }
      }
      await migration.up(runner);
    } finally {
      await runner.release();
    }
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('gives every checked service its latest check, counters, since and flapping window', async () => {
    const rows = await database.query(
      `SELECT service_slug, version, status, observed_status, latency_ms, consecutive_failures, consecutive_successes, since, flapping, recent_statuses
         FROM service_health_latest ORDER BY service_slug`,
    );
    expect(rows).toEqual([
      {
        service_slug: 'flappy',
        version: 5,
        status: 'healthy',
        observed_status: 'healthy',
        latency_ms: 5,
        consecutive_failures: 0,
        consecutive_successes: 1,
        since: at(4),
        flapping: true,
        recent_statuses: ['healthy', 'degraded', 'healthy', 'unreachable', 'healthy'],
      },
      {
        service_slug: 'steady',
        version: 4,
        status: 'degraded',
        observed_status: 'degraded',
        latency_ms: 4,
        consecutive_failures: 2,
        consecutive_successes: 0,
        since: at(2),
        flapping: false,
        recent_statuses: ['healthy', 'healthy', 'degraded', 'degraded'],
      },
    ]);
  });

  it('marks the transitions of the kept history', async () => {
    const rows = await database.query(
      `SELECT service_slug, version, previous_status FROM service_health_snapshots WHERE previous_status IS NOT NULL ORDER BY service_slug, version`,
    );
    expect(rows).toEqual([
      { service_slug: 'flappy', version: 2, previous_status: 'healthy' },
      { service_slug: 'flappy', version: 3, previous_status: 'degraded' },
      { service_slug: 'flappy', version: 4, previous_status: 'healthy' },
      { service_slug: 'flappy', version: 5, previous_status: 'unreachable' },
      { service_slug: 'steady', version: 3, previous_status: 'healthy' },
    ]);
  });
});
