import { BootstrapAction, LoadedModule, PlaceholderDeclaration, RawNetworkEntry, RawServiceEntry } from './manifest.types';
import { ManifestValidationError } from './manifest-problems';
import { PlaceholderInputs, PlaceholderResolver } from './placeholder-resolver';

const FILE = 'mod/service-manifest.json';

function service(env: RawServiceEntry['env'], slug = 'api'): RawServiceEntry {
  return { slug, displayName: 'API', kind: 'api', baseUrl: 'http://127.0.0.1:1', env };
}

function moduleWith(
  services: RawServiceEntry[],
  placeholders: PlaceholderDeclaration[] = [],
  networks: RawNetworkEntry[] = [],
  bootstrapActions: BootstrapAction[] = [],
): LoadedModule {
  return {
    moduleId: 'mod',
    directory: '/somewhere/mod',
    descriptorFile: 'mod/config.json',
    placeholders,
    bootstrapActions,
    services: services.map((entry, index) => ({ file: FILE, path: `services[${index}]`, entry })),
    networks: networks.map((entry, index) => ({ file: FILE, path: `networks[${index}]`, entry })),
    notes: [],
  };
}

const inputs = (variables: Record<string, string> = {}, env: Record<string, string> = {}): PlaceholderInputs => ({ variables, env });

function resolveOne(module: LoadedModule, given: PlaceholderInputs = inputs()) {
  return new PlaceholderResolver().resolve(module, given).services[0].definition;
}

function problemsOf(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof ManifestValidationError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a ManifestValidationError');
}

