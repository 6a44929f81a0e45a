import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblem, ManifestProblem } from './manifest-problems';
import { ManifestValidator } from './manifest-validator';
import { TemplateRenderer } from './template-renderer';

const OBSERVATORY = join(__dirname, '..', '..', 'modules', 'observatory', 'dist');
const readJson = (path: string) => JSON.parse(readFileSync(join(OBSERVATORY, path), 'utf8'));
const SLUG_RULE = 'must be lower-case letters, digits and "-" (no leading, trailing or double "-"), 1 to 100 characters';

function manifestProblems(value: unknown): string[] {
  const problems: ManifestProblem[] = [];
  ManifestValidator.validateManifestFile(value, 'm.json', problems);
  return problems.map(formatProblem);
}

function descriptorProblems(value: unknown): string[] {
  const problems: ManifestProblem[] = [];
  const descriptor = ManifestValidator.validateDescriptor(value, 'config.json', problems);
  if (descriptor) ManifestValidator.checkTemplates(descriptor, 'config.json', new TemplateRenderer(), problems);
  return problems.map(formatProblem);
}

const service = (overrides: Record<string, unknown> = {}) => ({ slug: 'api', displayName: 'API', kind: 'api', baseUrl: 'https://api.example.com', ...overrides });
const app = { id: 'a', name: 'A', description: '', repoUrl: 'r', dockerfilePath: 'Dockerfile' };
const network = (members: unknown[], overrides: Record<string, unknown> = {}) => ({
  id: 'net',
  name: 'Net',
  description: 'd',
  repoUrl: 'r',
  dockerfilePath: 'Dockerfile',
  services: members,
  ...overrides,
});

