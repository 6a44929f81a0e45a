import { NextFunction, Request, Response } from 'express';
import { httpErrorBody } from './http-error-body';

/** What body-parser, raw-body and Express raise: http-errors with a status and a `type`. */
interface RequestError extends Error {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
}

const MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'request body is not valid JSON',
  'entity.too.large': 'request body is too large',
  'entity.verify.failed': 'request body could not be verified',
  'encoding.unsupported': 'request body encoding is not supported',
  'charset.unsupported': 'request body charset is not supported',
  'request.aborted': 'request was aborted',
  'request.size.invalid': 'request body size does not match Content-Length',
};

/**
 * The status of an error that is about the request, not the server: an http-errors error
 * (body-parser, raw-body, Express) with a 4xx status it marks safe to show. Null otherwise.
 */
export function clientErrorStatus(error: unknown): number | null {
  if (!(error instanceof Error)) return null;
  const { status, statusCode, expose } = error as RequestError;
  const code = status ?? statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 && expose !== false ? code : null;
}

/**
 * Express error middleware for the JSON body parser: a body the parser refused is the
 * client's mistake, answered in the API's error shape with what was wrong. Anything else goes
 * on to Nest's error handling (and so to `HttpErrorFilter`).
 */
export function bodyParserErrors(error: RequestError, _request: Request, response: Response, next: NextFunction): void {
  const status = clientErrorStatus(error);
  if (status === null) {
    next(error);
    return;
  }
  const known = error.type !== undefined ? MESSAGES[error.type] : undefined;
  const detail = error.type === 'entity.parse.failed' ? `: ${error.message}` : '';
  const message = known ? `${known}${detail}` : 'request body could not be read';
  response.status(status).json(httpErrorBody(status, message, { type: error.type ?? null }));
}
