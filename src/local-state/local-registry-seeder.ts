import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { registryConfig } from '../config/configuration';
import { formatProblem, ManifestValidationError } from '../manifests/manifest-problems';
import { ModuleLoader } from '../manifests/module-loader';
import { PlaceholderResolver } from '../manifests/placeholder-resolver';
import { LocalRegistry } from './local-registry';

/** A module directory of `SERVICE_MANIFEST_PATHS` that cannot seed the local store. */
export class LocalSeedError extends Error {
  constructor(path: string, reason: string) {
    super(`SERVICE_MANIFEST_PATHS entry "${path}" cannot seed the local registry: ${reason}`);
    this.name = 'LocalSeedError';
  }
}

/**
 * Builds the local store at start from the module directories in `SERVICE_MANIFEST_PATHS`,
 * with the backfill's loading, validation and placeholder resolution (no `--var`: the
 * descriptors' defaults and the environment), so each service gets the same definition and
 * checksum a backfill of the same directory stores. A directory that does not load stops the
 * start with one line naming it and its problems.
 */
@Injectable()
export class LocalRegistrySeeder {
  private readonly logger = new Logger('LocalRegistry');

  constructor(
    private readonly loader: ModuleLoader,
    private readonly resolver: PlaceholderResolver,
    @Inject(registryConfig.KEY) private readonly config: ConfigType<typeof registryConfig>,
  ) {}

  async seed(): Promise<LocalRegistry> {
    const registry = new LocalRegistry();
    const paths = this.config.manifestPaths;
    if (paths.length === 0) {
      this.logger.warn('SERVICE_MANIFEST_PATHS is empty: the local registry starts with no module services (external services can still register)');
      return registry;
    }
    for (const path of paths) {
      try {
        const module = await this.loader.load({ path });
        registry.seedModule(this.resolver.resolve(module, { variables: {}, env: { ...process.env } }));
        for (const note of module.notes) this.logger.log(`${module.moduleId}: ${note}`);
      } catch (error) {
        throw new LocalSeedError(path, oneLine(error));
      }
    }
    this.logger.log(`Local registry seeded: ${registry.serviceCount} services from ${registry.moduleIds.map((id) => `"${id}"`).join(', ')}`);
    return registry;
  }
}

/** A validation error's summary and every problem, or any error's message, on one line. */
function oneLine(error: unknown): string {
  if (error instanceof ManifestValidationError) {
    return [error.subject, ...error.problems.map(formatProblem)].join('; ');
  }
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, '; ');
}
