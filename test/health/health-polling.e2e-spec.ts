import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';
import { StubTargets } from '../support/stub-targets';
import { TestDatabase } from '../support/test-database';

const INTERVAL_MS = 2_000;
/** Long enough that a fast target answers in time on a very busy machine; the hanging ones always time out. */
const TIMEOUT_MS = 1_000;
const TOKEN = 'health-test-token';

interface LatestRow {
  status: string;
  latency_ms: number | null;
  checked_at: Date;
}

/** The runbook's query, verbatim. */
function latestSnapshot(database: TestDatabase, slug: string): Promise<LatestRow[]> {
  return database.query<LatestRow>(
    `select status, latency_ms, checked_at from service_health_snapshots where service_slug = '${slug}' order by version desc limit 1`,
  );
}

/** Waits until `probe` returns something truthy, and returns it. */
function until<T>(what: string, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  return eventually(async () => {
    const value = await probe();
    if (!value) throw new Error(`still waiting for ${what}`);
    return value;
  });
}

interface Snapshot {
  version: number;
  checkedAt: string;
  [field: string]: unknown;
}

interface ServiceView {
  status: string;
  statusMessage: string;
  health: Record<string, unknown>;
}

interface HistoryPage {
  data: Snapshot[];
  meta: { slug: string; limit: number; transitions: boolean; nextBeforeVersion: number | null };
}

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: { field: string; problems: string[] }[] | null;
}

