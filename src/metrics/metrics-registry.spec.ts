import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CompactHistogram, labelValue, MetricsRegistry, TextWriter } from './metrics-registry';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Label values a service may have, the awkward ones included. */
const SERIES = [
  { slug: 'billing', module: 'github.com/apphub/billing' },
  { slug: 'search', module: '' },
  { slug: 'quote"back\\slash', module: 'line\nbreak' },
];
/** Latencies on, between and beyond the bounds. */
const VALUES = [0, 0.005, 0.0051, 0.3, 1, 10, 10.5, 42, 0.1 + 0.2];

describe('MetricsRegistry', () => {
  it('writes a compact histogram exactly as prom-client writes the same observations', async () => {
    const reference = new Registry();
    const theirs = new Histogram({ name: 'latency_seconds', help: 'Latency "per" service\\n', labelNames: ['slug', 'module'], buckets: BUCKETS, registers: [reference] });
    const registry = new MetricsRegistry();
    const ours = new CompactHistogram('latency_seconds', 'Latency "per" service\\n', BUCKETS);
    registry.registerTextMetric(ours);
    // Enough series to make the counts grow past their first allocation.
    const series = [...SERIES, ...Array.from({ length: 100 }, (_, n) => ({ slug: `svc-${n}`, module: 'bench' }))];
    series.forEach((labels, n) => {
      for (const value of VALUES.slice(n % VALUES.length)) {
        theirs.observe(labels, value);
        ours.observe(`slug=${labelValue(labels.slug)},module=${labelValue(labels.module)}`, value);
      }
    });

    expect(await registry.metrics()).toBe(await reference.metrics());
  });

  it("writes prom-client's metrics, then the text metrics, in the text format's layout", async () => {
    const registry = new MetricsRegistry();
    new Counter({ name: 'checks_total', help: 'Checks', registers: [registry] }).inc(3);
    registry.registerTextMetric({
      name: 'status',
      write: async (out) => ['# HELP status Status', '# TYPE status gauge', 'status{slug="a"} 1'].forEach((line) => out.line(line)),
    });
    registry.registerTextMetric({ name: 'empty', write: (out) => ['# HELP empty Nothing yet', '# TYPE empty gauge'].forEach((line) => out.line(line)) });

    expect(await registry.metrics()).toBe(
      '# HELP checks_total Checks\n# TYPE checks_total counter\nchecks_total 3\n\n' +
        '# HELP status Status\n# TYPE status gauge\nstatus{slug="a"} 1\n\n' +
        '# HELP empty Nothing yet\n# TYPE empty gauge\n',
    );
  });

  it('refuses a second metric of a name already registered, by either kind', () => {
    const registry = new MetricsRegistry();
    new Gauge({ name: 'taken', help: 'A gauge', registers: [registry] });
    registry.registerTextMetric(new CompactHistogram('latency_seconds', 'Latency', BUCKETS));

    expect(() => registry.registerTextMetric({ name: 'taken', write: () => undefined })).toThrow('A metric with the name taken has already been registered.');
    expect(() => registry.registerTextMetric(new CompactHistogram('latency_seconds', 'Latency', BUCKETS))).toThrow(
      'A metric with the name latency_seconds has already been registered.',
    );
  });

  it('sends the text in pieces of at most 64 KiB (a longer line in one piece of its own), none lost or reordered', () => {
    const pieces: Buffer[] = [];
    const out = new TextWriter((piece) => pieces.push(piece));
    const lines = Array.from({ length: 20_000 }, (_, n) => `series_${n}{slug="s\u00e9rvice-${n}"} ${'9'.repeat(n % 40)}`);
    const long = 'x'.repeat(100_000);
    lines.splice(10_000, 0, long);
    for (const line of lines) out.line(line);
    out.flush();

    expect(Buffer.concat(pieces).toString()).toBe(`${lines.join('\n')}\n`);
    expect(pieces.length).toBeGreaterThan(10);
    expect(pieces.filter((piece) => piece.length > 64 * 1024).map((piece) => piece.toString())).toEqual([`${long}\n`]);
  });
});