describe('ManifestValidator', () => {
  it('accepts the observatory module', () => {
    expect(manifestProblems(readJson('service-manifests/service-manifest.json'))).toEqual([]);
    expect(manifestProblems(readJson('service-manifests/networks.json'))).toEqual([]);
    expect(descriptorProblems(readJson('config.json'))).toEqual([]);
  });

  it('accepts a service\'s own health thresholds and reports bad ones at their path', () => {
    expect(manifestProblems([service({ health: { failuresBeforeUnhealthy: 5 } }), service({ slug: 'b', health: {} })])).toEqual([]);
    expect(manifestProblems([service({ health: { failuresBeforeUnhealthy: 0, successesBeforeHealthy: 1.5, successBeforePassing: 2 } })])).toEqual([
      'm.json: [0].health.successBeforePassing: unknown key (allowed here: failuresBeforeUnhealthy, successesBeforeHealthy)',
      'm.json: [0].health.failuresBeforeUnhealthy: must be at least 1, got a number (0)',
      'm.json: [0].health.successesBeforeHealthy: must be an integer, got a number (1.5)',
    ]);
  });

  it('accepts a bare array of services and reports paths from the list', () => {
    expect(manifestProblems([service()])).toEqual([]);
    expect(manifestProblems([service(), service({ baseUrl: 'mailto:x@example.com' })])).toEqual([
      'm.json: [1].baseUrl: must be an http:// or https:// URL, got "mailto:x@example.com"',
    ]);
    expect(manifestProblems([])).toEqual(['m.json: (root): is an empty list of services']);
  });

  it('reports every problem of a file at its JSON path, not just the first', () => {
    expect(
      manifestProblems({
        services: [
          service({ slug: 'x'.repeat(101), healthEndpoint: 'healthz', metadata: [], capabilities: { any: ['json'] } }),
          service({ displayName: '', tags: [{ key: 'k', value: 1 }], env: [{ key: 'A', value: 'x', fromService: { service: 'b', property: 'host' } }] }),
        ],
        extra: true,
      }),
    ).toEqual([
      'm.json: extra: unknown key (allowed here: $schema, services, networks)',
      `m.json: services[0].slug: ${SLUG_RULE}, got "${'x'.repeat(60)}…"`,
      'm.json: services[0].healthEndpoint: must be a path starting with "/" (no spaces), got "healthz"',
      'm.json: services[0].metadata: must be an object, got a list',
      'm.json: services[1].displayName: must not be empty, got ""',
      'm.json: services[1].tags[0].value: must be a string, got a number (1)',
      'm.json: services[1].env[0]: has both "value" and "fromService"; give one',
    ]);
  });

  it('applies one slug rule: groups of lower-case letters and digits joined by single "-"', () => {
    expect(manifestProblems({ services: ['a', 'a-1', 'observatory-dashboard-2', 'x'.repeat(100)].map((slug) => service({ slug })) })).toEqual([]);
    expect(manifestProblems({ services: ['-a', 'a-', 'a--b', 'A', 'a_b', ''].map((slug) => service({ slug })) })).toEqual(
      ['-a', 'a-', 'a--b', 'A', 'a_b', ''].map((slug, index) => `m.json: services[${index}].slug: ${SLUG_RULE}, got ${JSON.stringify(slug)}`),
    );
  });

  it('accepts http and https URLs only', () => {
    const urls = ['http://127.0.0.1:4311', 'HTTPS://Example.com:8443/x?y#z', 'http://[::1]:80/', 'http://user@host/'];
    expect(manifestProblems({ services: urls.map((baseUrl) => service({ baseUrl })) })).toEqual([]);
    const bad = ['ftp://127.0.0.1/files', 'not a url', 'http://', 'http://[bad', 'http://host/with space'];
    expect(manifestProblems({ services: bad.map((baseUrl) => service({ baseUrl })) })).toEqual(
      bad.map((baseUrl, index) => `m.json: services[${index}].baseUrl: must be an http:// or https:// URL, got ${JSON.stringify(baseUrl)}`),
    );
  });

  it('stays strict on manifest files: an unknown key in a service or network is an error', () => {
    expect(manifestProblems({ services: [service({ healthEndpont: '/healthz' })], networks: [network([{ serviceSlug: 'a', app }], { lauchOrder: [] })] })).toEqual([
      'm.json: services[0].healthEndpont: unknown key (allowed here: slug, displayName, kind, baseUrl, healthEndpoint, openapiPath, devCommand, workingDir, capabilities, metadata, tags, env, health)',
      'm.json: networks[0].lauchOrder: unknown key (allowed here: id, name, description, repoUrl, dockerfilePath, tags, env, launchOrder, services)',
    ]);
  });

  it('checks env values: strings or $var placeholder objects', () => {
    expect(
      manifestProblems({
        services: [
          service({
            env: [
              { key: 'A', value: 3 },
              { key: 'B', value: { $var: { nme: 'X' } } },
              { key: 'C', value: { other: 1 } },
              { key: '1X', value: 'x' },
              { key: 'D', value: { $var: { name: 'OK', default: 'd', description: 'e' } } },
            ],
          }),
        ],
      }),
    ).toEqual([
      'm.json: services[0].env[0].value: must be a string or a { "$var": { "name": … } } placeholder, got a number (3)',
      'm.json: services[0].env[1].value.$var.name: is required',
      'm.json: services[0].env[1].value.$var.nme: unknown key (allowed here: name, default, description)',
      'm.json: services[0].env[2].value.$var: is required',
      'm.json: services[0].env[2].value.other: unknown key (allowed here: $var)',
      'm.json: services[0].env[3].key: must be letters, digits and "_", not starting with a digit, got "1X"',
    ]);
  });

  it('reports a duplicate env key and a root that is not an object', () => {
    expect(manifestProblems({ services: [service({ env: [{ key: 'A', value: '1' }, { key: 'A', value: '2' }] })] })).toEqual([
      'm.json: services[0].env[1].key: duplicate env key "A" (also at services[0].env[0].key)',
    ]);
    expect(manifestProblems('services')).toEqual(['m.json: (root): must be an object, got a string ("services")']);
    expect(manifestProblems({ services: [], networks: [] })).toEqual([
      'm.json: (root): declares no services and no networks (give a non-empty "services" or "networks")',
    ]);
  });

  it('checks network members: duplicates, dependsOn outside the network, self-dependency, every cycle', () => {
    const member = (slug: string, dependsOn?: string[]) => ({ serviceSlug: slug, app, ...(dependsOn ? { dependsOn } : {}) });
    expect(
      manifestProblems({
        networks: [
          network([member('a', ['b']), member('b', ['a']), member('c', ['c']), member('d', ['e']), member('e', ['d', 'ghost']), member('a')], {
            launchOrder: ['a', 'a', 'zzz'],
          }),
        ],
      }),
    ).toEqual([
      'm.json: networks[0].services[5].serviceSlug: "a" is already a member of this network (at networks[0].services[0])',
      'm.json: networks[0].services[2].dependsOn[0]: "c" depends on itself',
      'm.json: networks[0].services[4].dependsOn[1]: "ghost" is not a member of network "net"',
      'm.json: networks[0].services[0].dependsOn: forms a cycle: a -> b -> a',
      'm.json: networks[0].services[3].dependsOn: forms a cycle: d -> e -> d',
      'm.json: networks[0].launchOrder[1]: "a" is listed twice',
      'm.json: networks[0].launchOrder[2]: "zzz" is not a member of this network',
    ]);
  });

  it('checks member fields and the app of each member', () => {
    expect(
      manifestProblems({
        networks: [network([{ serviceSlug: 'a', app: { ...app, launchEnv: [{ key: 'X' }] }, launchOrder: -1, waitForBuild: 'yes' }, { serviceSlug: 'b' }])],
      }),
    ).toEqual([
      'm.json: networks[0].services[0].app.launchEnv[0]: needs "value" or "fromService"',
      'm.json: networks[0].services[0].launchOrder: must be at least 0, got a number (-1)',
      'm.json: networks[0].services[0].waitForBuild: must be true or false, got a string ("yes")',
      'm.json: networks[0].services[1].app: is required',
    ]);
  });

  it('validates descriptors: module id, manifest list, placeholders, bootstrap actions', () => {
    expect(
      descriptorProblems({
        module: 'Bad Module',
        manifests: [{ path: 'a.json', kind: 'zip' }, { kind: 'services' }],
        placeholders: [{ name: 'A-B' }, { name: 'X', default: 1 }],
        bootstrap: {
          actions: [
            { type: 'setEnvDefaults', values: { 'BAD-KEY': 'x', OK: 2, N: null } },
            { type: 'ensureDirectories', directories: [] },
            { type: 'writeJsonFile', path: 'out.json' },
            { type: 'somethingElse', anything: 'goes' },
            'not an action',
            { type: 'writeJsonFile', path: 'x', content: 1, overwite: true },
            { description: 'no type' },
          ],
        },
        owner: 'me',
      }),
    ).toEqual([
      'config.json: module: must be letters, digits, ".", "_", "-", "/", "@" and ":", starting with a letter, a digit or "@", at most 200 characters, got "Bad Module"',
      'config.json: manifests[0].kind: must be one of services, networks, bundle, workflow, got a string ("zip")',
      'config.json: manifests[1].path: is required',
      'config.json: placeholders[0].name: must be letters, digits and "_", got "A-B"',
      'config.json: placeholders[1].default: must be a string, got a number (1)',
      'config.json: bootstrap.actions[0].values["BAD-KEY"]: must be letters, digits and "_", not starting with a digit, got "BAD-KEY"',
      'config.json: bootstrap.actions[0].values.N: must be a string or a number or true or false, got null',
      'config.json: bootstrap.actions[1].directories: must not be empty',
      'config.json: bootstrap.actions[2].content: is required',
      'config.json: bootstrap.actions[4]: must be an object, got a string ("not an action")',
      'config.json: bootstrap.actions[5].overwite: unknown key (allowed here: type, description, path, content, overwrite, createParents, pretty)',
      'config.json: bootstrap.actions[6].type: is required',
    ]);
    expect(descriptorProblems({ module: 'm' })).toEqual([
      'config.json: (root): needs "manifestPath" (one manifest file) or "manifests" (a list of { path, kind })',
    ]);
    expect(descriptorProblems({ module: 'm', manifestPath: 'a.json', manifests: [{ path: 'b.json' }] })).toEqual([
      'config.json: (root): give either "manifestPath" or "manifests", not both',
    ]);
    expect(descriptorProblems([])).toEqual(['config.json: (root): must be an object, got a list']);
  });

  it('reports a placeholder declared twice in a descriptor', () => {
    expect(descriptorProblems({ module: 'm', manifestPath: 'a.json', placeholders: [{ name: 'X' }, { name: 'X', default: 'x' }] })).toEqual([
      'config.json: placeholders[1].name: duplicate placeholder "X" (also at placeholders[0].name)',
    ]);
  });

  it('keeps descriptor keys it does not use apart, never an error', () => {
    const problems: ManifestProblem[] = [];
    const descriptor = ManifestValidator.validateDescriptor(
      {
        $schema: '../schemas/module-descriptor.schema.json',
        configVersion: '1.0',
        module: 'github.com/apphub/local-services',
        manifestPath: 'service-manifest.json',
        imports: [{ module: 'github.com/apphub/examples/environmental-observatory', repo: 'https://github.com/apphub/apphub.git', commit: 'abc1234' }],
        assets: 'anything at all',
      },
      'config.json',
      problems,
    );
    expect(problems).toEqual([]);
    expect(descriptor?.module).toBe('github.com/apphub/local-services');
    expect(Object.keys(descriptor?.ignored ?? {})).toEqual(['$schema', 'configVersion', 'imports', 'assets']);
  });

  it('checks every template of a descriptor: placeholder defaults and the strings of the actions it runs', () => {
    expect(
      descriptorProblems({
        module: 'm',
        manifestPath: 'a.json',
        placeholders: [{ name: 'A', default: '{{ env.X | default:http://127.0.0.1:4300 }}' }, { name: 'B', default: '{% if x %}' }],
        bootstrap: {
          actions: [
            { type: 'setEnvDefaults', values: { ROOT: '{{ env.X | defualt: /tmp }}' } },
            { type: 'ensureDirectories', directories: ['{{ env.ROOT }}', '{{ env.ROOT | upcase | lowr }}'] },
            { type: 'writeJsonFile', path: '{{ env.ROOT }}/x.json', content: { port: '{{ env.PORT | nmber }}', list: ['{{ 1 | int }}'], '{{ env.K | kee }}': 1 } },
            { type: 'runScript', script: '{{ env.X | whatever }}' },
          ],
        },
      }),
    ).toEqual([
      'config.json: placeholders[1].default: is not a valid Liquid template: tag {% if x %} not closed, line:1, col:1',
      expect.stringMatching(/^config\.json: bootstrap\.actions\[0\]\.values\.ROOT: unknown filter "defualt" in \{\{ env\.X \| defualt: \/tmp \}\}/),
      expect.stringMatching(/^config\.json: bootstrap\.actions\[1\]\.directories\[1\]: unknown filter "lowr"/),
      expect.stringMatching(/^config\.json: bootstrap\.actions\[2\]\.content\.port: unknown filter "nmber"/),
      expect.stringMatching(/^config\.json: bootstrap\.actions\[2\]\.content\["\{\{ env\.K \| kee \}\}"\]: unknown filter "kee"/),
    ]);
  });

  it('reports a slug or network id declared twice across a module\'s files', () => {
    const problems: ManifestProblem[] = [];
    ManifestValidator.checkModuleEntries(
      [
        { file: 'a.json', path: 'services[0]', entry: service() as never },
        { file: 'b.json', path: 'services[3]', entry: service() as never },
      ],
      [
        { file: 'a.json', path: 'networks[0]', entry: network([]) as never },
        { file: 'a.json', path: 'networks[1]', entry: network([]) as never },
      ],
      problems,
    );
    expect(problems.map(formatProblem)).toEqual([
      'b.json: services[3].slug: duplicate service slug "api" (also at a.json: services[0].slug)',
      'a.json: networks[1].id: duplicate network id "net" (also at networks[0].id)',
    ]);
  });
});
