import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { createCliLogger } from './cli-logger';
import { redactUrls } from './config/redacted-url';
import { CliModule } from './cli.module';

/** One line on stderr, passwords in URLs hidden; exit code 1 once the command has closed its connections. */
function fail(reason: string): void {
  process.stderr.write(`error: ${redactUrls(reason)}\n`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  await CommandFactory.run(CliModule, {
    logger: createCliLogger(),
    abortOnError: false,
    cliName: 'service-registry',
    // Usage errors (unknown flag, missing value): commander has printed why; --help exits 0.
    errorHandler: (error) => process.exit((error as Error & { exitCode?: number }).exitCode ?? 1),
    // A command that threw (a bad environment variable included): one line, exit 1 once
    // connections have closed.
    serviceErrorHandler: (error) => fail(error.message),
  });
}

main().catch((error: unknown) => {
  fail(error instanceof Error ? error.message : String(error));
});
