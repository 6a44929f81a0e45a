import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { StubTargets } from '../support/stub-targets';
import { TestDatabase } from '../support/test-database';

const TOKEN = 'thresholds-test-token';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

interface Health {
  version: number;
  status: string;
  observedStatus: string;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  since: string | null;
  flapping: boolean;
  previousStatus: string | null;
  checkedAt: string;
}

interface SnapshotRow {
  version: number;
  status: string;
  observed_status: string;
  consecutive_failures: number;
  since: Date;
  previous_status: string | null;
  checked_at: Date;
  checker: string;
}

describe('health thresholds, transitions and flapping (real targets, real process)', () => {
  let database: TestDatabase;
  let targets: StubTargets;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    targets = await StubTargets.start();
  });

  afterAll(async () => {
    await targets?.stop();
    await database?.drop();
  });

  describe('one replica, checks on demand', () => {
    let app: AppProcess;

    beforeAll(async () => {
      app = await AppProcess.start({ env: { DATABASE_URL: database.url, SERVICE_REGISTRY_TOKEN: TOKEN, APPHUB_DISABLE_SERVICE_POLLING: '1' } });
    });

    afterAll(async () => {
      await app?.stop();
    });

    async function register(slug: string, health?: Record<string, number> | null): Promise<void> {
      const body = { slug, displayName: slug, kind: 'http', baseUrl: `${targets.url}/script/${slug}`, ...(health === undefined ? {} : { health }) };
      const response = await app.fetch('/services', { method: 'POST', headers: auth, body: JSON.stringify(body) });
      expect(response.status).toBe(201);
    }

    async function check(slug: string): Promise<Health> {
      const response = await app.fetch(`/services/${slug}/health-check`, { method: 'POST', headers: auth });
      expect(response.status).toBe(200);
      return ((await response.json()) as { data: Health }).data;
    }

    async function checks(slug: string, count: number): Promise<Health[]> {
      const results: Health[] = [];
      for (let index = 0; index < count; index++) results.push(await check(slug));
      return results;
    }

    async function service(slug: string): Promise<{ status: string; health: Health }> {
      return ((await (await app.fetch(`/services/${slug}`)).json()) as { data: { status: string; health: Health } }).data;
    }

    async function transitions(slug: string): Promise<Health[]> {
      const response = await app.fetch(`/services/${slug}/health?transitions=true`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { data: Health[] }).data;
    }

    it('keeps a service healthy through two failures and a recovery (the default needs 3 in a row)', async () => {
      await register('flaky');
      targets.script('flaky', ['ok', 'fail', 'fail', 'ok']);
      const results = await checks('flaky', 4);
      expect(results.map((result) => [result.observedStatus, result.status, result.consecutiveFailures])).toEqual([
        ['healthy', 'healthy', 0],
        ['degraded', 'healthy', 1],
        ['degraded', 'healthy', 2],
        ['healthy', 'healthy', 0],
      ]);
      const since = results[0].checkedAt;
      expect(results.map((result) => result.since)).toEqual([since, since, since, since]);
      const shown = await service('flaky');
      expect(shown.status).toBe('healthy');
      expect(shown.health).toMatchObject({ status: 'healthy', observedStatus: 'healthy', consecutiveSuccesses: 1, consecutiveFailures: 0, since, flapping: false });
      // The only transition is the first check's.
      expect((await transitions('flaky')).map((entry) => [entry.version, entry.previousStatus, entry.status])).toEqual([[1, 'unknown', 'healthy']]);
    });

    it('turns unhealthy at the third failure in a row, with since set to that check, and one success restores it', async () => {
      targets.script('flaky', ['fail', 'fail', 'fail', 'ok']);
      const [, second, third] = await checks('flaky', 3);
      expect(second).toMatchObject({ status: 'healthy', consecutiveFailures: 2, previousStatus: null });
      expect(third).toMatchObject({ status: 'degraded', observedStatus: 'degraded', consecutiveFailures: 3, previousStatus: 'healthy', since: third.checkedAt });

      const shown = await service('flaky');
      expect(shown.status).toBe('degraded');
      expect(shown.health).toMatchObject({ status: 'degraded', consecutiveFailures: 3, since: third.checkedAt });
      const [latest] = await database.query<{ status: string; observed_status: string; consecutive_failures: number; since: Date; version: number }>(
        `SELECT status, observed_status, consecutive_failures, since, version FROM service_health_latest WHERE service_slug = 'flaky'`,
      );
      expect(latest).toEqual({ status: 'degraded', observed_status: 'degraded', consecutive_failures: 3, since: new Date(third.checkedAt), version: third.version });
      const metrics = await (await app.fetch('/metrics')).text();
      expect(metrics).toContain('service_registry_service_status{slug="flaky",module="",status="degraded"} 1');
      expect(metrics).toContain('service_registry_service_status{slug="flaky",module="",status="healthy"} 0');
      expect(metrics).toMatch(/service_registry_service_check_latency_seconds_count\{slug="flaky",module=""\} 7\b/);

      const recovered = await check('flaky');
      expect(recovered).toMatchObject({ status: 'healthy', previousStatus: 'degraded', consecutiveSuccesses: 1, since: recovered.checkedAt });
      expect((await transitions('flaky')).map((entry) => [entry.version, entry.previousStatus, entry.status])).toEqual([
        [recovered.version, 'degraded', 'healthy'],
        [third.version, 'healthy', 'degraded'],
        [1, 'unknown', 'healthy'],
      ]);
    });

    it("honours a service's own thresholds, and a patch back to the defaults", async () => {
      await register('strict', { failuresBeforeUnhealthy: 1, successesBeforeHealthy: 2 });
      targets.script('strict', ['ok', 'fail', 'ok', 'ok']);
      expect((await checks('strict', 4)).map((result) => result.status)).toEqual(['healthy', 'degraded', 'degraded', 'healthy']);
      const patched = await app.fetch('/services/strict', { method: 'PATCH', headers: auth, body: JSON.stringify({ health: null }) });
      expect(patched.status).toBe(200);
      targets.script('strict', ['fail']);
      expect((await checks('strict', 3)).map((result) => result.status)).toEqual(['healthy', 'healthy', 'degraded']);
    });

    it('refuses thresholds out of range or unknown keys with a 400 naming health', async () => {
      for (const health of [{ failuresBeforeUnhealthy: 0 }, { successesBeforeHealthy: 1.5 }, { failures_before_critical: 3 }, [1]]) {
        const response = await app.fetch('/services/strict', { method: 'PATCH', headers: auth, body: JSON.stringify({ health }) });
        expect(response.status).toBe(400);
        expect(((await response.json()) as { details: { field: string }[] }).details[0].field).toBe('health');
      }
    });

    it('flags a service whose observed status changes more than 3 times in its last 10 checks', async () => {
      await register('flapper');
      targets.script('flapper', ['ok', 'fail', 'ok', 'fail', 'ok']);
      const results = await checks('flapper', 5);
      expect(results.map((result) => result.flapping)).toEqual([false, false, false, false, true]);
      expect(results.every((result) => result.status === 'healthy')).toBe(true);
      expect((await service('flapper')).health.flapping).toBe(true);
    });
  });

  describe('two replicas polling one target', () => {
    let replicas: AppProcess[] = [];

    afterAll(async () => {
      await Promise.all(replicas.map((replica) => replica.stop()));
    });

    it('keep one count: the third failure in a row turns it unhealthy, whichever replica checked each', async () => {
      targets.script('shared', ['ok']);
      await database.query(
        `INSERT INTO services (id, slug, display_name, kind, base_url, source) VALUES ('external:shared', 'shared', 'Shared', 'http', $1, 'external')`,
        [`${targets.url}/script/shared`],
      );
      replicas = await AppProcess.startMany(2, {
        env: { DATABASE_URL: database.url, SERVICE_HEALTH_INTERVAL_MS: '500', SERVICE_HEALTH_TIMEOUT_MS: '2000' },
      });
      const snapshots = () =>
        database.query<SnapshotRow>(
          `SELECT version, status, observed_status, consecutive_failures, since, previous_status, checked_at, metadata->>'checker' AS checker
             FROM service_health_snapshots WHERE service_slug = 'shared' ORDER BY version`,
        );
      await eventually(async () => expect((await snapshots()).length).toBeGreaterThanOrEqual(2));
      targets.script('shared', ['fail']);
      // Enough failures, checked by both replicas.
      const rows = await eventually(
        async () => {
          const all = await snapshots();
          const failures = all.slice(all.findIndex((row) => row.observed_status !== 'healthy'));
          expect(failures.length).toBeGreaterThanOrEqual(6);
          expect(new Set(failures.map((row) => row.checker)).size).toBe(2);
          return all;
        },
        { timeoutMs: 120_000 },
      );
      // One count across both replicas: each check continues from the one stored before it
      // (version order), whichever replica ran either: 1, 2, 3, … failures, never restarted
      // or repeated.
      let previous = 0;
      for (const row of rows) {
        const expected = row.observed_status === 'healthy' ? 0 : previous + 1;
        expect({ version: row.version, failures: row.consecutive_failures }).toEqual({ version: row.version, failures: expected });
        previous = expected;
      }
      // Healthy through the first two failures; the third turns it unhealthy, since then.
      const third = rows.findIndex((row) => row.consecutive_failures === 3);
      expect(rows.slice(0, third).every((row) => row.status === 'healthy')).toBe(true);
      const transition = rows[third];
      expect(transition).toMatchObject({ status: transition.observed_status, previous_status: 'healthy' });
      expect(transition.since).toEqual(transition.checked_at);
      expect(rows.filter((row) => row.previous_status === 'healthy')).toEqual([transition]);
      for (const row of rows.slice(third + 1)) {
        if (row.previous_status !== null) break; // another change (degraded ↔ unreachable) starts a new since
        expect(row.since).toEqual(transition.checked_at);
      }
      // The versions are the slug's, contiguous, whoever stored them.
      expect(rows.map((row) => row.version)).toEqual(rows.map((_, index) => index + 1));
    });
  });
});
