import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moduleSources } from '../../src/commands/cli-arguments';
import { runCli } from '../support/cli';
import { TestDatabase } from '../support/test-database';
import { BackfillContext, printed } from './backfill-context';

const OBSERVATORY = join('modules', 'observatory', 'dist');
/** The runbook's command (`npm run backfill:service-registry -- …` runs exactly this after building). */
const RUNBOOK_BACKFILL = ['backfill', '--path', OBSERVATORY, '--module', 'observatory'];
const RUNBOOK_SOURCE = { path: OBSERVATORY, moduleId: 'observatory' };
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

/** The rejection of `work` (a failing backfill), for its message. */
async function failureOf(work: Promise<unknown>): Promise<Error> {
  const failure = await work.then(
    () => null,
    (error: Error) => error,
  );
  if (!failure) throw new Error('expected the backfill to fail');
  return failure;
}

describe('backfill', () => {
  let db: TestDatabase;
  let context: BackfillContext;
  const temporary: string[] = [];

  beforeEach(async () => {
    db = await TestDatabase.migrated();
    context = await BackfillContext.start(db.url);
  });

  afterEach(async () => {
    await context?.close();
    await db?.drop();
    for (const dir of temporary.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('imports both observatory services with the runbook command, and a re-run changes no row', async () => {
    const first = await runCli(RUNBOOK_BACKFILL, { DATABASE_URL: db.url, REDIS_URL: 'inline' });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout.trim().split('\n').pop()).toBe('Module observatory@1: 2 services (2 added, 0 changed, 0 unchanged, 0 removed), 1 networks');
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
    const second = await context.print({ sources: [RUNBOOK_SOURCE] });
    expect(second).toMatch(/^Module observatory@1: 2 services \(0 added, 0 changed, 2 unchanged, 0 removed\), 1 networks$/m);
    expect(await db.snapshot()).toEqual(before);
  });

  it('stores resolved definitions with where each placeholder came from, and a machine-independent checksum', async () => {
    await context.backfill({ sources: [{ path: OBSERVATORY }] });
    const [dashboard] = await db.query<{ definition: any; checksum: string }>(
      `select definition, checksum from service_manifests where service_slug = 'observatory-dashboard'`,
    );
    expect(dashboard.definition.env).toEqual([
      { key: 'PORT', value: '4311' },
      { key: 'DATA_DIR', value: '/tmp/observatory' }, // the template default, OBSERVATORY_DATA_ROOT from setEnvDefaults
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
    expect(await context.print({ sources: [{ path: copy.dir }] })).toMatch(/observatory@1: 2 services \(0 added, 0 changed, 2 unchanged, 0 removed\)/);

    // The environment a template default reads is part of the definition.
    const elsewhere = await context.print({ sources: [{ path: OBSERVATORY }], env: { ...process.env, OBSERVATORY_DATA_ROOT: '/srv' } });
    expect(elsewhere).toMatch(/observatory@2: 2 services \(0 added, 1 changed, 1 unchanged, 0 removed\)/);
    const [moved] = await db.query<{ value: string }>(
      `select definition->'env'->1->>'value' as value from service_manifests where service_slug = 'observatory-dashboard' and superseded_at is null`,
    );
    expect(moved.value).toBe('/srv/observatory');
  });

  it('a --var supersedes exactly the service that uses it, advances module_version by one and keeps the old row', async () => {
    await context.backfill({ sources: [RUNBOOK_SOURCE] });
    await db.query(`update services set status = 'healthy', last_healthy_at = now() where slug = 'observatory-admin'`);
    const result = await context.print({ sources: [RUNBOOK_SOURCE], variables: { OBSERVATORY_ADMIN_TOKEN: 's3cret' } });
    expect(result).toMatch(/^Module observatory@2: 2 services \(0 added, 1 changed, 1 unchanged, 0 removed\), 1 networks$/m);

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
    await context.backfill({ sources: [{ path: copy.dir }] });
    await db.query(`update services set next_health_check_at = now() + interval '1 hour'`);

    await copy.edit('service-manifests/service-manifest.json', (json) => {
      json.services[0].baseUrl = 'http://127.0.0.1:4312';
    });
    const result = await context.print({ sources: [{ path: copy.dir }] });
    expect(result).toMatch(/^Module observatory@2: 2 services \(0 added, 1 changed, 1 unchanged, 0 removed\), 1 networks$/m);
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
    await context.backfill({ sources: [{ path: copy.dir }] });

    await copy.edit('service-manifests/service-manifest.json', (json) => {
      json.services = json.services.filter((service: { slug: string }) => service.slug !== 'observatory-admin');
    });
    await copy.edit('service-manifests/networks.json', (json) => {
      json.networks[0].services = json.networks[0].services.filter((member: { serviceSlug: string }) => member.serviceSlug !== 'observatory-admin');
      json.networks[0].launchOrder = ['observatory-dashboard'];
    });
    const result = await context.print({ sources: [{ path: copy.dir }] });
    expect(result).toMatch(/^Module observatory@2: 1 services \(0 added, 0 changed, 1 unchanged, 1 removed\), 1 networks$/m);

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
    const removedOnly = await context.print({ sources: [{ path: copy.dir }] });
    expect(removedOnly).toMatch(/^Module observatory@3: 1 services \(0 added, 0 changed, 1 unchanged, 0 removed\), 0 networks$/m);
    const next = await context.print({ sources: [{ path: copy.dir }], variables: { OBSERVATORY_LOG_LEVEL: 'debug' } });
    expect(next).toMatch(/^Module observatory@4: 1 services \(0 added, 1 changed, 0 unchanged, 0 removed\), 0 networks$/m);
    expect(await db.query(`select module_version, summary from module_versions order by module_version`)).toEqual([
      { module_version: 1, summary: { services: { added: 2, changed: 0, unchanged: 0, removed: 0 }, networks: { added: 1, changed: 0, unchanged: 0, removed: 0 } } },
      { module_version: 2, summary: { services: { added: 0, changed: 0, unchanged: 1, removed: 1 }, networks: { added: 0, changed: 1, unchanged: 0, removed: 0 } } },
      { module_version: 3, summary: { services: { added: 0, changed: 0, unchanged: 1, removed: 0 }, networks: { added: 0, changed: 0, unchanged: 0, removed: 1 } } },
      { module_version: 4, summary: { services: { added: 0, changed: 1, unchanged: 0, removed: 0 }, networks: { added: 0, changed: 0, unchanged: 0, removed: 0 } } },
    ]);
  });

  it('a dry run prints the plan and writes nothing', async () => {
    await context.backfill({ sources: [RUNBOOK_SOURCE] });
    const before = await db.snapshot();
    const result = await context.print({ sources: [RUNBOOK_SOURCE], variables: { OBSERVATORY_DATA_DIR: '/var/lib/observatory' }, dryRun: true });
    expect(result).toMatch(/^Module observatory@2: 2 services \(0 added, 1 changed, 1 unchanged, 0 removed\), 1 networks \[dry run: nothing written\]$/m);
    expect(result).toMatch(/service observatory-dashboard: changed/);
    expect(result).toMatch(/service observatory-admin: unchanged/);
    expect(result).toMatch(/network observatory: changed/);
    expect(await db.snapshot()).toEqual(before);
  });

  it('skips side-effecting bootstrap actions by default and runs them on request; setEnvDefaults feeds the defaults either way', async () => {
    const copy = await copyObservatory();
    const dataRoot = join(copy.dir, '..', 'data');
    temporary.push(join(copy.dir, '..'));
    await copy.edit('config.json', (json) => {
      json.bootstrap.actions[0].values = { OBSERVATORY_DATA_ROOT: dataRoot };
      json.bootstrap.actions.push({ type: 'runShellScript', script: 'rm -rf /' });
    });
    const dataDir = async () =>
      (
        await db.query<{ value: string }>(
          `select definition->'env'->1->>'value' as value from service_manifests where service_slug = 'observatory-dashboard' and superseded_at is null`,
        )
      )[0].value;

    const skipped = await context.print({ sources: [{ path: copy.dir }] });
    expect(skipped).toMatch(/bootstrap: 4 action\(s\) not run \(pass --no-bootstrap or --run-bootstrap to run them\)/);
    await expect(readFile(join(dataRoot, 'observatory', 'observatory.json'), 'utf8')).rejects.toThrow(/ENOENT/);
    // The env default set by the first action fed the template default without running anything.
    expect(await dataDir()).toBe(join(dataRoot, 'observatory'));

    const ran = await context.print({ sources: [{ path: copy.dir }], runBootstrap: true });
    expect(ran).toMatch(/bootstrap\.actions\[0\] \(setEnvDefaults\): set OBSERVATORY_DATA_ROOT/);
    expect(ran).toMatch(/bootstrap\.actions\[1\] \(ensureDirectories\): ensured /);
    expect(ran).toMatch(/bootstrap\.actions\[2\] \(writeJsonFile\): wrote /);
    expect(ran).toMatch(/skipped bootstrap\.actions\[3\] \(runShellScript\): unsupported action type/);
    expect(ran).toMatch(/^Module observatory@1: 2 services \(0 added, 0 changed, 2 unchanged, 0 removed\)/m);
    expect(JSON.parse(await readFile(join(dataRoot, 'observatory', 'observatory.json'), 'utf8'))).toEqual({
      module: 'observatory',
      dataDir: join(dataRoot, 'observatory'),
      logLevel: 'info',
    });

    const again = await context.print({ sources: [{ path: copy.dir }], runBootstrap: true });
    expect(again).toMatch(/writeJsonFile\): kept existing /);
  });

  it('imports a module without a descriptor (service-manifests/service-manifest.json) under --module', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bare-module-'));
    temporary.push(dir);
    await cp(join(OBSERVATORY, 'service-manifests'), join(dir, 'service-manifests'), { recursive: true });
    await writeFile(
      join(dir, 'service-manifests', 'service-manifest.json'),
      JSON.stringify([{ slug: 'bare-api', displayName: 'Bare API', kind: 'api', baseUrl: 'https://bare.example.com', env: [{ key: 'MODE', value: { $var: { name: 'BARE_MODE', default: 'fast' } } }] }]),
    );
    const result = await context.print({ sources: [{ path: dir, moduleId: 'bare' }], variables: { BARE_MODE: 'slow' } });
    expect(result).toMatch(/^Module bare@1: 1 services \(1 added, 0 changed, 0 unchanged, 0 removed\), 0 networks$/m);
    expect(await db.query(`select id, health_endpoint from services`)).toEqual([{ id: 'module:bare:bare-api', health_endpoint: '/healthz' }]);
    const [row] = await db.query<{ mode: string }>(`select definition->'env'->0->>'value' as mode from service_manifests`);
    expect(row.mode).toBe('slow');

    const unusedVar = await context.print({ sources: [{ path: dir, moduleId: 'bare' }], variables: { BARE_MODE: 'slow', BARE_MOOD: 'x' } });
    expect(unusedVar).toMatch(/note: --var BARE_MOOD matches no placeholder of module "bare"/);
    expect(unusedVar).toMatch(/1 unchanged/);

    const missing = await failureOf(context.backfill({ sources: [{ path: dir }] }));
    expect(missing.message).toMatch(/pass --module ID to import service-manifests\/service-manifest\.json/);
  });

  it('takes the module from --config alone, and restores a deleted registry entry without a new version', async () => {
    const sources = moduleSources({ config: join(OBSERVATORY, 'config.json') });
    expect(await context.print({ sources })).toMatch(/^Module observatory@1: 2 services \(2 added/m);
    await db.query(`delete from services where slug = 'observatory-admin'`);
    await db.query(`delete from module_resource_contexts where resource_id = 'observatory-admin'`);
    expect(await context.print({ sources })).toMatch(/^Module observatory@1: 2 services \(0 added, 0 changed, 2 unchanged, 0 removed\)/m);
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
    const both = await context.print({ sources: [{ path: OBSERVATORY }, { path: thief }] });
    expect(both).toMatch(/^Module observatory@1: 2 services \(2 added/m);
    expect(both).toMatch(/^Module thief@1: 1 services \(1 added/m);

    // The first module commits; the second then conflicts: the first is reported, the run fails.
    const copy = await copyObservatory();
    temporary.push(join(copy.dir, '..'));
    await copy.edit('service-manifests/service-manifest.json', (json) => {
      json.services[0].baseUrl = 'http://127.0.0.1:4399';
    });
    await declare('observatory-dashboard');
    const reported: string[] = [];
    const service = await failureOf(
      context.backfill({ sources: [{ path: copy.dir }, { path: thief }] }, (report) => reported.push(printed(report))),
    );
    expect(reported).toEqual([expect.stringMatching(/^Module observatory@2: 2 services \(0 added, 1 changed, 1 unchanged, 0 removed\), 1 networks$/m)]);
    expect(service.message).toBe("service slug 'observatory-dashboard' is owned by module 'observatory'");
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
    const failure = await failureOf(context.backfill({ sources: [RUNBOOK_SOURCE] }));
    expect(failure.message).toBe("service slug 'observatory-admin' is registered as an external service");
    expect(await db.snapshot()).toEqual(before);
  });

  it('backfill-module-contexts re-seeds module_resource_contexts from the active rows', async () => {
    await context.backfill({ sources: [RUNBOOK_SOURCE] });
    const seeded = await db.query(`select module_id, resource_type, resource_id, metadata from module_resource_contexts order by id`);
    await db.query(`delete from module_resource_contexts`);
    await db.query(`insert into module_resource_contexts (module_id, resource_type, resource_id) values ('observatory', 'service', 'gone-svc')`);

    const result = await runCli(['backfill-module-contexts', '--module', 'observatory'], { DATABASE_URL: db.url, REDIS_URL: 'inline' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Module observatory: 2 services, 1 networks (3 context rows written, 1 removed)\n');
    expect(await db.query(`select module_id, resource_type, resource_id, metadata from module_resource_contexts order by id`)).toEqual(seeded);

    const unknown = await failureOf(context.reseedContexts('nobody'));
    expect(unknown.message).toBe("module 'nobody' has never been imported");
  });

  it('applies pending migrations first, so it works on an empty database', async () => {
    const empty = await TestDatabase.empty();
    const onEmpty = await BackfillContext.start(empty.url);
    try {
      // A dry run writes nothing, not even the schema: it says what to do instead.
      const dryRun = await failureOf(onEmpty.backfill({ sources: [RUNBOOK_SOURCE], dryRun: true }));
      expect(dryRun.message).toMatch(/^the database schema is not up to date \(\d+ pending migration\(s\)\); a dry run writes nothing: run "migrate"/);
      expect(await empty.query(`select count(*)::int as tables from pg_tables where schemaname = 'public'`)).toEqual([{ tables: 0 }]);

      await onEmpty.backfill({ sources: [RUNBOOK_SOURCE] });
      expect(await empty.query(RUNBOOK_ACTIVE_QUERY)).toHaveLength(2);
    } finally {
      await onEmpty.close();
      await empty.drop();
    }
  });

  it('refuses what names no module, or one module twice', async () => {
    expect((await failureOf(context.backfill({ sources: [] }))).message).toBe('no module to import: give --path DIR (or --config FILE)');
    expect((await failureOf(context.backfill({ sources: [{ path: 'modules/nowhere' }] }))).message).toMatch(/modules\/nowhere: \(file\): module directory not found/);
    expect((await failureOf(context.backfill({ sources: [{ path: OBSERVATORY }, { path: `${OBSERVATORY}/` }] }))).message).toMatch(
      /^--path .* and --path .* are both module "observatory"$/,
    );
  });

  it('rejects bad arguments with a readable reason, and documents every flag in --help', async () => {
    const env = { DATABASE_URL: db.url, REDIS_URL: 'inline' };
    const badVar = await runCli([...RUNBOOK_BACKFILL, '--var', 'MY-VAR=1'], env);
    expect(badVar.code).not.toBe(0);
    expect(badVar.stderr).toMatch(/option '--var <KEY=VALUE>' argument 'MY-VAR=1' is invalid\. "MY-VAR" is not a placeholder name/);
    const unknownFlag = await runCli([...RUNBOOK_BACKFILL, '--force'], env);
    expect(unknownFlag.code).not.toBe(0);
    expect(unknownFlag.stderr).toMatch(/unknown option '--force'/);
    const noModule = await runCli(['backfill-module-contexts'], env);
    expect(noModule.code).not.toBe(0);
    expect(noModule.stderr).toMatch(/required option '--module <id>' not specified/);
    for (const result of [badVar, unknownFlag, noModule]) expect(result.stderr).not.toMatch(/\n\s+at /);

    const help = await runCli(['backfill', '--help'], env);
    expect(help.code).toBe(0);
    for (const flag of ['--path <dir>', '--module <id>', '--config <file>', '--var <KEY=VALUE>', '--no-bootstrap', '--run-bootstrap', '--dry-run']) {
      expect(help.stdout).toContain(flag);
    }
  });
});
