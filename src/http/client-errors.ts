import { IncomingMessage, maxHeaderSize, Server, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { httpErrorBody, reasonPhrase } from './http-error-body';

/** What Node's HTTP parser hands to `clientError` (llhttp codes such as `HPE_INVALID_METHOD`). */
interface ClientError extends Error {
  code?: string;
  reason?: string;
}

/**
 * Requests that never reach Express, answered by the HTTP server itself in the API's error
 * shape instead of Node's empty-bodied defaults: malformed HTTP (400, 431 for headers over
 * Node's limit, 408 for a request that took too long to arrive), an `Expect` other than
 * `100-continue` (417) and `CONNECT` (405). Nothing is logged: these are the client's mistakes.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: ClientError, socket: Duplex) => {
    // The rule Node applies to its own answer: never write over a response already on its way.
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || (inFlight && inFlight.headersSent)) {
      socket.destroy();
      return;
    }
    const { status, message } = describeClientError(error);
    socket.end(rawResponse(status, message, { code: error.code ?? null }));
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.stringify(
      httpErrorBody(417, `Expect: ${JSON.stringify(request.headers.expect ?? '')} is not supported (only 100-continue is)`),
    );
    response.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    response.end(body);
  });
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.end(rawResponse(405, 'CONNECT is not supported: the registry is not a proxy'));
  });
}

/** The status and message for a parser error, as Node itself would choose the status. */
export function describeClientError(error: ClientError): { status: number; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: `request headers are too large (the limit is ${maxHeaderSize} bytes in all)` };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, message: 'request chunk extensions are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'the request did not arrive in time' };
    default:
      return { status: 400, message: `malformed HTTP request: ${error.reason ?? error.message}` };
  }
}

/** A complete HTTP/1.1 response for a socket no `ServerResponse` owns; the connection closes. */
export function rawResponse(status: number, message: string, details: unknown = null): string {
  const body = JSON.stringify(httpErrorBody(status, message, details));
  const head = [
    `HTTP/1.1 ${status} ${reasonPhrase(status)}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}
