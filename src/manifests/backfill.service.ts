import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SchemaMigrator } from '../database/schema-migrator';
import { BootstrapRunner } from './bootstrap-runner';
import { ImportResult, ManifestImporterService } from './manifest-importer.service';
import { ModuleSource } from './module-loader';
import { ModulePreparer } from './module-preparer';

export interface BackfillRequest {
  /** One source per module directory. */
  sources: ModuleSource[];
  /** `--var NAME=VALUE`: win over every placeholder default. */
  variables: Record<string, string>;
  /** Run the descriptors' side-effecting bootstrap actions (skipped by default). */
  runBootstrap: boolean;
  /** Validate and plan, write nothing. */
  dryRun: boolean;
  /** Import into this database instead of the registry's (see `ImportOptions.into`). */
  into?: DataSource;
  /** Give up waiting for another import of a module after this long (`--lock-timeout`); default: wait. */
  lockTimeoutMs?: number;
  /** The environment templates see (default: the process's). */
  env?: Record<string, string | undefined>;
}

export interface ModuleBackfillReport {
  moduleId: string;
  /** Manifests skipped for their kind, descriptor keys ignored, unused `--var`s. */
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
 * reported together); then, on request, the bootstrap actions run; then pending migrations
 * are applied (a dry run only checks there are none) and each module is imported in its own
 * transaction.
 */
@Injectable()
export class BackfillService {
  constructor(
    private readonly preparer: ModulePreparer,
    private readonly bootstrapRunner: BootstrapRunner,
    private readonly importer: ManifestImporterService,
    private readonly migrator: SchemaMigrator,
  ) {}

  /**
   * Runs the backfill; `onReport` hears of each module as soon as its import committed, so a
   * later module's failure does not hide what was already written.
   */
  async backfill(request: BackfillRequest, onReport: (report: ModuleBackfillReport) => void = () => undefined): Promise<ModuleBackfillReport[]> {
    const prepared = await this.preparer.prepare(request.sources, { variables: request.variables, env: { ...(request.env ?? process.env) } });

    const bootstrapReports = new Map<string, string[]>();
    if (request.runBootstrap && !request.dryRun) {
      for (const { module, defaults } of prepared) bootstrapReports.set(module.moduleId, await this.bootstrapRunner.run(module, defaults));
    }

    await this.prepareSchema(request.dryRun);
    const reports: ModuleBackfillReport[] = [];
    for (const { module, resolved, notes } of prepared) {
      const ran = bootstrapReports.get(module.moduleId);
      const report: ModuleBackfillReport = {
        moduleId: module.moduleId,
        notes,
        bootstrap: ran ?? [],
        bootstrapNotRun: ran ? 0 : module.bootstrapActions.length,
        result: await this.importer.import(resolved, { dryRun: request.dryRun, into: request.into, lockTimeoutMs: request.lockTimeoutMs }),
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
}
