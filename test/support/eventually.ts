import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /**
   * Gives up after this long. It only bounds a hang: make it generous (the default is 30 s),
   * never a speed expectation; speed is measured in `bench/`.
   */
  timeoutMs?: number;
  /** Pause between attempts (default 25 ms). */
  intervalMs?: number;
}

/**
 * Runs `check` until it returns without throwing, and returns what it returned. `check` is
 * usually a read followed by `expect(...)`: a failed expectation means "not yet". When the
 * time is up, the last failure is thrown, so the test reports what was last seen.
 *
 *     const body = await eventually(async () => {
 *       const response = await app.fetch('/services/billing');
 *       expect(response.status).toBe(200);
 *       return response.json();
 *     });
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) {
        if (error instanceof Error) error.message = `still failing after ${timeoutMs} ms: ${error.message}`;
        throw error;
      }
    }
    await sleep(intervalMs);
  }
}
