import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ModuleResourcesSource } from '../module-resources/module-resources-source';
import { NetworksSource } from '../networks/networks-source';
import { ReadinessChecks } from '../probes/readiness-checks';
import { RedisConnections } from '../redis/redis-connections';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { RegistryIndex } from '../registry-cache/registry-index';
import { ServiceRows } from '../services/service-rows';
import { ServiceWriter } from '../services/service-writer';
import { ServicesSource } from '../services/services-source';
import { DualServiceWriter } from './dual-service-writer';
import { LocalRegistry } from './local-registry';
import { LocalRegistryIndex } from './local-registry-index';
import { LocalRegistryModule } from './local-registry.module';
import { LocalServiceWriter } from './local-service-writer';
import { LocalStateReadiness } from './local-state-readiness';
import { SharedStateMirror } from './shared-state-mirror';

export interface LocalStateOptions {
  /** `APPHUB_SERVICE_REGISTRY_DUAL_WRITE=1`: API writes are mirrored to the shared tables. */
  dualWrite: boolean;
  /** The store, seeded from `SERVICE_MANIFEST_PATHS`. */
  registry: LocalRegistry;
}

/**
 * The registry's state with `APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0` (the rollback
 * path): reads and writes go to the in-process store; no Postgres connection (unless dual
 * writes mirror to it), no Redis connection (invalidations stay in this process), and
 * readiness depends on neither. Meant for one replica.
 */
@Module({})
export class LocalStateModule {
  static forRoot(options: LocalStateOptions): DynamicModule {
    const writer: Provider = options.dualWrite
      ? {
          provide: ServiceWriter,
          inject: [LocalServiceWriter, SharedStateMirror],
          useFactory: (local: LocalServiceWriter, mirror: SharedStateMirror) => new DualServiceWriter(local, mirror),
        }
      : { provide: ServiceWriter, useExisting: LocalServiceWriter };
    return {
      module: LocalStateModule,
      global: true,
      imports: [LocalRegistryModule.forRoot(options.registry), TerminusModule],
      providers: [
        { provide: RedisConnections, useFactory: () => new RedisConnections({ url: null }) },
        { provide: RegistryIndex, useClass: LocalRegistryIndex },
        InvalidationBus,
        LocalServiceWriter,
        ...(options.dualWrite ? [ServiceRows, SharedStateMirror] : []),
        writer,
        { provide: ServicesSource, useExisting: LocalRegistry },
        { provide: NetworksSource, useExisting: LocalRegistry },
        { provide: ModuleResourcesSource, useExisting: LocalRegistry },
        { provide: ReadinessChecks, useClass: LocalStateReadiness },
      ],
      exports: [LocalRegistryModule, RedisConnections, RegistryIndex, InvalidationBus, ServiceWriter, ServicesSource, NetworksSource, ModuleResourcesSource, ReadinessChecks],
    };
  }
}
