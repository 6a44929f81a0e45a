import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { runCli } from '../support/cli';
import { TestDatabase } from '../support/test-database';

describe('schema and migrations', () => {
  let database: TestDatabase;

  afterEach(async () => {
    await database.drop();
  });

  describe('on an empty database', () => {
    beforeEach(async () => {
      database = await TestDatabase.empty();
    });

    it('migrates exactly once when three replicas start together on an empty database', async () => {
      const env = { DATABASE_URL: database.url, REDIS_URL: 'inline', APPHUB_DISABLE_SERVICE_POLLING: '1' };
      const replicas = await AppProcess.startMany(3, { env });
      try {
        // Each answered /readyz with 200 to start; the schema is there for all three.
        for (const replica of replicas) await eventually(async () => expect((await replica.fetch('/readyz')).status).toBe(200));
        const migrations = await database.query<{ name: string; runs: number }>(
          'SELECT name, count(*)::int AS runs FROM migrations GROUP BY name',
        );
        expect(migrations.length).toBeGreaterThan(0);
        for (const migration of migrations) expect(migration.runs).toBe(1);
      } finally {
        await Promise.all(replicas.map((replica) => replica.stop()));
      }
    });

    it('applies pending migrations with the CLI and reports an up-to-date schema on a second run', async () => {
      const env = { DATABASE_URL: database.url, REDIS_URL: 'inline' };
      const first = await runCli(['migrate'], env);
      expect(first).toMatchObject({ code: 0 });
      expect(first.stdout).toMatch(/Applied \d+ migration\(s\): InitialSchema/);

      const second = await runCli(['migrate'], env);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/Schema is up to date/);
    });
  });

  describe('on the migrated schema', () => {
    // A copy of the template database, which `node dist/cli.js migrate` migrated at the start
    // of the run (test/support/global-setup.ts).
    beforeEach(async () => {
      database = await TestDatabase.migrated();
    });

    it("runs the runbook's queries verbatim", async () => {
      await database.query(
        `INSERT INTO service_manifests (module_id, module_version, service_slug, definition, checksum)
         VALUES ('observatory', 1, 'observatory-dashboard', '{}', 'abc')`,
      );
      const active = await database.query(
        'select service_slug, module_id, module_version from service_manifests where superseded_at is null order by service_slug;',
      );
      expect(active).toEqual([{ service_slug: 'observatory-dashboard', module_id: 'observatory', module_version: 1 }]);
      const checksums = await database.query(
        'select module_id, service_slug, checksum from service_manifests where superseded_at is null order by module_id, service_slug;',
      );
      expect(checksums).toEqual([{ module_id: 'observatory', service_slug: 'observatory-dashboard', checksum: 'abc' }]);
      const latest = await database.query(
        "select status, latency_ms, checked_at from service_health_snapshots where service_slug = 'observatory-dashboard' order by version desc limit 1;",
      );
      expect(latest).toEqual([]);
    });

    it('refuses a second active manifest row for one slug', async () => {
      const insert = (version: number) =>
        database.query(
          `INSERT INTO service_manifests (module_id, module_version, service_slug, definition, checksum)
           VALUES ('observatory', $1, 'observatory-dashboard', '{}', 'abc')`,
          [version],
        );
      await insert(1);
      await expect(insert(2)).rejects.toMatchObject({ code: '23505', constraint: 'service_manifests_active_slug_key' });

      // Once the first row is superseded, a new active version is allowed.
      await database.query(`UPDATE service_manifests SET superseded_at = now() WHERE module_version = 1`);
      await expect(insert(2)).resolves.toBeDefined();
    });

    it('refuses a second snapshot with the same slug and version', async () => {
      await database.query(
        `INSERT INTO services (id, slug, display_name, kind, base_url, source) VALUES ('ext:a', 'a', 'A', 'http', 'http://127.0.0.1:1', 'external')`,
      );
      const insert = () =>
        database.query(
          `INSERT INTO service_health_snapshots (service_slug, version, status, checked_at, base_url, health_endpoint)
           VALUES ('a', 1, 'healthy', now(), 'http://127.0.0.1:1', '/healthz')`,
        );
      await insert();
      await expect(insert()).rejects.toMatchObject({ code: '23505' });
    });
  });
});
