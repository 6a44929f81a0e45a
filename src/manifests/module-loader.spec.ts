import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestValidationError } from './manifest-problems';
import { ModuleLoader } from './module-loader';

const MANIFEST = { services: [{ slug: 'api', displayName: 'API', kind: 'api', baseUrl: 'http://127.0.0.1:1' }] };

describe('ModuleLoader', () => {
  let root: string;
  const loader = new ModuleLoader();

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'module-loader-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function write(path: string, content: unknown): Promise<void> {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }

  async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
    const error = await promise.then(
      () => null,
      (failure: unknown) => failure,
    );
    if (!(error instanceof ManifestValidationError)) throw new Error(`expected a ManifestValidationError, got ${String(error)}`);
    return error.message.split('\n').slice(1);
  }

  it('reads service-config.json with a single manifestPath', async () => {
    await write('mod/service-config.json', { module: 'mod', manifestPath: 'manifest.json', placeholders: [{ name: 'A', default: 'x' }] });
    await write('mod/manifest.json', MANIFEST);
    const module = await loader.load({ path: join(root, 'mod') });
    expect(module.moduleId).toBe('mod');
    expect(module.placeholders).toEqual([{ name: 'A', default: 'x' }]);
    expect(module.services.map((located) => [located.path, located.entry.slug])).toEqual([['services[0]', 'api']]);
  });

  it('prefers config.json and skips bundle and workflow manifests with a note', async () => {
    await write('mod/config.json', {
      module: 'mod',
      manifests: [{ path: 'services.json' }, { path: 'bundle.json', kind: 'bundle' }, { path: 'missing-workflow.json', kind: 'workflow' }],
    });
    await write('mod/service-config.json', 'not even JSON');
    await write('mod/services.json', MANIFEST);
    const module = await loader.load({ path: join(root, 'mod') });
    expect(module.notes).toEqual([
      'skipped bundle.json: manifests of kind "bundle" are not registry input',
      'skipped missing-workflow.json: manifests of kind "workflow" are not registry input',
    ]);
  });

  it('uses --config instead of the directory\'s descriptor', async () => {
    await write('mod/config.json', { module: 'mod', manifestPath: 'nowhere.json' });
    await write('elsewhere/alt.json', { module: 'alt', manifestPath: 'manifest.json' });
    await write('mod/manifest.json', MANIFEST);
    const module = await loader.load({ path: join(root, 'mod'), configFile: join(root, 'elsewhere', 'alt.json') });
    expect(module.moduleId).toBe('alt');
    expect(module.descriptorFile).toBe(join(root, 'elsewhere', 'alt.json')); // outside the working directory: shown absolute
  });

  it('refuses a manifest reached through a symbolic link that leaves the module', async () => {
    await write('outside/manifest.json', MANIFEST);
    await write('mod/config.json', { module: 'mod', manifestPath: 'linked/manifest.json' });
    await symlink(join(root, 'outside'), join(root, 'mod', 'linked'));
    expect(await problemsOf(loader.load({ path: join(root, 'mod') }))).toEqual([
      expect.stringMatching(/config\.json: manifestPath: "linked\/manifest\.json" resolves outside the module directory \(through a symbolic link\)$/),
    ]);
  });

  it('refuses an absolute manifest path outside the module', async () => {
    await write('outside/manifest.json', MANIFEST);
    await write('mod/config.json', { module: 'mod', manifests: [{ path: join(root, 'outside', 'manifest.json') }] });
    expect(await problemsOf(loader.load({ path: join(root, 'mod') }))).toEqual([
      expect.stringMatching(/config\.json: manifests\[0\]\.path: ".*" resolves outside the module directory$/),
    ]);
  });

  it('reports problems of every manifest file together', async () => {
    await write('mod/config.json', { module: 'mod', manifests: [{ path: 'a.json' }, { path: 'b.json' }, { path: 'c.json' }] });
    await write('mod/a.json', '{"services": [');
    await write('mod/b.json', { services: [{ slug: 'B' }] });
    await write('mod/c.json', MANIFEST);
    const problems = await problemsOf(loader.load({ path: join(root, 'mod') }));
    expect(problems).toEqual([
      expect.stringMatching(/a\.json: \(file\): is not valid JSON: Unexpected end of JSON input$/),
      expect.stringMatching(/b\.json: services\[0\]\.displayName: is required$/),
      expect.stringMatching(/b\.json: services\[0\]\.kind: is required$/),
      expect.stringMatching(/b\.json: services\[0\]\.baseUrl: is required$/),
      expect.stringMatching(/b\.json: services\[0\]\.slug: must be lower-case letters, .*, got "B"$/),
    ]);
  });

  it('rejects an invalid --module for the bare layout', async () => {
    await write('mod/service-manifests/service-manifest.json', MANIFEST);
    expect(await problemsOf(loader.load({ path: join(root, 'mod'), moduleId: 'Not Valid' }))).toEqual([
      '--module: (argument): "Not Valid" is not a valid module id (letters, digits, ".", "_", "-", "/", "@" and ":", starting with a letter, a digit or "@", at most 200 characters)',
    ]);
  });

  it('finds the descriptor in service-manifests/ and reads its manifest paths relative to that folder', async () => {
    await write('mod/service-manifests/service-config.json', { module: 'github.com/apphub/examples/mod', manifestPath: './service-manifest.json' });
    await write('mod/service-manifests/service-manifest.json', MANIFEST);
    const module = await loader.load({ path: join(root, 'mod') });
    expect(module.moduleId).toBe('github.com/apphub/examples/mod');
    expect(module.descriptorFile).toBe(join(root, 'mod', 'service-manifests', 'service-config.json'));
    expect(module.services.map(({ file, entry }) => [file, entry.slug])).toEqual([[join(root, 'mod', 'service-manifests', 'service-manifest.json'), 'api']]);
  });

  it('looks for config.json, then service-config.json, then service-manifests/service-config.json', async () => {
    await write('mod/service-manifests/service-config.json', { module: 'third', manifestPath: 'service-manifest.json' });
    await write('mod/service-manifests/service-manifest.json', MANIFEST);
    expect((await loader.load({ path: join(root, 'mod') })).moduleId).toBe('third');
    await write('mod/service-config.json', { module: 'second', manifestPath: 'service-manifests/service-manifest.json' });
    expect((await loader.load({ path: join(root, 'mod') })).moduleId).toBe('second');
    await write('mod/config.json', { module: 'first', manifestPath: 'service-manifests/service-manifest.json' });
    expect((await loader.load({ path: join(root, 'mod') })).moduleId).toBe('first');
  });

  it('reads a bare service-manifest.json at the module root under --module', async () => {
    await write('mod/service-manifest.json', [MANIFEST.services[0]]);
    const module = await loader.load({ path: join(root, 'mod'), moduleId: 'local:examples/mod' });
    expect(module.moduleId).toBe('local:examples/mod');
    expect(module.descriptorFile).toBeNull();
    expect(module.services.map(({ path }) => path)).toEqual(['[0]']);
    expect(await problemsOf(loader.load({ path: join(root, 'mod') }))).toEqual([
      `${join(root, 'mod')}: (file): no descriptor (config.json, service-config.json, service-manifests/service-config.json): pass --module ID to import service-manifest.json`,
    ]);
  });

  it('ignores descriptor keys it does not use, with one note each; imports are listed, not followed', async () => {
    await write('mod/service-config.json', {
      $schema: '../schemas/module-descriptor.schema.json',
      configVersion: '1.0',
      module: 'github.com/apphub/local-services',
      manifestPath: 'manifest.json',
      imports: [{ module: 'github.com/apphub/a', repo: 'https://github.com/apphub/apphub.git', commit: 'abc1234' }, { module: 'github.com/apphub/b', path: '../b' }],
      'x-owner': { team: 'platform' },
    });
    await write('mod/manifest.json', MANIFEST);
    const module = await loader.load({ path: join(root, 'mod') });
    const file = join(root, 'mod', 'service-config.json');
    expect(module.notes).toEqual([
      `${file}: $schema: not used by the registry (ignored)`,
      `${file}: configVersion: not used by the registry (ignored)`,
      `${file}: imports: not followed (a backfill reads only local files): github.com/apphub/a, github.com/apphub/b`,
      `${file}: ["x-owner"]: not used by the registry (ignored)`,
    ]);
  });

  it('allows $schema in a manifest file, and nothing else unknown', async () => {
    await write('mod/config.json', { module: 'mod', manifestPath: 'manifest.json' });
    await write('mod/manifest.json', { $schema: '../schemas/service-manifest.schema.json', ...MANIFEST, service: [] });
    expect(await problemsOf(loader.load({ path: join(root, 'mod') }))).toEqual([
      expect.stringMatching(/manifest\.json: service: unknown key \(allowed here: \$schema, services, networks\)$/),
    ]);
  });

  it('refuses a descriptor template with an unknown filter before anything runs', async () => {
    await write('mod/config.json', {
      module: 'mod',
      manifestPath: 'manifest.json',
      bootstrap: { actions: [{ type: 'writeJsonFile', path: '/tmp/x.json', content: { workers: '{{ variables.W | default:1 | nmber }}' } }] },
    });
    await write('mod/manifest.json', MANIFEST);
    expect(await problemsOf(loader.load({ path: join(root, 'mod') }))).toEqual([
      expect.stringMatching(/config\.json: bootstrap\.actions\[0\]\.content\.workers: unknown filter "nmber" in \{\{ variables\.W \| default:1 \| nmber \}\}/),
    ]);
  });
});
