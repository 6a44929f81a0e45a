import { join } from 'node:path';
import { runCli } from '../support/cli';
import { TestDatabase } from '../support/test-database';

const FIXTURES = join('test', 'fixtures', 'malformed-modules');

/** Each malformed module, the `--module` it is run with, and what the error must say. */
const CASES: { fixture: string; module?: string; expected: RegExp[] }[] = [
  { fixture: 'invalid-json', expected: [/service-manifest\.json: \(file\): is not valid JSON: .* at line 3, column 29/] },
  { fixture: 'empty-file', expected: [/service-manifest\.json: \(file\): is empty/] },
  { fixture: 'empty-descriptor', expected: [/config\.json: \(file\): is empty/] },
  { fixture: 'not-a-module', expected: [/not a module directory/] },
  { fixture: 'missing-manifest-file', expected: [/config\.json: manifestPath: manifest file "service-manifests\/nowhere\.json" not found/] },
  { fixture: 'path-escape', expected: [/config\.json: manifestPath: ".*" resolves outside the module directory/] },
  { fixture: 'module-id-mismatch', module: 'beta', expected: [/config\.json: module: is "alpha" but --module says "beta"/] },
  { fixture: 'unknown-key', expected: [/services\[0\]\.healthcheck: unknown key/] },
  { fixture: 'wrong-type', expected: [/services\[0\]\.displayName: must be a string, got a number \(42\)/] },
  { fixture: 'bad-slug', expected: [/services\[0\]\.slug: "Broken_Service" is not valid \(lower-case letters, digits and "-"/] },
  { fixture: 'non-http-base-url', expected: [/services\[0\]\.baseUrl: "ftp:\/\/127\.0\.0\.1\/files" must be an http:\/\/ or https:\/\/ URL/] },
  { fixture: 'duplicate-slugs', expected: [/b\.json: services\[0\]\.slug: duplicate service slug "broken-svc" \(also at .*a\.json: services\[0\]\.slug\)/] },
  { fixture: 'missing-required', expected: [/services\[0\]\.baseUrl: is required/] },
  { fixture: 'env-without-value', expected: [/services\[0\]\.env\[0\]: needs "value" or "fromService"/] },
  { fixture: 'bad-from-service', expected: [/services\[0\]\.env\[0\]\.fromService\.property: must be one of instanceUrl, baseUrl, host, port/] },
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
  { fixture: 'no-services-no-networks', expected: [/\(root\): declares no services and no networks/] },
  { fixture: 'descriptor-both-manifest-forms', expected: [/config\.json: manifests: give either "manifestPath" or "manifests", not both/] },
  { fixture: 'bad-placeholder-object', expected: [/services\[0\]\.env\[0\]\.value\.\$var\.nme: unknown key/, /services\[0\]\.env\[0\]\.value\.\$var\.name: is required/] },
  {
    fixture: 'many-problems',
    expected: [
      /6 problems/,
      /services\[0\]\.slug: "Bad Slug" is not valid/,
      /services\[0\]\.baseUrl: "not a url" is not a URL/,
      /services\[0\]\.env\[0\]\.key: "1X" is not valid/,
      /services\[0\]\.env\[0\]\.value: must be a string or a \{ "\$var"/,
      /services\[1\]\.colour: unknown key/,
      /services\[1\]\.kind: must be a string, got a list/,
    ],
  },
  { fixture: 'only-workflow-manifests', expected: [/config\.json: \(root\): the module declares no services and no networks/] },
  { fixture: 'slug-owned-by-another-module', expected: [/service slug 'observatory-dashboard' is owned by module 'observatory'/] },
  { fixture: 'network-owned-by-another-module', expected: [/^error: network 'observatory' is owned by module 'observatory'$/m] },
];

describe('backfill of malformed modules', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await TestDatabase.migrated();
    env = { DATABASE_URL: db.url, REDIS_URL: 'inline' };
    // A registry with content, so "nothing changed" covers existing rows too.
    const seeded = await runCli(['backfill', '--path', 'modules/observatory/dist', '--module', 'observatory'], env);
    expect(seeded.code).toBe(0);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('covers at least 20 malformed modules', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES)('$fixture: exits non-zero, names the problem, leaves every table as it was', async ({ fixture, module, expected }) => {
    const before = await db.snapshot();
    const result = await runCli(['backfill', '--path', join(FIXTURES, fixture), '--module', module ?? 'broken'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: /);
    for (const pattern of expected) expect(result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stdout).toBe('');
    expect(await db.snapshot()).toEqual(before);
  });
});
