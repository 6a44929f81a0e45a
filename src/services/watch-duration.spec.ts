import { MAX_WATCH_MS, watchDuration } from './watch-duration';

describe('watchDuration', () => {
  const noJitter = () => 0;

  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['45', 45_000],
  ])('reads %s as %d ms', (wait, expected) => {
    expect(watchDuration(wait, noJitter)).toBe(expected);
  });

  it('caps the wait at five minutes', () => {
    expect(watchDuration('90m', noJitter)).toBe(MAX_WATCH_MS);
  });

  it('adds at most a sixteenth of jitter', () => {
    expect(watchDuration('16s', () => 0.999)).toBeLessThanOrEqual(17_000);
    expect(watchDuration('16s', () => 0.999)).toBeGreaterThan(16_900);
  });

  it('waits the maximum when no wait is given', () => {
    expect(watchDuration(undefined, noJitter)).toBe(MAX_WATCH_MS);
  });
});
