import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Response } from 'express';
import { isDatabaseUnavailable } from '../database/database-unavailable';

/** The one error shape of the API. */
export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: unknown;
}

/**
 * Renders every error as `{ statusCode, error, message, details }`. Anything that is not an
 * HTTP exception is an outage or a bug: a database that cannot be reached is a 503 (retry
 * later; readiness is failing too), anything else is logged with its stack here and answered
 * as a bare 500, so no internals reach a client. (Bodies the JSON parser refused are answered
 * before routing, by `bodyParserErrors`.)
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): HttpErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : { message: payload };
      const messages = Array.isArray(fields.message) ? fields.message.map(String) : null;
      return {
        statusCode: status,
        error: typeof fields.error === 'string' ? fields.error : reasonPhrase(status),
        message: messages ? messages.join('; ') : String(fields.message ?? exception.message),
        details: fields.details ?? (messages ? messages : null),
      };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`Database unavailable: ${(exception as Error).message}`);
      return { statusCode: 503, error: 'Service Unavailable', message: 'the registry database is unavailable; retry shortly', details: null };
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { statusCode: 500, error: 'Internal Server Error', message: 'internal error', details: null };
  }
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  if (!name) return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}
