import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { backfillReportLines } from '../../src/commands/backfill-report';
import { commandModule } from '../../src/commands/command.module';
import { BackfillRequest, BackfillService, ModuleBackfillReport } from '../../src/manifests/backfill.service';
import { ModuleContextsService } from '../../src/manifests/module-contexts.service';

/**
 * The CLI's application context (the same modules `node dist/cli.js backfill` builds) in the
 * test process, on a test database with inline invalidations: a backfill costs a call, not a
 * process start. The CLI's own behaviour (flags, exit codes, output lines) is covered by the
 * few tests that run `dist/cli.js`.
 */
export class BackfillContext {
  private constructor(private readonly context: INestApplicationContext) {}

  /**
   * `databaseUrl` and `redisUrl` (default: inline) are applied to this test file's
   * `process.env` (Jest gives each file its own) before the modules are built.
   */
  static async start(databaseUrl: string, redisUrl = 'inline'): Promise<BackfillContext> {
    Object.assign(process.env, { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl });
    return new BackfillContext(await NestFactory.createApplicationContext(commandModule('registry'), { logger: ['error'] }));
  }

  /** A backfill as the CLI runs it; `env` is what templates see (default: this process's). */
  backfill(
    request: Partial<BackfillRequest> & Pick<BackfillRequest, 'sources'>,
    onReport?: (report: ModuleBackfillReport) => void,
  ): Promise<ModuleBackfillReport[]> {
    return this.context.get(BackfillService).backfill({ variables: {}, runBootstrap: false, dryRun: false, ...request }, onReport);
  }

  /** A backfill, and what `backfill` prints for it. */
  async print(request: Partial<BackfillRequest> & Pick<BackfillRequest, 'sources'>): Promise<string> {
    return (await this.backfill(request)).map(printed).join('');
  }

  reseedContexts(moduleId: string) {
    return this.context.get(ModuleContextsService).reseed(moduleId);
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

/** What `backfill` prints for a module, as one string (the summary line last). */
export function printed(report: ModuleBackfillReport): string {
  return `${backfillReportLines(report).join('\n')}\n`;
}
