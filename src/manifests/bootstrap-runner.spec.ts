import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BootstrapRunner } from './bootstrap-runner';
import { BootstrapAction, LoadedModule } from './manifest.types';
import { PlaceholderResolver } from './placeholder-resolver';

function moduleWith(directory: string, actions: BootstrapAction[]): LoadedModule {
  return {
    moduleId: 'github.com/apphub/examples/mod',
    directory,
    descriptorFile: 'mod/config.json',
    placeholders: [{ name: 'WORKERS', default: '{{ variables.WORKERS | default:4 }}' }],
    bootstrapActions: actions,
    services: [],
    networks: [],
    notes: [],
  };
}

describe('BootstrapRunner', () => {
  let scratch: string;
  let moduleDir: string;
  const resolver = new PlaceholderResolver();
  const runner = new BootstrapRunner();

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'bootstrap-scratch-'));
    moduleDir = await mkdtemp(join(tmpdir(), 'bootstrap-module-'));
  });

  afterEach(async () => {
    await rm(scratch, { recursive: true, force: true });
    await rm(moduleDir, { recursive: true, force: true });
  });

  const run = (actions: BootstrapAction[], variables: Record<string, string> = {}) => {
    const module = moduleWith(moduleDir, actions);
    return runner.run(module, resolver.moduleDefaults(module, { variables, env: { APPHUB_SCRATCH_ROOT: scratch } }));
  };

  it('writes where the rendered paths point, with typed JSON values, and reports each action', async () => {
    const report = await run([
      { type: 'setEnvDefaults', values: { DATA_ROOT: '{{ env.APPHUB_SCRATCH_ROOT }}/data', APPHUB_SCRATCH_ROOT: '/elsewhere' } },
      { type: 'ensureDirectories', directories: ['{{ env.DATA_ROOT }}/inbox', '{{ env.DATA_ROOT }}/archive'] },
      {
        type: 'writeJsonFile',
        path: '{{ env.DATA_ROOT }}/config/settings.json',
        content: {
          module: '{{ module.id }}',
          workers: '{{ placeholders.WORKERS | number }}',
          maxFiles: '{{ variables.MAX | default:1 | number }}',
          dryRun: '{{ env.DRY | default:false | bool }}',
          token: '{{ env.TOKEN | default:null }}',
          url: '{{ env.URL | default:http://127.0.0.1:4300 }}/api',
          list: ['{{ 2 | int }}', 'literal'],
        },
      },
      { type: 'applyWorkflowDefaults', workflows: [] },
    ]);
    expect(report).toEqual([
      'bootstrap.actions[0] (setEnvDefaults): set DATA_ROOT (1 already set)',
      `bootstrap.actions[1] (ensureDirectories): ensured ${join(scratch, 'data', 'inbox')}, ${join(scratch, 'data', 'archive')}`,
      `bootstrap.actions[2] (writeJsonFile): wrote ${join(scratch, 'data', 'config', 'settings.json')}`,
      'skipped bootstrap.actions[3] (applyWorkflowDefaults): unsupported action type (supported: setEnvDefaults, ensureDirectories, writeJsonFile)',
    ]);
    expect(JSON.parse(await readFile(join(scratch, 'data', 'config', 'settings.json'), 'utf8'))).toEqual({
      module: 'github.com/apphub/examples/mod',
      workers: 4,
      maxFiles: 1,
      dryRun: false,
      token: null,
      url: 'http://127.0.0.1:4300/api',
      list: [2, 'literal'],
    });
    expect((await readdir(join(scratch, 'data'))).sort()).toEqual(['archive', 'config', 'inbox']);
    expect(await readdir(moduleDir)).toEqual([]);
  });

  it('keeps an existing file unless told to overwrite, and resolves relative paths in the module directory', async () => {
    const action: BootstrapAction = { type: 'writeJsonFile', path: 'state/{{ variables.NAME }}.json', content: { n: '{{ variables.N | int }}' } };
    await run([action], { NAME: 'a', N: '1' });
    expect(await run([action], { NAME: 'a', N: '2' })).toEqual([`bootstrap.actions[0] (writeJsonFile): kept existing ${join(moduleDir, 'state', 'a.json')}`]);
    expect(JSON.parse(await readFile(join(moduleDir, 'state', 'a.json'), 'utf8'))).toEqual({ n: 1 });
    await run([{ ...action, overwrite: true, pretty: false }], { NAME: 'a', N: '2' });
    expect(await readFile(join(moduleDir, 'state', 'a.json'), 'utf8')).toBe('{"n":2}\n');
  });

  it('names the action and JSON path of a value that cannot render, and a file system failure', async () => {
    await expect(run([{ type: 'writeJsonFile', path: `${scratch}/x.json`, content: { n: '{{ "many" | number }}' } }])).rejects.toThrow(
      'module "github.com/apphub/examples/mod": mod/config.json: bootstrap.actions[0].content.n: "many" is not a number (filter "number")',
    );
    await writeFile(join(scratch, 'file'), 'not a directory');
    await expect(run([{ type: 'ensureDirectories', directories: [`${scratch}/file/sub`] }])).rejects.toThrow(
      /^module "github\.com\/apphub\/examples\/mod": mod\/config\.json: bootstrap\.actions\[0\] \(ensureDirectories\) failed: ENOTDIR /,
    );
    await expect(run([{ type: 'ensureDirectories', directories: ['{{ env.NOPE }}'] }])).rejects.toThrow(
      'mod/config.json: bootstrap.actions[0].directories[0]: renders to an empty path',
    );
  });
});
