import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { TestDatabase } from '../support/test-database';

const TOKEN = 'outage-token';
const writeHeaders = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

describe('a Postgres outage under a running replica', () => {
  let database: TestDatabase;
  let app: AppProcess;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    app = await AppProcess.start({
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: 'inline',
        SERVICE_REGISTRY_TOKEN: TOKEN,
        APPHUB_DISABLE_SERVICE_POLLING: '1',
        SERVICE_REGISTRY_CACHE_MAX_AGE_MS: '300',
      },
    });
    const created = await app.fetch('/services', {
      method: 'POST',
      headers: writeHeaders,
      body: JSON.stringify({ slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101' }),
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await app?.stop();
    await database?.acceptConnections();
    await database?.drop();
  });

  it('keeps answering reads it has seen (even expired), 503s what needs the database, fails readiness, and recovers by itself', async () => {
    const cached = await (await app.fetch('/services')).text();
    await database.refuseConnections();

    // The list it has seen is served stale rather than not at all: once the view is past its
    // maximum age (300 ms) the rebuild fails, and the replica says it serves expired views.
    await eventually(async () => {
      const list = await app.fetch('/services');
      expect(list.status).toBe(200);
      expect(await list.text()).toBe(cached);
      expect(app.logs).toContain('Serving expired views (e.g. ');
    });

    // What is not cached is a 503 in the API's error shape, never a 500 or a stack trace.
    const history = await app.fetch('/services/billing/manifests');
    expect(history.status).toBe(503);
    expect(await history.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the registry database is unavailable; retry shortly',
      details: null,
    });
    const write = await app.fetch('/services/billing', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify({ status: 'degraded' }) });
    expect(write.status).toBe(503);
    expect((await app.fetch('/readyz')).status).toBe(503);
    expect((await app.fetch('/healthz')).status).toBe(200);

    await database.acceptConnections();
    await eventually(
      async () => {
        const patched = await app.fetch('/services/billing', { method: 'PATCH', headers: writeHeaders, body: JSON.stringify({ status: 'degraded' }) });
        expect(patched.status).toBe(200);
      },
      { intervalMs: 200 },
    );
    await eventually(async () => expect((await app.fetch('/readyz')).status).toBe(200));
    const item = (await (await app.fetch('/services/billing')).json()) as { data: { status: string } };
    expect(item.data.status).toBe('degraded');
  });
});
