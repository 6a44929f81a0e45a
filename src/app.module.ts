import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { RegistryConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { createApiValidationPipe } from './http/api-validation.pipe';
import { HttpErrorFilter } from './http/http-error.filter';
import { RegistryIndexHeaderInterceptor } from './http/registry-index-header.interceptor';
import { MetricsModule } from './metrics/metrics.module';
import { ModuleResourcesModule } from './module-resources/module-resources.module';
import { NetworksApiModule } from './networks/networks-api.module';
import { ProbesModule } from './probes/probes.module';
import { RedisModule } from './redis/redis.module';
import { InvalidationModule } from './registry-cache/invalidation.module';
import { RegistryCacheModule } from './registry-cache/registry-cache.module';
import { ServicesModule } from './services/services.module';

/** The HTTP application: API, probes, health poller. */
@Module({
  imports: [
    RegistryConfigModule,
    DatabaseModule.forRoot({ migrateOnStart: true, connectAttempts: 10 }),
    RedisModule,
    InvalidationModule,
    MetricsModule,
    RegistryCacheModule,
    ScheduleModule.forRoot(),
    ProbesModule,
    ServicesModule,
    NetworksApiModule,
    ModuleResourcesModule,
    HealthModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createApiValidationPipe },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: RegistryIndexHeaderInterceptor },
  ],
})
export class AppModule {}
