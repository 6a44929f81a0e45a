import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { registryConfig } from '../config/configuration';
import { LocalRegistry } from './local-registry';

/** Tells the operator at start what the local store holds and what local state means. */
@Injectable()
export class LocalRegistryNotice implements OnApplicationBootstrap {
  private readonly logger = new Logger('LocalState');

  constructor(
    @Inject(registryConfig.KEY) private readonly config: ConfigType<typeof registryConfig>,
    private readonly registry: LocalRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.manifestPaths.length === 0) {
      this.logger.warn('SERVICE_MANIFEST_PATHS is empty: the local registry starts with no module services (external services can still register)');
    } else {
      const modules = this.registry.moduleIds.map((id) => `"${id}"`).join(', ');
      this.logger.log(`Local registry seeded with ${this.registry.serviceCount} services from module(s) ${modules} (SERVICE_MANIFEST_PATHS)`);
    }
    if (this.config.useSharedState) {
      this.logger.log('APPHUB_SERVICE_REGISTRY_DUAL_WRITE=1: API writes go to the shared tables, then to the local registry');
      return;
    }
    const mirrored = this.config.dualWrite ? '; API writes are mirrored to the shared tables when Postgres is reachable' : '';
    this.logger.warn(
      `APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0: the registry keeps its state in this process only (shared tables and Redis are not used${mirrored}). ` +
        "Run exactly one replica: replicas would not see each other's writes.",
    );
  }
}
