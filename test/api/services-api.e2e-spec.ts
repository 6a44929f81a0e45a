import request from 'supertest';
import { eventually } from '../support/eventually';
import { InProcessApp, startInProcessApp } from '../support/in-process-app';
import { metricValue } from '../support/metrics';
import { TestDatabase } from '../support/test-database';

const TOKEN = 'test-token-9f3a';
const auth = { Authorization: `Bearer ${TOKEN}` };

const billing = { slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101', metadata: { team: 'payments' } };

describe('services API (inline Redis, one replica)', () => {
  let database: TestDatabase;
  let registry: InProcessApp;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    registry = await startInProcessApp({ DATABASE_URL: database.url, REDIS_URL: 'inline', SERVICE_REGISTRY_TOKEN: TOKEN });
  });

  afterAll(async () => {
    await registry?.close();
    await database?.drop();
  });

  it('registers an external service (201), then updates it (200)', async () => {
    const created = await request(registry.server).post('/services').set(auth).send(billing).expect(201);
    expect(created.body.data).toMatchObject({
      id: 'external:billing',
      slug: 'billing',
      source: 'external',
      moduleId: null,
      status: 'unknown',
      metadata: { team: 'payments' },
      manifest: null,
      health: null,
    });
    const updated = await request(registry.server).post('/services').set(auth).send({ ...billing, displayName: 'Billing v2' }).expect(200);
    expect(updated.body.data.displayName).toBe('Billing v2');
    const [row] = await database.query(`SELECT display_name FROM services WHERE slug = 'billing'`);
    expect(row).toEqual({ display_name: 'Billing v2' });
  });

  it('lists services with the documented shape and meta', async () => {
    await request(registry.server).post('/services').set(auth).send({ ...billing, slug: 'search', kind: 'grpc' }).expect(201);
    const response = await request(registry.server).get('/services').expect(200);
    expect(response.headers['x-registry-index']).toMatch(/^\d+$/);
    expect(response.headers.etag).toBeDefined();
    expect(response.body.meta).toEqual({
      total: 2,
      healthyCount: 0,
      unhealthyCount: 0,
      sourceCounts: { module: 0, external: 2 },
      filters: {},
    });
    expect(Object.keys(response.body.data[0]).sort()).toEqual(
      [
        'id', 'slug', 'displayName', 'kind', 'baseUrl', 'source', 'moduleId', 'status', 'statusMessage', 'capabilities',
        'metadata', 'lastHealthyAt', 'createdAt', 'updatedAt', 'manifest', 'health',
      ].sort(),
    );
  });

  it('filters by kind, source and status', async () => {
    const grpc = await request(registry.server).get('/services?kind=grpc').expect(200);
    expect(grpc.body.data.map((service: { slug: string }) => service.slug)).toEqual(['search']);
    expect(grpc.body.meta.filters).toEqual({ kind: 'grpc' });
    const modules = await request(registry.server).get('/services?source=module').expect(200);
    expect(modules.body.meta.total).toBe(0);
    const unknown = await request(registry.server).get('/services?status=unknown&source=external').expect(200);
    expect(unknown.body.meta.total).toBe(2);
  });

  it('shows a PATCH on the same replica immediately', async () => {
    const patched = await request(registry.server)
      .patch('/services/billing')
      .set(auth)
      .send({ status: 'degraded', statusMessage: 'maintenance', baseUrl: 'http://127.0.0.1:9102' })
      .expect(200);
    expect(patched.body.data).toMatchObject({ status: 'degraded', statusMessage: 'maintenance', baseUrl: 'http://127.0.0.1:9102' });
    const item = await request(registry.server).get('/services/billing').expect(200);
    expect(item.body.data.status).toBe('degraded');
    const list = await request(registry.server).get('/services?status=degraded').expect(200);
    expect(list.body.data.map((service: { slug: string }) => service.slug)).toEqual(['billing']);
    expect(list.body.meta.unhealthyCount).toBe(1);
  });

  it('answers 304 to a matching If-None-Match, and a new ETag after a write', async () => {
    const first = await request(registry.server).get('/services').expect(200);
    const etag = first.headers.etag;
    const again = await request(registry.server).get('/services').set('If-None-Match', etag).expect(304);
    expect(again.text).toBe('');
    expect(again.headers['x-registry-index']).toBe(first.headers['x-registry-index']);
    await request(registry.server).get('/services/billing').set('If-None-Match', etag).expect(200);

    await request(registry.server).patch('/services/search').set(auth).send({ metadata: { tier: 1 } }).expect(200);
    const after = await request(registry.server).get('/services').set('If-None-Match', etag).expect(200);
    expect(after.headers.etag).not.toBe(etag);
    expect(Number(after.headers['x-registry-index'])).toBeGreaterThan(Number(first.headers['x-registry-index']));
  });

  it('404s an unknown slug and its manifests; 409s registering a module-owned slug', async () => {
    const missing = await request(registry.server).get('/services/nope').expect(404);
    expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: "service 'nope' is not registered", details: null });
    await request(registry.server).get('/services/nope/manifests').expect(404);
    await request(registry.server).patch('/services/nope').set(auth).send({ status: 'healthy' }).expect(404);

    await database.query(
      `INSERT INTO services (id, slug, display_name, kind, base_url, source, module_id)
       VALUES ('module:observatory:dash', 'dash', 'Dash', 'http', 'http://127.0.0.1:4311', 'module', 'observatory')`,
    );
    const conflict = await request(registry.server).post('/services').set(auth).send({ ...billing, slug: 'dash' }).expect(409);
    expect(conflict.body.message).toMatch(/owned by module 'observatory'/);
  });

  it('lists manifest versions newest first', async () => {
    await database.query(
      `INSERT INTO service_manifests (module_id, module_version, service_slug, definition, checksum, superseded_at)
       VALUES ('observatory', 1, 'dash', '{"v":1}', 'c1', now()), ('observatory', 2, 'dash', '{"v":2}', 'c2', NULL)`,
    );
    await request(registry.server).patch('/services/dash').set(auth).send({ statusMessage: 'refresh' }).expect(200);
    const response = await request(registry.server).get('/services/dash/manifests').expect(200);
    expect(response.body.data.map((version: { moduleVersion: number; active: boolean }) => [version.moduleVersion, version.active])).toEqual([
      [2, true],
      [1, false],
    ]);
    const item = await request(registry.server).get('/services/dash').expect(200);
    expect(item.body.data.manifest).toEqual({ moduleId: 'observatory', moduleVersion: 2, checksum: 'c2' });
  });

  describe('change watching', () => {
    it('wakes a waiting watch when a write lands', async () => {
      const current = await request(registry.server).get('/services').expect(200);
      const index = Number(current.headers['x-registry-index']);
      const hits = async () => metricValue((await request(registry.server).get('/metrics').expect(200)).text, 'service_registry_cache_hits_total');
      const hitsBefore = await hits();
      // A wait far longer than the test's timeout: only a wake-up can answer it in time.
      const watch = request(registry.server).get(`/services?index=${index}&wait=5m`);
      const watched = new Promise<request.Response>((resolve, reject) => watch.end((error, response) => (error ? reject(error) : resolve(response))));
      // The watch has read the list (one cache hit) and waits: now the write.
      await eventually(async () => expect(await hits()).toBeGreaterThan(hitsBefore));
      await request(registry.server).patch('/services/billing').set(auth).send({ statusMessage: 'watched' }).expect(200);
      const response = await watched;
      expect(response.status).toBe(200);
      expect(Number(response.headers['x-registry-index'])).toBeGreaterThan(index);
      expect(response.body.data.find((service: { slug: string }) => service.slug === 'billing').statusMessage).toBe('watched');
    });

    it('returns after its wait when nothing changes', async () => {
      const current = await request(registry.server).get('/services').expect(200);
      const index = Number(current.headers['x-registry-index']);
      const started = Date.now();
      const response = await request(registry.server).get(`/services?index=${index}&wait=400ms`).expect(200);
      const tookMs = Date.now() - started;
      expect(tookMs).toBeGreaterThanOrEqual(400);
      expect(response.headers['x-registry-index']).toBe(String(index));
    });

    it('returns at once when the index is already past', async () => {
      const response = await request(registry.server).get('/services?index=0&wait=5m').expect(200);
      expect(Number(response.headers['x-registry-index'])).toBeGreaterThan(0);
    });
  });

  it('401 without a token, 403 with a wrong one, and never echoes the token', async () => {
    const before = await database.snapshot();
    const missing = await request(registry.server).post('/services').send({ ...billing, slug: 'unauthorised' }).expect(401);
    expect(missing.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const wrong = await request(registry.server).post('/services').set('Authorization', 'Bearer not-the-token').send({ ...billing, slug: 'unauthorised' }).expect(403);
    expect(wrong.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect(JSON.stringify(wrong.body)).not.toContain(TOKEN);
    await request(registry.server).patch('/services/billing').set('Authorization', 'Basic abc').send({ status: 'healthy' }).expect(401);
    expect(await database.snapshot()).toEqual(before);
  });

  it('publishes the OpenAPI document and the docs page', async () => {
    const document = await request(registry.server).get('/openapi.json').expect(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining(['/services', '/services/{slug}', '/services/{slug}/manifests', '/service-networks', '/service-networks/{id}', '/modules/{moduleId}/resources']),
    );
    expect(document.body.components.schemas.RegisterServiceDto.required).toEqual(expect.arrayContaining(['slug', 'displayName', 'kind', 'baseUrl']));
    const docs = await request(registry.server).get('/docs').expect(200);
    expect(docs.text).toMatch(/swagger/i);
  });

  it('exports cache counters on /metrics', async () => {
    const metrics = await request(registry.server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^service_registry_cache_hits_total \d+/m);
    expect(metrics.text).toMatch(/^service_registry_cache_misses_total \d+/m);
    expect(metrics.text).toMatch(/^service_registry_cache_hit_ratio [\d.]+/m);
  });

  it('serves networks and module resources (404 when there are none)', async () => {
    const networks = await request(registry.server).get('/service-networks').expect(200);
    expect(networks.body).toEqual({ data: [], meta: { total: 0 } });
    await request(registry.server).get('/service-networks/nothing').expect(404);
    await request(registry.server).get('/modules/nothing/resources').expect(404);
  });
});

describe('write authorisation', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('refuses writes when no token is configured, unless anonymous writes are allowed', async () => {
    const closed = await startInProcessApp({ DATABASE_URL: database.url, REDIS_URL: 'inline', SERVICE_REGISTRY_TOKEN: '' });
    try {
      const refused = await request(closed.server).post('/services').send(billing).expect(403);
      expect(refused.body.message).toMatch(/no SERVICE_REGISTRY_TOKEN is configured/);
    } finally {
      await closed.close();
    }
    const open = await startInProcessApp({ DATABASE_URL: database.url, REDIS_URL: 'inline', SERVICE_REGISTRY_TOKEN: '', SERVICE_REGISTRY_ALLOW_ANONYMOUS_WRITES: '1' });
    try {
      await request(open.server).post('/services').send(billing).expect(201);
    } finally {
      await open.close();
    }
  });
});
