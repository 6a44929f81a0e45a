/**
 * What the global setup found or started, handed to the test files through the environment
 * (Jest workers inherit it).
 */
export const TEST_ENV = {
  /** A superuser URL on the test Postgres, for creating and dropping databases. */
  postgresAdminUrl: 'TEST_POSTGRES_ADMIN_URL',
  /** The migrated database that per-file databases are copied from. */
  templateDatabase: 'TEST_TEMPLATE_DATABASE',
  /** The shared Redis of the test run. */
  redisUrl: 'TEST_REDIS_URL',
  /** Prefix of every database this run creates, so its teardown can find leftovers. */
  databasePrefix: 'TEST_DATABASE_PREFIX',
} as const;

export function testEnv(name: keyof typeof TEST_ENV): string {
  const value = process.env[TEST_ENV[name]];
  if (!value) throw new Error(`${TEST_ENV[name]} is not set: run the tests through jest (test/support/global-setup.ts)`);
  return value;
}