describe('health polling against real targets', () => {
  let database: TestDatabase;
  let targets: StubTargets;
  let app: AppProcess;
  let closedPort: number;
  /** The database clock before the app started. */
  let startedAt: number;

  async function register(slug: string, baseUrl: string, options: { due?: boolean } = {}): Promise<void> {
    await database.query(
      `INSERT INTO services (id, slug, display_name, kind, base_url, source, next_health_check_at)
       VALUES ($1, $2, $3, 'http', $4, 'external', now() + CASE WHEN $5 THEN interval '0' ELSE interval '1 hour' END)`,
      [`external:${slug}`, slug, slug.toUpperCase(), baseUrl, options.due ?? true],
    );
  }

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    targets = await StubTargets.start();
    closedPort = await freePort();
    await register('alpha', `${targets.url}/ok/alpha`);
    await register('bravo', `${targets.url}/fail/bravo`);
    await register('charlie', `${targets.url}/hang/charlie`);
    await register('delta', `http://127.0.0.1:${closedPort}`);
    startedAt = (await database.query<{ now: Date }>(`SELECT now()`))[0].now.getTime();
    app = await AppProcess.start({
      env: {
        DATABASE_URL: database.url,
        SERVICE_HEALTH_INTERVAL_MS: String(INTERVAL_MS),
        SERVICE_HEALTH_TIMEOUT_MS: String(TIMEOUT_MS),
        // Two slots for four targets: the hanging one must not hold up the rest.
        SERVICE_HEALTH_CONCURRENCY: '2',
        SERVICE_REGISTRY_TOKEN: TOKEN,
        LOG_LEVEL: 'info',
      },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await targets?.stop();
    await database?.drop();
  });

  it('records healthy, degraded, timed-out and refused targets with latency and status code', async () => {
    for (const slug of ['alpha', 'bravo', 'charlie', 'delta']) {
      await until(`a snapshot of ${slug}`, async () => (await latestSnapshot(database, slug)).length > 0);
    }
    const [alpha] = await latestSnapshot(database, 'alpha');
    expect(alpha.status).toBe('healthy');
    expect(alpha.latency_ms).toBeGreaterThanOrEqual(0);
    expect(alpha.checked_at).toBeInstanceOf(Date);
    expect((await latestSnapshot(database, 'bravo'))[0].status).toBe('degraded');
    const [charlie] = await latestSnapshot(database, 'charlie');
    expect(charlie.status).toBe('unreachable');
    expect(charlie.latency_ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect((await latestSnapshot(database, 'delta'))[0].status).toBe('unreachable');

    const snapshots = await database.query(
      `SELECT DISTINCT ON (service_slug) service_slug, status, status_code, status_message, base_url, health_endpoint
       FROM service_health_snapshots ORDER BY service_slug, version DESC`,
    );
    expect(snapshots).toEqual([
      { service_slug: 'alpha', status: 'healthy', status_code: 200, status_message: 'HTTP 200 OK', base_url: `${targets.url}/ok/alpha`, health_endpoint: '/healthz' },
      {
        service_slug: 'bravo',
        status: 'degraded',
        status_code: 500,
        status_message: 'HTTP 500 Internal Server Error: database connection lost',
        base_url: `${targets.url}/fail/bravo`,
        health_endpoint: '/healthz',
      },
      { service_slug: 'charlie', status: 'unreachable', status_code: null, status_message: `timed out after ${TIMEOUT_MS} ms`, base_url: `${targets.url}/hang/charlie`, health_endpoint: '/healthz' },
      { service_slug: 'delta', status: 'unreachable', status_code: null, status_message: 'connection refused', base_url: `http://127.0.0.1:${closedPort}`, health_endpoint: '/healthz' },
    ]);
    expect(targets.hitsOf('/ok/alpha/healthz').length).toBeGreaterThan(0);
  });

  it('keeps services.status, status_message and last_healthy_at in step with the latest snapshot', async () => {
    const rows = await database.query<{ slug: string; status: string; status_message: string; last_healthy_at: Date | null; health_version: number; latest: number }>(
      `SELECT s.slug, s.status, s.status_message, s.last_healthy_at, s.health_version,
              (SELECT max(version) FROM service_health_snapshots h WHERE h.service_slug = s.slug) AS latest
       FROM services s ORDER BY s.slug`,
    );
    expect(rows.map((row) => [row.slug, row.status, row.status_message, row.last_healthy_at !== null])).toEqual([
      ['alpha', 'healthy', 'HTTP 200 OK', true],
      ['bravo', 'degraded', 'HTTP 500 Internal Server Error: database connection lost', false],
      ['charlie', 'unreachable', `timed out after ${TIMEOUT_MS} ms`, false],
      ['delta', 'unreachable', 'connection refused', false],
    ]);
    // Snapshots and their services are written in one transaction: never one without the other.
    for (const row of rows) expect(row.health_version).toBe(row.latest);
  });

  it('shows the latest snapshot in GET /services/:slug', async () => {
    const [latest] = await database.query<{ version: number; checked_at: Date; latency_ms: number }>(
      `SELECT version, checked_at, latency_ms FROM service_health_snapshots WHERE service_slug = 'bravo' ORDER BY version DESC LIMIT 1`,
    );
    const { data: service } = (await (await app.fetch('/services/bravo')).json()) as { data: ServiceView };
    expect(service.status).toBe('degraded');
    expect(service.statusMessage).toBe('HTTP 500 Internal Server Error: database connection lost');
    // The poller may have stored a newer one since; never an older one.
    const shown = await database.query<{ version: number }>(
      `SELECT version FROM service_health_snapshots WHERE service_slug = 'bravo' AND checked_at = $1`,
      [service.health.checkedAt],
    );
    expect(shown[0].version).toBeGreaterThanOrEqual(latest.version);
    expect(service.health).toMatchObject({ status: 'degraded', statusCode: 500, baseUrl: `${targets.url}/fail/bravo`, healthEndpoint: '/healthz' });
  });

  it('keeps checking every target, at most once per interval, while one of them hangs', async () => {
    // Scheduling itself (one tick late at most, a hanging check holding one slot) is checked
    // on a fake clock in src/health/health-poller.scheduling.spec.ts; here, the outcome.
    const count = async () => {
      const rows = await database.query<{ at: Date; service_slug: string; checks: number }>(
        `SELECT now() AS at, service_slug, count(*)::int AS checks FROM service_health_snapshots
         WHERE service_slug IN ('alpha', 'bravo', 'charlie') GROUP BY service_slug ORDER BY service_slug`,
      );
      return { at: rows[0].at.getTime(), checks: rows.map((row) => row.checks) };
    };
    const before = await count();
    // Three more checks of each, the hanging one timing out every time.
    const after = await eventually(async () => {
      const now = await count();
      now.checks.forEach((checks, index) => expect(checks).toBeGreaterThanOrEqual(before.checks[index] + 3));
      return now;
    });
    // Claims of one service are at least 4/5 of an interval apart on the database clock
    // (test/health/health-claiming.e2e-spec.ts): never more checks than that allows since
    // the app started. A busy machine can only make the count smaller.
    const most = Math.floor((after.at - startedAt) / ((INTERVAL_MS * 4) / 5)) + 1;
    for (const checks of after.checks) expect(checks).toBeLessThanOrEqual(most);
    // The fast targets always answered; only the hanging one timed out.
    const outcomes = await database.query<{ service_slug: string; status: string }>(
      `SELECT DISTINCT service_slug, status FROM service_health_snapshots WHERE service_slug IN ('alpha', 'bravo', 'charlie') ORDER BY 1, 2`,
    );
    expect(outcomes).toEqual([
      { service_slug: 'alpha', status: 'healthy' },
      { service_slug: 'bravo', status: 'degraded' },
      { service_slug: 'charlie', status: 'unreachable' },
    ]);
  });

  it('checks a service promptly when its baseUrl changes, dropping the result for the old one', async () => {
    await register('echo', `${targets.url}/hang/echo`, { due: true });
    // The check of the old URL is running when the URL changes…
    await until('the check of the old URL', async () => targets.hitsOf('/hang/echo/healthz').length > 0);
    await database.query(`UPDATE services SET base_url = $1, next_health_check_at = now() WHERE slug = 'echo'`, [`${targets.url}/ok/echo`]);
    // …and the new URL is checked without waiting for the interval.
    const [first] = await until('a snapshot of echo', () => database.query<{ base_url: string; status: string; version: number }>(
      `SELECT base_url, status, version FROM service_health_snapshots WHERE service_slug = 'echo' ORDER BY version LIMIT 1`,
    ).then((rows) => rows[0] && rows));
    expect(first).toEqual({ base_url: `${targets.url}/ok/echo`, status: 'healthy', version: 1 });
    // The old check ends (timed out), and a check that started after it is stored: the
    // old result had its chance to be stored first, and was dropped.
    const [oldCheck] = targets.requestsOf('/hang/echo/healthz');
    const oldEnded = await until('the end of the old check', async () => oldCheck.closedAt);
    await until('a check of echo after the old one ended', async () => {
      const rows = await database.query(`SELECT 1 FROM service_health_snapshots WHERE service_slug = 'echo' AND checked_at > $1`, [new Date(oldEnded)]);
      return rows.length > 0;
    });
    expect(await database.query(`SELECT base_url FROM service_health_snapshots WHERE service_slug = 'echo' AND base_url LIKE '%/hang/%'`)).toEqual([]);
  });

  describe('POST /services/:slug/health-check', () => {
    const authorised = { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } };

    it('checks now, stores the snapshot and returns it', async () => {
      await register('foxtrot', `${targets.url}/fail/foxtrot`, { due: false });
      const response = await app.fetch('/services/foxtrot/health-check', authorised);
      expect(response.status).toBe(200);
      const { data: snapshot } = (await response.json()) as { data: Snapshot };
      expect(snapshot).toEqual({
        version: 1,
        status: 'degraded',
        // The first check of a service sets its status: there is no earlier state to keep.
        observedStatus: 'degraded',
        consecutiveFailures: 1,
        consecutiveSuccesses: 0,
        since: expect.any(String),
        flapping: false,
        previousStatus: 'unknown',
        statusMessage: 'HTTP 500 Internal Server Error: database connection lost',
        checkedAt: expect.any(String),
        latencyMs: expect.any(Number),
        statusCode: 500,
        baseUrl: `${targets.url}/fail/foxtrot`,
        healthEndpoint: '/healthz',
        metadata: { url: `${targets.url}/fail/foxtrot/healthz`, trigger: 'manual', checker: expect.any(String) },
      });
      const [stored] = await database.query<{ checked_at: Date }>(`SELECT checked_at FROM service_health_snapshots WHERE service_slug = 'foxtrot' AND version = 1`);
      expect(stored.checked_at.toISOString()).toBe(snapshot.checkedAt);
      const [service] = await database.query(`SELECT status, status_message FROM services WHERE slug = 'foxtrot'`);
      expect(service).toEqual({ status: 'degraded', status_message: 'HTTP 500 Internal Server Error: database connection lost' });
      // The write invalidated the cached views: the API shows it at once.
      const { data: shown } = (await (await app.fetch('/services/foxtrot')).json()) as { data: ServiceView };
      expect(shown.status).toBe('degraded');
      expect(shown.health).toMatchObject({ status: 'degraded', statusCode: 500, checkedAt: snapshot.checkedAt });
    });

    it('counts stored checks by outcome and trigger in /metrics', async () => {
      const metrics = await (await app.fetch('/metrics')).text();
      expect(metrics).toContain('service_registry_health_checks_total{status="degraded",trigger="manual"} 1');
      const scheduled = /service_registry_health_checks_total\{status="healthy",trigger="schedule"\} (\d+)/.exec(metrics);
      expect(Number(scheduled?.[1])).toBeGreaterThan(3);
      expect(metrics).toMatch(/service_registry_health_check_duration_seconds_count \d+/);
      expect(metrics).toMatch(/service_registry_health_checks_in_flight [0-2]\b/);
    });

    it('needs the write token', async () => {
      expect((await app.fetch('/services/foxtrot/health-check', { method: 'POST' })).status).toBe(401);
      const wrong = await app.fetch('/services/foxtrot/health-check', { method: 'POST', headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(403);
      expect(await database.query(`SELECT version FROM service_health_snapshots WHERE service_slug = 'foxtrot'`)).toEqual([{ version: 1 }]);
    });

    it('answers 400 for a malformed slug and 404 for an unknown one', async () => {
      expect((await app.fetch('/services/Not_A_Slug/health-check', authorised)).status).toBe(400);
      const response = await app.fetch('/services/no-such-service/health-check', authorised);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ statusCode: 404, error: 'Not Found', message: "service 'no-such-service' is not registered", details: null });
    });
  });

  describe('GET /services/:slug/health', () => {
    it('pages the history newest first with a beforeVersion cursor', async () => {
      const first = await app.fetch('/services/alpha/health?limit=2');
      expect(first.status).toBe(200);
      const page = (await first.json()) as HistoryPage;
      expect(page.data).toHaveLength(2);
      expect(page.data[0].version).toBeGreaterThan(page.data[1].version);
      expect(page.meta).toEqual({ slug: 'alpha', limit: 2, transitions: false, nextBeforeVersion: page.data[1].version });
      expect(page.data[0]).toMatchObject({ status: 'healthy', statusCode: 200, baseUrl: `${targets.url}/ok/alpha`, healthEndpoint: '/healthz' });

      const rest = (await (await app.fetch(`/services/alpha/health?limit=500&beforeVersion=${page.meta.nextBeforeVersion}`)).json()) as HistoryPage;
      const versions = rest.data.map((snapshot) => snapshot.version);
      expect(versions[0]).toBe(page.data[1].version - 1);
      expect(versions[versions.length - 1]).toBe(1);
      expect(versions).toEqual([...versions].sort((a, b) => b - a));
      expect(rest.meta.nextBeforeVersion).toBeNull();
    });

    it('defaults to 50 snapshots and returns an empty page for a service never checked', async () => {
      await register('golf', `${targets.url}/ok/golf`, { due: false });
      expect(await (await app.fetch('/services/golf/health')).json()).toEqual({ data: [], meta: { slug: 'golf', limit: 50, transitions: false, nextBeforeVersion: null } });
    });

    it.each([['limit=0'], ['limit=501'], ['limit=ten'], ['limit=1.5'], ['beforeVersion=0'], ['beforeVersion=-3'], ['order=asc']])(
      'rejects ?%s with a 400 naming the field',
      async (query) => {
        const response = await app.fetch(`/services/alpha/health?${query}`);
        expect(response.status).toBe(400);
        const body = (await response.json()) as ErrorBody;
        expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(body.details?.[0].field).toBe(query.split('=')[0]);
      },
    );

    it('answers 404 for an unknown slug', async () => {
      const response = await app.fetch('/services/no-such-service/health');
      expect(response.status).toBe(404);
      expect(((await response.json()) as ErrorBody).message).toBe("service 'no-such-service' is not registered");
    });
  });

  it('finishes and stores a running check when it shuts down', async () => {
    await register('hotel', `${targets.url}/hang/hotel`);
    await until('the check of hotel', async () => targets.hitsOf('/hang/hotel/healthz').length > 0);
    expect(await app.stop()).toBe('SIGTERM');
    expect(await database.query(`SELECT status, status_message FROM service_health_snapshots WHERE service_slug = 'hotel'`)).toEqual([
      { status: 'unreachable', status_message: `timed out after ${TIMEOUT_MS} ms` },
    ]);
    expect(app.logs).toContain('Health polling every 2000 ms (timeout 1000 ms, concurrency 2, looking for due services every 200 ms)');
    expect(app.logs).not.toMatch(/could not (claim|store)|"level":"error"/);
  });
});
