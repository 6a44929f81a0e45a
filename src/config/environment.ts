import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidationError,
  validateSync,
} from 'class-validator';
import { redactUrls } from './redacted-url';

const BOOLEAN_FLAG = ['0', '1', 'true', 'false'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'log', 'debug', 'verbose'];
const LOG_FORMATS = ['json', 'pretty'];

/** Integers arrive as strings; anything that is not a plain base-10 integer stays a string and fails `@IsInt`. */
const toInteger = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value));

/**
 * Every environment variable the registry reads, with its default. Validated once at
 * start (`validateEnvironment`); the typed namespaces in this folder are built from it.
 */
export class Environment {
  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be an integer between 1 and 65535' })
  @Min(1, { message: 'must be an integer between 1 and 65535' })
  @Max(65535, { message: 'must be an integer between 1 and 65535' })
  PORT: number = 4000;

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: string = 'info';

  /** Unset: `pretty` when the output is a terminal, `json` otherwise (src/logging/log-format.ts). */
  @IsOptional()
  @IsIn(LOG_FORMATS, { message: 'must be json (one JSON object per line) or pretty (for a terminal)' })
  LOG_FORMAT?: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^(inline|rediss?:\/\/\S+)$/, { message: 'must be a redis:// or rediss:// URL, or "inline"' })
  REDIS_URL?: string;

  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be an integer between 1024 and 65535' })
  @Min(1024, { message: 'must be an integer between 1024 and 65535' })
  @Max(65535, { message: 'must be an integer between 1024 and 65535' })
  EMBEDDED_POSTGRES_PORT: number = 54329;

  @IsOptional()
  @IsString()
  EMBEDDED_POSTGRES_DIR: string = '.data/postgres';

  @IsOptional()
  @IsString()
  SERVICE_REGISTRY_TOKEN?: string;

  @IsOptional()
  @IsIn(BOOLEAN_FLAG, { message: 'must be 0 or 1' })
  SERVICE_REGISTRY_ALLOW_ANONYMOUS_WRITES: string = '0';

  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be a whole number of milliseconds, 0 or more' })
  @Min(0, { message: 'must be a whole number of milliseconds, 0 or more' })
  SERVICE_REGISTRY_CACHE_MAX_AGE_MS: number = 30_000;

  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be a whole number of milliseconds, at least 100' })
  @Min(100, { message: 'must be a whole number of milliseconds, at least 100' })
  SERVICE_REGISTRY_CACHE_STATS_INTERVAL_MS: number = 60_000;

  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be a whole number of milliseconds, at least 100' })
  @Min(100, { message: 'must be a whole number of milliseconds, at least 100' })
  SERVICE_HEALTH_INTERVAL_MS: number = 30_000;

  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be a whole number of milliseconds, at least 10' })
  @Min(10, { message: 'must be a whole number of milliseconds, at least 10' })
  SERVICE_HEALTH_TIMEOUT_MS: number = 5_000;

  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be an integer between 1 and 1000' })
  @Min(1, { message: 'must be an integer between 1 and 1000' })
  @Max(1000, { message: 'must be an integer between 1 and 1000' })
  SERVICE_HEALTH_CONCURRENCY: number = 16;

  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be an integer between 1 and 100' })
  @Min(1, { message: 'must be an integer between 1 and 100' })
  @Max(100, { message: 'must be an integer between 1 and 100' })
  SERVICE_HEALTH_FAILURES_BEFORE_UNHEALTHY: number = 3;

  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be an integer between 1 and 100' })
  @Min(1, { message: 'must be an integer between 1 and 100' })
  @Max(100, { message: 'must be an integer between 1 and 100' })
  SERVICE_HEALTH_SUCCESSES_BEFORE_HEALTHY: number = 1;

  @IsOptional()
  @IsIn(BOOLEAN_FLAG, { message: 'must be 0 or 1' })
  APPHUB_DISABLE_SERVICE_POLLING: string = '0';

  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be a whole number of days, at least 1' })
  @Min(1, { message: 'must be a whole number of days, at least 1' })
  SERVICE_HEALTH_RETENTION_DAYS: number = 7;

  @IsOptional()
  @IsIn(BOOLEAN_FLAG, { message: 'must be 0 or 1' })
  APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: string = '1';

  @IsOptional()
  @IsIn(BOOLEAN_FLAG, { message: 'must be 0 or 1' })
  APPHUB_SERVICE_REGISTRY_DUAL_WRITE: string = '0';

  @IsOptional()
  @IsString()
  APPHUB_SERVICE_REGISTRY_LOCAL_DIR: string = '.data/local-registry';

  @IsOptional()
  @IsString()
  SERVICE_MANIFEST_PATHS?: string;

  @IsOptional()
  @toInteger()
  @IsInt({ message: 'must be a whole number of milliseconds, 0 or more' })
  @Min(0, { message: 'must be a whole number of milliseconds, 0 or more' })
  SHUTDOWN_DRAIN_MS: number = 0;
}

/** Raised when an environment variable has a value the registry cannot use. */
export class EnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'EnvironmentError';
  }
}

export function isEnabled(flag: string): boolean {
  return flag === '1' || flag === 'true';
}

/**
 * Validates the variables the registry reads. Empty values count as unset. Throws an
 * `EnvironmentError` naming every bad variable and the value it had.
 */
export function validateEnvironment(raw: NodeJS.ProcessEnv | Record<string, unknown>): Environment {
  const known = Object.keys(new Environment()).concat(['DATABASE_URL', 'REDIS_URL', 'SERVICE_REGISTRY_TOKEN', 'SERVICE_MANIFEST_PATHS', 'LOG_FORMAT']);
  const present: Record<string, string> = {};
  for (const name of new Set(known)) {
    const value = raw[name];
    if (typeof value === 'string' && value.trim() !== '') present[name] = value.trim();
  }
  const environment = plainToInstance(Environment, present, { exposeDefaultValues: true });
  const errors = validateSync(environment, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new EnvironmentError(errors.map((error) => describe(error, present)));
  }
  return environment;
}

function describe(error: ValidationError, raw: Record<string, string>): string {
  const reason = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
  const shown = error.property.includes('TOKEN') ? '(hidden)' : redactUrls(JSON.stringify(raw[error.property]));
  return `${error.property}=${shown} ${reason}`;
}
