import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../support/app-process';
import { freePort } from '../support/ports';
import { StubTargets } from '../support/stub-targets';

const TOKEN = 'local-health-token-31aa';
const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

/** A response's JSON body, loosely typed: tests index into it as the API documents it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function read(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

/** Polls `GET /services/:slug` until `done` holds for its item (bounded). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function eventually(app: AppProcess, slug: string, done: (item: any) => boolean, timeoutMs = 5_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const item = (await read(app.fetch(`/services/${slug}`))).data;
    if (done(item) || Date.now() > deadline) return item;
    await sleep(50);
  }
}

describe('health with local state (kept in memory, Postgres down)', () => {
  let targets: StubTargets;
  let app: AppProcess;

  beforeAll(async () => {
    targets = await StubTargets.start();
    app = await AppProcess.start({
      env: {
        APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '0',
        SERVICE_MANIFEST_PATHS: '',
        DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/registry`,
        SERVICE_REGISTRY_TOKEN: TOKEN,
        SERVICE_HEALTH_INTERVAL_MS: '400',
        SERVICE_HEALTH_TIMEOUT_MS: '300',
      },
    });
    for (const [slug, endpoint] of [['fine', '/ok/fine'], ['broken', '/fail/broken'], ['stuck', '/hang/stuck']]) {
      const body = JSON.stringify({ slug, displayName: slug, kind: 'http', baseUrl: targets.url, healthEndpoint: endpoint });
      expect((await app.fetch('/services', { method: 'POST', headers: auth, body })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await app?.stop();
    await targets?.stop();
  });

  it('polls every service and drives status, message and the latest health from the results', async () => {
    const fine = await eventually(app, 'fine', (item) => item.status === 'healthy');
    expect(fine).toMatchObject({ status: 'healthy', statusMessage: 'HTTP 200 OK', health: { status: 'healthy', statusCode: 200, healthEndpoint: '/ok/fine' } });
    expect(fine.lastHealthyAt).toBe(fine.health.checkedAt);
    const broken = await eventually(app, 'broken', (item) => item.status === 'degraded');
    expect(broken.statusMessage).toBe('HTTP 500 Internal Server Error: database connection lost');
    const stuck = await eventually(app, 'stuck', (item) => item.status === 'unreachable');
    expect(stuck).toMatchObject({ statusMessage: 'timed out after 300 ms', lastHealthyAt: null, health: { status: 'unreachable', statusCode: null } });
    const meta = (await read(app.fetch('/services'))).meta;
    expect(meta).toMatchObject({ total: 3, healthyCount: 1, unhealthyCount: 2 });
  });

  it('checks each service once per interval, a hanging target delaying no other', async () => {
    const from = Date.now();
    await sleep(2_000);
    const fine = targets.hitsOf('/ok/fine').filter((at) => at >= from);
    const stuck = targets.hitsOf('/hang/stuck').filter((at) => at >= from);
    console.info(`in 2 s: ${fine.length} checks of the healthy target, ${stuck.length} of the hanging one (interval 400 ms)`);
    expect(fine.length).toBeGreaterThanOrEqual(4);
    expect(fine.length).toBeLessThanOrEqual(6);
    expect(stuck.length).toBeGreaterThanOrEqual(4);
    expect(stuck.length).toBeLessThanOrEqual(6);
  });

  it('checks a service on demand and keeps its snapshot history in memory, newest first', async () => {
    const check = await app.fetch('/services/fine/health-check', { method: 'POST', headers: auth });
    expect(check.status).toBe(200);
    const snapshot = (await read(check)).data;
    expect(snapshot).toMatchObject({ status: 'healthy', statusCode: 200, baseUrl: targets.url, healthEndpoint: '/ok/fine', metadata: { trigger: 'manual' } });

    const history = await read(app.fetch('/services/fine/health?limit=2'));
    expect(history.data[0].version).toBeGreaterThanOrEqual(snapshot.version);
    expect(history.data.map((entry: { version: number }) => entry.version)).toEqual([history.data[0].version, history.data[0].version - 1]);
    expect(history.meta).toEqual({ slug: 'fine', limit: 2, nextBeforeVersion: history.data[1].version });
    const older = await read(app.fetch(`/services/fine/health?limit=2&beforeVersion=${history.meta.nextBeforeVersion}`));
    expect(older.data[0].version).toBe(history.data[1].version - 1);
  });

  it('answers 404 for an unknown service and 401 for a check without a token', async () => {
    expect((await app.fetch('/services/nope/health')).status).toBe(404);
    expect((await app.fetch('/services/nope/health-check', { method: 'POST', headers: auth })).status).toBe(404);
    expect((await app.fetch('/services/fine/health-check', { method: 'POST' })).status).toBe(401);
  });

  it('checks a newly registered service at once, not at the next round', async () => {
    const body = JSON.stringify({ slug: 'late', displayName: 'late', kind: 'http', baseUrl: targets.url, healthEndpoint: '/ok/late' });
    const registered = Date.now();
    await app.fetch('/services', { method: 'POST', headers: auth, body });
    const late = await eventually(app, 'late', (item) => item.health !== null, 2_000);
    expect(late.status).toBe('healthy');
    expect(targets.hitsOf('/ok/late')[0] - registered).toBeLessThan(300);
  });

  it('stops cleanly, even with a check hanging', async () => {
    expect(await app.stop()).toBe('SIGTERM');
  });
});
