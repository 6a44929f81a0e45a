import { AppProcess } from '../support/app-process';
import { freePort } from '../support/ports';

const TOKEN = 'local-token-5e1c';
const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const OBSERVATORY = 'modules/observatory/dist';

/** A response's JSON body, loosely typed: tests index into it as the API documents it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function read(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

/** An env for the rollback path whose DATABASE_URL points at a port nothing listens on, and no Redis. */
async function rollbackEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '0',
    SERVICE_MANIFEST_PATHS: OBSERVATORY,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/registry`,
    SERVICE_REGISTRY_TOKEN: TOKEN,
    APPHUB_DISABLE_SERVICE_POLLING: '1',
    LOG_LEVEL: 'log',
    ...extra,
  };
}

describe('local state (APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0) with Postgres down and no Redis', () => {
  let app: AppProcess;

  beforeAll(async () => {
    app = await AppProcess.start({ env: await rollbackEnv(), startTimeoutMs: 20_000 });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('is ready without Postgres or Redis, and says it keeps state in this process only', async () => {
    const response = await app.fetch('/readyz');
    expect(response.status).toBe(200);
    const body = await read(response);
    expect(body.details.localState).toMatchObject({ status: 'up', modules: 1, services: 2 });
    expect(body.details.postgres).toBeUndefined();
    expect(body.details.redis).toBeUndefined();
    expect(app.logs).toMatch(/APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0: the registry keeps its state in this process only/);
    expect(app.logs).toMatch(/Run exactly one replica/);
    expect(app.logs).toMatch(/Local registry seeded with 2 services from module\(s\) \\?"observatory\\?"/);
    expect(app.logs).not.toMatch(/Redis (command|subscriber) connection|ECONNREFUSED|TypeOrmModule/);
  });

  it('lists both observatory services with the shared path item shape', async () => {
    const response = await app.fetch('/services');
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^".+"$/);
    const body = await read(response);
    expect(body.meta).toEqual({ total: 2, healthyCount: 0, unhealthyCount: 0, sourceCounts: { module: 2, external: 0 }, filters: {} });
    expect(body.data.map((service: { slug: string }) => service.slug)).toEqual(['observatory-admin', 'observatory-dashboard']);
    const dashboard = body.data[1];
    expect(Object.keys(dashboard)).toEqual([
      'id', 'slug', 'displayName', 'kind', 'baseUrl', 'source', 'moduleId', 'status', 'statusMessage', 'capabilities',
      'metadata', 'lastHealthyAt', 'createdAt', 'updatedAt', 'manifest', 'health',
    ]);
    expect(dashboard).toMatchObject({
      id: 'module:observatory:observatory-dashboard',
      displayName: 'Observatory Dashboard',
      baseUrl: 'http://127.0.0.1:4311',
      source: 'module',
      moduleId: 'observatory',
      status: 'unknown',
      manifest: { moduleId: 'observatory', moduleVersion: 1, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      health: null,
    });
    const filtered = await read(app.fetch('/services?moduleId=observatory&kind=dashboard'));
    expect(filtered.data.map((service: { slug: string }) => service.slug)).toEqual(['observatory-dashboard']);
  });

  it('answers conditional GETs with 304', async () => {
    const first = await app.fetch('/services/observatory-admin');
    const again = await app.fetch('/services/observatory-admin', { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('serves manifests, networks and module resources from the seed', async () => {
    const manifests = await read(app.fetch('/services/observatory-dashboard/manifests'));
    expect(manifests.meta).toEqual({ slug: 'observatory-dashboard', total: 1 });
    expect(manifests.data[0]).toMatchObject({ moduleId: 'observatory', moduleVersion: 1, active: true, supersededAt: null });
    expect(manifests.data[0].definition.env).toContainEqual({ key: 'LOG_LEVEL', value: 'info' });
    const networks = await read(app.fetch('/service-networks'));
    expect(networks.data.map((network: { id: string }) => network.id)).toEqual(['observatory']);
    const network = await read(app.fetch('/service-networks/observatory'));
    expect(network.data.members.map((member: { serviceSlug: string }) => member.serviceSlug)).toEqual(['observatory-dashboard', 'observatory-admin']);
    const resources = await read(app.fetch('/modules/observatory/resources'));
    expect(resources.meta).toEqual({ moduleId: 'observatory', total: 3, services: 2, networks: 1 });
    expect((await app.fetch('/service-networks/nope')).status).toBe(404);
    expect((await app.fetch('/modules/nope/resources')).status).toBe(404);
  });

  it('registers (201, then 200) and patches with a token; the registry index moves with each write', async () => {
    const before = Number((await app.fetch('/services')).headers.get('x-registry-index'));
    const service = { slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101', metadata: { team: 'payments' } };
    const created = await app.fetch('/services', { method: 'POST', headers: auth, body: JSON.stringify(service) });
    expect(created.status).toBe(201);
    expect((await read(created)).data).toMatchObject({ id: 'external:billing', source: 'external', moduleId: null, manifest: null });
    const updated = await app.fetch('/services', { method: 'POST', headers: auth, body: JSON.stringify({ ...service, displayName: 'Billing v2' }) });
    expect(updated.status).toBe(200);

    const patched = await app.fetch('/services/observatory-dashboard', {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ status: 'degraded', statusMessage: 'maintenance', metadata: { owner: 'ops' } }),
    });
    expect(patched.status).toBe(200);
    expect((await read(patched)).data).toMatchObject({ status: 'degraded', statusMessage: 'maintenance', metadata: { owner: 'ops' } });

    const list = await app.fetch('/services');
    expect(Number(list.headers.get('x-registry-index'))).toBe(before + 3);
    const body = await read(list);
    expect(body.meta).toMatchObject({ total: 3, unhealthyCount: 1, sourceCounts: { module: 2, external: 1 } });
    expect(body.data.find((item: { slug: string }) => item.slug === 'billing').displayName).toBe('Billing v2');
  });

  it('refuses writes as the shared path does: 401, 403, 409, 404, 400', async () => {
    const body = JSON.stringify({ slug: 'observatory-admin', displayName: 'x', kind: 'http', baseUrl: 'http://127.0.0.1:1' });
    expect((await app.fetch('/services', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).status).toBe(401);
    expect((await app.fetch('/services', { method: 'POST', headers: { ...auth, Authorization: 'Bearer wrong' }, body })).status).toBe(403);
    const conflict = await app.fetch('/services', { method: 'POST', headers: auth, body });
    expect(conflict.status).toBe(409);
    expect((await read(conflict)).message).toBe("service slug 'observatory-admin' is owned by module 'observatory'; change it through the module's manifest");
    expect((await app.fetch('/services/nope', { method: 'PATCH', headers: auth, body: '{"status":"healthy"}' })).status).toBe(404);
    expect((await app.fetch('/services/billing', { method: 'PATCH', headers: auth, body: '{}' })).status).toBe(400);
  });

  it('wakes a watcher when a write lands', async () => {
    const index = Number((await app.fetch('/services')).headers.get('x-registry-index'));
    const watch = app.fetch(`/services?index=${index}&wait=10s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await app.fetch('/services/billing', { method: 'PATCH', headers: auth, body: '{"status":"healthy"}' });
    const response = await watch;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(Number(response.headers.get('x-registry-index'))).toBe(index + 1);
  });
});

