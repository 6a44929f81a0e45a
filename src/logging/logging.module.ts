import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { rootLogger } from './root-logger';

/**
 * Binds each HTTP request's logger (with its requestId) to the code that handles it, so a
 * warning logged from a controller or filter names the request. The request logging
 * middleware itself is registered in main.ts ahead of the body parsers (`useExisting`).
 */
@Module({
  imports: [LoggerModule.forRootAsync({ useFactory: () => ({ pinoHttp: { logger: rootLogger() }, useExisting: true }) })],
})
export class LoggingModule {}
