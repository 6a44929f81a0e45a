import { Request, Response } from 'express';
import { JsonView } from '../registry-cache/json-view';

export const REGISTRY_INDEX_HEADER = 'X-Registry-Index';

/**
 * Sends a cached view as it is: its bytes, its ETag and the registry index it was read at;
 * `304 Not Modified` when the client already holds these bytes (`If-None-Match`).
 */
export function sendJsonView(request: Request, response: Response, view: JsonView, status = 200): void {
  response.setHeader('ETag', view.etag);
  response.setHeader(REGISTRY_INDEX_HEADER, String(view.index));
  response.setHeader('Cache-Control', 'no-cache');
  if (status === 200 && matches(request.headers['if-none-match'], view.etag)) {
    response.status(304).end();
    return;
  }
  response.status(status).type('application/json').send(view.body);
}

/** Whether an `If-None-Match` header names `etag` (or is `*`), whatever the request's `Cache-Control` says. */
export function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
