import { EnvironmentError, validateEnvironment } from './environment';

describe('validateEnvironment', () => {
  it('applies the documented defaults when nothing is set', () => {
    const environment = validateEnvironment({});
    expect(environment).toMatchObject({
      PORT: 4000,
      SERVICE_REGISTRY_CACHE_MAX_AGE_MS: 30_000,
      SERVICE_HEALTH_INTERVAL_MS: 30_000,
      SERVICE_HEALTH_TIMEOUT_MS: 5_000,
      SERVICE_HEALTH_RETENTION_DAYS: 7,
      SERVICE_HEALTH_FAILURES_BEFORE_UNHEALTHY: 3,
      SERVICE_HEALTH_SUCCESSES_BEFORE_HEALTHY: 1,
      APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '1',
      APPHUB_SERVICE_REGISTRY_DUAL_WRITE: '0',
    });
    expect(environment.DATABASE_URL).toBeUndefined();
    expect(environment.REDIS_URL).toBeUndefined();
  });

  it('counts an empty or blank value as unset', () => {
    const environment = validateEnvironment({ PORT: '', REDIS_URL: '  ' });
    expect(environment.PORT).toBe(4000);
    expect(environment.REDIS_URL).toBeUndefined();
  });

  it('converts integers and accepts inline Redis', () => {
    expect(validateEnvironment({ PORT: '8080', REDIS_URL: 'inline' })).toMatchObject({ PORT: 8080, REDIS_URL: 'inline' });
  });

  it.each([
    ['PORT', '80.5'],
    ['PORT', '0'],
    ['PORT', '70000'],
    ['REDIS_URL', 'localhost:6379'],
    ['DATABASE_URL', 'not a url'],
    ['SERVICE_HEALTH_CONCURRENCY', '0'],
    ['SERVICE_HEALTH_RETENTION_DAYS', 'week'],
    ['SERVICE_HEALTH_FAILURES_BEFORE_UNHEALTHY', '0'],
    ['SERVICE_HEALTH_SUCCESSES_BEFORE_HEALTHY', '101'],
    ['APPHUB_DISABLE_SERVICE_POLLING', 'maybe'],
    ['LOG_FORMAT', 'yaml'],
  ])('rejects %s=%s naming the variable and its value', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}="${value.replace('.', '\\.')}"`));
  });

  it('reports every bad variable at once', () => {
    let caught: unknown;
    try {
      validateEnvironment({ PORT: 'abc', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvironmentError);
    expect((caught as EnvironmentError).problems).toHaveLength(2);
  });
});
