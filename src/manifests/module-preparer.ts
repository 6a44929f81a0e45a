import { Injectable } from '@nestjs/common';
import { LoadedModule, ResolvedModule } from './manifest.types';
import { ManifestProblem, ManifestValidationError } from './manifest-problems';
import { ModuleLoader, ModuleSource } from './module-loader';
import { ModuleDefaults, PlaceholderInputs, PlaceholderResolver } from './placeholder-resolver';

/** A module read, validated and resolved: ready to import, with what the operator should know. */
export interface PreparedModule {
  module: LoadedModule;
  /** The module's defaults (env after `setEnvDefaults`, the scope bootstrap actions render in). */
  defaults: ModuleDefaults;
  resolved: ResolvedModule;
  /** Manifests skipped for their kind, descriptor keys ignored, `--var`s no placeholder uses. */
  notes: string[];
}

/**
 * Reads, validates and resolves a set of module directories with no database and no side
 * effect: the first half of a backfill, and all of `validate`. Every module is loaded and
 * resolved before the caller writes anything; the problems of all modules are reported
 * together.
 */
@Injectable()
export class ModulePreparer {
  constructor(
    private readonly loader: ModuleLoader,
    private readonly resolver: PlaceholderResolver,
  ) {}

  async prepare(sources: ModuleSource[], inputs: PlaceholderInputs): Promise<PreparedModule[]> {
    const modules = await this.loadAll(sources);
    const resolved = collectProblems(modules, (module) => this.resolver.resolve(module, inputs), 'modules cannot be resolved');
    return modules.map((module, index) => ({
      module,
      defaults: this.resolver.moduleDefaults(module, inputs),
      resolved: resolved[index],
      notes: [...module.notes, ...unusedVariables(module, resolved[index], inputs.variables)],
    }));
  }

  private async loadAll(sources: ModuleSource[]): Promise<LoadedModule[]> {
    if (sources.length === 0) throw new Error('no module to import: give --path DIR (or --config FILE)');
    const loaded: (LoadedModule | Error)[] = [];
    for (const source of sources) loaded.push(await this.loader.load(source).catch((error: Error) => error));
    const modules = collectProblems(loaded, (item) => {
      if (item instanceof Error) throw item;
      return item;
    }, 'modules are invalid');
    const seen = new Map<string, string>();
    for (const [index, module] of modules.entries()) {
      const earlier = seen.get(module.moduleId);
      if (earlier) throw new Error(`--path ${sources[index].path} and --path ${earlier} are both module "${module.moduleId}"`);
      seen.set(module.moduleId, sources[index].path);
    }
    return modules;
  }
}

/** `--var` names that are no placeholder of the module (a typo, or meant for another module). */
function unusedVariables(module: LoadedModule, resolved: ResolvedModule, variables: Record<string, string>): string[] {
  const known = new Set(module.placeholders.map((placeholder) => placeholder.name));
  for (const { definition } of [...resolved.services, ...resolved.networks]) {
    for (const name of Object.keys(definition.placeholders ?? {})) known.add(name);
  }
  return Object.keys(variables)
    .filter((name) => !known.has(name))
    .map((name) => `--var ${name} matches no placeholder of module "${module.moduleId}"`);
}

/**
 * Applies `work` to every item; if any fail with validation problems, throws them all in
 * one error (a single failing item keeps its own message). Other errors pass through.
 */
function collectProblems<T, R>(items: T[], work: (item: T) => R, summary: string): R[] {
  const results: R[] = [];
  const failures: ManifestValidationError[] = [];
  for (const item of items) {
    try {
      results.push(work(item));
    } catch (error) {
      if (!(error instanceof ManifestValidationError)) throw error;
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    const problems: ManifestProblem[] = failures.flatMap((failure) => failure.problems);
    throw new ManifestValidationError(`${failures.length} ${summary}`, problems);
  }
  return results;
}
