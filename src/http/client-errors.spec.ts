import { maxHeaderSize } from 'node:http';
import { describeClientError, rawResponse } from './client-errors';

const parserError = (code: string, reason?: string) => Object.assign(new Error(`Parse Error: ${reason ?? code}`), { code, reason });

describe('client errors of the HTTP server', () => {
  it('chooses the status Node itself would, with a message in words', () => {
    expect(describeClientError(parserError('HPE_HEADER_OVERFLOW'))).toEqual({
      status: 431,
      message: `request headers are too large (the limit is ${maxHeaderSize} bytes in all)`,
    });
    expect(describeClientError(parserError('HPE_CHUNK_EXTENSIONS_OVERFLOW')).status).toBe(413);
    expect(describeClientError(parserError('ERR_HTTP_REQUEST_TIMEOUT')).status).toBe(408);
    expect(describeClientError(parserError('HPE_INVALID_METHOD', 'Invalid method encountered'))).toEqual({
      status: 400,
      message: 'malformed HTTP request: Invalid method encountered',
    });
  });

  it('writes a complete response in the error shape that closes the connection', () => {
    const response = rawResponse(431, 'too large', { code: 'HPE_HEADER_OVERFLOW' });
    const [head, body] = response.split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 431 Request Header Fields Too Large',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ]);
    expect(JSON.parse(body)).toEqual({
      statusCode: 431,
      error: 'Request Header Fields Too Large',
      message: 'too large',
      details: { code: 'HPE_HEADER_OVERFLOW' },
    });
  });
});
