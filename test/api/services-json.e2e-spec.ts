import request from 'supertest';
import { InProcessApp, startInProcessApp } from '../support/in-process-app';
import { TestDatabase } from '../support/test-database';

// Strings JSON escapes (quote, backslash, control characters), text it leaves as it is
// (accents, an emoji, U+2028), and jsonb whose text differs from JSON.stringify's (spaces, 1.0,
// 1e2, keys in jsonb's order, integer-like keys, which a JS object puts first).
const TRICKY = 'quote " backslash \\ newline \n tab \t bell \u0007 del \u007f é ü 日本 😀 line-separator \u2028 </script>';
const CAPABILITIES = [{ name: 'query', params: { limit: 100 } }, 'stream', 3.25, -7, 1e21, true, null];
const METADATA_JSONB = `{"zeta": {"10": "ten", "2": "two", "b": [1.0, 1e2, -0, 0.000001, 123456789012345678]}, "a": ${JSON.stringify(TRICKY)}, "empty": {}, "list": []}`;

describe('services JSON: each view exactly as JSON.stringify writes it', () => {
  let database: TestDatabase;
  let registry: InProcessApp;
  /** The metadata as jsonb holds it (its key order), parsed as pg parses it. */
  let metadata: unknown;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    await database.query(
      `INSERT INTO services (id, slug, display_name, kind, base_url, source, module_id, status, status_message, capabilities, metadata,
                             last_healthy_at, created_at, updated_at)
       VALUES ('module:odd:tricky', 'tricky', $1, 'http', 'http://127.0.0.1:9201', 'module', 'odd', 'degraded', $1, $2::jsonb, $3::jsonb,
               '2026-11-28T10:00:00.123456Z', '2026-01-02T03:04:05Z', '2026-11-28T10:00:01.999Z'),
              ('external:plain', 'plain', 'Plain', 'grpc', 'http://127.0.0.1:9202', 'external', NULL, 'unknown', NULL, NULL, '{}',
               NULL, '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z')`,
      [TRICKY, JSON.stringify(CAPABILITIES), METADATA_JSONB],
    );
    await database.query(
      `INSERT INTO service_manifests (module_id, module_version, service_slug, definition, checksum) VALUES ('odd', 7, 'tricky', '{}', 'c0ffee')`,
    );
    await database.query(
      `INSERT INTO module_resource_contexts (module_id, resource_type, resource_id) VALUES ('odd', 'service', 'tricky'), ('extra', 'service', 'tricky')`,
    );
    await database.query(
      `INSERT INTO service_health_latest (service_slug, version, status, observed_status, status_message, latency_ms, status_code, checked_at,
                                          base_url, health_endpoint, consecutive_failures, consecutive_successes, since, flapping)
       VALUES ('tricky', 4, 'degraded', 'unreachable', $1, NULL, 503, '2026-11-28T10:00:00.5Z', 'http://127.0.0.1:9201', '/health "z"',
               2, 0, '2026-11-28T09:59:00Z', true)`,
      [TRICKY],
    );
    [{ metadata }] = await database.query(`SELECT metadata FROM services WHERE slug = 'tricky'`);
    registry = await startInProcessApp({ DATABASE_URL: database.url, REDIS_URL: 'inline' });
  });

  afterAll(async () => {
    await registry?.close();
    await database?.drop();
  });

  const trickyView = () => ({
    id: 'module:odd:tricky',
    slug: 'tricky',
    displayName: TRICKY,
    kind: 'http',
    baseUrl: 'http://127.0.0.1:9201',
    source: 'module',
    moduleId: 'odd',
    status: 'degraded',
    statusMessage: TRICKY,
    capabilities: CAPABILITIES,
    metadata,
    lastHealthyAt: '2026-11-28T10:00:00.123Z',
    createdAt: '2026-01-02T03:04:05.000Z',
    updatedAt: '2026-11-28T10:00:01.999Z',
    manifest: { moduleId: 'odd', moduleVersion: 7, checksum: 'c0ffee' },
    health: {
      status: 'degraded',
      observedStatus: 'unreachable',
      consecutiveFailures: 2,
      consecutiveSuccesses: 0,
      since: '2026-11-28T09:59:00.000Z',
      flapping: true,
      statusMessage: TRICKY,
      checkedAt: '2026-11-28T10:00:00.500Z',
      latencyMs: null,
      statusCode: 503,
      baseUrl: 'http://127.0.0.1:9201',
      healthEndpoint: '/health "z"',
    },
  });
  const plain = {
    id: 'external:plain',
    slug: 'plain',
    displayName: 'Plain',
    kind: 'grpc',
    baseUrl: 'http://127.0.0.1:9202',
    source: 'external',
    moduleId: null,
    status: 'unknown',
    statusMessage: null,
    capabilities: null,
    metadata: {},
    lastHealthyAt: null,
    createdAt: '2026-01-02T03:04:05.000Z',
    updatedAt: '2026-01-02T03:04:05.000Z',
    manifest: null,
    health: null,
  };

  it('lists the services as the bytes of JSON.stringify of their views, in slug order', async () => {
    const tricky = trickyView();
    const response = await request(registry.server).get('/services').expect(200);
    const [data] = response.text.split(',"meta":');
    expect(data).toBe(`{"data":[${JSON.stringify(plain)},${JSON.stringify(tricky)}]`);
    // A replica that patches from a message parses this text and serialises it again: the same bytes.
    const item = JSON.stringify(JSON.parse(data.slice('{"data":['.length, -1).split(`${JSON.stringify(plain)},`)[1]));
    expect(item).toBe(JSON.stringify(tricky));
  });

  it('serves one service the same way, and filters by its module contexts', async () => {
    const tricky = trickyView();
    const response = await request(registry.server).get('/services/tricky').expect(200);
    expect(response.text).toBe(`{"data":${JSON.stringify(tricky)}}`);
    const byContext = await request(registry.server).get('/services?moduleId=extra').expect(200);
    expect(byContext.body.data.map((service: { slug: string }) => service.slug)).toEqual(['tricky']);
  });
});
