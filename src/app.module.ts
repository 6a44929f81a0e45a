import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { RegistryConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { createApiValidationPipe } from './http/api-validation.pipe';
import { HttpErrorFilter } from './http/http-error.filter';
import { ProbesModule } from './probes/probes.module';
import { RedisModule } from './redis/redis.module';
import { RegistryCacheModule } from './registry-cache/registry-cache.module';

/** The HTTP application: API, probes, health poller. */
@Module({
  imports: [
    RegistryConfigModule,
    DatabaseModule.forRoot({ migrateOnStart: true, connectAttempts: 10 }),
    RedisModule,
    RegistryCacheModule,
    ScheduleModule.forRoot(),
    ProbesModule,
    HealthModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createApiValidationPipe },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class AppModule {}
