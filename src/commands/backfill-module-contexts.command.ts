import { Command, CommandRunner, Option } from 'nest-commander';
import { rejectArguments } from './cli-arguments';
import { withCommandContext } from './command-context';

@Command({
  name: 'backfill-module-contexts',
  description: 'Re-seed module_resource_contexts (which services and networks belong to a module) from the active manifest rows',
})
export class BackfillModuleContextsCommand extends CommandRunner {
  async run(args: string[], options: { module: string }): Promise<void> {
    rejectArguments('backfill-module-contexts', args);
    const [{ SchemaMigrator }, { ModuleContextsService }] = await Promise.all([
      import('../database/schema-migrator'),
      import('../manifests/module-contexts.service'),
    ]);
    const result = await withCommandContext('registry', async (context) => {
      await context.get(SchemaMigrator).migrate();
      return context.get(ModuleContextsService).reseed(options.module);
    });
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
