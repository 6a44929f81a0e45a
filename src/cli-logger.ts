import { ConsoleLogger, LogLevel } from '@nestjs/common';

/** Nest contexts whose errors the CLI reports itself, as one `error: …` line. */
const REPORTED_BY_CLI = new Set(['ExceptionHandler', 'TypeOrmModule']);

/**
 * The CLI's logger: stdout is the command's report, so Nest's own messages go to stderr,
 * without stack traces, and start-up failures are left to the single line cli.ts prints.
 */
export class CliLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (typeof context === 'string' && REPORTED_BY_CLI.has(context)) return;
    super.error(message, ...rest);
  }

  protected override printStackTrace(): void {}

  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel): void {
    super.printMessages(messages, context, logLevel, 'stderr');
  }
}
