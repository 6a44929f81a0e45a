import { batchesOfDistinctSlugs, tickPeriodMs } from './health-poller.service';
import { ProbeResult } from './health-prober';

function result(slug: string, latencyMs = 1): ProbeResult {
  return {
    target: { slug, baseUrl: 'http://127.0.0.1:1', healthEndpoint: '/healthz' },
    checkedAt: new Date(0),
    latencyMs,
    statusCode: 200,
    status: 'healthy',
    statusMessage: 'HTTP 200 OK',
    metadata: {},
  };
}

const shape = (batches: ProbeResult[][]) => batches.map((batch) => batch.map((entry) => `${entry.target.slug}${entry.latencyMs}`));

describe('batchesOfDistinctSlugs', () => {
  it('keeps results of distinct services in one batch, in order', () => {
    expect(shape(batchesOfDistinctSlugs([result('a'), result('b'), result('c')], 500))).toEqual([['a1', 'b1', 'c1']]);
  });

  it('puts a second result of the same service in a later batch', () => {
    const batches = batchesOfDistinctSlugs([result('a', 1), result('b', 1), result('a', 2), result('a', 3)], 500);
    expect(shape(batches)).toEqual([['a1', 'b1'], ['a2'], ['a3']]);
  });

  it('caps the batch size', () => {
    expect(shape(batchesOfDistinctSlugs([result('a'), result('b'), result('c')], 2))).toEqual([['a1', 'b1'], ['c1']]);
  });
});

describe('tickPeriodMs', () => {
  it('is a tenth of the interval, between 50 ms and 1 s', () => {
    expect(tickPeriodMs(30_000)).toBe(1_000);
    expect(tickPeriodMs(1_000)).toBe(100);
    expect(tickPeriodMs(100)).toBe(50);
  });
});
