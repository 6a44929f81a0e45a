import { NextFunction, Request, Response } from 'express';
import { HttpErrorBody } from './http-error.filter';

interface BodyParserError extends Error {
  status?: number;
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
 * Express error middleware for the JSON body parser: a body the parser refused is the
 * client's mistake, answered in the API's error shape with what was wrong.
 */
export function bodyParserErrors(error: BodyParserError, _request: Request, response: Response, next: NextFunction): void {
  const known = error.type !== undefined ? MESSAGES[error.type] : undefined;
  if (!known || typeof error.status !== 'number' || error.status < 400 || error.status >= 500) {
    next(error);
    return;
  }
  const detail = error.type === 'entity.parse.failed' ? `: ${error.message}` : '';
  const body: HttpErrorBody = {
    statusCode: error.status,
    error: error.status === 413 ? 'Payload Too Large' : 'Bad Request',
    message: `${known}${detail}`,
    details: { type: error.type },
  };
  response.status(error.status).json(body);
}
