import { Logger } from '@nestjs/common';
import { ReadinessState } from './readiness-state';

/** The shutdown drain on Jest's fake clock. */
describe('ReadinessState', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  function readiness(shutdownDrainMs: number): ReadinessState {
    return new ReadinessState({ port: 4000, shutdownDrainMs });
  }

  it('turns not-ready as shutdown begins, and holds shutdown for SHUTDOWN_DRAIN_MS', async () => {
    const state = readiness(1_500);
    expect(state.isDraining).toBe(false);
    let drained = false;
    const destroyed = state.onModuleDestroy().then(() => (drained = true));
    expect(state.isDraining).toBe(true);
    await jest.advanceTimersByTimeAsync(1_499);
    expect(drained).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await destroyed;
    expect(drained).toBe(true);
    expect(state.isDraining).toBe(true);
  });

  it('does not wait at all with no drain configured', async () => {
    const state = readiness(0);
    await state.onModuleDestroy();
    expect(state.isDraining).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});
