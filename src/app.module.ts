import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { RegistryConfigModule } from './config/config.module';
import { registryConfig } from './config/configuration';
import { HealthModule } from './health/health.module';
import { createApiValidationPipe } from './http/api-validation.pipe';
import { HttpErrorFilter } from './http/http-error.filter';
import { RegistryIndexHeaderInterceptor } from './http/registry-index-header.interceptor';
import { seedLocalRegistry } from './local-state/local-registry-seeder';
import { LocalStateModule } from './local-state/local-state.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModuleResourcesModule } from './module-resources/module-resources.module';
import { NetworksApiModule } from './networks/networks-api.module';
import { ProbesModule } from './probes/probes.module';
import { RegistryCacheModule } from './registry-cache/registry-cache.module';
import { ServicesModule } from './services/services.module';
import { SharedStateModule } from './shared-state/shared-state.module';

/**
 * The HTTP application: API, probes, health poller. Where its state lives is decided here,
 * once, from `APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE`: the shared tables and Redis
 * (`SharedStateModule`), or this process (`LocalStateModule`, the rollback path, which loads
 * no Postgres or Redis code path at all). The feature modules read and write through the
 * abstractions both provide (`ServicesSource`, `ServiceWriter`, …) and are the same in both.
 *
 * The local store (local state, or shared state with dual writes) is seeded from
 * `SERVICE_MANIFEST_PATHS` before the application is built: a module directory that does not
 * load stops the start with one line, like a bad environment variable.
 */
@Module({})
export class AppModule {
  static async forRoot(): Promise<DynamicModule> {
    const { useSharedState, dualWrite, manifestPaths } = registryConfig();
    const state = useSharedState
      ? SharedStateModule.forRoot({ dualWriteTo: dualWrite ? await seedLocalRegistry(manifestPaths) : null })
      : LocalStateModule.forRoot({ dualWrite, registry: await seedLocalRegistry(manifestPaths) });
    return {
      module: AppModule,
      imports: [
        RegistryConfigModule,
        LoggingModule,
        state,
        MetricsModule,
        RegistryCacheModule,
        ScheduleModule.forRoot(),
        ProbesModule,
        ServicesModule,
        NetworksApiModule,
        ModuleResourcesModule,
        HealthModule.forRoot({ sharedState: useSharedState }),
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createApiValidationPipe },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_INTERCEPTOR, useClass: RegistryIndexHeaderInterceptor },
      ],
    };
  }
}
