import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { Response } from 'express';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { clientErrorStatus } from './body-parser-errors';
import { HttpErrorBody, httpErrorBody, reasonPhrase } from './http-error-body';

/**
 * Renders every error as `{ statusCode, error, message, details }`. Anything that is not an
 * HTTP exception is an outage or a bug: a database that cannot be reached is a 503 (retry
 * later; readiness is failing too), anything else is logged with its stack here and answered
 * as a bare 500, so no internals reach a client. Errors about the request that Express or its
 * body parser raise (they carry a 4xx `status`) are the client's, answered in the same shape and
 * never logged with a stack. (Bodies are usually refused before routing, by `jsonBodiesOnly`
 * and `bodyParserErrors`; malformed HTTP never reaches Express: see `answerClientErrors`.)
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
    const clientStatus = clientErrorStatus(exception);
    if (clientStatus !== null) {
      // An Express-level error about the request itself (http-errors with a 4xx status): the
      // client's mistake, answered without a stack in the log.
      return httpErrorBody(clientStatus, (exception as Error).message || reasonPhrase(clientStatus));
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`Database unavailable: ${(exception as Error).message}`);
      return httpErrorBody(503, 'the registry database is unavailable; retry shortly');
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return httpErrorBody(500, 'internal error');
  }
}

