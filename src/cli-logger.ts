import { hostname } from 'node:os';
import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { resolveLogFormat } from './logging/log-format';
import { jsonLevelName, logLevelsFor } from './logging/log-levels';

/** Nest contexts whose errors the CLI reports itself, as one `error: …` line. */
const REPORTED_BY_CLI = new Set(['ExceptionHandler', 'TypeOrmModule']);
const KNOWN_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'log', 'debug', 'verbose']);

/**
 * The CLI's logger: stdout is the command's report, so Nest's own messages go to stderr,
 * without stack traces, and start-up failures are left to the single line cli.ts prints.
 * With `LOG_FORMAT=json` (the default when stderr is not a terminal) each message is one JSON
 * object shaped like the app's lines (`level`, `time`, `pid`, `hostname`, `context`, `message`).
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

  protected override printAsJson(message: unknown, options: { context: string; logLevel: LogLevel }): void {
    const line = {
      level: jsonLevelName(options.logLevel),
      time: new Date().toISOString(),
      pid: process.pid,
      hostname: hostname(),
      ...(options.context ? { context: options.context } : {}),
      message: message instanceof Error ? message.message : message,
    };
    process.stderr.write(`${JSON.stringify(line)}\n`);
  }
}

/**
 * The CLI's logger from `LOG_LEVEL` and `LOG_FORMAT`, read without validating them (that
 * happens when a command runs, with the rest of the environment): warnings and errors only
 * unless `LOG_LEVEL` asks for more.
 */
export function createCliLogger(env: NodeJS.ProcessEnv = process.env): CliLogger {
  const level = env.LOG_LEVEL?.trim();
  const logLevels: LogLevel[] = level && KNOWN_LEVELS.has(level) ? logLevelsFor(level) : ['fatal', 'error', 'warn'];
  const json = resolveLogFormat(env.LOG_FORMAT?.trim(), process.stderr) === 'json';
  return new CliLogger({ logLevels, json });
}
