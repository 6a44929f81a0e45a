import { Module } from '@nestjs/common';
import { RegistryConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
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
    ProbesModule,
  ],
})
export class AppModule {}
