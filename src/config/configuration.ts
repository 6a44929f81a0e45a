import { resolve } from 'node:path';
import { registerAs } from '@nestjs/config';
import { logLevelsFor } from '../logging/log-levels';
import { isEnabled, validateEnvironment } from './environment';

export const httpConfig = registerAs('http', () => {
  const env = validateEnvironment(process.env);
  return {
    port: env.PORT,
    logLevels: logLevelsFor(env.LOG_LEVEL),
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
  };
});

export const databaseConfig = registerAs('database', () => {
  const env = validateEnvironment(process.env);
  return {
    /** `null` selects the embedded Postgres. */
    url: env.DATABASE_URL ?? null,
    embedded: {
      port: env.EMBEDDED_POSTGRES_PORT,
      dataDir: resolve(env.EMBEDDED_POSTGRES_DIR),
    },
  };
});

export const redisConfig = registerAs('redis', () => {
  const env = validateEnvironment(process.env);
  const url = env.REDIS_URL && env.REDIS_URL !== 'inline' ? env.REDIS_URL : null;
  return { /** `null` is inline mode: invalidations stay in this process. */ url };
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
  };
});

export const ALL_CONFIG = [httpConfig, databaseConfig, redisConfig, registryConfig, healthConfig];
