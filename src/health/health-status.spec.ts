import { bodyExcerpt, classifyFailure, classifyResponse } from './health-status';

function networkError(code: string, message = `connect ${code} 127.0.0.1:1`): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyResponse', () => {
  it('calls every 2xx healthy', () => {
    expect(classifyResponse(200, 'OK', Buffer.from('fine'))).toEqual({ status: 'healthy', statusMessage: 'HTTP 200 OK' });
    expect(classifyResponse(204, '', Buffer.alloc(0))).toEqual({ status: 'healthy', statusMessage: 'HTTP 204 No Content' });
  });

  it('calls any other status degraded, with code, reason and the start of the body', () => {
    expect(classifyResponse(500, 'Internal Server Error', Buffer.from('database is down'))).toEqual({
      status: 'degraded',
      statusMessage: 'HTTP 500 Internal Server Error: database is down',
    });
    expect(classifyResponse(301, 'Moved Permanently', Buffer.alloc(0))).toEqual({ status: 'degraded', statusMessage: 'HTTP 301 Moved Permanently' });
    expect(classifyResponse(199, '', Buffer.alloc(0)).status).toBe('degraded');
  });

  it('uses the standard reason phrase when the server sent none', () => {
    expect(classifyResponse(503, '', Buffer.alloc(0)).statusMessage).toBe('HTTP 503 Service Unavailable');
    expect(classifyResponse(599, '', Buffer.alloc(0)).statusMessage).toBe('HTTP 599 Unknown Status');
  });

  it('keeps only the first 240 bytes of the body', () => {
    const message = classifyResponse(500, 'Internal Server Error', Buffer.from('x'.repeat(1_000))).statusMessage;
    expect(message).toBe(`HTTP 500 Internal Server Error: ${'x'.repeat(240)}`);
  });
});

describe('bodyExcerpt', () => {
  it('puts a multi-line body on one line', () => {
    expect(bodyExcerpt(Buffer.from('  first line\r\n\tsecond   line \n'))).toBe('first line second line');
  });

  it('drops a multi-byte character cut at the 240th byte', () => {
    const body = Buffer.from('a'.repeat(239) + 'é and more');
    expect(bodyExcerpt(body)).toBe('a'.repeat(239));
  });
});

describe('classifyFailure', () => {
  const base = { timedOut: false, timeoutMs: 5_000, host: 'api.internal' };

  it('says the check timed out, and after how long, when its deadline passed', () => {
    expect(classifyFailure({ ...base, timedOut: true, error: new DOMException('aborted', 'TimeoutError') })).toEqual({
      status: 'unreachable',
      statusMessage: 'timed out after 5000 ms',
      errorCode: 'TIMEOUT',
    });
  });

  it('names refused connections and failed DNS lookups', () => {
    expect(classifyFailure({ ...base, error: networkError('ECONNREFUSED') })).toEqual({
      status: 'unreachable',
      statusMessage: 'connection refused',
      errorCode: 'ECONNREFUSED',
    });
    expect(classifyFailure({ ...base, error: networkError('ENOTFOUND') }).statusMessage).toBe('DNS lookup failed for api.internal');
    expect(classifyFailure({ ...base, error: networkError('EAI_AGAIN') }).statusMessage).toBe('DNS lookup failed for api.internal');
  });

  it('finds the code on the error cause (as fetch reports it)', () => {
    const error = new TypeError('fetch failed', { cause: networkError('ECONNRESET') });
    expect(classifyFailure({ ...base, error })).toMatchObject({ statusMessage: 'connection closed before a complete response', errorCode: 'ECONNRESET' });
  });

  it('reports TLS failures and anything else with the first line of the error', () => {
    const tls = networkError('ERR_SSL_WRONG_VERSION_NUMBER', 'ssl3_get_record:wrong version number\n at openssl');
    expect(classifyFailure({ ...base, error: tls }).statusMessage).toBe('TLS handshake failed: ssl3_get_record:wrong version number');
    expect(classifyFailure({ ...base, error: new Error('something odd') })).toEqual({ status: 'unreachable', statusMessage: 'request failed: something odd' });
  });
});
