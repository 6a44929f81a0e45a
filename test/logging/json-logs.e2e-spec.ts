import { randomUUID } from 'node:crypto';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { RedisServer } from '../support/redis-server';
import { TestDatabase } from '../support/test-database';

interface LogRecord {
  level: string;
  time: string;
  context?: string;
  message: string;
  requestId?: string;
  latencyMs?: number;
  req?: { method: string; url: string };
  res?: { statusCode: number };
}

/** The URL a server listening on every interface reports (IPv6 where the machine has it). */
const LOCAL_URL = (port: number) => `http://(\\[::1\\]|127\\.0\\.0\\.1):${port}`;

/** Every line the process wrote, each parsed as JSON (a line that is not JSON fails the test). */
function records(app: AppProcess): LogRecord[] {
  return app.logs
    .trim()
    .split('\n')
    .map((line) => {
      try {
        return JSON.parse(line) as LogRecord;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

describe('logs a cluster can read (LOG_FORMAT unset, output not a terminal: JSON)', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let app: AppProcess;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    redis = await RedisServer.start();
    app = await AppProcess.start({
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        LOG_LEVEL: 'info',
        APPHUB_DISABLE_SERVICE_POLLING: '1',
        SERVICE_REGISTRY_CACHE_STATS_INTERVAL_MS: '500',
      },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await database?.drop();
  });

  it('writes one JSON object per line with level, time, context and message', () => {
    const lines = records(app);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      expect(line).toEqual(expect.objectContaining({ level: expect.stringMatching(/^(fatal|error|warn|info|debug|trace)$/), message: expect.any(String) }));
      expect(new Date(line.time).toISOString()).toBe(line.time);
    }
    expect(lines.find((line) => line.context === 'Migrations' || line.context === 'InstanceLoader')).toBeDefined();
  });

  it('logs once where it listens, where its state lives and which Redis it uses', async () => {
    const starts = await eventually(() => {
      const found = records(app).filter((line) => line.context === 'Bootstrap');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(starts[0].message).toMatch(new RegExp(`^Listening on ${LOCAL_URL(app.port)}; state: shared \\(Postgres tables\\), dual writes off; Redis: ${redis.url}$`));
  });

  it('logs a request with the caller\'s X-Request-Id, echoes the id, and times it', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const response = await app.fetch('/services', { headers: { 'X-Request-Id': requestId } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(requestId);

    const line = await eventually(() => {
      const found = records(app).find((record) => record.requestId === requestId);
      expect(found).toBeDefined();
      return found!;
    });
    expect(line).toEqual(
      expect.objectContaining({
        level: 'info',
        context: 'HTTP',
        req: { method: 'GET', url: '/services' },
        res: { statusCode: 200 },
        latencyMs: expect.any(Number),
      }),
    );
    expect(line.message).toBe(`GET /services 200 ${line.latencyMs} ms`);
  });

  it('gives a request without a usable X-Request-Id a new one, and never logs its headers', async () => {
    const response = await app.fetch('/services/unknown-slug', { headers: { 'X-Request-Id': 'has spaces in it', Authorization: 'Bearer not-logged' } });
    expect(response.status).toBe(404);
    const generated = response.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const line = await eventually(() => {
      const found = records(app).find((record) => record.requestId === generated);
      expect(found).toBeDefined();
      return found!;
    });
    expect(line).toEqual(expect.objectContaining({ level: 'warn', message: expect.stringMatching(/^GET \/services\/unknown-slug 404 \d+ ms$/) }));
    expect(app.logs).not.toContain('not-logged');
  });

  it('keeps [service-registry] in the text of the cache\'s hit/miss lines', async () => {
    await app.fetch('/services');
    const line = await eventually(() => {
      const found = records(app).find((record) => record.message.startsWith('[service-registry] cache hits='));
      expect(found).toBeDefined();
      return found!;
    });
    expect(line.message).toMatch(/^\[service-registry\] cache hits=\d+ misses=\d+ ratio=[\d.]+/);
  });

  it('writes the same records as text lines for a person with LOG_FORMAT=pretty', async () => {
    const pretty = await AppProcess.start({
      env: { DATABASE_URL: database.url, REDIS_URL: 'inline', LOG_LEVEL: 'info', LOG_FORMAT: 'pretty', APPHUB_DISABLE_SERVICE_POLLING: '1' },
    });
    try {
      await eventually(() =>
        expect(pretty.logs).toMatch(
          new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] INFO: \\[Bootstrap\\] Listening on ${LOCAL_URL(pretty.port)}; state: shared \\(Postgres tables\\), dual writes off; Redis: inline`, 'm'),
        ),
      );
      expect(pretty.logs).not.toMatch(/^\{/m);
    } finally {
      await pretty.stop();
    }
  });
});
