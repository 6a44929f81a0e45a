import { AppProcess } from '../support/app-process';
import { testEnv } from '../support/environment';
import { eventually } from '../support/eventually';
import { StubTargets } from '../support/stub-targets';
import { TestDatabase } from '../support/test-database';

const INTERVAL_MS = 1_000;
const TIMEOUT_MS = 300;
const TARGETS = 50;
const CONCURRENCY = 8;

const slugs = Array.from({ length: TARGETS }, (_, index) => `svc-${String(index).padStart(2, '0')}`);

interface Checks {
  /** The database clock when they were counted. */
  at: number;
  /** Stored snapshots per slug. */
  bySlug: Map<string, number>;
  /** Stored snapshots per slug checked by `checker` (the metadata of each snapshot). */
  byChecker: Map<string, Map<string, number>>;
}

/**
 * Two checks of one service are claimed at least 4/5 of an interval apart on the database
 * clock (test/health/health-claiming.e2e-spec.ts), so `elapsedMs` after the first claim a
 * service can have at most this many checks, however many replicas share the work. A busy
 * machine only makes the count smaller: this bound cannot fail for want of speed.
 */
function mostChecksIn(elapsedMs: number): number {
  return Math.floor(elapsedMs / ((INTERVAL_MS * 4) / 5)) + 1;
}

describe('health polling shared by two replicas', () => {
  let database: TestDatabase;
  let targets: StubTargets;
  let replicas: AppProcess[] = [];
  /** The database clock before any replica could claim anything. */
  let startedAt: number;

  async function checks(): Promise<Checks> {
    const rows = await database.query<{ at: Date; service_slug: string; checker: string; checks: number }>(
      `SELECT now() AS at, service_slug, metadata->>'checker' AS checker, count(*)::int AS checks
       FROM service_health_snapshots GROUP BY service_slug, checker`,
    );
    const [{ now }] = rows.length > 0 ? [{ now: rows[0].at }] : await database.query<{ now: Date }>(`SELECT now()`);
    const result: Checks = { at: now.getTime(), bySlug: new Map(), byChecker: new Map() };
    for (const row of rows) {
      result.bySlug.set(row.service_slug, (result.bySlug.get(row.service_slug) ?? 0) + row.checks);
      const ofChecker = result.byChecker.get(row.checker) ?? new Map<string, number>();
      ofChecker.set(row.service_slug, row.checks);
      result.byChecker.set(row.checker, ofChecker);
    }
    return result;
  }

  /** Every service checked at least `count` times (by anyone, or by `checker`). */
  async function everyServiceChecked(count: number, checker?: string): Promise<Checks> {
    return eventually(
      async () => {
        const counted = await checks();
        const of = checker === undefined ? counted.bySlug : (counted.byChecker.get(checker) ?? new Map<string, number>());
        const behind = slugs.filter((slug) => (of.get(slug) ?? 0) < count);
        expect(behind).toEqual([]);
        return counted;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  /** Never more checks of a service than its claims allow since `startedAt`. */
  function expectAtMostOnePerInterval(counted: Checks): void {
    const most = mostChecksIn(counted.at - startedAt);
    const over = slugs.filter((slug) => (counted.bySlug.get(slug) ?? 0) > most);
    expect({ most, over }).toEqual({ most, over: [] });
  }

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    targets = await StubTargets.start();
    for (const slug of slugs) {
      await database.query(
        `INSERT INTO services (id, slug, display_name, kind, base_url, source) VALUES ($1, $2, $2, 'http', $3, 'external')`,
        [`external:${slug}`, slug, `${targets.url}/slow/${slug}`],
      );
    }
    startedAt = (await database.query<{ now: Date }>(`SELECT now()`))[0].now.getTime();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: testEnv('redisUrl'),
      SERVICE_HEALTH_INTERVAL_MS: String(INTERVAL_MS),
      SERVICE_HEALTH_TIMEOUT_MS: String(TIMEOUT_MS),
      SERVICE_HEALTH_CONCURRENCY: String(CONCURRENCY),
    };
    replicas = await AppProcess.startMany(2, { env });
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await targets?.stop();
    await database?.drop();
  });

  it('checks each target once per interval across both replicas, and versions never repeat', async () => {
    // Both replicas take part: each has checked something, and together every service 3 times.
    const counted = await everyServiceChecked(3);
    await eventually(async () => expect((await checks()).byChecker.size).toBe(2), { timeoutMs: 60_000, intervalMs: 100 });
    // Never checked twice in one interval, by either replica.
    expectAtMostOnePerInterval(counted);
    expectAtMostOnePerInterval(await checks());

    // Versions per slug are exactly 1..n: none repeated, none lost.
    const versions = await database.query<{ service_slug: string; snapshots: number; distinct_versions: number; max_version: number; health_version: number }>(
      `SELECT h.service_slug, count(*)::int AS snapshots, count(DISTINCT h.version)::int AS distinct_versions, max(h.version) AS max_version, s.health_version
       FROM service_health_snapshots h JOIN services s ON s.slug = h.service_slug
       GROUP BY h.service_slug, s.health_version`,
    );
    expect(versions).toHaveLength(TARGETS);
    for (const row of versions) {
      expect(row.distinct_versions).toBe(row.snapshots);
      expect(row.max_version).toBe(row.snapshots);
      expect(row.health_version).toBe(row.snapshots);
    }
  });

  it("hands a dead replica's share to the other one", async () => {
    const [survivor, victim] = replicas;
    // Killed in the middle of a wave, with checks claimed and running.
    await targets.whenOpen(6);
    process.kill(victim.pid!, 'SIGKILL');
    await victim.exited();
    const survivorChecker = await eventually(async () => {
      const [row] = await database.query<{ checker: string }>(
        `SELECT metadata->>'checker' AS checker FROM service_health_snapshots WHERE metadata->>'checker' LIKE $1 LIMIT 1`,
        [`%:${survivor.pid}`],
      );
      expect(row).toBeDefined();
      return row.checker;
    });
    const before = (await checks()).byChecker.get(survivorChecker)!;

    // Every service, those whose checks died with the victim included, is checked by the
    // survivor again and again (twice more each).
    await eventually(
      async () => {
        const now = (await checks()).byChecker.get(survivorChecker)!;
        const behind = slugs.filter((slug) => (now.get(slug) ?? 0) < (before.get(slug) ?? 0) + 2);
        expect(behind).toEqual([]);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(await survivor.stop()).toBe('SIGTERM');
    expect(survivor.logs).not.toMatch(/could not (claim|store)|"level":"error"/);

    // Checks the victim made but never stored are lost (at most what it had claimed: its
    // slots); every other check is stored, and still at most one per service per interval.
    // (A check that timed out before its request reached a target is stored without a hit.)
    const counted = await checks();
    const stored = [...counted.bySlug.values()].reduce((sum, count) => sum + count, 0);
    const [{ answered }] = await database.query<{ answered: number }>(
      `SELECT count(*)::int AS answered FROM service_health_snapshots WHERE status_code IS NOT NULL`,
    );
    expect(targets.hits.length).toBeGreaterThanOrEqual(answered);
    expect(targets.hits.length - stored).toBeLessThanOrEqual(2 * CONCURRENCY);
    expectAtMostOnePerInterval(counted);
  });
});
