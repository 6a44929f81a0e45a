import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** How a view's bytes travel: as they are, or compressed (HTTP `Content-Encoding`). */
export type ContentEncoding = 'identity' | 'gzip' | 'br';

/** One encoding of a view: its bytes and their strong ETag (each encoding has its own). */
export interface EncodedBody {
  encoding: ContentEncoding;
  body: Buffer;
  etag: string;
}

/** Bodies smaller than this go uncompressed: the saving would not pay for the work. */
export const MIN_COMPRESSED_BYTES = 1_024;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Level 6 (zlib's default) and Brotli quality 5: both within a few percent of their best ratio
 * on JSON, at a fraction of the time of the highest settings (quality 11 takes ~100× longer).
 */
const COMPRESSORS: Record<Exclude<ContentEncoding, 'identity'>, (body: Buffer) => Promise<Buffer>> = {
  gzip: (body) => gzipAsync(body, { level: 6 }),
  br: (body) =>
    brotliAsync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
};

/**
 * A response body serialised once: the bytes, their strong ETag, and the registry index the
 * data was read at. A cached read sends these bytes as they are. Compressed forms are made
 * once per view, the first time a client accepts them (off the event loop, in zlib's thread
 * pool), and kept with the view: never per request.
 */
export class JsonView {
  readonly identity: EncodedBody;
  private readonly etags: Record<ContentEncoding, string>;
  private readonly compressed = new Map<ContentEncoding, EncodedBody>();
  private readonly compressing = new Map<ContentEncoding, Promise<EncodedBody>>();
  /**
   * The compressed bytes of the view this one replaced, served for an encoding this one is still
   * compressing (see `follow`), with that view's index. Not the replaced view itself: its
   * identity body (megabytes, pooled) can go at once.
   */
  private interim: { encodings: Map<ContentEncoding, EncodedBody>; index: number } | null = null;
  /** Who uses the bytes now: the cache entry, each send, each compression. */
  private holders = 0;
  private recycled = false;

  private constructor(
    readonly body: Buffer,
    readonly etag: string,
    readonly index: number,
    /** The pooled memory the body is written in, and how to hand it back (see `BodyPool`); absent for bytes the collector frees. */
    private pooled: { store: Buffer; recycle: () => void } | undefined,
  ) {
    this.identity = { encoding: 'identity', body, etag };
    const base = etag.slice(0, -1);
    this.etags = { identity: etag, gzip: `${base}.gz"`, br: `${base}.br"` };
  }

  static of(value: unknown, index: number): JsonView {
    return JsonView.ofJson(JSON.stringify(value), index);
  }

  /** A view of JSON text that is already serialised. */
  static ofJson(json: string, index: number): JsonView {
    return JsonView.ofBytes(Buffer.from(json), index);
  }

  /**
   * A view of JSON already encoded as UTF-8 bytes. With `pooled` the bytes are in pooled memory
   * (`BodyPool.take`), handed back when the last holder lets the view go (see `retain`).
   */
  static ofBytes(body: Buffer, index: number, pooled?: { store?: Buffer; recycle?: () => void }): JsonView {
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    const { store, recycle } = pooled ?? {};
    return new JsonView(body, etag, index, store && recycle ? { store, recycle } : undefined);
  }

  /**
   * Marks the bytes as in use until the matching `release`: the cache holds its entries, a send
   * the view until the response is closed, a compression the body it reads. When the last
   * holder of a view in pooled memory lets go, the memory goes back to the pool; a view nobody
   * retained is simply collected.
   */
  retain(): void {
    if (this.recycled) throw new Error(`a view was used after its pooled bytes were handed back (index ${this.index})`);
    this.holders += 1;
  }

  release(): void {
    this.holders -= 1;
    if (this.holders > 0 || !this.pooled) return;
    const { recycle } = this.pooled;
    this.pooled = undefined;
    this.recycled = true;
    recycle();
  }

  /** Whether the bytes are (or were) pooled memory: only then does a send have to hold them (`retain`). */
  get pooledBytes(): boolean {
    return this.pooled !== undefined || this.recycled;
  }

  /**
   * Gives this view's pooled memory to the body that replaces it, when nothing but its one
   * holder (the cache entry) uses it: no response sending it, no compression reading it. The
   * caller writes the new body into it and replaces this view in the cache at once, in the
   * same turn; this view's bytes are not to be read again (its compressed forms still are).
   * Undefined when the memory is in use or not pooled.
   */
  handOverStore(): Buffer | undefined {
    if (this.holders !== 1 || !this.pooled) return undefined;
    const { store } = this.pooled;
    this.pooled = undefined;
    this.recycled = true;
    return store;
  }

  /**
   * Makes this view the successor of `previous` (the same view before a patch): the encodings
   * clients asked `previous` for are made for this one at once, not on the next request. With
   * `serveMeanwhile` (health results, which may lag by a moment anyway) a client asking for one
   * of them gets `previous`'s compressed bytes until this view's are ready, instead of waiting.
   */
  follow(previous: JsonView | undefined, serveMeanwhile: boolean): this {
    if (!previous || !this.compressible) return this;
    for (const encoding of previous.compressed.keys()) if (!this.compressing.has(encoding)) void this.compress(encoding as Exclude<ContentEncoding, 'identity'>);
    if (serveMeanwhile && previous.compressed.size > 0) this.interim = { encodings: new Map(previous.compressed), index: previous.index };
    return this;
  }

  /**
   * What a client that accepts `encoding` is sent while this view's own bytes in that encoding
   * are still being made: the replaced view's compressed bytes and its index (see `follow`);
   * undefined when this view's own bytes are to be sent.
   */
  interimFor(encoding: ContentEncoding): { encoded: EncodedBody; index: number } | undefined {
    const chosen = this.chosen(encoding);
    if (!this.interim || chosen === 'identity' || this.compressed.has(chosen)) return undefined;
    const encoded = this.interim.encodings.get(chosen);
    return encoded && { encoded, index: this.interim.index };
  }

  /** Whether compressing this view is worth it at all. */
  get compressible(): boolean {
    return this.body.length >= MIN_COMPRESSED_BYTES;
  }

  /** The encoding a client that accepts `encoding` gets: identity when the body is too small to compress. */
  chosen(encoding: ContentEncoding): ContentEncoding {
    return this.compressible ? encoding : 'identity';
  }

  /** The ETag of the view in `encoding` (known before the compressed bytes are made). */
  etagOf(encoding: ContentEncoding): string {
    return this.etags[this.chosen(encoding)];
  }

  /**
   * The view in `encoding`: at once when it was made before (or for identity, or a body too
   * small to compress), else a promise of it, made once however many requests ask together.
   */
  encoded(encoding: ContentEncoding): EncodedBody | Promise<EncodedBody> {
    if (encoding === 'identity' || !this.compressible) return this.identity;
    const ready = this.compressed.get(encoding);
    if (ready) return ready;
    return this.compressing.get(encoding) ?? this.compress(encoding);
  }

  private compress(encoding: Exclude<ContentEncoding, 'identity'>): Promise<EncodedBody> {
    // zlib reads the body in its thread pool: pooled bytes must not be reused meanwhile.
    this.retain();
    const pending = COMPRESSORS[encoding](this.body)
      .then((body) => {
        const encoded: EncodedBody = { encoding, body, etag: this.etags[encoding] };
        this.compressed.set(encoding, encoded);
        this.compressing.delete(encoding);
        // The replaced view's bytes in this encoding are no longer served: let them go now.
        this.interim?.encodings.delete(encoding);
        if (this.interim?.encodings.size === 0) this.interim = null;
        return encoded;
      })
      .finally(() => this.release());
    this.compressing.set(encoding, pending);
    return pending;
  }
}
