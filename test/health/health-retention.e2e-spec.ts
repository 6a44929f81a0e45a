import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { TestDatabase } from '../support/test-database';

/**
 * Inserts `versions` snapshots of `slug`; version v was checked `ageOf(v)` ago. Keeps
 * `services.health_version` at the highest version, as the poller does.
 */
async function seedSnapshots(database: TestDatabase, slug: string, versions: number, ageOf: string): Promise<void> {
  await database.query(
    `INSERT INTO service_health_snapshots (service_slug, version, status, status_message, latency_ms, status_code, checked_at, base_url, health_endpoint)
     SELECT $1, v, 'healthy', 'HTTP 200 OK', 5, 200, now() - (${ageOf}), 'http://127.0.0.1:9', '/healthz'
     FROM generate_series(1, $2::int) AS v`,
    [slug, versions],
  );
  await database.query(`UPDATE services SET health_version = $2 WHERE slug = $1`, [slug, versions]);
}

/** Each test starts the app (the second one twice); a hang bound, as the default test timeout. */
const START_AND_PRUNE_TIMEOUT_MS = 180_000;

/** Waits for the log line of the retention run at start (LOG_LEVEL=debug: also a run that pruned nothing). */
function retentionRan(app: AppProcess): Promise<string> {
  return eventually(() => {
    const line = /(Pruned \d+|No) health snapshot[^\n\u001b"]*/.exec(app.logs);
    expect(line).not.toBeNull();
    return line![0];
  }, { timeoutMs: 60_000, intervalMs: 50 });
}

describe('health snapshot retention', () => {
  let database: TestDatabase;
  let app: AppProcess;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    for (const slug of ['archive', 'mixed', 'lonely', 'fresh']) {
      await database.query(
        `INSERT INTO services (id, slug, display_name, kind, base_url, source) VALUES ($1, $2, $2, 'http', 'http://127.0.0.1:9', 'external')`,
        [`external:${slug}`, slug],
      );
    }
    // 12 000 snapshots, all older than 7 days: more than two retention batches.
    await seedSnapshots(database, 'archive', 12_000, `interval '8 days' + (12000 - v) * interval '1 minute'`);
    // Versions 1–3 older than 7 days, 4–6 younger.
    await seedSnapshots(database, 'mixed', 6, `CASE WHEN v <= 3 THEN interval '9 days' - v * interval '1 hour' ELSE interval '1 day' * (7 - v) - interval '1 hour' END`);
    // Its only snapshot is a month old: it is the latest, so it stays.
    await seedSnapshots(database, 'lonely', 1, `interval '30 days'`);
    await seedSnapshots(database, 'fresh', 3, `interval '1 hour' * (4 - v)`);
    // Statistics, as autovacuum keeps them on a live table. Without them the planner joins the
    // 12 000 rows of one service with themselves: over 20 s per batch instead of milliseconds.
    await database.query('ANALYZE service_health_snapshots');
  });

  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it('prunes snapshots older than the retention at start, keeping every service\'s latest one', async () => {
    app = await AppProcess.start({ env: { DATABASE_URL: database.url, APPHUB_DISABLE_SERVICE_POLLING: '1', LOG_LEVEL: 'info' } });
    expect(await retentionRan(app)).toBe('Pruned 12002 health snapshot(s) older than 7 day(s)');

    const left = await database.query<{ service_slug: string; versions: number[] }>(
      `SELECT service_slug, array_agg(version ORDER BY version) AS versions FROM service_health_snapshots GROUP BY service_slug ORDER BY service_slug`,
    );
    expect(left).toEqual([
      { service_slug: 'archive', versions: [12_000] },
      { service_slug: 'fresh', versions: [1, 2, 3] },
      { service_slug: 'lonely', versions: [1] },
      { service_slug: 'mixed', versions: [4, 5, 6] },
    ]);
    // The runbook query still answers for every service.
    for (const slug of ['archive', 'fresh', 'lonely', 'mixed']) {
      const latest = await database.query(
        `select status, latency_ms, checked_at from service_health_snapshots where service_slug = '${slug}' order by version desc limit 1`,
      );
      expect(latest).toHaveLength(1);
    }
  }, START_AND_PRUNE_TIMEOUT_MS);

  it('honours SERVICE_HEALTH_RETENTION_DAYS, and a run with nothing to prune changes nothing', async () => {
    await app?.stop();
    const before = await database.snapshot();
    app = await AppProcess.start({ env: { DATABASE_URL: database.url, APPHUB_DISABLE_SERVICE_POLLING: '1', SERVICE_HEALTH_RETENTION_DAYS: '30', LOG_LEVEL: 'debug' } });
    expect(await retentionRan(app)).toBe('No health snapshot older than 30 day(s) to prune');
    expect(await database.snapshot()).toEqual(before);
    expect(app.logs).not.toContain('Pruned');

    await app.stop();
    app = await AppProcess.start({ env: { DATABASE_URL: database.url, APPHUB_DISABLE_SERVICE_POLLING: '1', SERVICE_HEALTH_RETENTION_DAYS: '2', LOG_LEVEL: 'info' } });
    expect(await retentionRan(app)).toBe('Pruned 1 health snapshot(s) older than 2 day(s)');
    const mixed = await database.query(`SELECT version FROM service_health_snapshots WHERE service_slug = 'mixed' ORDER BY version`);
    expect(mixed).toEqual([{ version: 5 }, { version: 6 }]);
  }, 2 * START_AND_PRUNE_TIMEOUT_MS);
});
