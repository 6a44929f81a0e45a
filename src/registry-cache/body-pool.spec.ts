import { setImmediate as nextTurn } from 'node:timers/promises';
import { BodyPool, SPARE_STORE_TTL_MS } from './body-pool';
import { JsonView } from './json-view';

const MIN = 1024;

describe('BodyPool', () => {
  it('reuses a store handed back, from the next turn of the event loop on', async () => {
    const pool = new BodyPool(MIN);
    const first = pool.take(6000);
    if (!first.recycle) throw new Error('expected pooled memory');
    first.recycle();
    expect(pool.take(6000).body.buffer === first.body.buffer).toBe(false);
    await nextTurn();
    const second = pool.take(5900);
    expect(second.body.buffer === first.body.buffer).toBe(true);
    expect(second.body.length).toBe(5900);
  });

  it('allocates small bodies as usual and refuses a store handed back twice', () => {
    const pool = new BodyPool(MIN);
    expect(pool.take(MIN - 1).recycle).toBeUndefined();
    const body = pool.take(MIN);
    body.recycle!();
    expect(() => body.recycle!()).toThrow('handed back twice');
  });

  it('does not reuse a store more than twice the size asked for', async () => {
    const pool = new BodyPool(MIN);
    pool.take(10 * MIN).recycle!();
    await nextTurn();
    expect(pool.spareCount).toBe(1);
    expect(pool.take(2 * MIN).body.buffer.byteLength).toBeLessThan(10 * MIN);
  });
});

describe('JsonView in pooled memory', () => {
  const pooledView = (pool: BodyPool, marker: string, donor?: Buffer) => {
    const json = JSON.stringify({ data: Array.from({ length: 100 }, (_, n) => ({ slug: `svc-${n}`, marker })) });
    const pooled = pool.take(Buffer.byteLength(json), donor);
    pooled.body.write(json);
    return JsonView.ofBytes(pooled.body, 1, pooled);
  };

  it('hands its bytes back only when its last holder lets go', async () => {
    const pool = new BodyPool(MIN);
    const view = pooledView(pool, 'a');
    view.retain(); // the cache
    view.retain(); // a response still sending it
    view.release(); // replaced in the cache
    await nextTurn();
    expect(pool.spareCount).toBe(0);
    view.release(); // the response closed
    await nextTurn();
    expect(pool.spareCount).toBe(1);
    expect(() => view.retain()).toThrow('after its pooled bytes were handed back');
  });

  it('keeps its bytes while they are being compressed, not while a successor serves its compressed bytes meanwhile', async () => {
    const pool = new BodyPool(MIN);
    const previous = pooledView(pool, 'old');
    previous.retain(); // the cache
    await previous.encoded('gzip');
    const next = pooledView(pool, 'new').follow(previous, true); // compressing its gzip from now on
    next.retain(); // the cache, replacing previous
    previous.release();
    await nextTurn();
    expect(pool.spareCount).toBe(1); // previous's body went back: next serves only its gzip bytes meanwhile
    expect(next.interimFor('gzip')).toBeDefined();
    next.release(); // replaced again while its gzip is still being made
    await nextTurn();
    expect(pool.spareCount).toBe(1); // zlib still reads next's body
    await next.encoded('gzip');
    await nextTurn();
    expect(pool.spareCount).toBe(1); // the pool keeps one spare: next's body is the one kept now
    const reused = pooledView(pool, 'newer');
    expect(reused.body.buffer === next.body.buffer).toBe(true);
  });

  it('gives its memory to the list that replaces it when only the cache holds it, and not while a response sends it', () => {
    const pool = new BodyPool(MIN);
    const first = pooledView(pool, 'first');
    first.retain(); // the cache
    const second = pooledView(pool, 'second', first.handOverStore());
    expect(second.body.buffer === first.body.buffer).toBe(true);
    expect(() => first.retain()).toThrow('after its pooled bytes were handed back');
    second.retain(); // the cache, replacing first
    first.release();
    second.retain(); // a response sending it
    expect(second.handOverStore()).toBeUndefined();
    const third = pooledView(pool, 'third', second.handOverStore());
    expect(third.body.buffer === second.body.buffer).toBe(false);
    expect(second.body.toString()).toContain('"marker":"second"');
  });

  it('lets a spare store go when it is not reused in time', async () => {
    jest.useFakeTimers();
    try {
      const pool = new BodyPool(MIN);
      pool.take(2 * MIN).recycle!();
      jest.advanceTimersToNextTimer(); // the next turn: kept as a spare
      expect(pool.spareCount).toBe(1);
      jest.advanceTimersByTime(SPARE_STORE_TTL_MS);
      expect(pool.spareCount).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
