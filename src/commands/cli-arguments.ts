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
