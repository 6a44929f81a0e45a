import type { LoggerService } from '@nestjs/common';
import { Logger, Params, PinoLogger } from 'nestjs-pino';
import { rootLogger } from './root-logger';

/**
 * Nest's logger for the app: every `new Logger(context)` line goes to the root pino logger
 * with its context. Given to `NestFactory.create` so even the lines logged while the
 * application is built are in the configured format.
 */
export function createNestLogger(): LoggerService {
  const params: Params = { pinoHttp: { logger: rootLogger() } };
  return new Logger(new PinoLogger(params), params);
}
