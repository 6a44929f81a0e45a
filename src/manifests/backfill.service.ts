import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SchemaMigrator } from '../database/schema-migrator';
import { BootstrapRunner } from './bootstrap-runner';
import { ImportResult, ManifestImporterService } from './manifest-importer.service';
import { LoadedModule, ResolvedModule } from './manifest.types';
import { ManifestProblem, ManifestValidationError } from './manifest-problems';
import { ModuleLoader, ModuleSource } from './module-loader';
import { PlaceholderInputs, PlaceholderResolver } from './placeholder-resolver';

export interface BackfillRequest {
  /** One source per module directory. */
  sources: ModuleSource[];
  /** `--var NAME=VALUE`: win over every placeholder default. */
  variables: Record<string, string>;
  /** Run the descriptors' bootstrap actions (skipped by default). */
  runBootstrap: boolean;
  /** Validate and plan, write nothing. */
  dryRun: boolean;
  /** Import into this database instead of the registry's (see `ImportOptions.into`). */
  into?: DataSource;
}

export interface ModuleBackfillReport {
  moduleId: string;
  /** E.g. manifests skipped for their kind. */
  notes: string[];
  /** One line per bootstrap action run or skipped; empty when bootstrap was not run. */
  bootstrap: string[];
  /** Bootstrap actions declared but not run (bootstrap off, or a dry run). */
  bootstrapNotRun: number;
  result: ImportResult;
}

/**
 * The backfill of SPEC §4–§5 for a set of module directories: every module is loaded,
 * validated and resolved before anything is written (all problems of all modules are
 * reported together); then pending migrations are applied (a dry run only checks there are
 * none) and each module is imported in its own transaction.
 */
@Injectable()
export class BackfillService {
  constructor(
    private readonly loader: ModuleLoader,
    private readonly resolver: PlaceholderResolver,
    private readonly bootstrapRunner: BootstrapRunner,
    private readonly importer: ManifestImporterService,
    private readonly migrator: SchemaMigrator,
  ) {}

  /**
   * Runs the backfill; `onReport` hears of each module as soon as its import committed, so a
   * later module's failure does not hide what was already written.
   */
  async backfill(request: BackfillRequest, onReport: (report: ModuleBackfillReport) => void = () => undefined): Promise<ModuleBackfillReport[]> {
    const modules = await this.loadAll(request.sources);

    // Bootstrap actions may set env defaults that placeholder defaults read: run them first.
    const inputs: PlaceholderInputs = { variables: request.variables, env: { ...process.env } };
    const bootstrapReports = new Map<string, string[]>();
    if (request.runBootstrap && !request.dryRun) {
      for (const module of modules) bootstrapReports.set(module.moduleId, await this.bootstrapRunner.run(module, inputs));
    }
    const resolved = collectProblems(modules, (module) => this.resolver.resolve(module, inputs), 'modules cannot be resolved');

    await this.prepareSchema(request.dryRun);
    const reports: ModuleBackfillReport[] = [];
    for (const [index, module] of modules.entries()) {
      const ran = bootstrapReports.get(module.moduleId);
      const report: ModuleBackfillReport = {
        moduleId: module.moduleId,
        notes: [...module.notes, ...unusedVariables(module, resolved[index], request.variables)],
        bootstrap: ran ?? [],
        bootstrapNotRun: ran ? 0 : module.bootstrapActions.length,
        result: await this.importer.import(resolved[index], { dryRun: request.dryRun, into: request.into }),
      };
      reports.push(report);
      onReport(report);
    }
    return reports;
  }

  /** Applies pending migrations; a dry run writes nothing, so it refuses an outdated schema instead. */
  private async prepareSchema(dryRun: boolean): Promise<void> {
    if (!dryRun) {
      await this.migrator.migrate();
      return;
    }
    const pending = await this.migrator.pending();
    if (pending.length > 0) {
      throw new Error(
        `the database schema is not up to date (${pending.length} pending migration(s)); a dry run writes nothing: run "migrate" or a backfill without --dry-run first`,
      );
    }
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

