import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { validateEnvironment } from '../config/environment';
import { LogFormat, resolveLogFormat } from './log-format';
import { pinoLevelFor } from './log-levels';

/** The key of a line's text: `{"level":"info","time":"…","context":"…","message":"…"}`. */
export const MESSAGE_KEY = 'message';

export interface LoggingSettings {
  /** `LOG_LEVEL`: fatal, error, warn, info (log), debug, verbose. */
  level: string;
  format: LogFormat;
}

/** LOG_LEVEL and LOG_FORMAT of this process (unset LOG_FORMAT: pretty on a terminal, else JSON). */
export function loggingSettings(env: NodeJS.ProcessEnv = process.env): LoggingSettings {
  const environment = validateEnvironment(env);
  return { level: environment.LOG_LEVEL, format: resolveLogFormat(environment.LOG_FORMAT, process.stdout) };
}

/**
 * The process's pino logger. `json`: one object per line on stdout with `level` (its name),
 * `time` (ISO 8601), `pid`, `hostname`, `context` and `message`, plus `requestId` and the
 * request's fields on HTTP lines. `pretty`: the same records as `HH:MM:ss.l LEVEL [context]
 * message` through pino-pretty, coloured on a terminal (loaded only in that mode).
 */
export function createRootLogger(settings: LoggingSettings, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: pinoLevelFor(settings.level),
    messageKey: MESSAGE_KEY,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (settings.format === 'json') {
    return pino(
      { ...options, formatters: { level: (label) => ({ level: label }) } },
      // Synchronous writes: a line logged just before the process exits is not lost.
      destination ?? pino.destination({ fd: 1, sync: true }),
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PinoPretty } = require('pino-pretty') as typeof import('pino-pretty');
  const pretty = PinoPretty({
    destination: destination ?? 1,
    sync: true,
    colorize: Boolean(process.stdout.isTTY) && destination === undefined,
    messageKey: MESSAGE_KEY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,requestId,req,res,latencyMs',
    messageFormat: `{if context}[{context}] {end}{${MESSAGE_KEY}}`,
  });
  return pino(options, pretty);
}

let root: Logger | undefined;

/** The one root logger of this process (built from the environment on first use). */
export function rootLogger(): Logger {
  root ??= createRootLogger(loggingSettings());
  return root;
}
