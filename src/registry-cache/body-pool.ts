/** A body written into pooled memory, and how to hand that memory back once nothing holds it. */
export interface PooledBody {
  body: Buffer;
  recycle: () => void;
}

/** Bodies smaller than this are allocated as usual: only lists of thousands of services are worth reusing. */
export const POOLED_BODY_MIN_BYTES = 1024 * 1024;

/** Spare stores kept for reuse; more are let go (the garbage collector frees them). */
const MAX_SPARE = 1;

/**
 * Memory for the largest view bodies, reused instead of allocated anew. While health results
 * stream in, a list of 10,000 services (~8 MB) is written again every second; each new Buffer
 * lives outside the V8 heap and is freed only by a full collection, which V8 starts after
 * ~64 MB of such memory has piled up, so a replica's RSS swung by tens of megabytes. Here a
 * body's store comes back once no view or response holds it (see `JsonView.retain`) and the
 * next list is written into it.
 *
 * A store handed back is reused only from the next turn of the event loop on: whatever took
 * the body's view in the turn that let it go (a request between reading the cache and sending)
 * has sent or retained it by then.
 */
export class BodyPool {
  private readonly spare: Buffer[] = [];

  constructor(private readonly minBytes = POOLED_BODY_MIN_BYTES) {}

  /** Memory for a body of `length` bytes: pooled when large enough (`recycle` hands it back), else plain. */
  take(length: number): PooledBody | { body: Buffer; recycle?: undefined } {
    if (length < this.minBytes) return { body: Buffer.allocUnsafe(length) };
    const store = this.spareFor(length) ?? Buffer.allocUnsafeSlow(withHeadroom(length));
    let recycled = false;
    return {
      body: store.subarray(0, length),
      recycle: () => {
        if (recycled) throw new Error('a pooled body was handed back twice');
        recycled = true;
        setImmediate(() => this.keep(store));
      },
    };
  }

  /** How many stores wait for reuse (for specs and diagnostics). */
  get spareCount(): number {
    return this.spare.length;
  }

  /** The smallest spare store that fits `length` without wasting more than half of itself. */
  private spareFor(length: number): Buffer | undefined {
    let best = -1;
    for (let at = 0; at < this.spare.length; at += 1) {
      const capacity = this.spare[at].length;
      if (capacity >= length && capacity <= 2 * length && (best === -1 || capacity < this.spare[best].length)) best = at;
    }
    return best === -1 ? undefined : this.spare.splice(best, 1)[0];
  }

  private keep(store: Buffer): void {
    this.spare.push(store);
    // The oldest spare goes first: the registry's size may have moved away from it.
    if (this.spare.length > MAX_SPARE) this.spare.shift();
  }
}

/** A store a little larger than asked (1/16, in 4 KiB steps), so the next list, a few bytes longer, fits too. */
function withHeadroom(length: number): number {
  const step = 4 * 1024;
  return Math.ceil((length + length / 16) / step) * step;
}
