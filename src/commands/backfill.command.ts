import { Command, CommandRunner, Option } from 'nest-commander';
import { backfillReportLines } from './backfill-report';
import { moduleSources, parseLockTimeout, parseVariable, rejectArguments } from './cli-arguments';
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
  lockTimeout?: number;
}

/** How long a backfill waits for another import of the same module by default. */
const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

@Command({
  name: 'backfill',
  description:
    'Import module service manifests into the registry: versioned, in one transaction per module; an unchanged manifest changes nothing',
})
export class BackfillCommand extends CommandRunner {
  async run(args: string[], options: BackfillOptions = {}): Promise<void> {
    rejectArguments('backfill', args);
    const sources = moduleSources(options);
    const { BackfillService } = await import('../manifests/backfill.service');
    await withCommandContext('registry', (context) =>
      context.get(BackfillService).backfill(
        {
          sources,
          variables: options.var ?? {},
          runBootstrap: Boolean(options.noBootstrapFlag || options.runBootstrap),
          dryRun: Boolean(options.dryRun),
          lockTimeoutMs: options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_MS,
        },
        (report) => process.stdout.write(`${backfillReportLines(report).join('\n')}\n`),
      ),
    );
  }

  @Option({ flags: '--path <dir>', description: 'module directory to import (repeatable; each path is one module)' })
  parsePath(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({
    flags: '--module <id>',
    description: 'module id (e.g. github.com/apphub/local-services): required for a directory without a descriptor (service-manifests/service-manifest.json or service-manifest.json); must match the descriptor otherwise',
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
    description: 'placeholder value (repeatable); wins over every default (the manifest\'s $var default, the descriptor\'s default, setEnvDefaults)',
  })
  parseVar(value: string, previous: Record<string, string> = {}): Record<string, string> {
    return parseVariable(value, previous);
  }

  @Option({
    flags: '--no-bootstrap',
    name: 'noBootstrapFlag',
    description:
      'run the descriptors\' side-effecting bootstrap actions (ensureDirectories, writeJsonFile; runbook spelling: lifts the default of skipping them; same as --run-bootstrap)',
    defaultValue: false,
  })
  parseNoBootstrap(): boolean {
    return true;
  }

  @Option({ flags: '--run-bootstrap', description: 'run the descriptors\' bootstrap actions (skipped by default during a backfill)' })
  parseRunBootstrap(): boolean {
    return true;
  }

  @Option({
    flags: '--lock-timeout <duration>',
    description:
      'give up (exit 1) when another import of the same module holds its lock this long: seconds (60, 60s), 500ms or 2m; 0 gives up at once (default 60s)',
  })
  parseLockTimeout(value: string): number {
    return parseLockTimeout(value);
  }

  @Option({ flags: '--dry-run', description: 'validate, resolve and show the plan under the module lock; write nothing' })
  parseDryRun(): boolean {
    return true;
  }
}
