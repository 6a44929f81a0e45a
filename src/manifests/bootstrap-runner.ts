import { Injectable } from '@nestjs/common';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  EnsureDirectoriesAction,
  JsonValue,
  LoadedModule,
  SUPPORTED_BOOTSTRAP_ACTIONS,
  WriteJsonFileAction,
} from './manifest.types';
import { joinPath } from './manifest-problems';
import { ModuleDefaults } from './placeholder-resolver';
import { TemplateError, TemplateRenderer, TemplateScope } from './template-renderer';

/**
 * Runs a module descriptor's `bootstrap.actions` in order (SPEC §5), on request only (a
 * backfill skips them by default). `setEnvDefaults` has no side effect: its values were
 * already applied, without running anything, when the module's defaults were computed
 * (`PlaceholderResolver.moduleDefaults`); here it is only reported. `ensureDirectories`
 * and `writeJsonFile` write where their rendered paths point (a relative path is relative to
 * the module directory), with the module's final scope (`env` after every `setEnvDefaults`,
 * `placeholders`, `variables`, `module`). Other action types are reported as skipped.
 * Returns one line per action for the operator.
 */
@Injectable()
export class BootstrapRunner {
  constructor(private readonly templates: TemplateRenderer = new TemplateRenderer()) {}

  async run(module: LoadedModule, defaults: ModuleDefaults): Promise<string[]> {
    const report: string[] = [];
    for (const [index, action] of module.bootstrapActions.entries()) {
      const where = `bootstrap.actions[${index}] (${action.type})`;
      if (!(SUPPORTED_BOOTSTRAP_ACTIONS as readonly string[]).includes(action.type)) {
        report.push(`skipped ${where}: unsupported action type (supported: ${SUPPORTED_BOOTSTRAP_ACTIONS.join(', ')})`);
        continue;
      }
      try {
        if (action.type === 'setEnvDefaults') {
          const outcome = defaults.envDefaults.find((candidate) => candidate.index === index);
          const set = outcome?.set ?? [];
          const kept = outcome?.kept.length ?? 0;
          report.push(`${where}: set ${set.length ? set.join(', ') : 'nothing'}${kept ? ` (${kept} already set)` : ''}`);
        } else if (action.type === 'ensureDirectories') {
          report.push(`${where}: ${await this.ensureDirectories(action as EnsureDirectoriesAction, index, module.directory, defaults.scope)}`);
        } else {
          report.push(`${where}: ${await this.writeJsonFile(action as WriteJsonFileAction, index, module.directory, defaults.scope)}`);
        }
      } catch (error) {
        // A template error names its JSON path; a file system error its action.
        if (error instanceof TemplateError) throw new Error(`module "${module.moduleId}": ${module.descriptorFile}: ${error.message}`);
        const reason = (error as NodeJS.ErrnoException).code ? `${(error as NodeJS.ErrnoException).code} ${(error as NodeJS.ErrnoException).path ?? ''}`.trim() : (error as Error).message;
        throw new Error(`module "${module.moduleId}": ${module.descriptorFile}: ${where} failed: ${reason}`);
      }
    }
    return report;
  }

  private async ensureDirectories(action: EnsureDirectoriesAction, index: number, directory: string, scope: TemplateScope): Promise<string> {
    const directories = action.directories.map((template, entry) =>
      resolve(directory, this.renderPath(template, scope, joinPath(joinPath(joinPath('bootstrap.actions', index), 'directories'), entry))),
    );
    for (const path of directories) await mkdir(path, { recursive: true });
    return `ensured ${directories.join(', ')}`;
  }

  private async writeJsonFile(action: WriteJsonFileAction, index: number, directory: string, scope: TemplateScope): Promise<string> {
    const path = resolve(directory, this.renderPath(action.path, scope, joinPath(joinPath('bootstrap.actions', index), 'path')));
    if (!action.overwrite && (await exists(path))) return `kept existing ${path}`;
    if (action.createParents !== false) await mkdir(dirname(path), { recursive: true });
    const content = this.renderContent(action.content, scope, joinPath(joinPath('bootstrap.actions', index), 'content'));
    await writeFile(path, `${JSON.stringify(content, null, action.pretty === false ? undefined : 2)}\n`);
    return `wrote ${path}`;
  }

  private renderPath(template: string, scope: TemplateScope, at: string): string {
    let path: string;
    try {
      path = this.templates.renderString(template, scope);
    } catch (error) {
      if (error instanceof TemplateError) throw new TemplateError(`${at}: ${error.message}`);
      throw error;
    }
    if (path.trim() === '') throw new TemplateError(`${at}: renders to an empty path`);
    return path;
  }

  /** The same JSON with every string rendered (keys as text; a value that is one template keeps its type). */
  private renderContent(value: JsonValue, scope: TemplateScope, at: string): JsonValue {
    if (typeof value === 'string') {
      try {
        return this.templates.render(value, scope) ?? null;
      } catch (error) {
        if (error instanceof TemplateError) throw new TemplateError(`${at}: ${error.message}`);
        throw error;
      }
    }
    if (Array.isArray(value)) return value.map((item, index) => this.renderContent(item, scope, joinPath(at, index)));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [this.templates.renderString(key, scope), this.renderContent(item, scope, joinPath(at, key))]),
      );
    }
    return value;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
