import { renderStatusPage, StatusPageModel, StatusRow } from './status-page.renderer';

const row = (overrides: Partial<StatusRow> = {}): StatusRow => ({
  slug: 'billing',
  displayName: 'Billing',
  moduleId: 'finance',
  status: 'healthy',
  observedStatus: 'healthy',
  statusMessage: 'HTTP 200 OK',
  since: '2026-11-28T06:00:00.000Z',
  latencyMs: 12,
  checkedAt: '2026-11-28T06:10:00.000Z',
  consecutiveFailures: 0,
  consecutiveSuccesses: 4,
  flapping: false,
  timeline: [
    { version: 1, status: 'healthy', observedStatus: 'healthy', checkedAt: new Date('2026-11-28T06:09:00Z'), latencyMs: 10, statusMessage: 'HTTP 200 OK' },
    { version: 2, status: 'healthy', observedStatus: 'degraded', checkedAt: new Date('2026-11-28T06:09:30Z'), latencyMs: 11, statusMessage: 'HTTP 500' },
  ],
  ...overrides,
});

const model = (overrides: Partial<StatusPageModel> = {}): StatusPageModel => ({
  index: 42,
  rows: [row()],
  modules: ['finance'],
  filters: { module: null, status: null },
  timelineLength: 60,
  scriptPath: '/status/live.js',
  ...overrides,
});

describe('renderStatusPage', () => {
  it('lists each service with its status, since, latency, module, timeline and history links', () => {
    const html = renderStatusPage(model());
    expect(html).toContain('<tr id="service-billing" data-slug="billing" data-status="healthy">');
    expect(html).toContain('<span class="badge healthy">healthy</span>');
    expect(html).toContain('<time datetime="2026-11-28T06:00:00.000Z">2026-11-28 06:00:00 UTC</time>');
    expect(html).toContain('12 ms');
    expect(html).toContain('<td>finance</td>');
    expect(html).toMatch(/<li class="cell healthy" title="2026-11-28 06:09:00 UTC: healthy, 10 ms \(HTTP 200 OK\); status healthy"><\/li><li class="cell degraded"/);
    expect(html).toContain('<a href="/services/billing/health">history</a>');
    expect(html).toContain('<a href="/services/billing/health?transitions=true">transitions</a>');
    expect(html).toContain('<main id="board" data-index="42">');
  });

  it('says when the last check disagrees with the effective status, and flags flapping', () => {
    const html = renderStatusPage(
      model({ rows: [row({ observedStatus: 'unreachable', consecutiveFailures: 2, consecutiveSuccesses: 0, flapping: true })] }),
    );
    expect(html).toContain('last check: unreachable (2 failures in a row)');
    expect(html).toContain('<span class="badge flapping"');
  });

  it('escapes everything that came from a manifest or a target', () => {
    const html = renderStatusPage(
      model({ rows: [row({ displayName: '<script>alert(1)</script>', statusMessage: '"quoted" & <b>', moduleId: 'a"b' })], modules: ['a"b'] }),
    );
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('&#34;quoted&#34; &#38; &#60;b&#62;');
    expect(html).toContain('<option value="a&#34;b">');
  });

  it('keeps the chosen filters selected and offers to clear them', () => {
    const html = renderStatusPage(model({ filters: { module: 'finance', status: 'degraded' }, rows: [] }));
    expect(html).toContain('<option value="finance" selected>finance</option>');
    expect(html).toContain('<option value="degraded" selected>degraded</option>');
    expect(html).toContain('<a href="/status">Clear filters</a>');
    expect(html).toContain('No service matches.');
  });

  it('gives the same bytes for the same model (a stable ETag) and loads no asset from elsewhere', () => {
    expect(renderStatusPage(model())).toBe(renderStatusPage(model()));
    const html = renderStatusPage(model());
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('<script src="/status/live.js" defer></script>');
  });
});
