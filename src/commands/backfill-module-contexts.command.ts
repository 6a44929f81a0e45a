import { Command, CommandRunner, Option } from 'nest-commander';
import { SchemaMigrator } from '../database/schema-migrator';
import { ModuleContextsService } from '../manifests/module-contexts.service';
import { rejectArguments } from './cli-arguments';

@Command({
  name: 'backfill-module-contexts',
  description: 'Re-seed module_resource_contexts (which services and networks belong to a module) from the active manifest rows',
})
export class BackfillModuleContextsCommand extends CommandRunner {
  constructor(
    private readonly migrator: SchemaMigrator,
    private readonly contexts: ModuleContextsService,
  ) {
    super();
  }

  async run(args: string[], options: { module: string }): Promise<void> {
    rejectArguments('backfill-module-contexts', args);
    await this.migrator.migrate();
    const result = await this.contexts.reseed(options.module);
    process.stdout.write(
      `Module ${result.moduleId}: ${result.services} services, ${result.networks} networks ` +
        `(${result.written} context rows written, ${result.deleted} removed)\n`,
    );
  }

  @Option({ flags: '--module <id>', description: 'the module whose contexts to re-seed', required: true })
  parseModule(value: string): string {
    return value;
  }
}
