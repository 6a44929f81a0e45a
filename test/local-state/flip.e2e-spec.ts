import request from 'supertest';
import { LocalRegistry } from '../../src/local-state/local-registry';
import { AppProcess } from '../support/app-process';
import { runCli } from '../support/cli';
import { startInProcessApp } from '../support/in-process-app';
import { freePort } from '../support/ports';
import { TestDatabase } from '../support/test-database';

const TOKEN = 'flip-token-77d0';
const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const OBSERVATORY = 'modules/observatory/dist';

/** A response's JSON body, loosely typed: tests index into it as the API documents it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function read(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

interface ServiceItem {
  id: string;
  slug: string;
  displayName: string;
  kind: string;
  baseUrl: string;
  source: string;
  moduleId: string | null;
  capabilities: unknown;
  manifest: { moduleId: string; moduleVersion: number; checksum: string } | null;
}

/** What an item owes to the manifests alone (not to writes or health), as JSON text: key order counts. */
function fromManifests(item: ServiceItem): string {
  const { id, slug, displayName, kind, baseUrl, source, moduleId, capabilities, manifest } = item;
  return JSON.stringify({ id, slug, displayName, kind, baseUrl, source, moduleId, capabilities, manifest });
}

/** A response body as JSON text (key order counts) with its timestamps blanked. */
function withoutTimes(body: unknown): string {
  return JSON.stringify(body, (key, value) => (key === 'createdAt' || key === 'updatedAt' ? '…' : value));
}

async function json(app: AppProcess, path: string) {
  const response = await app.fetch(path);
  expect(response.status).toBe(200);
  return read(response);
}

async function backfilled(): Promise<TestDatabase> {
  const database = await TestDatabase.migrated();
  const result = await runCli(['backfill', '--path', OBSERVATORY], { DATABASE_URL: database.url, REDIS_URL: 'inline' });
  expect(result).toMatchObject({ code: 0 });
  return database;
}

describe('flipping APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE over the same module directories', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await backfilled();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('shows the same services, manifests, networks and module resources from the shared tables and the local store', async () => {
    const common = { DATABASE_URL: database.url, REDIS_URL: 'inline', SERVICE_MANIFEST_PATHS: OBSERVATORY, SERVICE_REGISTRY_TOKEN: TOKEN, APPHUB_DISABLE_SERVICE_POLLING: '1' };
    const shared = await AppProcess.start({ env: { ...common, APPHUB_SERVICE_REGISTRY_DUAL_WRITE: '1' } });
    let before: Record<string, unknown>;
    try {
      const patched = await shared.fetch('/services/observatory-dashboard', { method: 'PATCH', headers: auth, body: '{"status":"degraded","statusMessage":"flip drill"}' });
      expect(patched.status).toBe(200);
      before = {
        services: (await json(shared, '/services')).data.map(fromManifests),
        manifests: withoutTimes((await json(shared, '/services/observatory-dashboard/manifests')).data.map(({ id, ...rest }: { id: number }) => rest)),
        networks: withoutTimes(await json(shared, '/service-networks')),
        resources: withoutTimes(await json(shared, '/modules/observatory/resources')),
      };
    } finally {
      await shared.stop();
    }

    const local = await AppProcess.start({ env: { ...common, APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '0' } });
    try {
      const after = {
        services: (await json(local, '/services')).data.map(fromManifests),
        manifests: withoutTimes((await json(local, '/services/observatory-dashboard/manifests')).data.map(({ id, ...rest }: { id: number }) => rest)),
        networks: withoutTimes(await json(local, '/service-networks')),
        resources: withoutTimes(await json(local, '/modules/observatory/resources')),
      };
      expect(after.services).toHaveLength(2);
      expect(after).toEqual(before);
    } finally {
      await local.stop();
    }
  });
});

