import type { LoggerService } from '@nestjs/common';
import { Logger, Params, PinoLogger } from 'nestjs-pino';
import { StartFailure } from '../config/start-failure';
import { rootLogger } from './root-logger';

/**
 * Nest's logger for the app: every `new Logger(context)` line goes to the root pino logger
 * with its context. Given to `NestFactory.create` so even the lines logged while the
 * application is built are in the configured format. A `StartFailure` Nest reports while
 * building the application is left to the entrypoint, which prints it as one line.
 */
export function createNestLogger(): LoggerService {
  const params: Params = { pinoHttp: { logger: rootLogger() } };
  const logger = new Logger(new PinoLogger(params), params);
  const error = logger.error.bind(logger);
  logger.error = (message: unknown, ...rest: unknown[]) => {
    if (message instanceof StartFailure) return;
    error(message, ...rest);
  };
  return logger;
}
