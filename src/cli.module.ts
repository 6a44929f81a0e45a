import { Module } from '@nestjs/common';
import { BackfillModuleContextsCommand } from './commands/backfill-module-contexts.command';
import { BackfillCommand } from './commands/backfill.command';
import { MigrateCommand } from './commands/migrate.command';
import { SchemaCheckCommand } from './commands/schema-check.command';
import { ValidateCommand } from './commands/validate.command';

/**
 * The CLI's root: the commands and their flags, nothing else, so `--help` and a usage error
 * load no database, Redis or manifest code. A command builds the context it runs in when it
 * runs (`withCommandContext`).
 */
@Module({
  providers: [MigrateCommand, BackfillCommand, BackfillModuleContextsCommand, SchemaCheckCommand, ValidateCommand],
})
export class CliModule {}