describe('dual writes with shared state (APPHUB_SERVICE_REGISTRY_DUAL_WRITE=1)', () => {
  it('applies every API write to the local store too, after the shared tables took it', async () => {
    const database = await backfilled();
    const app = await startInProcessApp({
      DATABASE_URL: database.url,
      REDIS_URL: 'inline',
      SERVICE_REGISTRY_TOKEN: TOKEN,
      APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '1',
      APPHUB_SERVICE_REGISTRY_DUAL_WRITE: '1',
      SERVICE_MANIFEST_PATHS: OBSERVATORY,
    });
    try {
      await request(app.server).patch('/services/observatory-dashboard').set(auth).send({ status: 'degraded', metadata: { drill: true } }).expect(200);
      await request(app.server).post('/services').set(auth).send({ slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101' }).expect(201);
      await request(app.server).patch('/services/nope').set(auth).send({ status: 'healthy' }).expect(404);

      const local = await app.app.get(LocalRegistry).loadServices();
      expect(local.bySlug.get('observatory-dashboard')!.view).toMatchObject({ status: 'degraded', metadata: { drill: true } });
      expect(local.bySlug.get('billing')!.view).toMatchObject({ id: 'external:billing', source: 'external' });
      expect(local.services.map((service) => service.view.slug)).toEqual(['billing', 'observatory-admin', 'observatory-dashboard']);
      const [row] = await database.query(`SELECT status, metadata FROM services WHERE slug = 'observatory-dashboard'`);
      expect(row).toEqual({ status: 'degraded', metadata: { drill: true } });
    } finally {
      await app.close();
      await database.drop();
    }
  });

  it('logs, and does not surface, a write the local store refuses', async () => {
    const database = await TestDatabase.migrated(); // nothing imported: the shared tables do not know the observatory slugs
    const app = await AppProcess.start({
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: 'inline',
        SERVICE_REGISTRY_TOKEN: TOKEN,
        APPHUB_SERVICE_REGISTRY_DUAL_WRITE: '1',
        SERVICE_MANIFEST_PATHS: OBSERVATORY,
        APPHUB_DISABLE_SERVICE_POLLING: '1',
      },
    });
    try {
      const body = JSON.stringify({ slug: 'observatory-admin', displayName: 'Squatter', kind: 'http', baseUrl: 'http://127.0.0.1:9102' });
      const response = await app.fetch('/services', { method: 'POST', headers: auth, body });
      expect(response.status).toBe(201);
      expect(app.logs).toMatch(
        /The local store did not take the registration of 'observatory-admin': service slug 'observatory-admin' is owned by module 'observatory'/,
      );
    } finally {
      await app.stop();
      await database.drop();
    }
  });
});

describe('dual writes with local state', () => {
  it('mirrors API writes to the shared tables when Postgres is reachable', async () => {
    const database = await backfilled();
    const app = await AppProcess.start({
      env: {
        APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '0',
        APPHUB_SERVICE_REGISTRY_DUAL_WRITE: '1',
        DATABASE_URL: database.url,
        SERVICE_MANIFEST_PATHS: OBSERVATORY,
        SERVICE_REGISTRY_TOKEN: TOKEN,
        APPHUB_DISABLE_SERVICE_POLLING: '1',
      },
    });
    try {
      await app.fetch('/services/observatory-admin', { method: 'PATCH', headers: auth, body: '{"statusMessage":"from local"}' });
      const created = await app.fetch('/services', {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101' }),
      });
      expect(created.status).toBe(201);
      expect(await database.query(`SELECT slug, source, status_message FROM services ORDER BY slug`)).toEqual([
        { slug: 'billing', source: 'external', status_message: null },
        { slug: 'observatory-admin', source: 'module', status_message: 'from local' },
        { slug: 'observatory-dashboard', source: 'module', status_message: null },
      ]);
    } finally {
      await app.stop();
      await database.drop();
    }
  });

  it('keeps serving writes when Postgres is down, and logs that the shared tables missed them', async () => {
    const app = await AppProcess.start({
      env: {
        APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '0',
        APPHUB_SERVICE_REGISTRY_DUAL_WRITE: '1',
        DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/registry`,
        SERVICE_MANIFEST_PATHS: OBSERVATORY,
        SERVICE_REGISTRY_TOKEN: TOKEN,
        APPHUB_DISABLE_SERVICE_POLLING: '1',
      },
    });
    try {
      const started = Date.now();
      const patched = await app.fetch('/services/observatory-admin', { method: 'PATCH', headers: auth, body: '{"status":"healthy"}' });
      expect(patched.status).toBe(200);
      expect((await read(patched)).data.status).toBe('healthy');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(app.logs).toMatch(/The shared tables did not take the patch of 'observatory-admin': cannot reach Postgres/);
      expect((await app.fetch('/readyz')).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
