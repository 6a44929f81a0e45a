import { Command, CommandRunner, Option } from 'nest-commander';
import type { PreparedModule } from '../manifests/module-preparer';
import { moduleSources, parseVariable, rejectArguments } from './cli-arguments';
import { withCommandContext } from './command-context';

interface ValidateOptions {
  path?: string[];
  module?: string;
  config?: string;
  var?: Record<string, string>;
}

/**
 * `validate`: loads, validates and resolves modules as a backfill would, with no database and
 * no Redis (its context has neither, so it opens no connection), and runs nothing: for a
 * module's own CI. Exit 0 when every module would import; otherwise exit 1 with the
 * backfill's messages.
 */
@Command({
  name: 'validate',
  description: 'Check module directories as a backfill would (load, validate, resolve placeholders) without a database; write nothing',
})
export class ValidateCommand extends CommandRunner {
  async run(args: string[], options: ValidateOptions = {}): Promise<void> {
    rejectArguments('validate', args);
    const sources = moduleSources(options);
    const { ModulePreparer } = await import('../manifests/module-preparer');
    const prepared = await withCommandContext('manifests', (context) =>
      context.get(ModulePreparer).prepare(sources, { variables: options.var ?? {}, env: { ...process.env } }),
    );
    process.stdout.write(prepared.map(describe).join(''));
  }

  @Option({ flags: '--path <dir>', description: 'module directory to check (repeatable; each path is one module)' })
  parsePath(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({ flags: '--module <id>', description: 'module id: required for a directory without a descriptor; must match the descriptor otherwise' })
  parseModule(value: string): string {
    return value;
  }

  @Option({ flags: '--config <file>', description: 'module descriptor to use instead of DIR/config.json (its folder is the module without --path)' })
  parseConfig(value: string): string {
    return value;
  }

  @Option({ flags: '--var <KEY=VALUE>', description: 'placeholder value (repeatable), as for backfill' })
  parseVar(value: string, previous: Record<string, string> = {}): Record<string, string> {
    return parseVariable(value, previous);
  }
}

/** Notes, where each placeholder's value comes from, then the verdict line last. */
function describe({ module, resolved, notes }: PreparedModule): string {
  const lines = notes.map((note) => `note: ${note}`);
  const sources = new Map<string, string>();
  for (const { definition } of [...resolved.services, ...resolved.networks]) {
    for (const [name, source] of Object.entries(definition.placeholders ?? {})) sources.set(name, source);
  }
  for (const [name, source] of [...sources].sort(([a], [b]) => a.localeCompare(b))) lines.push(`placeholder ${name}: ${source}`);
  lines.push(
    `Module ${module.moduleId}: ${resolved.services.length} services, ${resolved.networks.length} networks: valid` +
      (module.bootstrapActions.length ? ` (${module.bootstrapActions.length} bootstrap action(s) not run)` : ''),
  );
  return `${lines.join('\n')}\n`;
}
