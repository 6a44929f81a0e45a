import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import request from 'supertest';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { InProcessApp, startInProcessApp } from '../support/in-process-app';
import { TestDatabase } from '../support/test-database';
import { BackfillContext } from './backfill-context';

const FIXTURES = join('test', 'fixtures', 'apphub-modules');
const EVENT_DRIVEN = join(FIXTURES, 'environmental-observatory-event-driven');
const OBSERVATORY = join(FIXTURES, 'environmental-observatory');
const LOCAL_SERVICES = join(FIXTURES, 'local-services');
const BARE = join(FIXTURES, 'bare-service-manifest');

/** One fixture per layout AppHub has shipped (see test/fixtures/apphub-modules/README.md). */
const GENERATIONS = [
  { name: 'config.json with configVersion, $schema, manifests[] and a templated bootstrap', path: EVENT_DRIVEN, moduleId: 'github.com/apphub/examples/environmental-observatory-event-driven', services: 2, networks: 1 },
  { name: 'service-manifests/service-config.json with $var objects', path: OBSERVATORY, moduleId: 'github.com/apphub/examples/environmental-observatory', services: 2, networks: 1 },
  { name: 'service-config.json with imports', path: LOCAL_SERVICES, moduleId: 'github.com/apphub/local-services', services: 2, networks: 0 },
  { name: 'a bare service-manifest.json under --module', path: BARE, moduleId: 'local:examples/bare-catalog', given: 'local:examples/bare-catalog', services: 1, networks: 0 },
];

