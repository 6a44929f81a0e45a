import { dirname } from 'node:path';
import { PLACEHOLDER_NAME } from '../identifiers';

/**
 * An invalid option value: commander reports it as `error: option '…' argument '…' is
 * invalid. <message>` and the CLI exits non-zero (commander recognises the code).
 */
export function invalidArgument(message: string): Error {
  return Object.assign(new Error(message), { code: 'commander.invalidArgument', exitCode: 1 });
}

/** Fails on positional arguments a command does not take. */
export function rejectArguments(command: string, args: string[]): void {
  if (args.length > 0) throw new Error(`${command} takes no positional arguments (got ${args.map((arg) => JSON.stringify(arg)).join(' ')}); see --help`);
}

/** `--var KEY=VALUE` (repeatable): the values given so far plus this one. */
export function parseVariable(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const match = /^([^=]*)=([\s\S]*)$/.exec(value);
  if (!match) throw invalidArgument('expected KEY=VALUE');
  const [, key, assigned] = match;
  if (!PLACEHOLDER_NAME.pattern.test(key)) throw invalidArgument(`"${key}" is not a placeholder name (${PLACEHOLDER_NAME.rule})`);
  if (key in previous && previous[key] !== assigned) throw invalidArgument(`${key} is given twice with different values`);
  return { ...previous, [key]: assigned };
}

/** The modules `--path` (repeatable) and `--config` name, each with `--module`. */
export function moduleSources(options: { path?: string[]; module?: string; config?: string }): { path: string; moduleId?: string; configFile?: string }[] {
  const paths = options.path ?? [];
  if (options.config && paths.length > 1) throw new Error('--config names one module descriptor: give at most one --path with it');
  const directories = paths.length > 0 ? paths : options.config ? [dirname(options.config)] : [];
  return directories.map((path) => ({ path, moduleId: options.module, configFile: options.config }));
}

/** Longest `--lock-timeout` (a day): more is a typo, not a plan. */
const MAX_LOCK_TIMEOUT_MS = 24 * 60 * 60_000;

/**
 * `--lock-timeout`: a duration, `60` or `60s` (seconds), `500ms`, `2m`; 0 gives up at once if
 * another import holds the module.
 */
export function parseLockTimeout(value: string): number {
  const match = /^(\d{1,9})(ms|s|m)?$/.exec(value.trim());
  if (!match) throw invalidArgument('expected a duration: seconds (60 or 60s), milliseconds (500ms) or minutes (2m)');
  const unit = match[2] ?? 's';
  const ms = Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1_000 : 60_000);
  if (ms > MAX_LOCK_TIMEOUT_MS) throw invalidArgument('at most 24 hours (1440m)');
  return ms;
}
