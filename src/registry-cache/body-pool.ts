/** A body written into pooled memory: the store it is a part of, and how to hand the store back once nothing holds it. */
export interface PooledBody {
  body: Buffer;
  store: Buffer;
  recycle: () => void;
}

/** Bodies smaller than this are allocated as usual: only lists of thousands of services are worth reusing. */
export const POOLED_BODY_MIN_BYTES = 1024 * 1024;

/** Spare stores kept for reuse; more are let go (the garbage collector frees them). */
const MAX_SPARE = 1;

/** A spare store not reused within this long is let go too: the registry's lists need no second store now. */
export const SPARE_STORE_TTL_MS = 10_000;

/**
 * Memory for the largest view bodies, reused instead of allocated anew. While health results
 * stream in, a list of 10,000 services (~8 MB) is written again every second; each new Buffer
 * lives outside the V8 heap and is freed only by a full collection, which V8 starts after
 * ~64 MB of such memory has piled up, so a replica's RSS swung by tens of megabytes. Here a
 * body's store comes back once no view or response holds it (see `JsonView.retain`) and the
 * next list is written into it; a list replaced while nothing else held it gives its store to
 * its successor directly (`take`'s donor), so a list patched every second needs one store.
 *
 * A store handed back is reused only from the next turn of the event loop on: whatever took
 * the body's view in the turn that let it go (a request between reading the cache and sending)
 * has sent or retained it by then.
 */
export class BodyPool {
  private readonly spare: { store: Buffer; expiry: NodeJS.Timeout }[] = [];

  constructor(private readonly minBytes = POOLED_BODY_MIN_BYTES) {}

  /**
   * Memory for a body of `length` bytes: pooled when large enough (`recycle` hands it back),
   * else plain. `donor` is a store its owner gave up for this body (see
   * `JsonView.handOverStore`): used when it fits, else kept as a spare.
   */
  take(length: number, donor?: Buffer): PooledBody | { body: Buffer; store?: undefined; recycle?: undefined } {
    const fits = donor !== undefined && donor.length >= length && donor.length <= 2 * length;
    if (donor && !fits) this.keep(donor);
    if (length < this.minBytes) return { body: Buffer.allocUnsafe(length) };
    const store = (fits ? donor : undefined) ?? this.spareFor(length) ?? Buffer.allocUnsafeSlow(withHeadroom(length));
    let recycled = false;
    return {
      body: store.subarray(0, length),
      store,
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
      const capacity = this.spare[at].store.length;
      if (capacity >= length && capacity <= 2 * length && (best === -1 || capacity < this.spare[best].store.length)) best = at;
    }
    if (best === -1) return undefined;
    const [{ store, expiry }] = this.spare.splice(best, 1);
    clearTimeout(expiry);
    return store;
  }

  private keep(store: Buffer): void {
    const expiry = setTimeout(() => this.letGo(store), SPARE_STORE_TTL_MS);
    expiry.unref();
    this.spare.push({ store, expiry });
    // The oldest spare goes first: the registry's size may have moved away from it.
    if (this.spare.length > MAX_SPARE) this.letGo(this.spare[0].store);
  }

  private letGo(store: Buffer): void {
    const at = this.spare.findIndex((spare) => spare.store === store);
    if (at === -1) return;
    clearTimeout(this.spare[at].expiry);
    this.spare.splice(at, 1);
  }
}

/** A store a little larger than asked (1/16, in 4 KiB steps), so the next list, a few bytes longer, fits too. */
function withHeadroom(length: number): number {
  const step = 4 * 1024;
  return Math.ceil((length + length / 16) / step) * step;
}
