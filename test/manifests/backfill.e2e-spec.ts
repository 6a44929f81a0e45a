import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { runCli } from '../support/cli';
import { testEnv } from '../support/environment';
import { TestDatabase } from '../support/test-database';

const OBSERVATORY = join('modules', 'observatory', 'dist');
/** The runbook's command (`npm run backfill:service-registry -- …` runs exactly this after building). */
const RUNBOOK_BACKFILL = ['backfill', '--path', OBSERVATORY, '--module', 'observatory'];
const RUNBOOK_ACTIVE_QUERY =
  'select service_slug, module_id, module_version from service_manifests where superseded_at is null order by service_slug;';

/** A copy of the observatory module in a temporary folder, to edit. */
async function copyObservatory(): Promise<{ dir: string; edit: (file: string, change: (json: any) => void) => Promise<void> }> {
  const dir = join(await mkdtemp(join(tmpdir(), 'observatory-')), 'dist');
  await cp(OBSERVATORY, dir, { recursive: true });
  return {
    dir,
    edit: async (file, change) => {
      const path = join(dir, file);
      const json = JSON.parse(await readFile(path, 'utf8'));
      change(json);
      await writeFile(path, JSON.stringify(json, null, 2));
    },
  };
}

describe('backfill', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  const temporary: string[] = [];

  beforeEach(async () => {
    db = await TestDatabase.migrated();
    env = { DATABASE_URL: db.url, REDIS_URL: 'inline' };
  });

  afterEach(async () => {
    await db.drop();
    for (const dir of temporary.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function backfill(args: string[], extraEnv: Record<string, string> = {}) {
    const result = await runCli(['backfill', ...args], { ...env, ...extraEnv });
    if (result.code !== 0) throw new Error(`backfill ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
    return result;
  }

  it('imports both observatory services with the runbook command, and a re-run changes no row', async () => {
    const first = await runCli(RUNBOOK_BACKFILL, env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Module observatory@1: 2 services \(2 added, 0 changed, 0 unchanged, 0 removed\), 1 networks$/m);
    expect(first.stdout).toMatch(/note: skipped workflows\/nightly-report\.json: manifests of kind "workflow"/);

    expect(await db.query(RUNBOOK_ACTIVE_QUERY)).toEqual([
      { service_slug: 'observatory-admin', module_id: 'observatory', module_version: 1 },
      { service_slug: 'observatory-dashboard', module_id: 'observatory', module_version: 1 },
    ]);
    expect(await db.query(`select id, slug, base_url, health_endpoint, source, module_id, status from services order by slug`)).toEqual([
      {
        id: 'module:observatory:observatory-admin',
        slug: 'observatory-admin',
        base_url: 'http://127.0.0.1:4322',
        health_endpoint: '/',
        source: 'module',
        module_id: 'observatory',
        status: 'unknown',
      },
      {
        id: 'module:observatory:observatory-dashboard',
        slug: 'observatory-dashboard',
        base_url: 'http://127.0.0.1:4311',
        health_endpoint: '/healthz',
        source: 'module',
        module_id: 'observatory',
        status: 'unknown',
      },
    ]);
    expect(await db.query(`select resource_type, resource_id from module_resource_contexts order by 1, 2`)).toEqual([
      { resource_type: 'network', resource_id: 'observatory' },
      { resource_type: 'service', resource_id: 'observatory-admin' },
      { resource_type: 'service', resource_id: 'observatory-dashboard' },
    ]);
    expect(await db.query(`select service_slug, launch_order, wait_for_build, depends_on from service_network_members order by launch_order`)).toEqual([
      { service_slug: 'observatory-dashboard', launch_order: 0, wait_for_build: true, depends_on: [] },
      { service_slug: 'observatory-admin', launch_order: 1, wait_for_build: false, depends_on: ['observatory-dashboard'] },
    ]);

    const before = await db.snapshot();
    const second = await runCli(RUNBOOK_BACKFILL, env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Module observatory@1: 2 services \(0 added, 0 changed, 2 unchanged, 0 removed\), 1 networks$/m);
    expect(await db.snapshot()).toEqual(before);
  });

  it('stores resolved definitions with where each placeholder came from, and a machine-independent checksum', async () => {
    await backfill(['--path', OBSERVATORY]);
    const [dashboard] = await db.query<{ definition: any; checksum: string }>(
      `select definition, checksum from service_manifests where service_slug = 'observatory-dashboard'`,
    );
    expect(dashboard.definition.env).toEqual([
      { key: 'PORT', value: '4311' },
      { key: 'DATA_DIR', value: '/tmp/observatory' }, // the Liquid default, OBSERVATORY_DATA_ROOT unset
      { key: 'LOG_LEVEL', value: 'info' },
      { key: 'ARCHIVE_DIR', value: '${DATA_DIR:-/tmp}/archive' }, // a literal, not a placeholder
    ]);
    expect(dashboard.definition.placeholders).toEqual({
      OBSERVATORY_DASHBOARD_PORT: 'manifest-default',
      OBSERVATORY_DATA_DIR: 'module-default',
      OBSERVATORY_LOG_LEVEL: 'module-default',
    });
    expect(JSON.stringify(dashboard.definition)).not.toContain(process.cwd());
    expect(dashboard.checksum).toMatch(/^[0-9a-f]{64}$/);

    // The same module from another directory on this machine: same checksums, no new version.
    const copy = await copyObservatory();
    temporary.push(join(copy.dir, '..'));
    const again = await backfill(['--path', copy.dir]);
    expect(again.stdout).toMatch(/observatory@1: 2 services \(0 added, 0 changed, 2 unchanged, 0 removed\)/);

    // The environment a Liquid default reads is part of the definition.
    const elsewhere = await backfill(['--path', OBSERVATORY], { OBSERVATORY_DATA_ROOT: '/srv' });
    expect(elsewhere.stdout).toMatch(/observatory@2: 2 services \(0 added, 1 changed, 1 unchanged, 0 removed\)/);
    const [moved] = await db.query<{ value: string }>(
      `select definition->'env'->1->>'value' as value from service_manifests where service_slug = 'observatory-dashboard' and superseded_at is null`,
    );
    expect(moved.value).toBe('/srv/observatory');
  });

  it('a --var supersedes exactly the service that uses it, advances module_version by one and keeps the old row', async () => {
    await backfill(RUNBOOK_BACKFILL.slice(1));
    await db.query(`update services set status = 'healthy', last_healthy_at = now() where slug = 'observatory-admin'`);
    const result = await backfill([...RUNBOOK_BACKFILL.slice(1), '--var', 'OBSERVATORY_ADMIN_TOKEN=s3cret']);
    expect(result.stdout).toMatch(/^Module observatory@2: 2 services \(0 added, 1 changed, 1 unchanged, 0 removed\), 1 networks$/m);

    expect(await db.query(`select service_slug, module_version, superseded_at is null as active from service_manifests order by id`)).toEqual([
      { service_slug: expect.any(String), module_version: 1, active: expect.any(Boolean) },
      { service_slug: expect.any(String), module_version: 1, active: expect.any(Boolean) },
      { service_slug: 'observatory-admin', module_version: 2, active: true },
    ]);
    expect(await db.query(RUNBOOK_ACTIVE_QUERY)).toEqual([
      { service_slug: 'observatory-admin', module_id: 'observatory', module_version: 2 },
      { service_slug: 'observatory-dashboard', module_id: 'observatory', module_version: 1 },
    ]);
    const [old] = await db.query<{ token: string; superseded: boolean }>(
      `select definition->'env'->1->>'value' as token, superseded_at is not null as superseded
         from service_manifests where service_slug = 'observatory-admin' and module_version = 1`,
    );
    expect(old).toEqual({ token: 'observatory-dev-token', superseded: true });
    const [current] = await db.query<{ token: string; source: string }>(
      `select definition->'env'->1->>'value' as token, definition->'placeholders'->>'OBSERVATORY_ADMIN_TOKEN' as source
         from service_manifests where service_slug = 'observatory-admin' and superseded_at is null`,
    );
    expect(current).toEqual({ token: 's3cret', source: 'var' });
    // The registry entry keeps its health state.
    const [admin] = await db.query<{ status: string }>(`select status from services where slug = 'observatory-admin'`);
    expect(admin.status).toBe('healthy');
  });

  it('a changed manifest entry supersedes that service only and makes its new address due for a health check', async () => {
    const copy = await copyObservatory();
    temporary.push(join(copy.dir, '..'));
    await backfill(['--path', copy.dir]);
    await db.query(`update services set next_health_check_at = now() + interval '1 hour'`);

    await copy.edit('service-manifests/service-manifest.json', (json) => {
      json.services[0].baseUrl = 'http://127.0.0.1:4312';
    });
    const result = await backfill(['--path', copy.dir]);
    expect(result.stdout).toMatch(/^Module observatory@2: 2 services \(0 added, 1 changed, 1 unchanged, 0 removed\), 1 networks$/m);
    expect(await db.query(`select service_slug, module_version from service_manifests where superseded_at is not null`)).toEqual([
      { service_slug: 'observatory-dashboard', module_version: 1 },
    ]);
    expect(await db.query(`select slug, base_url, next_health_check_at <= now() as due from services order by slug`)).toEqual([
      { slug: 'observatory-admin', base_url: 'http://127.0.0.1:4322', due: false },
      { slug: 'observatory-dashboard', base_url: 'http://127.0.0.1:4312', due: true },
    ]);
  });

  it('a service removed from the manifest is superseded and leaves the active registry; its history stays', async () => {
    const copy = await copyObservatory();
    temporary.push(join(copy.dir, '..'));
    await backfill(['--path', copy.dir]);

    await copy.edit('service-manifests/service-manifest.json', (json) => {
      json.services = json.services.filter((service: { slug: string }) => service.slug !== 'observatory-admin');
    });
    await copy.edit('service-manifests/networks.json', (json) => {
      json.networks[0].services = json.networks[0].services.filter((member: { serviceSlug: string }) => member.serviceSlug !== 'observatory-admin');
      json.networks[0].launchOrder = ['observatory-dashboard'];
    });
    const result = await backfill(['--path', copy.dir]);
    expect(result.stdout).toMatch(/^Module observatory@2: 1 services \(0 added, 0 changed, 1 unchanged, 1 removed\), 1 networks$/m);

    expect(await db.query(RUNBOOK_ACTIVE_QUERY)).toEqual([
      { service_slug: 'observatory-dashboard', module_id: 'observatory', module_version: 1 },
    ]);
    expect(await db.query(`select slug from services`)).toEqual([{ slug: 'observatory-dashboard' }]);
    expect(await db.query(`select service_slug, superseded_at is not null as superseded from service_manifests where service_slug = 'observatory-admin'`)).toEqual([
      { service_slug: 'observatory-admin', superseded: true },
    ]);
    expect(await db.query(`select resource_id from module_resource_contexts where resource_type = 'service'`)).toEqual([
      { resource_id: 'observatory-dashboard' },
    ]);
    expect(
      await db.query(`select n.module_version, m.service_slug from service_networks n join service_network_members m on m.service_network_id = n.id
                       where n.superseded_at is null`),
    ).toEqual([{ module_version: 2, service_slug: 'observatory-dashboard' }]);

    // Removing a service alone also takes a version: the next change is @3, not a second @2.
    await copy.edit('config.json', (json) => {
      json.manifests = json.manifests.filter((manifest: { kind?: string }) => manifest.kind !== 'networks');
    });
    const removedOnly = await backfill(['--path', copy.dir]);
    expect(removedOnly.stdout).toMatch(/^Module observatory@3: 1 services \(0 added, 0 changed, 1 unchanged, 0 removed\), 0 networks$/m);
    const next = await backfill(['--path', copy.dir, '--var', 'OBSERVATORY_LOG_LEVEL=debug']);
    expect(next.stdout).toMatch(/^Module observatory@4: 1 services \(0 added, 1 changed, 0 unchanged, 0 removed\), 0 networks$/m);
    expect(await db.query(`select module_version, summary from module_versions order by module_version`)).toEqual([
      { module_version: 1, summary: { services: { added: 2, changed: 0, unchanged: 0, removed: 0 }, networks: { added: 1, changed: 0, unchanged: 0, removed: 0 } } },
      { module_version: 2, summary: { services: { added: 0, changed: 0, unchanged: 1, removed: 1 }, networks: { added: 0, changed: 1, unchanged: 0, removed: 0 } } },
      { module_version: 3, summary: { services: { added: 0, changed: 0, unchanged: 1, removed: 0 }, networks: { added: 0, changed: 0, unchanged: 0, removed: 1 } } },
      { module_version: 4, summary: { services: { added: 0, changed: 1, unchanged: 0, removed: 0 }, networks: { added: 0, changed: 0, unchanged: 0, removed: 0 } } },
    ]);
  });

  it('a dry run prints the plan and writes nothing', async () => {
    await backfill(RUNBOOK_BACKFILL.slice(1));
    const before = await db.snapshot();
    const result = await backfill([...RUNBOOK_BACKFILL.slice(1), '--var', 'OBSERVATORY_DATA_DIR=/var/lib/observatory', '--dry-run']);
    expect(result.stdout).toMatch(/^Module observatory@2: 2 services \(0 added, 1 changed, 1 unchanged, 0 removed\), 1 networks \[dry run: nothing written\]$/m);
    expect(result.stdout).toMatch(/service observatory-dashboard: changed/);
    expect(result.stdout).toMatch(/service observatory-admin: unchanged/);
    expect(result.stdout).toMatch(/network observatory: changed/);
    expect(await db.snapshot()).toEqual(before);
  });

  it('skips bootstrap actions by default and runs them with --no-bootstrap (the runbook spelling) or --run-bootstrap', async () => {
    const copy = await copyObservatory();
    const dataRoot = join(copy.dir, '..', 'data');
    temporary.push(join(copy.dir, '..'));
    await copy.edit('config.json', (json) => {
      json.bootstrap.actions[0].values = { OBSERVATORY_DATA_ROOT: dataRoot };
      json.bootstrap.actions.push({ type: 'runShellScript', script: 'rm -rf /' });
    });

    const skipped = await backfill(['--path', copy.dir]);
    expect(skipped.stdout).toMatch(/bootstrap: 4 action\(s\) not run \(pass --no-bootstrap or --run-bootstrap to run them\)/);
    await expect(readFile(join(dataRoot, 'observatory', 'observatory.json'), 'utf8')).rejects.toThrow(/ENOENT/);

    const ran = await backfill(['--path', copy.dir, '--no-bootstrap']);
    expect(ran.stdout).toMatch(/bootstrap\.actions\[0\] \(setEnvDefaults\): set OBSERVATORY_DATA_ROOT/);
    expect(ran.stdout).toMatch(/bootstrap\.actions\[1\] \(ensureDirectories\): ensured /);
    expect(ran.stdout).toMatch(/bootstrap\.actions\[2\] \(writeJsonFile\): wrote /);
    expect(ran.stdout).toMatch(/skipped bootstrap\.actions\[3\] \(runShellScript\): unsupported action type/);
    expect(JSON.parse(await readFile(join(dataRoot, 'observatory', 'observatory.json'), 'utf8'))).toEqual({
      module: 'observatory',
      dataDir: join(dataRoot, 'observatory'),
      logLevel: 'info',
    });
    // The env default set by the first action fed the Liquid placeholder default.
    const [dataDir] = await db.query<{ value: string }>(
      `select definition->'env'->1->>'value' as value from service_manifests where service_slug = 'observatory-dashboard' and superseded_at is null`,
    );
    expect(dataDir.value).toBe(join(dataRoot, 'observatory'));

    const alias = await backfill(['--path', copy.dir, '--run-bootstrap']);
    expect(alias.stdout).toMatch(/writeJsonFile\): kept existing /);
  });

  it('imports a module without a descriptor (service-manifests/service-manifest.json) under --module', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bare-module-'));
    temporary.push(dir);
    await cp(join(OBSERVATORY, 'service-manifests'), join(dir, 'service-manifests'), { recursive: true });
    await writeFile(
      join(dir, 'service-manifests', 'service-manifest.json'),
      JSON.stringify([{ slug: 'bare-api', displayName: 'Bare API', kind: 'api', baseUrl: 'https://bare.example.com', env: [{ key: 'MODE', value: { $var: { name: 'BARE_MODE', default: 'fast' } } }] }]),
    );
    const result = await backfill(['--path', dir, '--module', 'bare', '--var', 'BARE_MODE=slow']);
    expect(result.stdout).toMatch(/^Module bare@1: 1 services \(1 added, 0 changed, 0 unchanged, 0 removed\), 0 networks$/m);
    expect(await db.query(`select id, health_endpoint from services`)).toEqual([{ id: 'module:bare:bare-api', health_endpoint: '/healthz' }]);
    const [row] = await db.query<{ mode: string }>(`select definition->'env'->0->>'value' as mode from service_manifests`);
    expect(row.mode).toBe('slow');

    const unusedVar = await backfill(['--path', dir, '--module', 'bare', '--var', 'BARE_MODE=slow', '--var', 'BARE_MOOD=x']);
    expect(unusedVar.stdout).toMatch(/note: --var BARE_MOOD matches no placeholder of module "bare"/);
    expect(unusedVar.stdout).toMatch(/1 unchanged/);

    const missing = await runCli(['backfill', '--path', dir], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/pass --module ID to import service-manifests\/service-manifest\.json/);
  });

  it('takes the module from --config alone, and restores a deleted registry entry without a new version', async () => {
    const first = await backfill(['--config', join(OBSERVATORY, 'config.json')]);
    expect(first.stdout).toMatch(/^Module observatory@1: 2 services \(2 added/m);
    await db.query(`delete from services where slug = 'observatory-admin'`);
    await db.query(`delete from module_resource_contexts where resource_id = 'observatory-admin'`);
    const again = await backfill(['--config', join(OBSERVATORY, 'config.json')]);
    expect(again.stdout).toMatch(/^Module observatory@1: 2 services \(0 added, 0 changed, 2 unchanged, 0 removed\)/m);
    expect(await db.query(`select slug from services order by slug`)).toEqual([{ slug: 'observatory-admin' }, { slug: 'observatory-dashboard' }]);
    expect(await db.query(`select count(*)::int as contexts from module_resource_contexts`)).toEqual([{ contexts: 3 }]);
    expect(await db.query(`select count(*)::int as versions from service_manifests`)).toEqual([{ versions: 2 }]);
  });

  it('imports each --path as its own module, and reports a module as soon as it committed', async () => {
    const thief = await mkdtemp(join(tmpdir(), 'thief-module-'));
    temporary.push(thief);
    const declare = async (slug: string) => {
      await writeFile(join(thief, 'config.json'), JSON.stringify({ module: 'thief', manifestPath: 'manifest.json' }));
      await writeFile(join(thief, 'manifest.json'), JSON.stringify([{ slug, displayName: 'Thief', kind: 'api', baseUrl: 'http://127.0.0.1:2' }]));
    };
    await declare('thief-api');
    const both = await backfill(['--path', OBSERVATORY, '--path', thief]);
    expect(both.stdout).toMatch(/^Module observatory@1: 2 services \(2 added/m);
    expect(both.stdout).toMatch(/^Module thief@1: 1 services \(1 added/m);

    // The first module commits; the second then conflicts: the first is reported, the run fails.
    const copy = await copyObservatory();
    temporary.push(join(copy.dir, '..'));
    await copy.edit('service-manifests/service-manifest.json', (json) => {
      json.services[0].baseUrl = 'http://127.0.0.1:4399';
    });
    await declare('observatory-dashboard');
    const partial = await runCli(['backfill', '--path', copy.dir, '--path', thief], env);
    expect(partial.code).toBe(1);
    expect(partial.stdout).toMatch(/^Module observatory@2: 2 services \(0 added, 1 changed, 1 unchanged, 0 removed\), 1 networks$/m);
    expect(partial.stderr).toMatch(/^error: service slug 'observatory-dashboard' is owned by module 'observatory'$/m);
    expect(await db.query(RUNBOOK_ACTIVE_QUERY)).toEqual([
      { service_slug: 'observatory-admin', module_id: 'observatory', module_version: 1 },
      { service_slug: 'observatory-dashboard', module_id: 'observatory', module_version: 2 },
      { service_slug: 'thief-api', module_id: 'thief', module_version: 1 },
    ]);
  });

  it('refuses a slug registered as an external service, naming it, and writes nothing', async () => {
    await db.query(
      `insert into services (id, slug, display_name, kind, base_url, source) values ('external:observatory-admin', 'observatory-admin', 'Admin', 'ui', 'http://x', 'external')`,
    );
    const before = await db.snapshot();
    const result = await runCli(RUNBOOK_BACKFILL, env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: service slug 'observatory-admin' is registered as an external service$/m);
    expect(await db.snapshot()).toEqual(before);
  });

  it('publishes one invalidation naming what changed after a write, and none for an unchanged import', async () => {
    const subscriber = new Redis(testEnv('redisUrl'));
    const messages: any[] = [];
    try {
      await subscriber.subscribe('service-registry:invalidate');
      subscriber.on('message', (_channel, raw) => messages.push(JSON.parse(raw)));
      const withRedis = { REDIS_URL: testEnv('redisUrl') };
      await backfill(RUNBOOK_BACKFILL.slice(1), withRedis);
      await backfill(RUNBOOK_BACKFILL.slice(1), withRedis);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ours = messages.filter((message) => message.modules?.includes('observatory'));
      expect(ours).toHaveLength(1);
      expect(ours[0]).toMatchObject({
        reason: 'backfill',
        services: ['observatory-dashboard', 'observatory-admin'],
        networks: ['observatory'],
        modules: ['observatory'],
      });
    } finally {
      subscriber.disconnect();
    }
  });

  it('backfill-module-contexts re-seeds module_resource_contexts from the active rows', async () => {
    await backfill(RUNBOOK_BACKFILL.slice(1));
    const seeded = await db.query(`select module_id, resource_type, resource_id, metadata from module_resource_contexts order by id`);
    await db.query(`delete from module_resource_contexts`);
    await db.query(`insert into module_resource_contexts (module_id, resource_type, resource_id) values ('observatory', 'service', 'gone-svc')`);

    const result = await runCli(['backfill-module-contexts', '--module', 'observatory'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Module observatory: 2 services, 1 networks \(3 context rows written, 1 removed\)$/m);
    expect(await db.query(`select module_id, resource_type, resource_id, metadata from module_resource_contexts order by id`)).toEqual(seeded);

    const unknown = await runCli(['backfill-module-contexts', '--module', 'nobody'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: module 'nobody' has never been imported$/m);
    const noModule = await runCli(['backfill-module-contexts'], env);
    expect(noModule.code).not.toBe(0);
    expect(noModule.stderr).toMatch(/required option '--module <id>' not specified/);
  });

  it('applies pending migrations first, so it works on an empty database', async () => {
    const empty = await TestDatabase.empty();
    try {
      // A dry run writes nothing, not even the schema: it says what to do instead.
      const dryRun = await runCli([...RUNBOOK_BACKFILL, '--dry-run'], { DATABASE_URL: empty.url, REDIS_URL: 'inline' });
      expect(dryRun.code).toBe(1);
      expect(dryRun.stderr).toMatch(/^error: the database schema is not up to date \(\d+ pending migration\(s\)\); a dry run writes nothing: run "migrate"/m);
      expect(await empty.query(`select count(*)::int as tables from pg_tables where schemaname = 'public'`)).toEqual([{ tables: 0 }]);

      const result = await runCli(RUNBOOK_BACKFILL, { DATABASE_URL: empty.url, REDIS_URL: 'inline' });
      expect(result.code).toBe(0);
      expect(await empty.query(RUNBOOK_ACTIVE_QUERY)).toHaveLength(2);
    } finally {
      await empty.drop();
    }
  });

  it('rejects bad arguments with a readable reason', async () => {
    const badVar = await runCli([...RUNBOOK_BACKFILL, '--var', 'NOEQUALS'], env);
    expect(badVar.code).not.toBe(0);
    expect(badVar.stderr).toMatch(/option '--var <KEY=VALUE>' argument 'NOEQUALS' is invalid\. expected KEY=VALUE/);
    const badName = await runCli([...RUNBOOK_BACKFILL, '--var', 'MY-VAR=1'], env);
    expect(badName.stderr).toMatch(/"MY-VAR" is not a placeholder name/);
    const unknownFlag = await runCli([...RUNBOOK_BACKFILL, '--force'], env);
    expect(unknownFlag.code).not.toBe(0);
    expect(unknownFlag.stderr).toMatch(/unknown option '--force'/);
    const noPath = await runCli(['backfill'], env);
    expect(noPath.code).toBe(1);
    expect(noPath.stderr).toMatch(/^error: no module to import: give --path DIR/m);
    const missingDir = await runCli(['backfill', '--path', 'modules/nowhere'], env);
    expect(missingDir.code).toBe(1);
    expect(missingDir.stderr).toMatch(/modules\/nowhere: \(file\): module directory not found/);
    const configWithPaths = await runCli(['backfill', '--config', 'x.json', '--path', 'a', '--path', 'b'], env);
    expect(configWithPaths.stderr).toMatch(/^error: --config names one module descriptor: give at most one --path with it$/m);
    const twice = await runCli(['backfill', '--path', OBSERVATORY, '--path', `${OBSERVATORY}/`], env);
    expect(twice.stderr).toMatch(/^error: --path .* and --path .* are both module "observatory"$/m);
    for (const result of [badVar, badName, unknownFlag, noPath, missingDir, configWithPaths, twice]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('documents every flag in --help', async () => {
    const help = await runCli(['backfill', '--help'], {});
    expect(help.code).toBe(0);
    for (const flag of ['--path <dir>', '--module <id>', '--config <file>', '--var <KEY=VALUE>', '--no-bootstrap', '--run-bootstrap', '--dry-run']) {
      expect(help.stdout).toContain(flag);
    }
    const contexts = await runCli(['backfill-module-contexts', '--help'], {});
    expect(contexts.stdout).toContain('--module <id>');
  });
});
