import { DynamicModule, Module } from '@nestjs/common';
import { RegistryConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { ManifestPreparationModule } from '../manifests/manifest-preparation.module';
import { ManifestsModule } from '../manifests/manifests.module';
import { RedisModule } from '../redis/redis.module';
import { REGISTRY_ENTITIES } from '../registry-entities';
import type { CommandNeeds } from './command-context';

@Module({})
class CommandModule {}

/** The context a CLI command runs in: no HTTP server, no scheduler, one connection attempt. */
export function commandModule(needs: CommandNeeds): DynamicModule {
  if (needs === 'manifests') return { module: CommandModule, imports: [RegistryConfigModule, ManifestPreparationModule] };
  const database = [RegistryConfigModule, DatabaseModule.forRoot({ entities: REGISTRY_ENTITIES, migrateOnStart: false, connectWithinMs: 0 })];
  return {
    module: CommandModule,
    imports: needs === 'database' ? database : [...database, RedisModule, ManifestsModule],
  };
}
