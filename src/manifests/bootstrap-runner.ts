import { Injectable } from '@nestjs/common';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  BootstrapAction,
  EnsureDirectoriesAction,
  JsonValue,
  LoadedModule,
  SetEnvDefaultsAction,
  SUPPORTED_BOOTSTRAP_ACTIONS,
  WriteJsonFileAction,
} from './manifest.types';
import { PlaceholderInputs, PlaceholderResolver } from './placeholder-resolver';

/**
 * Runs a module descriptor's `bootstrap.actions` in order (SPEC §5): `setEnvDefaults` (into
 * `inputs.env`, which later actions and the placeholder defaults see), `ensureDirectories`,
 * `writeJsonFile`. Strings are Liquid templates with `env`, `placeholders`, `variables` and
 * `module` in scope; relative paths are relative to the module directory. Other action types
 * are reported as skipped. Returns one line per action for the operator.
 */
@Injectable()
export class BootstrapRunner {
  constructor(private readonly resolver: PlaceholderResolver) {}

  async run(module: LoadedModule, inputs: PlaceholderInputs): Promise<string[]> {
    const report: string[] = [];
    for (const [index, action] of module.bootstrapActions.entries()) {
      const where = `bootstrap.actions[${index}] (${action.type})`;
      if (!isSupported(action)) {
        report.push(`skipped ${where}: unsupported action type (supported: ${SUPPORTED_BOOTSTRAP_ACTIONS.join(', ')})`);
        continue;
      }
      // Each action sees the env as earlier actions left it.
      const scope = {
        env: inputs.env,
        placeholders: { ...Object.fromEntries(this.resolver.renderModuleDefaults(module, inputs)), ...inputs.variables },
        variables: inputs.variables,
        module: { id: module.moduleId },
      };
      const render = (template: string) => this.resolver.render(template, scope);
      try {
        report.push(`${where}: ${await this.runAction(action, module.directory, render, inputs.env)}`);
      } catch (error) {
        throw new Error(`module "${module.moduleId}": ${where} failed: ${(error as Error).message}`);
      }
    }
    return report;
  }

  private async runAction(
    action: SetEnvDefaultsAction | EnsureDirectoriesAction | WriteJsonFileAction,
    directory: string,
    render: (template: string) => string,
    env: Record<string, string | undefined>,
  ): Promise<string> {
    switch (action.type) {
      case 'setEnvDefaults': {
        const set: string[] = [];
        for (const [key, template] of Object.entries(action.values)) {
          if (env[key] !== undefined && env[key] !== '') continue;
          env[key] = render(template);
          set.push(key);
        }
        const kept = Object.keys(action.values).length - set.length;
        return `set ${set.length ? set.join(', ') : 'nothing'}${kept ? ` (${kept} already set)` : ''}`;
      }
      case 'ensureDirectories': {
        const directories = action.directories.map((template) => resolve(directory, render(template)));
        for (const path of directories) await mkdir(path, { recursive: true });
        return `ensured ${directories.join(', ')}`;
      }
      case 'writeJsonFile': {
        const path = resolve(directory, render(action.path));
        if (!action.overwrite && (await exists(path))) return `kept existing ${path}`;
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, `${JSON.stringify(renderStrings(action.content, render), null, 2)}\n`);
        return `wrote ${path}`;
      }
    }
  }
}

function isSupported(action: BootstrapAction): action is SetEnvDefaultsAction | EnsureDirectoriesAction | WriteJsonFileAction {
  return (SUPPORTED_BOOTSTRAP_ACTIONS as readonly string[]).includes(action.type);
}

/** The same JSON with every string (keys too) rendered. */
function renderStrings(value: JsonValue, render: (template: string) => string): JsonValue {
  if (typeof value === 'string') return render(value);
  if (Array.isArray(value)) return value.map((item) => renderStrings(item, render));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [render(key), renderStrings(item, render)]));
  }
  return value;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
