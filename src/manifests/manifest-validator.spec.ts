import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblem, ManifestProblem } from './manifest-problems';
import { ManifestValidator } from './manifest-validator';

const OBSERVATORY = join(__dirname, '..', '..', 'modules', 'observatory', 'dist');
const readJson = (path: string) => JSON.parse(readFileSync(join(OBSERVATORY, path), 'utf8'));

function manifestProblems(value: unknown): string[] {
  const problems: ManifestProblem[] = [];
  ManifestValidator.validateManifestFile(value, 'm.json', problems);
  return problems.map(formatProblem);
}

function descriptorProblems(value: unknown): string[] {
  const problems: ManifestProblem[] = [];
  ManifestValidator.validateDescriptor(value, 'config.json', problems);
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

  it('accepts a bare array of services and reports paths from the list', () => {
    expect(manifestProblems([service()])).toEqual([]);
    expect(manifestProblems([service(), service({ baseUrl: 'mailto:x@example.com' })])).toEqual([
      'm.json: [1].baseUrl: "mailto:x@example.com" must be an http:// or https:// URL',
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
      'm.json: extra: unknown key (allowed here: services, networks)',
      `m.json: services[0].slug: "${'x'.repeat(101)}" is not valid (lower-case letters, digits and "-", 1–100 characters)`,
      'm.json: services[0].healthEndpoint: "healthz" must be a path starting with "/" (no spaces)',
      'm.json: services[0].metadata: must be an object, got a list',
      'm.json: services[1].displayName: must not be empty',
      'm.json: services[1].tags[0].value: must be a string, got a number (1)',
      'm.json: services[1].env[0]: has both "value" and "fromService"; give one',
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
      'm.json: networks[0].services[0].launchOrder: must be at least 0, got -1',
      'm.json: networks[0].services[0].waitForBuild: must be true or false, got a string ("yes")',
      'm.json: networks[0].services[1].app: is required',
    ]);
  });

  it('validates descriptors: module id, manifest list, placeholders, bootstrap actions', () => {
    expect(
      descriptorProblems({
        module: 'Bad Module',
        manifests: [{ path: 'a.json', kind: 'zip' }, { kind: 'services' }],
        placeholders: [{ name: 'A-B' }, { name: 'X', default: 1 }, { name: 'X' }],
        bootstrap: {
          actions: [
            { type: 'setEnvDefaults', values: { 'BAD-KEY': 'x', OK: 2 } },
            { type: 'ensureDirectories', directories: [] },
            { type: 'writeJsonFile', path: 'out.json' },
            { type: 'somethingElse', anything: 'goes' },
            'not an action',
          ],
        },
        owner: 'me',
      }),
    ).toEqual([
      'config.json: owner: unknown key (allowed here: module, manifestPath, manifests, placeholders, bootstrap, name, version, description, $schema)',
      'config.json: module: "Bad Module" is not valid (lower-case letters, digits, ".", "_" and "-", starting with a letter or digit)',
      'config.json: manifests[0].kind: must be one of services, networks, bundle, workflow, got a string ("zip")',
      'config.json: manifests[1].path: is required',
      'config.json: placeholders[0].name: "A-B" is not valid (letters, digits and "_")',
      'config.json: placeholders[1].default: must be a string, got a number (1)',
      'config.json: placeholders[2].name: duplicate placeholder "X" (also at placeholders[1].name)',
      'config.json: bootstrap.actions[0].values["BAD-KEY"]: is not a valid environment variable name',
      'config.json: bootstrap.actions[0].values.OK: must be a string, got a number (2)',
      'config.json: bootstrap.actions[1].directories: must not be empty',
      'config.json: bootstrap.actions[2].content: is required',
      'config.json: bootstrap.actions[4]: must be an object, got a string ("not an action")',
    ]);
    expect(descriptorProblems({ module: 'm' })).toEqual([
      'config.json: (root): needs "manifestPath" (one manifest file) or "manifests" (a list of { path, kind })',
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
