import 'reflect-metadata';
import { LogLevel } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { CliLogger } from './cli-logger';
import { CliModule, ValidateCliModule } from './cli.module';
import { logLevelsFor } from './config/configuration';
import { validateEnvironment } from './config/environment';

function fail(reason: string): void {
  process.stderr.write(`error: ${reason}\n`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  const environment = validateEnvironment(process.env);
  // The CLI's stdout is its report; Nest's own logs only when asked for.
  const levels: LogLevel[] = process.env.LOG_LEVEL ? logLevelsFor(environment.LOG_LEVEL) : ['fatal', 'error', 'warn'];
  // `validate` needs no database or Redis: its context has neither, so it opens no connection.
  const root = process.argv[2] === 'validate' ? ValidateCliModule : CliModule;
  await CommandFactory.run(root, {
    logger: new CliLogger({ logLevels: levels }),
    abortOnError: false,
    cliName: 'service-registry',
    // Usage errors (unknown flag, missing value): commander has printed why; --help exits 0.
    errorHandler: (error) => process.exit((error as Error & { exitCode?: number }).exitCode ?? 1),
    // A command that threw: one line, exit 1 once connections have closed.
    serviceErrorHandler: (error) => fail(error.message),
  });
}

main().catch((error: unknown) => {
  fail(error instanceof Error ? error.message : String(error));
});
