import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { registryConfig } from '../config/configuration';
import { StoreMirror } from '../database/store-mirror';
import { BackfillService } from './backfill.service';
import { formatProblem, ManifestValidationError } from './manifest-problems';

/** `SERVICE_MANIFEST_PATHS` could not seed the private store: the start stops with this one line. */
export class SeedError extends Error {
  constructor(reason: string) {
    super(`SERVICE_MANIFEST_PATHS cannot seed the private store: ${reason}`);
    this.name = 'SeedError';
  }
}

/**
 * Seeds the replica's private store at start with the module folders in
 * `SERVICE_MANIFEST_PATHS`, by the backfill itself (same loading, validation, placeholders and
 * versioned import, no `--var`, no bootstrap actions), so an unchanged folder changes nothing
 * on a restart. The private store is the registry's database on the rollback path
 * (`APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0`), and the dual-write mirror with shared state
 * (its module services must exist there for writes to them to be repeated). With shared state
 * and no dual writes there is no private store and nothing to seed.
 */
@Injectable()
export class PrivateStoreSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('PrivateStore');

  constructor(
    @Inject(registryConfig.KEY) private readonly config: ConfigType<typeof registryConfig>,
    private readonly dataSource: DataSource,
    private readonly mirror: StoreMirror,
    private readonly backfill: BackfillService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.useSharedState) {
      this.logger.warn(
        'APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0: the registry runs on its private store (the shared tables and Redis are not used). ' +
          "Run exactly one replica: replicas would not see each other's writes.",
      );
      if (this.config.dualWrite) this.logger.warn('APPHUB_SERVICE_REGISTRY_DUAL_WRITE=1 has no effect on the rollback path: it never writes the shared tables');
      await this.seed(this.dataSource);
    } else if (this.mirror.enabled) {
      const store = await this.mirror.open();
      if (store) await this.seed(store);
    }
  }

  private async seed(into: DataSource): Promise<void> {
    const paths = this.config.manifestPaths;
    if (paths.length === 0) {
      this.logger.warn('SERVICE_MANIFEST_PATHS is empty: the private store holds no module services but those already in it');
      return;
    }
    const reports = await this.backfill
      .backfill({ sources: paths.map((path) => ({ path })), variables: {}, runBootstrap: false, dryRun: false, into })
      .catch((error: unknown) => {
        throw new SeedError(oneLine(error));
      });
    const modules = reports.map(({ result }) => `${result.moduleId}@${result.version} (${result.services.total} services, ${result.changed ? 'imported' : 'unchanged'})`);
    this.logger.log(`Private store seeded from SERVICE_MANIFEST_PATHS: ${modules.join(', ')}`);
  }
}

/** A validation error's summary and every problem, or any error's message, on one line. */
function oneLine(error: unknown): string {
  if (error instanceof ManifestValidationError) return [error.subject, ...error.problems.map(formatProblem)].join('; ');
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, '; ');
}
