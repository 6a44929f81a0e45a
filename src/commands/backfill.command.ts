import { dirname } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import type { ModuleBackfillReport } from '../manifests/backfill.service';
import { PLACEHOLDER_NAME_PATTERN } from '../manifests/manifest-validator';
import { invalidArgument, rejectArguments } from './cli-arguments';
import { withCommandContext } from './command-context';

interface BackfillOptions {
  path?: string[];
  module?: string;
  config?: string;
  var?: Record<string, string>;
  /** `--no-bootstrap` given (runbook spelling: lifts the skip-bootstrap default). */
  noBootstrapFlag?: boolean;
  runBootstrap?: boolean;
  dryRun?: boolean;
}

@Command({
  name: 'backfill',
  description:
    'Import module service manifests into the registry: versioned, in one transaction per module; an unchanged manifest changes nothing',
})
export class BackfillCommand extends CommandRunner {
  async run(args: string[], options: BackfillOptions = {}): Promise<void> {
    rejectArguments('backfill', args);
    const paths = options.path ?? [];
    if (options.config && paths.length > 1) throw new Error('--config names one module descriptor: give at most one --path with it');
    const directories = paths.length > 0 ? paths : options.config ? [dirname(options.config)] : [];
    const { BackfillService } = await import('../manifests/backfill.service');
    await withCommandContext('registry', (context) =>
      context.get(BackfillService).backfill(
        {
          sources: directories.map((path) => ({ path, moduleId: options.module, configFile: options.config })),
          variables: options.var ?? {},
          runBootstrap: Boolean(options.noBootstrapFlag || options.runBootstrap),
          dryRun: Boolean(options.dryRun),
        },
        (report) => process.stdout.write(describe(report)),
      ),
    );
  }

  @Option({ flags: '--path <dir>', description: 'module directory to import (repeatable; each path is one module)' })
  parsePath(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({
    flags: '--module <id>',
    description: 'module id: required for a directory without config.json (service-manifests/service-manifest.json); must match the descriptor otherwise',
  })
  parseModule(value: string): string {
    return value;
  }

  @Option({ flags: '--config <file>', description: 'module descriptor to use instead of DIR/config.json (its folder is the module without --path)' })
  parseConfig(value: string): string {
    return value;
  }

  @Option({
    flags: '--var <KEY=VALUE>',
    description: 'placeholder value (repeatable); wins over the manifest\'s $var default and the descriptor\'s default',
  })
  parseVar(value: string, previous: Record<string, string> = {}): Record<string, string> {
    const match = /^([^=]*)=([\s\S]*)$/.exec(value);
    if (!match) throw invalidArgument('expected KEY=VALUE');
    const [, key, assigned] = match;
    if (!PLACEHOLDER_NAME_PATTERN.test(key)) throw invalidArgument(`"${key}" is not a placeholder name (letters, digits and "_")`);
    if (key in previous && previous[key] !== assigned) throw invalidArgument(`${key} is given twice with different values`);
    return { ...previous, [key]: assigned };
  }

  @Option({
    flags: '--no-bootstrap',
    name: 'noBootstrapFlag',
    description: 'run the descriptors\' bootstrap actions (runbook spelling: lifts the default of skipping them; same as --run-bootstrap)',
    defaultValue: false,
  })
  parseNoBootstrap(): boolean {
    return true;
  }

  @Option({ flags: '--run-bootstrap', description: 'run the descriptors\' bootstrap actions (skipped by default during a backfill)' })
  parseRunBootstrap(): boolean {
    return true;
  }

  @Option({ flags: '--dry-run', description: 'validate, resolve and show the plan under the module lock; write nothing' })
  parseDryRun(): boolean {
    return true;
  }
}

/**
 * The report of one module: what the operator should know (notes, bootstrap, the dry run's
 * plan), then the SPEC's summary line last, so `tail -1` is the result.
 */
function describe({ result, notes, bootstrap, bootstrapNotRun }: ModuleBackfillReport): string {
  const { services, networks } = result;
  const lines: string[] = [];
  for (const note of notes) lines.push(`note: ${note}`);
  for (const line of bootstrap) lines.push(line);
  if (bootstrapNotRun > 0) {
    lines.push(`bootstrap: ${bootstrapNotRun} action(s) not run (${result.dryRun ? 'dry run' : 'pass --no-bootstrap or --run-bootstrap to run them'})`);
  }
  if (result.dryRun) {
    for (const { slug, action } of result.plan.services) lines.push(`plan: service ${slug}: ${action}`);
    for (const { id, action } of result.plan.networks) lines.push(`plan: network ${id}: ${action}`);
  }
  if (networks.added + networks.changed + networks.removed > 0) {
    lines.push(`networks: ${networks.added} added, ${networks.changed} changed, ${networks.unchanged} unchanged, ${networks.removed} removed`);
  }
  lines.push(
    `Module ${result.moduleId}@${result.version}: ${services.total} services (${services.added} added, ${services.changed} changed, ` +
      `${services.unchanged} unchanged, ${services.removed} removed), ${networks.total} networks` +
      (result.dryRun ? ' [dry run: nothing written]' : ''),
  );
  return `${lines.join('\n')}\n`;
}
