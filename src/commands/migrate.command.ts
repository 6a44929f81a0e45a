import { Command, CommandRunner } from 'nest-commander';
import { SchemaMigrator } from '../database/schema-migrator';

@Command({
  name: 'migrate',
  description: 'Apply pending database migrations (under an advisory lock) and exit',
})
export class MigrateCommand extends CommandRunner {
  constructor(private readonly migrator: SchemaMigrator) {
    super();
  }

  async run(): Promise<void> {
    const applied = await this.migrator.migrate();
    const total = await this.migrator.appliedCount();
    process.stdout.write(
      applied.length === 0
        ? `Schema is up to date (${total} migrations applied)\n`
        : `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`,
    );
  }
}
