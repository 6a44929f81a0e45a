import { Client } from 'pg';
import { getMetadataArgsStorage } from 'typeorm';
import { findSchemaDrift, SchemaDrift } from '../../src/database/schema-drift';
import { ModuleResourceContextEntity } from '../../src/manifests/module-resource-context.entity';
import { ServiceManifestEntity } from '../../src/manifests/service-manifest.entity';
import { REGISTRY_ENTITIES } from '../../src/registry-entities';
import { runCli } from '../support/cli';
import { testEnv } from '../support/environment';
import { freePort } from '../support/ports';

const storage = getMetadataArgsStorage();

/**
 * Runs the check with one decorator option of a registry entity changed, as if its source
 * said so (TypeORM builds entity metadata from these declarations when a DataSource starts),
 * then puts the declaration back.
 */
async function driftWith<Declaration extends object>(declaration: Declaration | undefined, change: Partial<Declaration>): Promise<SchemaDrift> {
  if (!declaration) throw new Error('no such declaration on the registry entities');
  const original = Object.fromEntries(Object.keys(change).map((key) => [key, declaration[key as keyof Declaration]]));
  Object.assign(declaration, change);
  try {
    return await findSchemaDrift(testEnv('postgresAdminUrl'), REGISTRY_ENTITIES);
  } finally {
    Object.assign(declaration, original);
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const admin = new Client({ connectionString: testEnv('postgresAdminUrl') });
  await admin.connect();
  try {
    return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('schema:check (entities against migrations)', () => {
  it('passes on the entities and migrations as they are, with one line and exit 0', async () => {
    const result = await runCli(['schema:check'], { DATABASE_URL: testEnv('postgresAdminUrl'), REDIS_URL: 'inline' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe("Entities match the migrations: TypeORM's schema diff of 8 tables is empty\n");
  });

  it('finds nothing to do on the registry entities, and drops its scratch database', async () => {
    const drift = await findSchemaDrift(testEnv('postgresAdminUrl'), REGISTRY_ENTITIES);
    expect(drift.differences).toEqual([]);
    expect(drift.tables).toBe(REGISTRY_ENTITIES.length);
    expect(await databaseExists(drift.database)).toBe(false);
  });

  it('reports a changed entity column, naming its table and column', async () => {
    const checksum = storage.columns.find((column) => column.target === ServiceManifestEntity && column.propertyName === 'checksum');
    const drift = await driftWith(checksum?.options, { nullable: true });
    expect(drift.differences).toEqual(['ALTER TABLE "service_manifests" ALTER COLUMN "checksum" DROP NOT NULL;']);
    expect(await databaseExists(drift.database)).toBe(false);
  });

  it("reports a check whose expression differs from the migration's", async () => {
    const check = storage.checks.find((declared) => declared.target === ModuleResourceContextEntity);
    const drift = await driftWith(check, { expression: `resource_type IN ('service', 'network', 'workflow')` });
    expect(drift.differences).toEqual([
      'module_resource_contexts: check module_resource_contexts_type_check is ' +
        "CHECK ((resource_type = ANY (ARRAY['service'::text, 'network'::text]))) after the migrations, " +
        "CHECK ((resource_type = ANY (ARRAY['service'::text, 'network'::text, 'workflow'::text]))) in the entity",
    ]);
  });

  it("reports an index whose WHERE differs from the migration's", async () => {
    const activeSlug = storage.indices.find((declared) => declared.name === 'service_manifests_active_slug_key');
    const drift = await driftWith(activeSlug, { where: 'superseded_at IS NOT NULL' });
    expect(drift.differences).toEqual([
      'service_manifests: index service_manifests_active_slug_key has WHERE (superseded_at IS NULL) after the migrations, ' +
        'WHERE (superseded_at IS NOT NULL) in the entity',
    ]);
  });

  it('exits 1 with a one-line reason when the database server cannot be reached', async () => {
    const port = await freePort();
    const result = await runCli(['schema:check'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nothing`, REDIS_URL: 'inline' }, 30_000);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: .*ECONNREFUSED.*\n$/);
  });
});