/** Every file under `dir` (relative paths), to show a bootstrap wrote nothing there. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name))).sort();
}

describe('modules as AppHub ships them', () => {
  let db: TestDatabase;
  let context: BackfillContext;
  let scratch: string;
  const env = () => ({ ...process.env, APPHUB_SCRATCH_ROOT: scratch });

  beforeEach(async () => {
    db = await TestDatabase.migrated();
    context = await BackfillContext.start(db.url);
    scratch = await mkdtemp(join(tmpdir(), 'apphub-scratch-'));
  });

  afterEach(async () => {
    await context?.close();
    await db?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  describe.each(GENERATIONS)('$name', ({ path, moduleId, given, services, networks }) => {
    const sources = [{ path, moduleId: given }];

    it('imports, re-imports as a no-op, and runs its bootstrap only on request, into the scratch folder', async () => {
      const before = await listFiles(path);
      const [first] = await context.backfill({ sources, env: env() });
      expect(first.result).toMatchObject({ moduleId, version: 1, services: { total: services, added: services }, networks: { total: networks, added: networks } });
      expect(await listFiles(scratch)).toEqual([]);

      const snapshot = await db.snapshot();
      const [again] = await context.backfill({ sources, env: env(), runBootstrap: true });
      expect(again.result).toMatchObject({ version: 1, changed: false, services: { added: 0, changed: 0, unchanged: services, removed: 0 }, networks: { added: 0, changed: 0 } });
      expect(await db.snapshot()).toEqual(snapshot);
      expect(again.bootstrap.filter((line) => / failed/.test(line))).toEqual([]);

      // Whatever the bootstrap wrote is in the scratch folder; the module's folder is untouched.
      expect(await listFiles(path)).toEqual(before);
      const ids = await db.query<{ id: string }>(`select id from services where module_id = $1 order by id`, [moduleId]);
      expect(ids.map(({ id }) => id.slice(0, id.lastIndexOf(':')))).toEqual(Array(services).fill(`module:${moduleId}`));
    });
  });

  it('config.json generation: skips bundles and workflows, notes ignored keys, feeds setEnvDefaults to placeholders, writes typed JSON', async () => {
    const [report] = await context.backfill({ sources: [{ path: EVENT_DRIVEN }], env: env(), runBootstrap: true });
    expect(report.notes).toEqual([
      `${join(EVENT_DRIVEN, 'config.json')}: $schema: not used by the registry (ignored)`,
      `${join(EVENT_DRIVEN, 'config.json')}: configVersion: not used by the registry (ignored)`,
      'skipped bundles/observatory-ingest.json: manifests of kind "bundle" are not registry input',
      'skipped workflows/observatory-minute-ingest.json: manifests of kind "workflow" are not registry input',
    ]);
    const root = join(scratch, 'event-driven');
    expect(report.bootstrap).toEqual([
      'bootstrap.actions[0] (setEnvDefaults): set OBSERVATORY_DATA_ROOT, OBSERVATORY_CONFIG_PATH, OBSERVATORY_CALIBRATION_MODE',
      `bootstrap.actions[1] (ensureDirectories): ensured ${join(root, 'inbox')}, ${join(root, 'archive')}`,
      `bootstrap.actions[2] (writeJsonFile): wrote ${join(root, 'config', 'observatory-config.json')}`,
      'skipped bootstrap.actions[3] (applyWorkflowDefaults): unsupported action type (supported: setEnvDefaults, ensureDirectories, writeJsonFile)',
    ]);
    expect(JSON.parse(await readFile(join(root, 'config', 'observatory-config.json'), 'utf8'))).toEqual({
      module: 'github.com/apphub/examples/environmental-observatory-event-driven',
      filestore: { baseUrl: 'http://127.0.0.1:4300', inbox: join(root, 'inbox') },
      ingest: { workers: 4, maxFilesPerRun: 1, dryRun: false },
      timestore: { token: null },
      calibration: 'STRICT',
    });
    expect((await stat(join(root, 'archive'))).isDirectory()).toBe(true);

    const [gateway] = await db.query<{ definition: any }>(`select definition from service_manifests where service_slug = 'observatory-event-gateway' and superseded_at is null`);
    expect(gateway.definition.env).toEqual([
      { key: 'PORT', value: '4410' },
      { key: 'OBSERVATORY_CONFIG_PATH', value: join(root, 'config', 'observatory-config.json') },
      { key: 'FILESTORE_BASE_URL', value: 'http://127.0.0.1:4300' },
      { key: 'INGEST_WORKERS', value: '4' },
    ]);
    expect(gateway.definition.placeholders).toEqual({
      OBSERVATORY_GATEWAY_PORT: 'module-default',
      OBSERVATORY_CONFIG_PATH: 'env-default',
      OBSERVATORY_FILESTORE_BASE_URL: 'module-default',
      OBSERVATORY_INGEST_WORKERS: 'module-default',
    });
    const [calibration] = await db.query<{ mode: string }>(
      `select definition->'env'->0->>'value' as mode from service_manifests where service_slug = 'observatory-calibration-api' and superseded_at is null`,
    );
    expect(calibration.mode).toBe('strict');

    // --var wins over every default; the environment over a setEnvDefaults template.
    const [changed] = await context.backfill({
      sources: [{ path: EVENT_DRIVEN }],
      env: { ...env(), OBSERVATORY_FILESTORE_BASE_URL: 'http://filestore.internal:4300' },
      variables: { OBSERVATORY_INGEST_WORKERS: '8' },
    });
    expect(changed.result).toMatchObject({ version: 2, services: { changed: 1, unchanged: 1 } });
    const [moved] = await db.query<{ env: unknown }>(`select definition->'env' as env from service_manifests where service_slug = 'observatory-event-gateway' and superseded_at is null`);
    expect(moved.env).toEqual([
      { key: 'PORT', value: '4410' },
      { key: 'OBSERVATORY_CONFIG_PATH', value: join(root, 'config', 'observatory-config.json') },
      { key: 'FILESTORE_BASE_URL', value: 'http://filestore.internal:4300' },
      { key: 'INGEST_WORKERS', value: '8' },
    ]);
  });

  it('service-config.json with imports: listed as not followed, nothing else read', async () => {
    const [report] = await context.backfill({ sources: [{ path: LOCAL_SERVICES }], env: env() });
    expect(report.notes).toEqual([
      `${join(LOCAL_SERVICES, 'service-config.json')}: configVersion: not used by the registry (ignored)`,
      `${join(LOCAL_SERVICES, 'service-config.json')}: imports: not followed (a backfill reads only local files): github.com/apphub/examples/environmental-observatory`,
    ]);
    expect(await db.query(`select distinct module_id from service_manifests`)).toEqual([{ module_id: 'github.com/apphub/local-services' }]);
    const [filestore] = await db.query<{ env: unknown; placeholders: unknown }>(
      `select definition->'env' as env, definition->'placeholders' as placeholders from service_manifests where service_slug = 'local-filestore' and superseded_at is null`,
    );
    expect(filestore).toEqual({
      env: [
        { key: 'PORT', value: '4300' },
        { key: 'FILESTORE_ROOT', value: join(scratch, 'local-services', 'filestore') },
      ],
      placeholders: { LOCAL_FILESTORE_PORT: 'module-default', FILESTORE_ROOT: 'env-default' },
    });
  });

  it('a placeholder with no value anywhere fails naming it, writes nothing, and imports with --var', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'local-services-'));
    try {
      await cp(LOCAL_SERVICES, copy, { recursive: true });
      const manifest = JSON.parse(await readFile(join(copy, 'service-manifest.json'), 'utf8'));
      manifest.services[1].slug = 'local-metastore-copy';
      manifest.services[0].slug = 'local-filestore-copy';
      manifest.services[1].env = [{ key: 'METASTORE_TOKEN', value: '${METASTORE_TOKEN}' }];
      await writeFile(join(copy, 'service-manifest.json'), JSON.stringify(manifest));
      await writeFile(join(copy, 'service-config.json'), (await readFile(join(copy, 'service-config.json'), 'utf8')).replace('github.com/apphub/local-services', 'github.com/apphub/local-services-copy'));

      const before = await db.snapshot();
      const failure = await context.backfill({ sources: [{ path: copy }], env: env() }).then(
        () => null,
        (error: Error) => error,
      );
      expect(failure?.message).toMatch(/service-manifest\.json: services\[1\]\.env\[0\]\.value: placeholder "METASTORE_TOKEN" has no value \(pass --var METASTORE_TOKEN=VALUE or give it a default\)/);
      expect(await db.snapshot()).toEqual(before);

      const [report] = await context.backfill({ sources: [{ path: copy }], env: env(), variables: { METASTORE_TOKEN: 's3cret' } });
      expect(report.result).toMatchObject({ moduleId: 'github.com/apphub/local-services-copy', services: { added: 2 } });
      const [row] = await db.query<{ token: string; source: string }>(
        `select definition->'env'->0->>'value' as token, definition->'placeholders'->>'METASTORE_TOKEN' as source from service_manifests where service_slug = 'local-metastore-copy'`,
      );
      expect(row).toEqual({ token: 's3cret', source: 'var' });
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});

describe('AppHub module ids through the HTTP API', () => {
  let db: TestDatabase;
  let registry: InProcessApp;

  beforeAll(async () => {
    db = await TestDatabase.migrated();
    const context = await BackfillContext.start(db.url);
    try {
      await context.backfill({ sources: [{ path: LOCAL_SERVICES }, { path: OBSERVATORY }] });
    } finally {
      await context.close();
    }
    registry = await startInProcessApp({ DATABASE_URL: db.url, REDIS_URL: 'inline' });
  });

  afterAll(async () => {
    await registry?.close();
    await db?.drop();
  });

  it('GET /services?moduleId=github.com/apphub/local-services answers that module\'s services', async () => {
    const body = await eventually(async () => {
      const response = await request(registry.server).get('/services').query({ moduleId: 'github.com/apphub/local-services' }).expect(200);
      expect(response.body.data.map((service: { slug: string }) => service.slug).sort()).toEqual(['local-filestore', 'local-metastore']);
      return response.body;
    });
    expect(body.meta.filters).toEqual({ moduleId: 'github.com/apphub/local-services' });
    expect(body.data.map((service: { id: string; moduleId: string }) => [service.id, service.moduleId]).sort()).toEqual([
      ['module:github.com/apphub/local-services:local-filestore', 'github.com/apphub/local-services'],
      ['module:github.com/apphub/local-services:local-metastore', 'github.com/apphub/local-services'],
    ]);
  });

  it('GET /modules/<percent-encoded id>/resources answers the module\'s services and networks', async () => {
    const local = await request(registry.server).get('/modules/github.com%2Fapphub%2Flocal-services/resources').expect(200);
    expect(JSON.stringify(local.body)).toContain('local-filestore');
    expect(JSON.stringify(local.body)).toContain('local-metastore');
    expect(JSON.stringify(local.body)).not.toContain('observatory-timestore');

    const observatory = await request(registry.server).get(`/modules/${encodeURIComponent('github.com/apphub/examples/environmental-observatory')}/resources`).expect(200);
    expect(JSON.stringify(observatory.body)).toContain('observatory-timestore');
    expect(JSON.stringify(observatory.body)).toContain('"environmental-observatory"');

    const bad = await request(registry.server).get('/modules/not%20valid/resources').expect(400);
    expect(bad.body.message).toMatch(/^moduleId must be letters, digits/);
    await request(registry.server).get('/services').query({ moduleId: 'not valid' }).expect(400);
  });
});

describe('AppHub modules from the command line', () => {
  let db: TestDatabase;
  let scratch: string;

  beforeAll(async () => {
    db = await TestDatabase.migrated();
    scratch = await mkdtemp(join(tmpdir(), 'apphub-scratch-'));
  });

  afterAll(async () => {
    await db?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('backfill --no-bootstrap (the runbook spelling) runs the bootstrap into APPHUB_SCRATCH_ROOT; backfill-module-contexts takes the URL-like id', async () => {
    const cliEnv = { DATABASE_URL: db.url, REDIS_URL: 'inline', APPHUB_SCRATCH_ROOT: scratch };
    const result = await runCli(['backfill', '--path', OBSERVATORY, '--module', 'github.com/apphub/examples/environmental-observatory', '--no-bootstrap'], cliEnv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`bootstrap\\.actions\\[0\\] \\(ensureDirectories\\): ensured ${join(scratch, 'environmental-observatory', 'staging')}\\n`));
    expect(result.stdout.trim().split('\n').pop()).toMatch(/^Module github\.com\/apphub\/examples\/environmental-observatory@\d+: 2 services \(/);
    expect((await stat(join(scratch, 'environmental-observatory', 'staging'))).isDirectory()).toBe(true);

    const contexts = await runCli(['backfill-module-contexts', '--module', 'github.com/apphub/examples/environmental-observatory'], cliEnv);
    expect(contexts.code).toBe(0);
    expect(contexts.stdout).toMatch(/^Module github\.com\/apphub\/examples\/environmental-observatory: 2 services, 1 networks \(0 context rows written, 0 removed\)\n$/);
  });

  it('validate needs no database: exit 0 on a good module, 1 with the backfill\'s messages on a bad one', async () => {
    const dead = { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/nowhere', REDIS_URL: 'redis://127.0.0.1:9' };
    const good = await runCli(['validate', '--path', EVENT_DRIVEN, '--path', LOCAL_SERVICES, '--var', 'OBSERVATORY_INGEST_WORKERS=2'], dead);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('placeholder OBSERVATORY_CONFIG_PATH: env-default\n');
    expect(good.stdout).toContain('placeholder OBSERVATORY_INGEST_WORKERS: var\n');
    expect(good.stdout).toContain('note: test/fixtures/apphub-modules/local-services/service-config.json: imports: not followed');
    expect(good.stdout).toContain('Module github.com/apphub/examples/environmental-observatory-event-driven: 2 services, 1 networks: valid (4 bootstrap action(s) not run)\n');
    expect(good.stdout).toContain('Module github.com/apphub/local-services: 2 services, 0 networks: valid (2 bootstrap action(s) not run)\n');

    const bad = await runCli(['validate', '--path', join('test', 'fixtures', 'malformed-modules', 'many-problems'), '--module', 'broken'], dead);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^error: module at test\/fixtures\/malformed-modules\/many-problems is invalid: 6 problems\n/);
    expect(bad.stderr).toContain('services[1].colour: unknown key');
  });
});
