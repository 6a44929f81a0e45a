import { describeStart, withoutCredentials } from './start-summary';

describe('describeStart', () => {
  it('names the URL, the shared state and the Redis server without its password', () => {
    expect(
      describeStart({ url: 'http://[::1]:4000', useSharedState: true, dualWrite: false, redisUrl: 'redis://default:s3cret@redis.internal:6379/0' }),
    ).toBe('Listening on http://[::1]:4000; state: shared (Postgres tables), dual writes off; Redis: redis://redis.internal:6379/0');
  });

  it('says when invalidations stay in the process', () => {
    expect(describeStart({ url: 'http://[::1]:4000', useSharedState: true, dualWrite: true, redisUrl: null })).toBe(
      'Listening on http://[::1]:4000; state: shared (Postgres tables), dual writes on; Redis: inline (invalidations stay in this process: one replica only)',
    );
  });

  it('says Redis is not used on the rollback path', () => {
    expect(describeStart({ url: 'http://127.0.0.1:4100', useSharedState: false, dualWrite: false, redisUrl: 'redis://127.0.0.1:6379' })).toBe(
      'Listening on http://127.0.0.1:4100; state: local (this replica only), dual writes off; Redis: not used',
    );
  });
});

describe('withoutCredentials', () => {
  it('keeps a URL without credentials as it is', () => {
    expect(withoutCredentials('rediss://cache:6380')).toBe('rediss://cache:6380');
  });
});
