import { RegistryService, serviceJson } from '../../src/services/service-view';
import { ServiceDirectory } from '../../src/services/service-directory.service';
import { ServicesDatasetQuery } from '../../src/services/services-dataset.query';
import { InProcessApp, startInProcessApp } from '../support/in-process-app';
import { RedisServer } from '../support/redis-server';
import { TestDatabase } from '../support/test-database';

const SERVICES = 1_200; // more than two of the re-read's cursor batches

/**
 * The background re-read of the services dataset (the bound on how long a lost message can
 * leave a replica stale) reads through a cursor and keeps the entries of unchanged services.
 */
describe('the background re-read of the services dataset', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let registry: InProcessApp;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    redis = await RedisServer.start();
    registry = await startInProcessApp({ DATABASE_URL: database.url, REDIS_URL: redis.url, SERVICE_REGISTRY_CACHE_MAX_AGE_MS: '600000' });
    await database.query(
      `INSERT INTO services (id, slug, display_name, kind, base_url, source, module_id, metadata)
       SELECT 'module:bench:svc-' || n, 'svc-' || n, 'Service ' || n, 'http', 'http://127.0.0.1:' || (20000 + n), 'module', 'bench',
              jsonb_build_object('team', 'team-' || (n % 7), 'note', 'ünïcode "quoted"')
         FROM generate_series(1, $1::int) n`,
      [SERVICES],
    );
    await database.query(
      `INSERT INTO module_resource_contexts (module_id, resource_type, resource_id)
       SELECT 'bench', 'service', 'svc-' || n FROM generate_series(1, $1::int) n`,
      [SERVICES],
    );
  });

  afterAll(async () => {
    await registry?.close();
    await redis?.stop();
    await database?.drop();
  });

  it('finds changes no message announced, keeps the entries of unchanged services, and reads what a full read reads', async () => {
    const query = registry.app.get(ServicesDatasetQuery);
    const current = await registry.app.get(ServiceDirectory).dataset();
    expect(current.services).toHaveLength(SERVICES);

    // Behind the registry's back: one renamed, one gone, one new, one with another module context.
    await database.query(`UPDATE services SET display_name = 'Renamed' WHERE slug = 'svc-7'`);
    await database.query(`DELETE FROM module_resource_contexts WHERE resource_id = 'svc-9'`);
    await database.query(`DELETE FROM services WHERE slug = 'svc-9'`);
    await database.query(`INSERT INTO services (id, slug, display_name, kind, base_url, source) VALUES ('external:svc-0', 'svc-0', 'New', 'http', 'http://127.0.0.1:1', 'external')`);
    await database.query(`INSERT INTO module_resource_contexts (module_id, resource_type, resource_id) VALUES ('other', 'service', 'svc-11')`);

    const reloaded = await query.reloadServices(current);
    const full = await query.loadServices();

    expect(reloaded.index).toBe(full.index);
    expect(reloaded.services.map((service) => service.view.slug)).toEqual(full.services.map((service) => service.view.slug));
    const json = (dataset: typeof full, service: RegistryService) => serviceJson(dataset, service);
    expect(reloaded.services.map((service) => json(reloaded, service))).toEqual(full.services.map((service) => json(full, service)));
    expect(reloaded.services.map((service) => service.moduleIds)).toEqual(full.services.map((service) => service.moduleIds));

    expect(reloaded.bySlug.get('svc-7')!.view.displayName).toBe('Renamed');
    expect(reloaded.bySlug.has('svc-9')).toBe(false);
    expect(reloaded.bySlug.get('svc-0')!.view.displayName).toBe('New');
    expect(reloaded.bySlug.get('svc-11')!.moduleIds).toEqual(['bench', 'other']);
    // Unchanged services are the same entries, JSON included: nothing of them was built again.
    for (const slug of ['svc-1', 'svc-8', `svc-${SERVICES}`]) expect(reloaded.bySlug.get(slug)).toBe(current.bySlug.get(slug));
    expect(reloaded.bySlug.get('svc-7')).not.toBe(current.bySlug.get('svc-7'));
    expect(reloaded.bySlug.get('svc-11')).not.toBe(current.bySlug.get('svc-11'));
    expect(reloaded.json.get(reloaded.bySlug.get('svc-1')!.view)).toBe(current.json.get(current.bySlug.get('svc-1')!.view));
  });
});
