import { Command, CommandRunner } from 'nest-commander';
import { withCommandContext } from './command-context';

@Command({
  name: 'schema:check',
  description:
    'Check that the TypeORM entities describe the schema the migrations build (on a scratch database, dropped afterwards); exit 1 and print the differences if not',
})
export class SchemaCheckCommand extends CommandRunner {
  async run(): Promise<void> {
    const [{ RegistryDatabaseServer }, { findSchemaDrift }, { REGISTRY_ENTITIES }] = await Promise.all([
      import('../database/database.module'),
      import('../database/schema-drift'),
      import('../registry-entities'),
    ]);
    const drift = await withCommandContext('database', async (context) =>
      findSchemaDrift(await context.get(RegistryDatabaseServer).resolveUrl(), REGISTRY_ENTITIES),
    );
    if (drift.differences.length > 0) {
      process.stdout.write(drift.differences.map((line) => `${line}\n`).join(''));
      throw new Error(`the entities and the migrations disagree: ${drift.differences.length} difference(s) above`);
    }
    process.stdout.write(`Entities match the migrations: TypeORM's schema diff of ${drift.tables} tables is empty\n`);
  }
}
