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
  const contentType = request.headers['content-type'];
  const declaredLength = Number(request.headers['content-length'] ?? 0);
  const chunked = request.headers['transfer-encoding'] !== undefined;
  // No body at all (a POST to /health-check): nothing to say about it.
  if (!(declaredLength > 0 || chunked)) {
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
  // A chunked request with no Content-Type is usually an empty body sent by a streaming client;
  // it goes on and is read as no body.
  if (contentType === undefined ? declaredLength > 0 : !request.is(JSON_MEDIA_TYPE)) {
    const sent = contentType === undefined ? 'no Content-Type' : `Content-Type ${quote(contentType)}`;
    refuse(response, `request bodies must be JSON: send Content-Type: ${JSON_MEDIA_TYPE} (the request has ${sent})`, {
      contentType: contentType ?? null,
    });
    return;
  }
  next();
}

function refuse(response: Response, message: string, details: Record<string, unknown>): void {
  response.status(415).json(httpErrorBody(415, message, details));
}

/** Header values in messages: quoted, and bounded so a long header is not echoed whole. */
function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
