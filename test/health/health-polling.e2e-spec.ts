import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../support/app-process';
import { freePort } from '../support/ports';
import { StubTargets } from '../support/stub-targets';
import { TestDatabase } from '../support/test-database';

const INTERVAL_MS = 1_000;
const TIMEOUT_MS = 300;
/** Two checks of a service are never closer than 4/5 of an interval (by design), less timer jitter. */
const MIN_GAP_MS = (INTERVAL_MS * 4) / 5 - 50;
/** How late a due check may start: one tick (interval / 10) plus scheduling noise on a busy machine. */
const LATENESS_MS = 100 + 300;
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

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
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
  meta: { slug: string; limit: number; nextBeforeVersion: number | null };
}

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: { field: string; problems: string[] }[] | null;
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - times[index]);
}

describe('health polling against real targets', () => {
  let database: TestDatabase;
  let targets: StubTargets;
  let app: AppProcess;
  let closedPort: number;

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
    expect(alpha.latency_ms).toBeLessThan(TIMEOUT_MS);
    expect(alpha.checked_at).toBeInstanceOf(Date);
    expect((await latestSnapshot(database, 'bravo'))[0].status).toBe('degraded');
    const [charlie] = await latestSnapshot(database, 'charlie');
    expect(charlie.status).toBe('unreachable');
    expect(charlie.latency_ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(charlie.latency_ms).toBeLessThan(TIMEOUT_MS + 200);
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

  it('checks each target once per interval, and a hanging target does not delay the others', async () => {
    const started = Date.now();
    await sleep(4 * INTERVAL_MS);
    for (const path of ['/ok/alpha/healthz', '/fail/bravo/healthz', '/hang/charlie/healthz']) {
      const times = targets.hitsOf(path).filter((time) => time >= started);
      console.info(`${path}: ${times.length} checks in ${Date.now() - started} ms, gaps ${gaps(times).join(', ')} ms`);
      expect(times.length).toBeGreaterThanOrEqual(3);
      expect(times.length).toBeLessThanOrEqual(5);
      for (const gap of gaps(times)) {
        expect(gap).toBeGreaterThan(MIN_GAP_MS);
        expect(gap).toBeLessThan(INTERVAL_MS + LATENESS_MS);
      }
    }
    const fast = await database.query<{ max: number }>(
      `SELECT max(latency_ms) AS max FROM service_health_snapshots WHERE service_slug IN ('alpha', 'bravo')`,
    );
    console.info(`slowest check of a fast target while one target hangs: ${fast[0].max} ms`);
    expect(fast[0].max).toBeLessThan(TIMEOUT_MS);
  });

  it('checks a service promptly when its baseUrl changes, dropping the result for the old one', async () => {
    await register('echo', `${targets.url}/hang/echo`, { due: true });
    // The check of the old URL is running when the URL changes…
    await until('the check of the old URL', async () => targets.hitsOf('/hang/echo/healthz').length > 0);
    await database.query(`UPDATE services SET base_url = $1, next_health_check_at = now() WHERE slug = 'echo'`, [`${targets.url}/ok/echo`]);
    const changedAt = Date.now();
    // …and the new URL is checked within about one tick, without waiting for the interval.
    const [first] = await until('a snapshot of echo', () => database.query<{ base_url: string; status: string; version: number }>(
      `SELECT base_url, status, version FROM service_health_snapshots WHERE service_slug = 'echo' ORDER BY version LIMIT 1`,
    ).then((rows) => rows[0] && rows));
    console.info(`new baseUrl checked and stored ${Date.now() - changedAt} ms after the change`);
    expect(Date.now() - changedAt).toBeLessThan(INTERVAL_MS);
    await sleep(TIMEOUT_MS);
    expect(first).toEqual({ base_url: `${targets.url}/ok/echo`, status: 'healthy', version: 1 });
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
      expect(page.meta).toEqual({ slug: 'alpha', limit: 2, nextBeforeVersion: page.data[1].version });
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
      expect(await (await app.fetch('/services/golf/health')).json()).toEqual({ data: [], meta: { slug: 'golf', limit: 50, nextBeforeVersion: null } });
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
    expect(app.logs).toContain('Health polling every 1000 ms (timeout 300 ms, concurrency 2, looking for due services every 100 ms)');
    expect(app.logs).not.toMatch(/could not (claim|store)|"level":"error"/);
  });
});
