import { EntityManager } from 'typeorm';

/**
 * Serialises writes to one module's versioned rows (imports, context re-seeding): a
 * transaction-scoped advisory lock keyed by the module id, released at commit or rollback.
 */
export async function lockModule(manager: EntityManager, moduleId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`service-registry:module:${moduleId}`]);
}
