import { Module } from '@nestjs/common';
import { MigrateCommand } from './commands/migrate.command';
import { RegistryConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { RedisModule } from './redis/redis.module';
import { InvalidationModule } from './registry-cache/invalidation.module';

/** The CLI application context: no HTTP server, no scheduler. */
@Module({
  imports: [
    RegistryConfigModule,
    DatabaseModule.forRoot({ migrateOnStart: false, connectAttempts: 1 }),
    RedisModule,
    InvalidationModule,
  ],
  providers: [MigrateCommand],
})
export class CliModule {}
