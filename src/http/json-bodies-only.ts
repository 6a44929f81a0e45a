import { NextFunction, Request, Response } from 'express';
import { httpErrorBody } from './http-error-body';

/** The one media type the API reads. */
export const JSON_MEDIA_TYPE = 'application/json';

/**
 * Express middleware, before the body parser: a request that carries a body must send it as
 * uncompressed JSON, or it is answered 415 before a byte of it is read.
 *
 * Compressed bodies are refused rather than inflated: request bodies are small (256 kB at
 * most), no client of the registry compresses them, and inflating runs before the write guard
 * (body parsing is middleware), so it would let anyone without a token feed the decompressor.
 * A body of another type would otherwise be skipped by the JSON parser and reach validation as
 * "no body", answered by a misleading 400.
 */
export function jsonBodiesOnly(request: Request, response: Response, next: NextFunction): void {
  if (!carriesBody(request)) {
    next();
    return;
  }
  const encoding = (request.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    refuse(response, `Content-Encoding ${quote(encoding)} is not supported: send the request body uncompressed`, {
      contentEncoding: encoding,
    });
    return;
  }
  if (!request.headers['content-type'] || !request.is(JSON_MEDIA_TYPE)) {
    const contentType = request.headers['content-type'] ?? null;
    const sent = contentType === null ? 'no Content-Type' : `Content-Type ${quote(contentType)}`;
    refuse(response, `request bodies must be JSON: send Content-Type: ${JSON_MEDIA_TYPE} (the request has ${sent})`, { contentType });
    return;
  }
  next();
}

/** A request with a non-empty body (`Content-Length: 0` is none; a chunked body may be). */
function carriesBody(request: Request): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = request.headers['content-length'];
  return length !== undefined && Number(length) > 0;
}

function refuse(response: Response, message: string, details: Record<string, unknown>): void {
  response.status(415).json(httpErrorBody(415, message, details));
}

/** Header values in messages: quoted, and bounded so a long header is not echoed whole. */
function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
