// The baseline of bench/hot-reads.bench.mjs: raw node:http serving the same bytes with the
// same headers as the registry's cached GET /services (and its 304). No framework, no logs.
//
//   node bench/raw-view-server.mjs PORT BODY_FILE ETAG INDEX
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, file, etag, index] = process.argv.slice(2);
const body = readFileSync(file);
createServer((request, response) => {
  response.setHeader('ETag', etag);
  response.setHeader('X-Registry-Index', index);
  response.setHeader('Cache-Control', 'no-cache');
  response.setHeader('Vary', 'Accept-Encoding');
  if (request.headers['if-none-match'] === etag) {
    response.statusCode = 304;
    response.end();
    return;
  }
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', body.length);
  response.end(body);
}).listen(Number(port), '127.0.0.1', () => process.send?.('listening'));
