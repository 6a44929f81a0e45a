import { DynamicModule, Module } from '@nestjs/common';
import { RegistryConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { ManifestsModule } from '../manifests/manifests.module';
import { RedisModule } from '../redis/redis.module';
import { InvalidationModule } from '../registry-cache/invalidation.module';
import type { CommandNeeds } from './command-context';

@Module({})
class CommandModule {}

/** The context a CLI command runs in: no HTTP server, no scheduler, one connection attempt. */
export function commandModule(needs: CommandNeeds): DynamicModule {
  const database = [RegistryConfigModule, DatabaseModule.forRoot({ migrateOnStart: false, connectAttempts: 1 })];
  return {
    module: CommandModule,
    imports: needs === 'database' ? database : [...database, RedisModule, InvalidationModule, ManifestsModule],
  };
}
