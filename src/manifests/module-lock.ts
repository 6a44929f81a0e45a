import { Logger } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';

export interface ModuleLockOptions {
  /**
   * Give up after waiting this long for another holder (`--lock-timeout`); undefined: wait as
   * long as it takes. Either way a wait is announced with one line naming the holder.
   */
  timeoutMs?: number;
}

/** The transaction holding a module's lock, as `pg_locks`/`pg_stat_activity` show it. */
interface Holder {
  pid: number;
  since: Date | null;
  application: string | null;
}

/** Raised when the lock stayed held for the whole `--lock-timeout`. */
export class ModuleLockTimeout extends Error {}

const logger = new Logger('ModuleLock');

/** How many times a lock that was taken, but whose holder was gone when looked up, is tried again. */
const HOLDER_LOOKUPS = 3;

/**
 * Serialises writes to one module's versioned rows (imports, context re-seeding): a
 * transaction-scoped advisory lock keyed by the module id, released at commit or rollback.
 * When another transaction holds it, one line says so ("waiting for module X, held by pid N
 * since …") and, with a timeout, the wait ends with a `ModuleLockTimeout` (Postgres'
 * `lock_timeout`, set for this one statement).
 */
export async function lockModule(manager: EntityManager, moduleId: string, options: ModuleLockOptions = {}): Promise<void> {
  const key = lockKey(moduleId);
  let holder: Holder | null = null;
  for (let attempt = 1; attempt <= HOLDER_LOOKUPS; attempt++) {
    const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [key]);
    if (locked) return;
    holder = await findHolder(manager, key);
    // No holder found: it committed between the two statements, so the lock is likely free now.
    if (holder) break;
  }
  const held = describeHolder(holder);
  const limit = options.timeoutMs === undefined ? '' : ` (giving up after ${formatDuration(options.timeoutMs)})`;
  logger.warn(`waiting for module ${moduleId}, held by ${held}${limit}`);
  if (options.timeoutMs === undefined) {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [key]);
    return;
  }
  const [{ previous }] = await manager.query(`SELECT current_setting('lock_timeout') AS previous`);
  // lock_timeout 0 means "no limit": a zero --lock-timeout waits the least Postgres allows.
  await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [`${Math.max(options.timeoutMs, 1)}ms`]);
  try {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [key]);
  } catch (error) {
    const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
    if (code !== '55P03') throw error;
    throw new ModuleLockTimeout(`gave up waiting for module ${moduleId} after ${formatDuration(options.timeoutMs)} (--lock-timeout): held by ${held}`);
  }
  await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [previous]);
}

function lockKey(moduleId: string): string {
  return `service-registry:module:${moduleId}`;
}

/**
 * Who holds the lock: a bigint advisory lock appears in `pg_locks` with its high 32 bits as
 * `classid`, its low 32 bits as `objid` and `objsubid` 1.
 */
async function findHolder(manager: EntityManager, key: string): Promise<Holder | null> {
  const rows: { pid: number; since: Date | null; application: string | null }[] = await manager.query(
    `WITH k AS (SELECT hashtext($1)::bigint AS value)
     SELECT a.pid, a.xact_start AS since, a.application_name AS application
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid, k
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.classid::bigint = ((k.value >> 32) & 4294967295)
        AND l.objid::bigint = (k.value & 4294967295)
      LIMIT 1`,
    [key],
  );
  return rows[0] ?? null;
}

function describeHolder(holder: Holder | null): string {
  if (!holder) return 'another transaction';
  const since = holder.since ? ` since ${new Date(holder.since).toISOString()}` : '';
  const application = holder.application ? ` (${holder.application})` : '';
  return `pid ${holder.pid}${application}${since}`;
}

function formatDuration(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000} s` : `${ms} ms`;
}
