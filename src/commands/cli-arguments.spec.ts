import { moduleSources, parseLockTimeout, parseVariable, rejectArguments } from './cli-arguments';

describe('CLI arguments', () => {
  it('parses --var KEY=VALUE, repeatable, a value may hold "=" or be empty', () => {
    expect(parseVariable('A=1', parseVariable('B=x=y'))).toEqual({ B: 'x=y', A: '1' });
    expect(parseVariable('EMPTY=')).toEqual({ EMPTY: '' });
    expect(parseVariable('A=1', { A: '1' })).toEqual({ A: '1' });
  });

  it.each([
    ['NOEQUALS', {}, 'expected KEY=VALUE'],
    ['MY-VAR=1', {}, '"MY-VAR" is not a placeholder name (letters, digits and "_")'],
    ['=1', {}, '"" is not a placeholder name (letters, digits and "_")'],
    ['A=2', { A: '1' }, 'A is given twice with different values'],
  ])('refuses --var %s as commander reports an invalid argument', (value, previous, message) => {
    expect(() => parseVariable(value, previous)).toThrow(expect.objectContaining({ message, code: 'commander.invalidArgument', exitCode: 1 }));
  });

  it('makes one source per --path, each with --module and --config; --config alone names its folder', () => {
    expect(moduleSources({ path: ['a', 'b'], module: 'github.com/apphub/local-services' })).toEqual([
      { path: 'a', moduleId: 'github.com/apphub/local-services', configFile: undefined },
      { path: 'b', moduleId: 'github.com/apphub/local-services', configFile: undefined },
    ]);
    expect(moduleSources({ config: 'modules/observatory/dist/config.json' })).toEqual([
      { path: 'modules/observatory/dist', moduleId: undefined, configFile: 'modules/observatory/dist/config.json' },
    ]);
    expect(moduleSources({})).toEqual([]);
    expect(() => moduleSources({ config: 'x.json', path: ['a', 'b'] })).toThrow('--config names one module descriptor: give at most one --path with it');
  });

  it('refuses positional arguments', () => {
    expect(() => rejectArguments('validate', ['modules/x'])).toThrow('validate takes no positional arguments (got "modules/x"); see --help');
  });

  it.each([
    ['60', 60_000],
    ['45s', 45_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['0', 0],
  ])('parses --lock-timeout %s', (value, ms) => {
    expect(parseLockTimeout(value)).toBe(ms);
  });

  it.each([
    ['', 'expected a duration: seconds (60 or 60s), milliseconds (500ms) or minutes (2m)'],
    ['-1', 'expected a duration: seconds (60 or 60s), milliseconds (500ms) or minutes (2m)'],
    ['1.5s', 'expected a duration: seconds (60 or 60s), milliseconds (500ms) or minutes (2m)'],
    ['ten', 'expected a duration: seconds (60 or 60s), milliseconds (500ms) or minutes (2m)'],
    ['1441m', 'at most 24 hours (1440m)'],
  ])('refuses --lock-timeout %j as an invalid argument', (value, message) => {
    expect(() => parseLockTimeout(value)).toThrow(expect.objectContaining({ message, code: 'commander.invalidArgument', exitCode: 1 }));
  });
});
