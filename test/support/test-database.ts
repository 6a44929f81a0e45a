import { randomBytes } from 'node:crypto';
import { Client, QueryResultRow } from 'pg';
import { withDatabase } from './database-url';
import { testEnv } from './environment';

/** A database of its own for one test file, on the test run's Postgres. */
export class TestDatabase {
  private client: Client | null = null;

  private constructor(readonly name: string) {}

  /** A copy of the migrated template: the full schema, no rows. */
  static async migrated(): Promise<TestDatabase> {
    return TestDatabase.create(`TEMPLATE ${testEnv('templateDatabase')}`);
  }

  /** An empty database with no schema, for tests of migrating itself. */
  static async empty(): Promise<TestDatabase> {
    return TestDatabase.create('');
  }

  private static async create(clause: string): Promise<TestDatabase> {
    const database = new TestDatabase(`${testEnv('databasePrefix')}${randomBytes(4).toString('hex')}`);
    await withAdmin((admin) => admin.query(`CREATE DATABASE ${database.name} ${clause}`));
    return database;
  }

  get url(): string {
    return withDatabase(testEnv('postgresAdminUrl'), this.name);
  }

  async query<Row extends QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<Row[]> {
    if (!this.client) {
      this.client = new Client({ connectionString: this.url });
      await this.client.connect();
    }
    return (await this.client.query<Row>(sql, params)).rows;
  }

  /** Every row of every registry table, for "nothing changed" assertions. */
  async snapshot(): Promise<Record<string, unknown[]>> {
    const tables = [
      'services',
      'service_manifests',
      'service_networks',
      'service_network_members',
      'service_health_snapshots',
      'module_resource_contexts',
      'module_versions',
    ];
    const result: Record<string, unknown[]> = {};
    for (const table of tables) result[table] = await this.query(`SELECT * FROM ${table} ORDER BY 1`);
    return result;
  }

  /**
   * Simulates a database outage: new connections are refused and open ones are cut (as a
   * failover or a crashed server would). `acceptConnections()` ends it.
   */
  async refuseConnections(): Promise<void> {
    await this.client?.end();
    this.client = null;
    await withAdmin(async (admin) => {
      await admin.query(`ALTER DATABASE ${this.name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [this.name]);
    });
  }

  async acceptConnections(): Promise<void> {
    await withAdmin((admin) => admin.query(`ALTER DATABASE ${this.name} ALLOW_CONNECTIONS true`));
  }

  async drop(): Promise<void> {
    await this.client?.end();
    this.client = null;
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
  }
}

async function withAdmin<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: testEnv('postgresAdminUrl') });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
