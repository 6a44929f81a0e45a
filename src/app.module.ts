import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { RegistryConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { HttpErrorFilter } from './http/http-error.filter';
import { PrivateStoreSeedModule } from './manifests/private-store-seed.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsApiModule } from './metrics/metrics-api.module';
import { ModuleResourcesModule } from './module-resources/module-resources.module';
import { NetworksApiModule } from './networks/networks-api.module';
import { ProbesModule } from './probes/probes.module';
import { RedisModule } from './redis/redis.module';
import { RegistryCacheModule } from './registry-cache/registry-cache.module';
import { REGISTRY_ENTITIES } from './registry-entities';
import { ServicesModule } from './services/services.module';
import { StatusModule } from './status/status.module';

/**
 * The HTTP application: API, probes, health poller. Where its data lives is configuration,
 * not code: the database (`DATABASE_URL`, the zero-config embedded Postgres, or on the rollback
 * path the replica's private store) and Redis (or inline) are chosen by `config/`, and every
 * module below runs the same way on either.
 */
@Module({
  imports: [
    RegistryConfigModule,
    DatabaseModule.forRoot({ entities: REGISTRY_ENTITIES, migrateOnStart: true, connectWithinMs: 5_000 }),
    RedisModule,
    ScheduleModule.forRoot(),
    PrivateStoreSeedModule,
    MetricsApiModule,
    RegistryCacheModule,
    ProbesModule,
    ServicesModule,
    NetworksApiModule,
    ModuleResourcesModule,
    HealthModule,
    StatusModule,
  ],
  providers: [
    // Global: every route answers errors in one shape. Nothing else is global: validation
    // (ApiValidationPipe) and the index header sit on the routes that need them, so the hot
    // reads pay for neither (see main.ts for the path cached reads take).
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class AppModule {}
