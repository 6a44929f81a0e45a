import type { LogLevel } from '@nestjs/common';

const NEST_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const PINO_LEVEL_OF: Record<LogLevel, string> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

function nestLevel(level: string): LogLevel {
  return (level === 'info' ? 'log' : level) as LogLevel;
}

/** Nest log levels enabled by `LOG_LEVEL` (`info` is Nest's `log`). */
export function logLevelsFor(level: string): LogLevel[] {
  return NEST_LEVELS.slice(0, NEST_LEVELS.indexOf(nestLevel(level)) + 1);
}

/** The pino level for `LOG_LEVEL` (Nest's `log` is `info`, `verbose` is `trace`). */
export function pinoLevelFor(level: string): string {
  return PINO_LEVEL_OF[nestLevel(level)];
}

/** The level name a JSON line carries for a Nest level: the same names as the app's pino lines. */
export function jsonLevelName(level: LogLevel): string {
  return PINO_LEVEL_OF[level];
}
