import { redactUrls } from './redacted-url';

const BOOLEAN_FLAG = ['0', '1', 'true', 'false'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'log', 'debug', 'verbose'];
const LOG_FORMATS = ['json', 'pretty'];

/**
 * Every environment variable the registry reads, with its default. Validated once at
 * start (`validateEnvironment`); the typed namespaces in this folder are built from it.
 */
export interface Environment {
  PORT: number;
  LOG_LEVEL: string;
  /** Unset: `pretty` when the output is a terminal, `json` otherwise (src/logging/log-format.ts). */
  LOG_FORMAT?: string;
  DATABASE_URL?: string;
  REDIS_URL?: string;
  EMBEDDED_POSTGRES_PORT: number;
  EMBEDDED_POSTGRES_DIR: string;
  SERVICE_REGISTRY_TOKEN?: string;
  SERVICE_REGISTRY_ALLOW_ANONYMOUS_WRITES: string;
  SERVICE_REGISTRY_CACHE_MAX_AGE_MS: number;
  SERVICE_REGISTRY_CACHE_STATS_INTERVAL_MS: number;
  SERVICE_HEALTH_INTERVAL_MS: number;
  SERVICE_HEALTH_TIMEOUT_MS: number;
  SERVICE_HEALTH_CONCURRENCY: number;
  SERVICE_HEALTH_FAILURES_BEFORE_UNHEALTHY: number;
  SERVICE_HEALTH_SUCCESSES_BEFORE_HEALTHY: number;
  APPHUB_DISABLE_SERVICE_POLLING: string;
  SERVICE_HEALTH_RETENTION_DAYS: number;
  APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: string;
  APPHUB_SERVICE_REGISTRY_DUAL_WRITE: string;
  APPHUB_SERVICE_REGISTRY_LOCAL_DIR: string;
  SERVICE_MANIFEST_PATHS?: string;
  SHUTDOWN_DRAIN_MS: number;
}

/** What one variable may hold: an integer in a range, one of some words, a pattern, or any text. */
type Rule =
  | { integer: { min: number; max?: number }; message: string; default?: number }
  | { oneOf: string[]; message: string; default?: string }
  | { pattern: RegExp; message: string; default?: string }
  | { text: true; default?: string };

const integer = (min: number, max: number | undefined, message: string, fallback: number): Rule => ({ integer: { min, max }, message, default: fallback });
const flag = (fallback: string): Rule => ({ oneOf: BOOLEAN_FLAG, message: 'must be 0 or 1', default: fallback });
const milliseconds = (fallback: number): Rule => integer(0, undefined, 'must be a whole number of milliseconds, 0 or more', fallback);
const intervalMs = (min: number, fallback: number): Rule => integer(min, undefined, `must be a whole number of milliseconds, at least ${min}`, fallback);
const between = (min: number, max: number, fallback: number): Rule => integer(min, max, `must be an integer between ${min} and ${max}`, fallback);

/**
 * The rules, as data, in the order problems are reported. Plain code rather than
 * class-validator decorators: the CLI validates the environment before every command, and
 * class-validator with class-transformer (and the validator and libphonenumber-js packages
 * they load, ~340 files) was ~10 % of a backfill's start (bench/README.md, "Import,
 * 2026-11-28"). The HTTP inputs keep class-validator.
 */
const RULES: { [Name in keyof Environment]-?: Rule } = {
  PORT: between(1, 65535, 4000),
  LOG_LEVEL: { oneOf: LOG_LEVELS, message: `must be one of ${LOG_LEVELS.join(', ')}`, default: 'info' },
  LOG_FORMAT: { oneOf: LOG_FORMATS, message: 'must be json (one JSON object per line) or pretty (for a terminal)' },
  DATABASE_URL: { pattern: /^postgres(ql)?:\/\/\S+$/, message: 'must be a postgres:// or postgresql:// URL' },
  REDIS_URL: { pattern: /^(inline|rediss?:\/\/\S+)$/, message: 'must be a redis:// or rediss:// URL, or "inline"' },
  EMBEDDED_POSTGRES_PORT: between(1024, 65535, 54329),
  EMBEDDED_POSTGRES_DIR: { text: true, default: '.data/postgres' },
  SERVICE_REGISTRY_TOKEN: { text: true },
  SERVICE_REGISTRY_ALLOW_ANONYMOUS_WRITES: flag('0'),
  SERVICE_REGISTRY_CACHE_MAX_AGE_MS: milliseconds(30_000),
  SERVICE_REGISTRY_CACHE_STATS_INTERVAL_MS: intervalMs(100, 60_000),
  SERVICE_HEALTH_INTERVAL_MS: intervalMs(100, 30_000),
  SERVICE_HEALTH_TIMEOUT_MS: intervalMs(10, 5_000),
  SERVICE_HEALTH_CONCURRENCY: between(1, 1000, 16),
  SERVICE_HEALTH_FAILURES_BEFORE_UNHEALTHY: between(1, 100, 3),
  SERVICE_HEALTH_SUCCESSES_BEFORE_HEALTHY: between(1, 100, 1),
  APPHUB_DISABLE_SERVICE_POLLING: flag('0'),
  SERVICE_HEALTH_RETENTION_DAYS: integer(1, undefined, 'must be a whole number of days, at least 1', 7),
  APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: flag('1'),
  APPHUB_SERVICE_REGISTRY_DUAL_WRITE: flag('0'),
  APPHUB_SERVICE_REGISTRY_LOCAL_DIR: { text: true, default: '.data/local-registry' },
  SERVICE_MANIFEST_PATHS: { text: true },
  SHUTDOWN_DRAIN_MS: milliseconds(0),
};

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
  const environment: Record<string, string | number> = {};
  const problems: string[] = [];
  for (const [name, rule] of Object.entries(RULES) as [keyof Environment, Rule][]) {
    const given = raw[name];
    const text = typeof given === 'string' ? given.trim() : '';
    if (text === '') {
      if (rule.default !== undefined) environment[name] = rule.default;
      continue;
    }
    const value = checked(rule, text);
    if (value === undefined) {
      const shown = name.includes('TOKEN') ? '(hidden)' : redactUrls(JSON.stringify(text));
      problems.push(`${name}=${shown} ${'message' in rule ? rule.message : 'is invalid'}`);
    } else {
      environment[name] = value;
    }
  }
  if (problems.length > 0) throw new EnvironmentError(problems);
  return environment as unknown as Environment;
}

/** The value a variable's text stands for under its rule; undefined when the rule refuses it. */
function checked(rule: Rule, text: string): string | number | undefined {
  if ('integer' in rule) {
    if (!/^-?\d+$/.test(text)) return undefined;
    const value = Number(text);
    const { min, max } = rule.integer;
    return Number.isInteger(value) && value >= min && (max === undefined || value <= max) ? value : undefined;
  }
  if ('oneOf' in rule) return rule.oneOf.includes(text) ? text : undefined;
  if ('pattern' in rule) return rule.pattern.test(text) ? text : undefined;
  return text;
}
