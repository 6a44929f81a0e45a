import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';
import { ConnectionCounter, privateStoreDir } from '../support/private-store';
import { StubTargets } from '../support/stub-targets';

const TOKEN = 'rollback-token-5e1c';
const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const OBSERVATORY = 'modules/observatory/dist';

/** A response's JSON body, loosely typed: tests index into it as the API documents it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function read(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

/**
 * The rollback path (`APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0`) with `DATABASE_URL` and
 * `REDIS_URL` pointing at a port that only counts connections: the shared Postgres and Redis
 * are as good as dead, and the test sees whether anything tried them.
 */
describe('the rollback path (APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0): the same registry on a private store', () => {
  let shared: ConnectionCounter;
  let folder: Awaited<ReturnType<typeof privateStoreDir>>;
  let targets: StubTargets;
  let app: AppProcess;

  const env = (extra: Record<string, string> = {}) => ({
    APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '0',
    APPHUB_SERVICE_REGISTRY_LOCAL_DIR: folder.path,
    SERVICE_MANIFEST_PATHS: OBSERVATORY,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${shared.port}/registry`,
    REDIS_URL: `redis://127.0.0.1:${shared.port}`,
    SERVICE_REGISTRY_TOKEN: TOKEN,
    SERVICE_HEALTH_INTERVAL_MS: '500',
    SERVICE_HEALTH_TIMEOUT_MS: '300',
    LOG_LEVEL: 'log',
    ...extra,
  });

  beforeAll(async () => {
    shared = await ConnectionCounter.start();
    folder = await privateStoreDir();
    targets = await StubTargets.start();
    app = await AppProcess.start({ env: env() });
  });

  afterAll(async () => {
    await app?.stop();
    await targets?.stop();
    await shared?.stop();
    await folder?.remove();
  });

  it('is ready on its private store, says it runs there, and never connects to DATABASE_URL or REDIS_URL', async () => {
    const response = await app.fetch('/readyz');
    expect(response.status).toBe(200);
    const body = await read(response);
    expect(body.details).toEqual({
      privateStore: { status: 'up' },
      redis: { status: 'up', mode: 'inline' },
      invalidations: { status: 'up', mode: 'inline' },
    });
    expect(app.logs).toMatch(/APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0: the registry runs on its private store/);
    expect(app.logs).toMatch(/Run exactly one replica/);
    expect(app.logs).toMatch(/Private store seeded from SERVICE_MANIFEST_PATHS: observatory@1 \(2 services, imported\)/);
    expect(shared.connections).toBe(0);
  });

  it('serves the imported services, manifests, networks and module resources as the shared path does', async () => {
    const list = await app.fetch('/services');
    expect(list.status).toBe(200);
    expect(list.headers.get('etag')).toMatch(/^".+"$/);
    const body = await read(list);
    expect(body.meta).toMatchObject({ total: 2, sourceCounts: { module: 2, external: 0 }, filters: {} });
    expect(body.data.map((service: { slug: string }) => service.slug)).toEqual(['observatory-admin', 'observatory-dashboard']);
    expect(body.data[1]).toMatchObject({
      id: 'module:observatory:observatory-dashboard',
      baseUrl: 'http://127.0.0.1:4311',
      source: 'module',
      moduleId: 'observatory',
      manifest: { moduleId: 'observatory', moduleVersion: 1, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    const manifests = await read(app.fetch('/services/observatory-dashboard/manifests'));
    expect(manifests.meta).toEqual({ slug: 'observatory-dashboard', total: 1 });
    expect(manifests.data[0].definition.env).toContainEqual({ key: 'LOG_LEVEL', value: 'info' });
    const networkResponse = await app.fetch('/service-networks/observatory');
    const again = await app.fetch('/service-networks/observatory', { headers: { 'If-None-Match': networkResponse.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const network = await read(networkResponse);
    expect(network.data.members.map((member: { serviceSlug: string }) => member.serviceSlug)).toEqual(['observatory-dashboard', 'observatory-admin']);
    const resources = await read(app.fetch('/modules/observatory/resources'));
    expect(resources.meta).toEqual({ moduleId: 'observatory', total: 3, services: 2, networks: 1 });
  });

  it('takes registrations and patches, refuses what the shared path refuses, and wakes a watcher', async () => {
    const before = Number((await app.fetch('/services')).headers.get('x-registry-index'));
    const watch = app.fetch(`/services?index=${before}&wait=60s`);
    const service = { slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: targets.url, healthEndpoint: '/ok/billing' };
    expect((await app.fetch('/services', { method: 'POST', headers: auth, body: JSON.stringify(service) })).status).toBe(201);
    expect(Number((await watch).headers.get('x-registry-index'))).toBeGreaterThan(before);

    const patched = await app.fetch('/services/observatory-dashboard', { method: 'PATCH', headers: auth, body: '{"metadata":{"owner":"ops"}}' });
    expect(patched.status).toBe(200);
    expect((await read(patched)).data.metadata).toEqual({ owner: 'ops' });

    const squat = JSON.stringify({ slug: 'observatory-admin', displayName: 'x', kind: 'http', baseUrl: 'http://127.0.0.1:1' });
    const conflict = await app.fetch('/services', { method: 'POST', headers: auth, body: squat });
    expect(conflict.status).toBe(409);
    expect((await read(conflict)).message).toBe("service slug 'observatory-admin' is owned by module 'observatory'; change it through the module's manifest");
    expect((await app.fetch('/services', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: squat })).status).toBe(401);
    expect((await app.fetch('/services/nope', { method: 'PATCH', headers: auth, body: '{"status":"healthy"}' })).status).toBe(404);
    expect((await app.fetch('/services/billing', { method: 'PATCH', headers: auth, body: '{}' })).status).toBe(400);
  });

  it('polls health there too, and stores on-demand checks in the snapshot history', async () => {
    const polled = await eventually(async () => {
      const item = (await read(app.fetch('/services/billing'))).data;
      expect(item).toMatchObject({ status: 'healthy', health: { status: 'healthy', statusCode: 200, healthEndpoint: '/ok/billing' } });
      return item;
    });
    expect(polled.lastHealthyAt).toBe(polled.health.checkedAt);

    const check = await app.fetch('/services/billing/health-check', { method: 'POST', headers: auth });
    expect(check.status).toBe(200);
    const snapshot = (await read(check)).data;
    expect(snapshot).toMatchObject({ status: 'healthy', metadata: { trigger: 'manual' } });
    const history = await read(app.fetch('/services/billing/health?limit=50'));
    expect(history.data.map((entry: { version: number }) => entry.version)).toContain(snapshot.version);
    expect(history.data[0].version).toBeGreaterThanOrEqual(snapshot.version);
    expect(shared.connections).toBe(0);
  });

  it('serves the status page from the private store, with its ETag', async () => {
    const page = await app.fetch('/status');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    for (const slug of ['billing', 'observatory-dashboard', 'observatory-admin']) expect(html).toContain(`<tr id="service-${slug}"`);
    expect(html).toMatch(/<tr id="service-billing" data-slug="billing" data-status="healthy">[\s\S]*?<li class="cell healthy"/);
    // (fetch sends Cache-Control: no-cache with it, as a browser's script does.)
    const again = await app.fetch('/status', { headers: { 'If-None-Match': page.headers.get('etag')! } });
    // 304 unless a health check landed in between (the page then changed).
    if (again.headers.get('etag') === page.headers.get('etag')) expect(again.status).toBe(304);
    else expect(again.status).toBe(200);
    expect(shared.connections).toBe(0);
  });

  it('keeps what it was told across a restart on the same folder; the seed changes nothing the second time', async () => {
    await app.stop();
    app = await AppProcess.start({ env: env() });
    expect(app.logs).toMatch(/Private store seeded from SERVICE_MANIFEST_PATHS: observatory@1 \(2 services, unchanged\)/);
    expect((await read(app.fetch('/services/billing'))).data).toMatchObject({ source: 'external', baseUrl: targets.url });
    expect((await read(app.fetch('/services/observatory-dashboard'))).data.metadata).toEqual({ owner: 'ops' });
    expect(shared.connections).toBe(0);
  });
});

describe('rollback path start-up', () => {
  let folder: Awaited<ReturnType<typeof privateStoreDir>>;

  beforeEach(async () => {
    folder = await privateStoreDir();
  });

  afterEach(async () => {
    await folder.remove();
  });

  const env = (paths: string) => ({
    APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '0',
    APPHUB_SERVICE_REGISTRY_LOCAL_DIR: folder.path,
    SERVICE_MANIFEST_PATHS: paths,
    APPHUB_DISABLE_SERVICE_POLLING: '1',
  });

  it('starts with no module services when SERVICE_MANIFEST_PATHS is empty, and says so', async () => {
    const app = await AppProcess.start({ env: { ...env(''), LOG_LEVEL: 'log' } });
    try {
      expect((await read(app.fetch('/services'))).meta.total).toBe(0);
      expect(app.logs).toMatch(/SERVICE_MANIFEST_PATHS is empty: the private store holds no module services but those already in it/);
    } finally {
      await app.stop();
    }
  });

  it.each([
    ['test/fixtures/malformed-modules/missing-placeholder', /placeholder "DOCUMENTED_ONLY" has no value/],
    ['modules/nowhere', /module directory not found/],
    [`${OBSERVATORY},${OBSERVATORY}`, /are both module "observatory"/],
  ])('refuses to start when SERVICE_MANIFEST_PATHS=%s does not import, with one line saying why', async (paths, reason) => {
    const app = AppProcess.spawn(env(paths), await freePort());
    expect(await app.exited()).not.toBe(0);
    const failures = app.logs.split('\n').filter((line) => line.startsWith('service-registry failed to start'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^service-registry failed to start: SERVICE_MANIFEST_PATHS cannot seed the private store: /);
    expect(failures[0]).toMatch(reason);
    expect(app.logs).not.toMatch(/\n\s+at /); // no stack trace
  });
});
