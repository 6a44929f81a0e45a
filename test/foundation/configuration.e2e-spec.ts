import { AppProcess } from '../support/app-process';
import { runCli } from '../support/cli';
import { freePort } from '../support/ports';

describe('configuration validated at start', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['PORT', 'abc', /PORT="abc" must be an integer between 1 and 65535/],
    ['REDIS_URL', 'ftp://x', /REDIS_URL="ftp:\/\/x" must be a redis:\/\/ or rediss:\/\/ URL, or "inline"/],
    ['DATABASE_URL', 'mysql://localhost/x', /DATABASE_URL="mysql:\/\/localhost\/x" must be a postgres/],
    ['SERVICE_HEALTH_INTERVAL_MS', '-5', /SERVICE_HEALTH_INTERVAL_MS="-5" must be a whole number of milliseconds/],
    ['APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE', 'yes', /APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE="yes" must be 0 or 1/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud" must be one of/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT="xml" must be json \(one JSON object per line\) or pretty/],
  ];

  it.each(cases)('the app refuses %s=%s with one line naming the variable', async (name, value, message) => {
    const app = AppProcess.spawn({ [name]: value, REDIS_URL: 'inline', ...(name === 'REDIS_URL' ? { REDIS_URL: value } : {}) }, await freePort());
    const code = await app.exited();
    expect(code).not.toBe(0);
    const lines = app.logs.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(app.logs).not.toMatch(/\n\s+at /);
  });

  it('the CLI refuses a bad value the same way', async () => {
    const result = await runCli(['migrate'], { REDIS_URL: 'ftp://x' });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toMatch(/^error: Invalid configuration: REDIS_URL="ftp:\/\/x"/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('treats an empty value as unset', async () => {
    const result = await runCli(['--help'], { PORT: '', REDIS_URL: '' });
    expect(result.code).toBe(0);
  });
});