describe('PlaceholderResolver', () => {
  it('resolves a string that is exactly ${NAME} from the descriptor default and records the source', () => {
    const definition = resolveOne(moduleWith([service([{ key: 'TOKEN', value: '${TOKEN}' }])], [{ name: 'TOKEN', default: 'dev' }]));
    expect(definition.env).toEqual([{ key: 'TOKEN', value: 'dev' }]);
    expect(definition.placeholders).toEqual({ TOKEN: 'module-default' });
  });

  it('takes --var over the $var default over the descriptor default', () => {
    const placeholders = [{ name: 'PORT', default: '3000' }];
    const env = [{ key: 'PORT', value: { $var: { name: 'PORT', default: '4000' } } }];
    expect(resolveOne(moduleWith([service(env)], placeholders), inputs({ PORT: '5000' })).env).toEqual([{ key: 'PORT', value: '5000' }]);
    const fromManifest = resolveOne(moduleWith([service(env)], placeholders));
    expect(fromManifest.env).toEqual([{ key: 'PORT', value: '4000' }]);
    expect(fromManifest.placeholders).toEqual({ PORT: 'manifest-default' });
    const fromModule = resolveOne(moduleWith([service([{ key: 'PORT', value: { $var: { name: 'PORT' } } }])], placeholders));
    expect(fromModule.env).toEqual([{ key: 'PORT', value: '3000' }]);
    expect(fromModule.placeholders).toEqual({ PORT: 'module-default' });
  });

  it('a --var wins over a ${NAME} descriptor default too, and may be empty', () => {
    const module = moduleWith([service([{ key: 'TOKEN', value: '${TOKEN}' }])], [{ name: 'TOKEN', default: 'dev' }]);
    const definition = resolveOne(module, inputs({ TOKEN: '' }));
    expect(definition.env).toEqual([{ key: 'TOKEN', value: '' }]);
    expect(definition.placeholders).toEqual({ TOKEN: 'var' });
  });

  it.each(['${X:-}', '${X:-fallback}', 'prefix ${X}', '${X}/suffix', '$X', '${ X }', '${X-Y}', '${}'])('keeps %s as a literal', (literal) => {
    const definition = resolveOne(moduleWith([service([{ key: 'V', value: literal }])], [{ name: 'X', default: 'nope' }]), inputs({ X: 'nope' }));
    expect(definition.env).toEqual([{ key: 'V', value: literal }]);
    expect(definition.placeholders).toBeUndefined();
  });

  it('renders a template default with env in scope, including the unquoted argument the SPEC writes', () => {
    const module = moduleWith(
      [service([{ key: 'DIR', value: '${DATA_DIR}' }])],
      [{ name: 'DATA_DIR', default: '{{ env.DATA_ROOT | default: /tmp }}/observatory' }],
    );
    expect(resolveOne(module).env).toEqual([{ key: 'DIR', value: '/tmp/observatory' }]);
    expect(resolveOne(module, inputs({}, { DATA_ROOT: '/srv' })).env).toEqual([{ key: 'DIR', value: '/srv/observatory' }]);
  });

  it('gives Liquid defaults the other placeholders (vars and earlier defaults) and the variables', () => {
    const module = moduleWith(
      [service([
        { key: 'CACHE', value: '${CACHE_DIR}' },
        { key: 'URL', value: '${URL}' },
      ])],
      [
        { name: 'BASE', default: '/data' },
        { name: 'CACHE_DIR', default: '{{ placeholders.BASE }}/cache' },
        { name: 'URL', default: 'http://{{ variables.HOST | default: "localhost" }}:{{ placeholders.PORT }}' },
      ],
    );
    expect(resolveOne(module, inputs({ PORT: '8080' })).env).toEqual([
      { key: 'CACHE', value: '/data/cache' },
      { key: 'URL', value: 'http://localhost:8080' },
    ]);
    expect(resolveOne(module, inputs({ PORT: '1', HOST: 'example', BASE: '/var' })).env).toEqual([
      { key: 'CACHE', value: '/var/cache' },
      { key: 'URL', value: 'http://example:1' },
    ]);
  });

  it('counts a default that renders empty as no value, but an explicit empty default as a value', () => {
    const env = [{ key: 'TOKEN', value: '${TOKEN}' }];
    expect(problemsOf(() => resolveOne(moduleWith([service(env)], [{ name: 'TOKEN', default: '{{ env.TOKEN }}' }])))).toEqual([
      'module "mod" cannot be resolved: 1 problem',
      `${FILE}: services[0].env[0].value: placeholder "TOKEN" has no value (pass --var TOKEN=VALUE or give it a default)`,
    ]);
    expect(resolveOne(moduleWith([service(env)], [{ name: 'TOKEN', default: '' }])).env).toEqual([{ key: 'TOKEN', value: '' }]);
  });

  it('lists every missing placeholder once, with every place it is used', () => {
    const network: RawNetworkEntry = {
      id: 'net',
      name: 'Net',
      description: '',
      repoUrl: 'r',
      dockerfilePath: 'D',
      services: [{ serviceSlug: 'api', app: { id: 'a', name: 'A', description: '', repoUrl: 'r', dockerfilePath: 'D', launchEnv: [{ key: 'S', value: '${SECRET}' }] } }],
    };
    const module = moduleWith(
      [
        service([{ key: 'S', value: '${SECRET}' }, { key: 'O', value: { $var: { name: 'OTHER' } } }], 'api'),
        service([{ key: 'S', value: { $var: { name: 'SECRET', description: 'the secret' } } }], 'worker'),
      ],
      [{ name: 'SECRET', description: 'documented, no default' }],
      [network],
    );
    expect(problemsOf(() => new PlaceholderResolver().resolve(module, inputs()))).toEqual([
      'module "mod" cannot be resolved: 2 problems',
      `${FILE}: services[0].env[0].value: placeholder "SECRET" has no value (pass --var SECRET=VALUE or give it a default); ` +
        'also used at services[1].env[0].value, networks[0].services[0].app.launchEnv[0].value',
      `${FILE}: services[0].env[1].value: placeholder "OTHER" has no value (pass --var OTHER=VALUE or give it a default)`,
    ]);
  });

  it('reports a default that cannot render at its place in the descriptor', () => {
    const module = moduleWith([service([{ key: 'A', value: 'literal' }])], [{ name: 'A', default: '{{ env.X | nosuchfilter }}' }, { name: 'B', default: '{{ "abc" | number }}' }]);
    expect(problemsOf(() => new PlaceholderResolver().resolve(module, inputs()))).toEqual([
      'module "mod" cannot be resolved: 2 problems',
      expect.stringMatching(/^mod\/config\.json: placeholders\[0\]\.default: unknown filter "nosuchfilter" in \{\{ env\.X \| nosuchfilter \}\}/),
      'mod/config.json: placeholders[1].default: "abc" is not a number (filter "number")',
    ]);
  });

  describe('setEnvDefaults', () => {
    const setEnvDefaults = (values: Record<string, string>): BootstrapAction => ({ type: 'setEnvDefaults', values });

    it('gives a placeholder of the same name its value last, after --var, the $var default and the descriptor default', () => {
      const env = [
        { key: 'CONFIG', value: '${CONFIG_PATH}' },
        { key: 'PORT', value: { $var: { name: 'PORT', default: '4000' } } },
        { key: 'MODE', value: '${MODE}' },
        { key: 'TOKEN', value: '${TOKEN}' },
      ];
      const module = moduleWith([service(env)], [{ name: 'MODE', default: 'descriptor' }], [], [
        setEnvDefaults({ ROOT: '{{ env.SCRATCH | default:/tmp }}/data', CONFIG_PATH: '{{ env.ROOT }}/config.json', PORT: '1', MODE: 'env', TOKEN: 'env' }),
      ]);
      const definition = resolveOne(module, inputs({ TOKEN: 'var' }, { SCRATCH: '/scratch' }));
      expect(definition.env).toEqual([
        { key: 'CONFIG', value: '/scratch/data/config.json' },
        { key: 'PORT', value: '4000' },
        { key: 'MODE', value: 'descriptor' },
        { key: 'TOKEN', value: 'var' },
      ]);
      expect(definition.placeholders).toEqual({ CONFIG_PATH: 'env-default', PORT: 'manifest-default', MODE: 'module-default', TOKEN: 'var' });
    });

    it('keeps a variable the environment already sets, and descriptor defaults see the resulting env', () => {
      const module = moduleWith(
        [service([{ key: 'ROOT', value: '${DATA_ROOT}' }, { key: 'DIR', value: '${DATA_DIR}' }])],
        [{ name: 'DATA_DIR', default: '{{ env.DATA_ROOT }}/observatory' }],
        [],
        [setEnvDefaults({ DATA_ROOT: '/tmp' })],
      );
      expect(resolveOne(module).env).toEqual([{ key: 'ROOT', value: '/tmp' }, { key: 'DIR', value: '/tmp/observatory' }]);
      expect(resolveOne(module, inputs({}, { DATA_ROOT: '/srv' })).env).toEqual([{ key: 'ROOT', value: '/srv' }, { key: 'DIR', value: '/srv/observatory' }]);
      const defaults = new PlaceholderResolver().moduleDefaults(module, inputs({}, { DATA_ROOT: '/srv' }));
      expect(defaults.envDefaults).toEqual([{ index: 0, set: [], kept: ['DATA_ROOT'] }]);
      expect(defaults.scope.placeholders).toEqual({ DATA_ROOT: '/srv', DATA_DIR: '/srv/observatory' });
    });

    it('computes defaults without touching the process environment', () => {
      const module = moduleWith([service([{ key: 'X', value: '${REGISTRY_SPEC_ONLY}' }])], [], [], [setEnvDefaults({ REGISTRY_SPEC_ONLY: 'x' })]);
      const env = { ...process.env };
      expect(resolveOne(module, inputs({}, env as Record<string, string>)).env).toEqual([{ key: 'X', value: 'x' }]);
      expect(process.env.REGISTRY_SPEC_ONLY).toBeUndefined();
      expect(env.REGISTRY_SPEC_ONLY).toBeUndefined();
    });

    it('reports a value that cannot render at its place, and a value that renders to nothing gives none', () => {
      const module = moduleWith(
        [service([{ key: 'A', value: '${A}' }, { key: 'B', value: '${B}' }])],
        [],
        [],
        [setEnvDefaults({ A: '{{ env.NOPE | default:abc | int }}', B: '{{ env.NOPE | default:null }}' })],
      );
      expect(problemsOf(() => resolveOne(module))).toEqual([
        'module "mod" cannot be resolved: 3 problems',
        'mod/config.json: bootstrap.actions[0].values.A: "abc" is not a number (filter "int")',
        `${FILE}: services[0].env[0].value: placeholder "A" has no value (pass --var A=VALUE or give it a default)`,
        `${FILE}: services[0].env[1].value: placeholder "B" has no value (pass --var B=VALUE or give it a default)`,
      ]);
    });
  });

  it('resolves network, member and launch env and records the placeholders per network; fromService stays as written', () => {
    const network: RawNetworkEntry = {
      id: 'net',
      name: 'Net',
      description: '',
      repoUrl: 'r',
      dockerfilePath: 'D',
      env: [{ key: 'N', value: '${NET}' }],
      services: [
        {
          serviceSlug: 'api',
          env: [{ key: 'M', value: { $var: { name: 'MEMBER', default: 'm' } } }, { key: 'U', fromService: { service: 'db', property: 'host' } }],
          app: { id: 'a', name: 'A', description: '', repoUrl: 'r', dockerfilePath: 'D', launchEnv: [{ key: 'L', value: '${NET}' }] },
        },
      ],
    };
    const resolved = new PlaceholderResolver().resolve(moduleWith([], [{ name: 'NET', default: 'n' }], [network]), inputs());
    const definition = resolved.networks[0].definition;
    expect(definition.env).toEqual([{ key: 'N', value: 'n' }]);
    expect(definition.services[0].env).toEqual([{ key: 'M', value: 'm' }, { key: 'U', fromService: { service: 'db', property: 'host' } }]);
    expect(definition.services[0].app.launchEnv).toEqual([{ key: 'L', value: 'n' }]);
    expect(definition.placeholders).toEqual({ NET: 'module-default', MEMBER: 'manifest-default' });
  });

  it('leaves definitions without placeholders exactly as written', () => {
    const entry = service(undefined);
    const definition = resolveOne(moduleWith([entry]));
    expect(definition).toEqual(entry);
    expect('env' in definition).toBe(false);
  });
});
