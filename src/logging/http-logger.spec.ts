import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createHttpLogger } from './http-logger';

/** A real HTTP server answering every request with `status`, its request lines captured. */
async function serve(status: number, thrown?: Error): Promise<{ server: Server; url: string; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const log = createHttpLogger(pino({ level: 'debug', messageKey: 'message' }, sink));
  const server = createServer((req, res) => {
    log(req, res);
    if (thrown) res.err = thrown;
    res.statusCode = status;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines };
}

describe('the HTTP request line', () => {
  it.each([
    [503, 'warn'],
    [500, 'error'],
  ])('logs a %i that no error caused at %s, without a made-up error and its stack', async (status, level) => {
    const { server, url, lines } = await serve(status);
    try {
      await fetch(`${url}/readyz`);
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: pino.levels.values[level], message: `GET /readyz ${status}`, context: 'HTTP' });
      expect(lines[0]).not.toHaveProperty('err');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('keeps a real error with its message', async () => {
    const { server, url, lines } = await serve(500, new Error('pool exhausted'));
    try {
      await fetch(`${url}/services`);
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines[0]).toMatchObject({ level: pino.levels.values.error, message: 'GET /services 500 pool exhausted' });
      expect(lines[0]).toHaveProperty('err.message', 'pool exhausted');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
