import { Registry } from 'prom-client';

/** The size of the pieces a scrape's text is sent in. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Lines of the text format, written into 64 KiB pieces that go to `send` as each fills: a
 * scrape at 10,000 services is ~12 MB of text, which as an array of lines, then one string,
 * then the response's bytes lived long enough to be promoted, and stayed (the bytes outside
 * the heap too) until a full collection. Written piece by piece, each line and each piece
 * dies young.
 */
export class TextWriter {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private length = 0;
  private written = false;

  constructor(private readonly send: (chunk: Buffer) => void) {}

  /** Appends `text` and a newline. */
  line(text: string): void {
    this.written = true;
    // At most three bytes a UTF-16 code unit, and the newline.
    const room = text.length * 3 + 1;
    if (this.length + room > this.chunk.length) {
      this.flush();
      // A line longer than a piece goes as a piece of its own.
      if (room > CHUNK_BYTES) {
        this.send(Buffer.from(`${text}\n`));
        return;
      }
    }
    this.length += this.chunk.write(text, this.length);
    this.chunk[this.length] = 0x0a;
    this.length += 1;
  }

  /** Whether any line was written. */
  get empty(): boolean {
    return !this.written;
  }

  /** Sends what is written and not yet sent. */
  flush(): void {
    if (this.length === 0) return;
    this.send(this.chunk.subarray(0, this.length));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.length = 0;
  }
}

/** A metric that writes its own lines of the Prometheus text format (HELP and TYPE first). */
export interface TextMetric {
  readonly name: string;
  write(out: TextWriter): void | Promise<void>;
}

/**
 * The application's registry: prom-client's, plus metrics that write their own text. Meant for
 * series counted per service: at 10,000 services they are ~170,000 lines, for which prom-client
 * keeps an object per series between scrapes and builds several more per line at each scrape
 * (with a scrape every 15 s, a polling replica's RSS went from ~200 to ~285 MB and each scrape
 * held the event loop for ~1.3 s; see bench/README.md, "Replica memory").
 * Prometheus text format only (the registry's default content type).
 */
export class MetricsRegistry extends Registry {
  private readonly textMetrics: TextMetric[] = [];

  registerTextMetric(metric: TextMetric): void {
    if (this.getSingleMetric(metric.name) || this.textMetrics.some((known) => known.name === metric.name)) {
      throw new Error(`A metric with the name ${metric.name} has already been registered.`);
    }
    this.textMetrics.push(metric);
  }

  /**
   * Every metric in the text format, to `send` piece by piece. prom-client's metrics are
   * collected before the first piece is sent, so their failure comes before any byte.
   */
  async writeExposition(send: (chunk: Buffer) => void): Promise<void> {
    const out = new TextWriter(send);
    // prom-client's text ends with one newline (and is only that when it has no metric).
    const registered = (await super.metrics()).slice(0, -1);
    if (registered !== '') out.line(registered);
    for (const metric of this.textMetrics) {
      if (!out.empty) out.line('');
      await metric.write(out);
    }
    if (out.empty) out.line('');
    out.flush();
  }

  override async metrics(): Promise<string> {
    const chunks: Buffer[] = [];
    await this.writeExposition((chunk) => chunks.push(chunk));
    return Buffer.concat(chunks).toString();
  }
}

/** Backslash and newline escaped, as the text format writes help texts (and label values, which also escape `"`). */
function escaped(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A label value as the text format writes it (backslash, newline and double quote escaped), in its quotes. */
export function labelValue(value: string): string {
  return `"${escaped(value).replace(/"/g, '\\"')}"`;
}

/** A sample value as prom-client writes it. */
export function sampleValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

/**
 * A histogram with a label set per series whose counts are kept in one growing Float64Array
 * (a row per label set: a count per bucket, the sum, the count), not an object per series:
 * ~180 bytes a series against ~500 for prom-client's. Series are never removed, as with
 * prom-client's histogram.
 */
export class CompactHistogram implements TextMetric {
  private readonly rows = new Map<string, number>();
  private readonly width: number;
  private counts: Float64Array;

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.width = buckets.length + 2;
    this.counts = new Float64Array(this.width * 64);
  }

  /** Records `value` in the series of `labels` (already written as `name="value",…`, see `labelValue`). */
  observe(labels: string, value: number): void {
    let row = this.rows.get(labels);
    if (row === undefined) {
      row = this.rows.size;
      if ((row + 1) * this.width > this.counts.length) {
        const grown = new Float64Array(this.counts.length * 2);
        grown.set(this.counts);
        this.counts = grown;
      }
      this.rows.set(labels, row);
    }
    const at = row * this.width;
    const bucket = this.buckets.findIndex((bound) => value <= bound);
    if (bucket >= 0) this.counts[at + bucket] += 1;
    this.counts[at + this.buckets.length] += value;
    this.counts[at + this.buckets.length + 1] += 1;
  }

  /** The lines prom-client's histogram writes for the same observations, in the same order. */
  write(out: TextWriter): void {
    out.line(`# HELP ${this.name} ${escaped(this.help)}`);
    out.line(`# TYPE ${this.name} histogram`);
    const bounds = this.buckets.map((bound) => `${this.name}_bucket{le="${bound}",`);
    for (const [labels, row] of this.rows) {
      const at = row * this.width;
      let cumulative = 0;
      for (let bucket = 0; bucket < this.buckets.length; bucket += 1) {
        cumulative += this.counts[at + bucket];
        out.line(`${bounds[bucket]}${labels}} ${cumulative}`);
      }
      const count = this.counts[at + this.buckets.length + 1];
      out.line(`${this.name}_bucket{le="+Inf",${labels}} ${count}`);
      out.line(`${this.name}_sum{${labels}} ${sampleValue(this.counts[at + this.buckets.length])}`);
      out.line(`${this.name}_count{${labels}} ${count}`);
    }
  }
}
