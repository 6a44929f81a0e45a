import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseModule } from '../database/database.module';
import { DualServiceWriter } from '../local-state/dual-service-writer';
import { LocalRegistry } from '../local-state/local-registry';
import { LocalRegistryModule } from '../local-state/local-registry.module';
import { ModuleResourcesQuery } from '../module-resources/module-resources.query';
import { ModuleResourcesSource } from '../module-resources/module-resources-source';
import { NetworksQuery } from '../networks/networks.query';
import { NetworksSource } from '../networks/networks-source';
import { ReadinessChecks } from '../probes/readiness-checks';
import { SharedStateReadiness } from '../probes/shared-state-readiness';
import { RedisModule } from '../redis/redis.module';
import { InlineIndexWatcher } from '../registry-cache/inline-index-watcher';
import { InvalidationModule } from '../registry-cache/invalidation.module';
import { ServiceRows } from '../services/service-rows';
import { ServiceWriter } from '../services/service-writer';
import { ServicesDatasetQuery } from '../services/services-dataset.query';
import { ServicesSource } from '../services/services-source';
import { SharedServiceWriter } from '../services/shared-service-writer';

export interface SharedStateOptions {
  /**
   * `APPHUB_SERVICE_REGISTRY_DUAL_WRITE=1`: the local store (seeded like the rollback
   * path's) that API writes also go to; null without dual writes.
   */
  dualWriteTo: LocalRegistry | null;
}

/**
 * The registry's state with `APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=1` (the default):
 * Postgres (migrated at start under the advisory lock), Redis pub/sub between replicas,
 * reads from the shared tables, readiness on Postgres and Redis.
 */
@Module({})
export class SharedStateModule {
  static forRoot(options: SharedStateOptions): DynamicModule {
    const local = options.dualWriteTo;
    const writer: Provider = local
      ? {
          provide: ServiceWriter,
          inject: [SharedServiceWriter],
          useFactory: (shared: SharedServiceWriter) =>
            new DualServiceWriter(shared, {
              name: 'local store',
              register: (input) => local.register(input),
              patch: (slug, patch) => local.patch(slug, patch),
            }),
        }
      : { provide: ServiceWriter, useExisting: SharedServiceWriter };
    return {
      module: SharedStateModule,
      global: true,
      imports: [
        DatabaseModule.forRoot({ migrateOnStart: true, connectAttempts: 10 }),
        RedisModule,
        InvalidationModule,
        TerminusModule,
        ...(local ? [LocalRegistryModule.forRoot(local)] : []),
      ],
      providers: [
        ServiceRows,
        SharedServiceWriter,
        writer,
        { provide: ServicesSource, useClass: ServicesDatasetQuery },
        { provide: NetworksSource, useClass: NetworksQuery },
        { provide: ModuleResourcesSource, useClass: ModuleResourcesQuery },
        { provide: ReadinessChecks, useClass: SharedStateReadiness },
        InlineIndexWatcher,
      ],
      exports: [ServiceWriter, ServicesSource, NetworksSource, ModuleResourcesSource, ReadinessChecks, ...(local ? [LocalRegistryModule] : [])],
    };
  }
}
