import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { RedisServer } from '../support/redis-server';
import { TestDatabase } from '../support/test-database';

/** Time readiness reports 503 before the server closes on SIGTERM: ample to observe it on a busy machine. */
const SHUTDOWN_DRAIN_MS = 5_000;

/** Polls `/readyz` until it answers `status`; returns the body of that answer. */
function readinessBecomes(app: AppProcess, status: number): Promise<unknown> {
  return eventually(async () => {
    const response = await app.fetch('/readyz');
    expect(response.status).toBe(status);
    return response.json();
  });
}

describe('liveness and readiness probes', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let app: AppProcess;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    redis = await RedisServer.start();
    app = await AppProcess.start({
      env: { DATABASE_URL: database.url, REDIS_URL: redis.url, APPHUB_DISABLE_SERVICE_POLLING: '1', SHUTDOWN_DRAIN_MS: String(SHUTDOWN_DRAIN_MS), LOG_LEVEL: 'info' },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await database?.drop();
  });

  it('reports Postgres and Redis up when both answer', async () => {
    expect(await readinessBecomes(app, 200)).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' } } });
  });

  // "Within a second" is by construction: a connection that is not ready fails at once, and a
  // PING is raced against a 750 ms timer (the messages below say which); no clock is read here.
  it('fails readiness when Redis dies, keeps liveness, and recovers without a restart', async () => {
    await redis.kill();
    const body = await readinessBecomes(app, 503);
    expect(body).toMatchObject({ status: 'error', error: { redis: { status: 'down', message: expect.any(String) } } });
    expect((await app.fetch('/healthz')).status).toBe(200);

    await redis.start();
    await readinessBecomes(app, 200);
  });

  it('fails readiness on a Redis that accepts connections but never answers, at the PING timeout', async () => {
    redis.freeze();
    try {
      const response = await app.fetch('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { redis: { status: 'down', message: 'no PONG within 750 ms' } } });
    } finally {
      redis.thaw();
    }
    await readinessBecomes(app, 200);
  });

  it('turns readiness 503 first on shutdown while liveness still answers', async () => {
    const stopped = app.stop(SHUTDOWN_DRAIN_MS + 30_000);
    await eventually(() => expect(app.logs).toContain(`Shutting down: not ready, draining for ${SHUTDOWN_DRAIN_MS} ms`));
    expect((await app.fetch('/readyz')).status).toBe(503);
    expect((await app.fetch('/healthz')).status).toBe(200);
    expect(await stopped).toBe('SIGTERM');
  });
});
