import { Module } from '@nestjs/common';
import { BackfillModuleContextsCommand } from './commands/backfill-module-contexts.command';
import { BackfillCommand } from './commands/backfill.command';
import { MigrateCommand } from './commands/migrate.command';
import { SchemaCheckCommand } from './commands/schema-check.command';
import { ValidateCommand } from './commands/validate.command';
import { RegistryConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { ManifestPreparationModule } from './manifests/manifest-preparation.module';
import { ManifestsModule } from './manifests/manifests.module';
import { RedisModule } from './redis/redis.module';
import { REGISTRY_ENTITIES } from './registry-entities';

/** The CLI application context: no HTTP server, no scheduler. */
@Module({
  imports: [
    RegistryConfigModule,
    DatabaseModule.forRoot({ entities: REGISTRY_ENTITIES, migrateOnStart: false, connectAttempts: 1 }),
    RedisModule,
    ManifestsModule,
  ],
  providers: [MigrateCommand, BackfillCommand, BackfillModuleContextsCommand, SchemaCheckCommand, ValidateCommand],
})
export class CliModule {}

/** The context of `validate`: manifest reading only, so it opens no database or Redis connection. */
@Module({
  imports: [ManifestPreparationModule],
  providers: [ValidateCommand],
})
export class ValidateCliModule {}
