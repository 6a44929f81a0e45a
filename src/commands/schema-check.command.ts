import { Command, CommandRunner } from 'nest-commander';
import { RegistryDatabaseServer } from '../database/database.module';
import { findSchemaDrift } from '../database/schema-drift';
import { REGISTRY_ENTITIES } from '../registry-entities';

@Command({
  name: 'schema:check',
  description:
    'Check that the TypeORM entities describe the schema the migrations build (on a scratch database, dropped afterwards); exit 1 and print the differences if not',
})
export class SchemaCheckCommand extends CommandRunner {
  constructor(private readonly server: RegistryDatabaseServer) {
    super();
  }

  async run(): Promise<void> {
    const drift = await findSchemaDrift(await this.server.resolveUrl(), REGISTRY_ENTITIES);
    if (drift.differences.length > 0) {
      process.stdout.write(drift.differences.map((line) => `${line}\n`).join(''));
      throw new Error(`the entities and the migrations disagree: ${drift.differences.length} difference(s) above`);
    }
    process.stdout.write(`Entities match the migrations: TypeORM's schema diff of ${drift.tables} tables is empty\n`);
  }
}