describe('local state start-up', () => {
  it('starts with an empty registry when SERVICE_MANIFEST_PATHS is empty, and says so', async () => {
    const app = await AppProcess.start({ env: await rollbackEnv({ SERVICE_MANIFEST_PATHS: '' }), startTimeoutMs: 20_000 });
    try {
      expect((await read(app.fetch('/services'))).meta.total).toBe(0);
      expect(app.logs).toMatch(/SERVICE_MANIFEST_PATHS is empty: the local registry starts with no module services/);
    } finally {
      await app.stop();
    }
  });

  it.each([
    [
      'test/fixtures/malformed-modules/missing-placeholder',
      /SERVICE_MANIFEST_PATHS entry "test\/fixtures\/malformed-modules\/missing-placeholder" cannot seed the local registry: module "broken" cannot be resolved; .*placeholder "DOCUMENTED_ONLY" has no value/,
    ],
    ['modules/nowhere', /SERVICE_MANIFEST_PATHS entry "modules\/nowhere" cannot seed the local registry: .*module directory not found/],
  ])('refuses to start when %s does not load, with one line naming the problem', async (path, message) => {
    const app = AppProcess.spawn(await rollbackEnv({ SERVICE_MANIFEST_PATHS: path }), await freePort());
    expect(await app.exited()).not.toBe(0);
    const lines = app.logs.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^service-registry failed to start: /);
    expect(lines[0]).toMatch(message);
  });

  it('refuses two module directories that claim the same slug', async () => {
    const app = AppProcess.spawn(await rollbackEnv({ SERVICE_MANIFEST_PATHS: `${OBSERVATORY},${OBSERVATORY}` }), await freePort());
    expect(await app.exited()).not.toBe(0);
    expect(app.logs.trim()).toMatch(/entry "modules\/observatory\/dist" cannot seed the local registry: module 'observatory' is already in the local registry$/);
  });
});
