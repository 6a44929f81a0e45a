import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../support/app-process';
import { RedisServer } from '../support/redis-server';
import { TestDatabase } from '../support/test-database';

/** Polls `/readyz` until it answers `status`; returns how long that took. */
async function readinessBecomes(app: AppProcess, status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const answered = await app.fetch('/readyz', { signal: AbortSignal.timeout(timeoutMs) }).then((response) => response.status);
    if (answered === status) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`/readyz still ${answered} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

describe('liveness and readiness probes', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let app: AppProcess;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    redis = await RedisServer.start();
    app = await AppProcess.start({
      env: { DATABASE_URL: database.url, REDIS_URL: redis.url, APPHUB_DISABLE_SERVICE_POLLING: '1', SHUTDOWN_DRAIN_MS: '1500' },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await database?.drop();
  });

  it('reports Postgres and Redis up when both answer', async () => {
    const response = await app.fetch('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('fails readiness within a second of Redis dying, keeps liveness, and recovers without a restart', async () => {
    await redis.kill();
    const tookMs = await readinessBecomes(app, 503, 1_000);
    console.info(`/readyz turned 503 ${tookMs} ms after Redis was killed`);
    expect(tookMs).toBeLessThanOrEqual(1_000);
    const body = await (await app.fetch('/readyz')).json();
    expect(body).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
    expect((await app.fetch('/healthz')).status).toBe(200);

    await redis.start();
    await readinessBecomes(app, 200, 10_000);
  });

  it('fails readiness on a Redis that accepts connections but never answers', async () => {
    redis.freeze();
    try {
      const started = Date.now();
      const response = await app.fetch('/readyz');
      const tookMs = Date.now() - started;
      console.info(`/readyz answered ${response.status} in ${tookMs} ms with Redis frozen`);
      expect(response.status).toBe(503);
      expect(tookMs).toBeLessThan(1_500);
    } finally {
      redis.thaw();
    }
    await readinessBecomes(app, 200, 10_000);
  });

  it('turns readiness 503 first on shutdown while liveness still answers', async () => {
    const stopped = app.stop();
    await readinessBecomes(app, 503, 1_000);
    expect((await app.fetch('/healthz')).status).toBe(200);
    expect(await stopped).toBe('SIGTERM');
  });
});
