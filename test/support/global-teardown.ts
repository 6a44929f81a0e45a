import { Client } from 'pg';
import { databasePrefix, TestResources } from './global-setup';

/** Drops what the run created (template and leftover per-file databases), stops what it started. */
export default async function globalTeardown(): Promise<void> {
  const resources = (globalThis as { __registryTestResources?: TestResources }).__registryTestResources;
  if (!resources) return;
  const admin = new Client({ connectionString: resources.adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [resources.template, `${databasePrefix()}%`],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await resources.redis?.stop();
  await resources.embedded?.stop();
}
