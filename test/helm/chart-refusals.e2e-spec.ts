import { ensureHelm, template } from '../support/helm';

const DATABASE_URL = 'postgres://registry:secret@db.internal:5432/registry';

beforeAll(ensureHelm, 60_000);

describe('values the chart refuses to render', () => {
  it('refuses replicaCount > 1 with inline Redis, saying why', async () => {
    const inlineRedis: Array<Record<string, string>> = [{ 'redis.url': 'inline' }, {}];
    for (const redis of inlineRedis) {
      const result = await template({ 'database.url': DATABASE_URL, replicaCount: 2, ...redis });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/replicaCount=2 needs a shared Redis, but redis.url is inline/);
      expect(result.stderr).toMatch(/replicas would serve different registries/);
      expect(result.stderr).toMatch(/Set redis.url=redis:\/\/… or redis.enabled=true/);
    }
  });

  it('refuses to render without a database rather than leave DATABASE_URL empty', async () => {
    const result = await template({});
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/no database configured\. Set database\.url=postgres:\/\/…, existingSecret=.*, or postgresql\.enabled=true/);
  });

  it('refuses a database configured twice', async () => {
    const result = await template({ 'database.url': DATABASE_URL, 'postgresql.enabled': true });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/the database is configured twice \(database\.url, postgresql\.enabled\)/);
  });

  it('refuses redis.url together with the in-chart Redis', async () => {
    const result = await template({ 'database.url': DATABASE_URL, 'redis.url': 'redis://elsewhere:6379', 'redis.enabled': true });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Redis is configured twice/);
  });

  it('refuses several replicas on the in-process rollback path', async () => {
    const result = await template({
      'database.url': DATABASE_URL,
      'redis.url': 'redis://redis:6379',
      replicaCount: 3,
      'flags.useSharedState': false,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/replicaCount=3 with flags\.useSharedState=false/);
  });

  it('refuses several replicas on one persistent private store', async () => {
    const result = await template({ 'database.url': DATABASE_URL, 'redis.url': 'redis://redis:6379', replicaCount: 2, 'localStore.persistence.enabled': true });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/replicaCount=2 with localStore\.persistence\.enabled=true/);
  });

  it('refuses a termination grace period no longer than the shutdown drain', async () => {
    const result = await template({ 'database.url': DATABASE_URL, terminationGracePeriodSeconds: 5, 'config.shutdownDrainMs': 5000 });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/terminationGracePeriodSeconds=5 \(5000 ms\) must exceed config\.shutdownDrainMs=5000/);
  });

  it('refuses values outside values.schema.json, naming each', async () => {
    const result = await template({
      'database.url': 'mysql://db/registry',
      replicaCount: 0,
      'config.logLevel': 'loud',
      'redis.url': 'memcached://cache',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/\/replicaCount'?: minimum: got 0, want 1/);
    expect(result.stderr).toMatch(/\/database\/url'?: 'mysql:\/\/db\/registry' does not match pattern/);
    expect(result.stderr).toMatch(/\/config\/logLevel'?: value must be one of/);
    expect(result.stderr).toMatch(/\/redis\/url'?: 'memcached:\/\/cache' does not match pattern/);
  });

  it('refuses a misspelt key instead of ignoring it', async () => {
    const result = await template({ 'database.url': DATABASE_URL, replicas: 2 });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/additional properties 'replicas' not allowed/);
  });
});
