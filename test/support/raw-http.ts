import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

/** One HTTP answer, as the bytes on the wire said it. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Longest any single exchange may take: it only bounds a hang. */
const EXCHANGE_TIMEOUT_MS = 30_000;

/**
 * Sends `bytes` on a new loopback connection, half-closes it and reads until the server closes:
 * for requests an HTTP client refuses to send (malformed request lines, bad headers). Returns
 * the first response on the connection, or null if the server answered nothing.
 */
export function rawExchange(port: number, bytes: Buffer | string): Promise<HttpReply | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(EXCHANGE_TIMEOUT_MS, () => socket.destroy(new Error(`no end of the exchange within ${EXCHANGE_TIMEOUT_MS} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the server answered (it closes while unread bytes remain) still counts.
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks))));
    socket.end(bytes);
  });
}

/** The first HTTP/1.1 response in `raw` (body by Content-Length), or null when `raw` is empty. */
export function parseResponse(raw: Buffer): HttpReply | null {
  if (raw.length === 0) return null;
  const text = raw.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
  if (headEnd < 0 || !match) throw new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, headEnd).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = headers['content-length'] === undefined ? raw.length - headEnd - 4 : Number(headers['content-length']);
  const body = raw.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
  return { status: Number(match[1]), headers, body };
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/**
 * One request through node:http, which sends any header value and body bytes it is given (no
 * JSON encoding, no compression, no retries), on a connection of its own.
 */
export function send(port: number, method: string, path: string, options: SendOptions = {}): Promise<HttpReply> {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers = { ...options.headers, ...(body === undefined ? {} : { 'Content-Length': String(body.length) }) };
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) flat[name] = Array.isArray(value) ? value.join(', ') : (value ?? '');
        resolve({ status: response.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.setTimeout(EXCHANGE_TIMEOUT_MS, () => request.destroy(new Error(`no answer to ${method} ${path} within ${EXCHANGE_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
