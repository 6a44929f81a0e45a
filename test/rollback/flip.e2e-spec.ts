import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppProcess } from '../support/app-process';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { ConnectionCounter, privateStoreDir } from '../support/private-store';
import { StubTargets } from '../support/stub-targets';
import { TestDatabase } from '../support/test-database';

const TOKEN = 'flip-token-77d0';
const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const OBSERVATORY = 'modules/observatory/dist';

/** A response's JSON body, loosely typed: tests index into it as the API documents it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(app: AppProcess, path: string): Promise<any> {
  const response = await app.fetch(path);
  expect(response.status).toBe(200);
  return response.json();
}

/** A body as JSON text (key order counts) with what differs between two databases blanked: row timestamps and row ids. */
function comparable(body: unknown): string {
  return JSON.stringify(body, (key, value) => (key === 'createdAt' || key === 'updatedAt' || (key === 'id' && typeof value === 'number') ? '…' : value));
}

async function backfilled(): Promise<TestDatabase> {
  const database = await TestDatabase.migrated();
  const result = await runCli(['backfill', '--path', OBSERVATORY], { DATABASE_URL: database.url, REDIS_URL: 'inline' });
  expect(result).toMatchObject({ code: 0 });
  return database;
}

/** The failures counter of dual writes on `/metrics`. */
async function dualWriteFailures(app: AppProcess): Promise<number> {
  const text = await (await app.fetch('/metrics')).text();
  return Number(/^service_registry_dual_write_failures_total (\d+)/m.exec(text)?.[1]);
}

describe('dual writes (APPHUB_SERVICE_REGISTRY_DUAL_WRITE=1), then the flip to the rollback path on the same folder', () => {
  let database: TestDatabase;
  let folder: Awaited<ReturnType<typeof privateStoreDir>>;
  let dead: ConnectionCounter;
  let targets: StubTargets;

  beforeAll(async () => {
    database = await backfilled();
    folder = await privateStoreDir();
    dead = await ConnectionCounter.start();
    targets = await StubTargets.start();
  });

  afterAll(async () => {
    await targets?.stop();
    await dead?.stop();
    await folder?.remove();
    await database?.drop();
  });

  const sharedEnv = () => ({
    DATABASE_URL: database.url,
    REDIS_URL: 'inline',
    APPHUB_SERVICE_REGISTRY_DUAL_WRITE: '1',
    APPHUB_SERVICE_REGISTRY_LOCAL_DIR: folder.path,
    SERVICE_MANIFEST_PATHS: OBSERVATORY,
    SERVICE_REGISTRY_TOKEN: TOKEN,
    SERVICE_HEALTH_INTERVAL_MS: '60000',
  });
  /** The rollback path with the shared Postgres and Redis as good as dead (a port that answers nothing). */
  const rollbackEnv = () => ({
    APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '0',
    APPHUB_SERVICE_REGISTRY_LOCAL_DIR: folder.path,
    SERVICE_MANIFEST_PATHS: OBSERVATORY,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${dead.port}/registry`,
    REDIS_URL: `redis://127.0.0.1:${dead.port}`,
    SERVICE_REGISTRY_TOKEN: TOKEN,
    APPHUB_DISABLE_SERVICE_POLLING: '1',
  });

  it('loses nothing the replica wrote: the same registry, API registrations and their latest health', async () => {
    const shared = await AppProcess.start({ env: sharedEnv() });
    let before: Record<string, string>;
    try {
      const billing = { slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: targets.url, healthEndpoint: '/ok/billing', metadata: { team: 'payments' } };
      expect((await shared.fetch('/services', { method: 'POST', headers: auth, body: JSON.stringify(billing) })).status).toBe(201);
      const patched = await shared.fetch('/services/observatory-dashboard', { method: 'PATCH', headers: auth, body: '{"metadata":{"drill":"flip"}}' });
      expect(patched.status).toBe(200);
      // The poller checks the new service at once; its snapshot is the latest health to keep.
      await eventually(async () => {
        const services: { slug: string; health: unknown }[] = (await json(shared, '/services')).data;
        expect(services.filter((service) => service.health === null)).toEqual([]);
        expect(services.find((service) => service.slug === 'billing')!.health).toMatchObject({ status: 'healthy' });
      });
      expect(await dualWriteFailures(shared)).toBe(0);
      before = {
        services: comparable((await json(shared, '/services')).data),
        manifests: comparable((await json(shared, '/services/observatory-dashboard/manifests')).data),
        networks: comparable(await json(shared, '/service-networks')),
        resources: comparable(await json(shared, '/modules/observatory/resources')),
        billingHealth: comparable((await json(shared, '/services/billing/health')).data[0]),
      };
    } finally {
      await shared.stop();
    }

    const local = await AppProcess.start({ env: rollbackEnv() });
    try {
      const after = {
        services: comparable((await json(local, '/services')).data),
        manifests: comparable((await json(local, '/services/observatory-dashboard/manifests')).data),
        networks: comparable(await json(local, '/service-networks')),
        resources: comparable(await json(local, '/modules/observatory/resources')),
        billingHealth: comparable((await json(local, '/services/billing/health')).data[0]),
      };
      expect(JSON.parse(after.services).map((service: { slug: string }) => service.slug)).toEqual(['billing', 'observatory-admin', 'observatory-dashboard']);
      expect(after).toEqual(before);
      expect(dead.connections).toBe(0);
    } finally {
      await local.stop();
    }
  });

  it('logs and counts a write the private store refuses, and answers the client as the shared tables did', async () => {
    const empty = await TestDatabase.migrated(); // nothing imported: the shared tables do not know the observatory slugs
    const shared = await AppProcess.start({ env: { ...sharedEnv(), DATABASE_URL: empty.url } });
    try {
      const squatter = JSON.stringify({ slug: 'observatory-admin', displayName: 'Squatter', kind: 'http', baseUrl: 'http://127.0.0.1:9102' });
      expect((await shared.fetch('/services', { method: 'POST', headers: auth, body: squatter })).status).toBe(201);
      expect(shared.logs).toMatch(
        /The private store did not take the registration of 'observatory-admin': service slug 'observatory-admin' is owned by module 'observatory'/,
      );
      expect(await dualWriteFailures(shared)).toBe(1);
    } finally {
      await shared.stop();
      await empty.drop();
    }
  });

  it('keeps taking writes when the private store dies under it', async () => {
    const shared = await AppProcess.start({ env: sharedEnv() });
    try {
      const pidFile = await readFile(join(folder.path, 'postgres', 'postmaster.pid'), 'utf8');
      process.kill(Number(pidFile.split('\n')[0]), 'SIGKILL');
      const patched = await shared.fetch('/services/observatory-admin', { method: 'PATCH', headers: auth, body: '{"metadata":{"while":"private store down"}}' });
      expect(patched.status).toBe(200);
      expect(((await patched.json()) as { data: { metadata: unknown } }).data.metadata).toEqual({ while: 'private store down' });
      expect(await dualWriteFailures(shared)).toBeGreaterThanOrEqual(1);
      expect(shared.logs).toMatch(/The private store did not take the patch of 'observatory-admin'/);
      expect((await shared.fetch('/readyz')).status).toBe(200);
      const [row] = await database.query(`SELECT metadata FROM services WHERE slug = 'observatory-admin'`);
      expect(row).toEqual({ metadata: { while: 'private store down' } });
    } finally {
      await shared.stop();
    }
  });
});
