import { Agent, request } from 'node:http';
import { setTimeout as pause } from 'node:timers/promises';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { TestDatabase } from '../support/test-database';

/** What one request of the keep-alive client saw. */
interface Exchange {
  /** Sent on a connection an earlier request had used. */
  reused: boolean;
  status?: number;
  connection?: string;
  /** Readiness already said "shutting down" when this request was sent. */
  draining: boolean;
  error?: string;
}

/** Between two requests of one client loop: a client that is busy but not flooding. */
const CLIENT_PAUSE_MS = 20;

function get(port: number, path: string, agent: Agent): Promise<{ status: number; connection?: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, timeout: 30_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection, reused: req.reusedSocket }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.on('error', (error: NodeJS.ErrnoException) => reject(Object.assign(error, { reused: req.reusedSocket })));
    req.end();
  });
}

/**
 * Issue #10 row 12: SIGTERM under keep-alive load. During the drain every response says
 * `Connection: close` and idle connections are closed, so clients open new connections (which
 * fail once the server stopped listening: "go elsewhere") instead of being reset on a reused one
 * when the server closes.
 *
 * A connection that was idle when the drain began is closed then; a client whose request
 * crosses that close on the wire sees a reset on a reused connection, which HTTP lets it retry
 * (RFC 9112 §9.3.1): the loops below note those separately. Once readiness says "shutting
 * down", no reused connection is left to reset.
 */
describe('shutdown under keep-alive load', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it.each([
    ['with a drain', '1500'],
    ['without a drain', '0'],
  ])('closes keep-alive connections cleanly %s', async (_case, drainMs) => {
    const app = await AppProcess.start({
      env: { DATABASE_URL: database.url, REDIS_URL: 'inline', APPHUB_DISABLE_SERVICE_POLLING: '1', SHUTDOWN_DRAIN_MS: drainMs, LOG_LEVEL: 'info' },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const exchanges: Exchange[] = [];
    let draining = false;
    let stopped = false;
    const loop = async () => {
      while (!stopped) {
        const sentWhileDraining = draining;
        try {
          const reply = await get(app.port, '/services', agent);
          exchanges.push({ reused: reply.reused, status: reply.status, connection: reply.connection, draining: sentWhileDraining });
        } catch (error) {
          const failure = error as NodeJS.ErrnoException & { reused: boolean };
          exchanges.push({ reused: failure.reused, error: failure.code ?? failure.message, draining: sentWhileDraining });
          // The server no longer listens: this client goes elsewhere.
          if (failure.code === 'ECONNREFUSED') return;
        }
        await pause(CLIENT_PAUSE_MS);
      }
    };
    try {
      const loops = [loop(), loop(), loop()];
      // Connections are being reused before the signal.
      await eventually(() => expect(exchanges.filter((exchange) => exchange.reused && exchange.status === 200).length).toBeGreaterThan(5));
      const exited = app.exited();
      process.kill(app.pid!, 'SIGTERM');
      if (drainMs !== '0') {
        await eventually(async () => {
          const readiness = await app.fetch('/readyz', { headers: { Connection: 'close' } });
          expect(readiness.status).toBe(503);
        });
        draining = true;
      }
      expect(await exited).toBe('SIGTERM');
      // Each loop ends once a new connection is refused.
      await Promise.all(loops);

      // New connections failed only as the server stopped listening: refused, or reset in its backlog.
      const failedNew = exchanges.filter((exchange) => exchange.error !== undefined && !exchange.reused);
      expect(failedNew.filter((exchange) => exchange.error !== 'ECONNREFUSED' && exchange.error !== 'ECONNRESET')).toEqual([]);
      if (drainMs !== '0') {
        // Requests sent during the drain were answered, each with Connection: close, and none
        // was reset on a reused connection.
        const duringDrain = exchanges.filter((exchange) => exchange.draining);
        expect(duringDrain.filter((exchange) => exchange.error !== undefined && exchange.reused)).toEqual([]);
        const answered = duringDrain.filter((exchange) => exchange.status !== undefined);
        expect(answered.length).toBeGreaterThan(0);
        expect(answered.filter((exchange) => exchange.status !== 200 || exchange.connection !== 'close')).toEqual([]);
      }
    } finally {
      stopped = true;
      agent.destroy();
      await app.stop();
    }
  });
});
