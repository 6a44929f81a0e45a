import { join } from 'node:path';
import { runCli } from '../support/cli';
import { TestDatabase } from '../support/test-database';
import { BackfillContext } from './backfill-context';

const FIXTURES = join('test', 'fixtures', 'malformed-modules');
const SLUG_RULE = 'must be lower-case letters, digits and "-" \\(no leading, trailing or double "-"\\), 1 to 100 characters';

/** Each malformed module, the `--module` it is run with, and what the error must say. */
const CASES: { fixture: string; module?: string; expected: RegExp[] }[] = [
  { fixture: 'invalid-json', expected: [/service-manifest\.json: \(file\): is not valid JSON: .* at line 3, column 29/] },
  { fixture: 'empty-file', expected: [/service-manifest\.json: \(file\): is empty/] },
  { fixture: 'empty-descriptor', expected: [/config\.json: \(file\): is empty/] },
  { fixture: 'not-a-module', expected: [/not a module directory/] },
  { fixture: 'missing-manifest-file', expected: [/config\.json: manifestPath: manifest file "service-manifests\/nowhere\.json" not found/] },
  { fixture: 'path-escape', expected: [/config\.json: manifestPath: ".*" resolves outside the module directory/] },
  { fixture: 'module-id-mismatch', module: 'beta', expected: [/config\.json: module: is "alpha" but --module says "beta"/] },
  { fixture: 'unknown-key', expected: [/services\[0\]\.healthcheck: unknown key \(allowed here: slug, displayName, kind, baseUrl, healthEndpoint,/] },
  { fixture: 'wrong-type', expected: [/services\[0\]\.displayName: must be a string, got a number \(42\)/] },
  { fixture: 'bad-slug', expected: [new RegExp(`services\\[0\\]\\.slug: ${SLUG_RULE}, got "Broken_Service"`)] },
  { fixture: 'non-http-base-url', expected: [/services\[0\]\.baseUrl: must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/127\.0\.0\.1\/files"/] },
  { fixture: 'duplicate-slugs', expected: [/b\.json: services\[0\]\.slug: duplicate service slug "broken-svc" \(also at .*a\.json: services\[0\]\.slug\)/] },
  { fixture: 'missing-required', expected: [/services\[0\]\.baseUrl: is required/] },
  { fixture: 'env-without-value', expected: [/services\[0\]\.env\[0\]: needs "value" or "fromService"/] },
  { fixture: 'bad-from-service', expected: [/services\[0\]\.env\[0\]\.fromService\.property: must be one of instanceUrl, baseUrl, host, port, got a string \("url"\)/] },
  { fixture: 'bad-tags', expected: [/services\[0\]\.tags\[0\]\.value: is required/] },
  { fixture: 'depends-on-non-member', expected: [/networks\[0\]\.services\[0\]\.dependsOn\[0\]: "ghost-svc" is not a member of network "broken-net"/] },
  { fixture: 'depends-on-cycle', expected: [/networks\[0\]\.services\[0\]\.dependsOn: forms a cycle: a-svc -> c-svc -> b-svc -> a-svc/] },
  { fixture: 'network-without-members', expected: [/networks\[0\]\.services: must not be empty/] },
  {
    fixture: 'missing-placeholder',
    expected: [
      /manifest\.json: services\[0\]\.env\[0\]\.value: placeholder "BROKEN_TOKEN" has no value .*also used at services\[1\]\.env\[0\]\.value/,
      /manifest\.json: services\[0\]\.env\[1\]\.value: placeholder "DOCUMENTED_ONLY" has no value/,
    ],
  },
  { fixture: 'bad-liquid-default', expected: [/config\.json: placeholders\[0\]\.default: is not a valid Liquid template: tag \{% if env\.HOME %\} not closed/] },
  { fixture: 'unknown-template-filter', expected: [/config\.json: bootstrap\.actions\[1\]\.content\.workers: unknown filter "nmber" in \{\{ variables\.WORKERS \| default:4 \| nmber \}\}/] },
  { fixture: 'no-services-no-networks', expected: [/\(root\): declares no services and no networks/] },
  { fixture: 'descriptor-both-manifest-forms', expected: [/config\.json: \(root\): give either "manifestPath" or "manifests", not both/] },
  { fixture: 'bad-placeholder-object', expected: [/services\[0\]\.env\[0\]\.value\.\$var\.nme: unknown key/, /services\[0\]\.env\[0\]\.value\.\$var\.name: is required/] },
  {
    fixture: 'many-problems',
    expected: [
      /6 problems/,
      new RegExp(`services\\[0\\]\\.slug: ${SLUG_RULE}, got "Bad Slug"`),
      /services\[0\]\.baseUrl: must be an http:\/\/ or https:\/\/ URL, got "not a url"/,
      /services\[0\]\.env\[0\]\.key: must be letters, digits and "_", not starting with a digit, got "1X"/,
      /services\[0\]\.env\[0\]\.value: must be a string or a \{ "\$var"/,
      /services\[1\]\.colour: unknown key/,
      /services\[1\]\.kind: must be a string, got a list/,
    ],
  },
  { fixture: 'only-workflow-manifests', expected: [/config\.json: \(root\): the module declares no services and no networks/] },
  { fixture: 'slug-owned-by-another-module', expected: [/^service slug 'observatory-dashboard' is owned by module 'observatory'$/] },
  { fixture: 'network-owned-by-another-module', expected: [/^network 'observatory' is owned by module 'observatory'$/] },
];

describe('backfill of malformed modules', () => {
  let db: TestDatabase;
  let context: BackfillContext;

  beforeAll(async () => {
    db = await TestDatabase.migrated();
    context = await BackfillContext.start(db.url);
    // A registry with content, so "nothing changed" covers existing rows too.
    await context.backfill({ sources: [{ path: 'modules/observatory/dist', moduleId: 'observatory' }] });
  });

  afterAll(async () => {
    await context?.close();
    await db?.drop();
  });

  it('covers every fixture in test/fixtures/malformed-modules', async () => {
    const { readdir } = await import('node:fs/promises');
    expect(CASES.map(({ fixture }) => fixture).sort()).toEqual((await readdir(FIXTURES)).sort());
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES)('$fixture: refused with its message, every table left as it was', async ({ fixture, module, expected }) => {
    const before = await db.snapshot();
    const failure = await context.backfill({ sources: [{ path: join(FIXTURES, fixture), moduleId: module ?? 'broken' }] }).then(
      () => null,
      (error: Error) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    for (const pattern of expected) expect(failure!.message).toMatch(pattern);
    expect(await db.snapshot()).toEqual(before);
  });

  it('the CLI exits 1 with "error: " and the problems, no stack trace, nothing on stdout, nothing written', async () => {
    const env = { DATABASE_URL: db.url, REDIS_URL: 'inline' };
    const before = await db.snapshot();
    const invalid = await runCli(['backfill', '--path', join(FIXTURES, 'many-problems'), '--module', 'broken'], env);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error: module at test\/fixtures\/malformed-modules\/many-problems is invalid: 6 problems\n/);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(7);
    expect(invalid.stdout).toBe('');

    const conflict = await runCli(['backfill', '--path', join(FIXTURES, 'slug-owned-by-another-module'), '--module', 'broken'], env);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toBe("error: service slug 'observatory-dashboard' is owned by module 'observatory'\n");
    expect(conflict.stdout).toBe('');
    for (const result of [invalid, conflict]) expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await db.snapshot()).toEqual(before);
  });
});
