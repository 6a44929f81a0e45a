import { Command, CommandRunner } from 'nest-commander';
import { withCommandContext } from './command-context';

@Command({
  name: 'migrate',
  description: 'Apply pending database migrations (under an advisory lock) and exit',
})
export class MigrateCommand extends CommandRunner {
  async run(): Promise<void> {
    const { SchemaMigrator } = await import('../database/schema-migrator');
    await withCommandContext('database', async (context) => {
      const migrator = context.get(SchemaMigrator);
      const applied = await migrator.migrate();
      const total = await migrator.appliedCount();
      process.stdout.write(
        applied.length === 0
          ? `Schema is up to date (${total} migrations applied)\n`
          : `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`,
      );
    });
  }
}
