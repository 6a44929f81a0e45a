import { HealthSnapshotRepository, RecentCheck } from '../health/health-snapshot.repository';
import { ServiceDirectory } from '../services/service-directory.service';
import { ServicesDataset, servicesDataset, ServiceView } from '../services/service-view';
import { StatusPage } from './status-page.service';

/** A dataset source whose index and statuses a test moves, and a count of timeline reads. */
class Registry {
  index = 1;
  status: ServiceView['status'] = 'healthy';
  timelineReads = 0;

  dataset(): Promise<ServicesDataset> {
    const view = { slug: 'billing', displayName: 'Billing', moduleId: null, status: this.status, statusMessage: null, health: null } as unknown as ServiceView;
    return Promise.resolve(servicesDataset(this.index, [{ view, moduleIds: [] }]));
  }

  recentChecks(): Promise<Map<string, RecentCheck[]>> {
    this.timelineReads += 1;
    return Promise.resolve(new Map());
  }
}

describe('StatusPage', () => {
  const all = { module: null, status: null };
  let registry: Registry;
  let page: StatusPage;

  beforeEach(() => {
    registry = new Registry();
    page = new StatusPage(registry as unknown as ServiceDirectory, registry as unknown as HealthSnapshotRepository);
  });

  it('renders once per registry index and filter, and again when the dataset has moved on', async () => {
    const first = await page.render(all);
    expect(await page.render(all)).toBe(first);
    expect(registry.timelineReads).toBe(1);

    registry.index = 2;
    registry.status = 'degraded';
    const second = await page.render(all);
    expect(second.index).toBe(2);
    expect(second.etag).not.toBe(first.etag);
    expect(second.body.toString()).toContain('data-status="degraded"');
    expect(registry.timelineReads).toBe(2);

    await page.render({ module: null, status: 'degraded' });
    expect(registry.timelineReads).toBe(3);
  });

  it('shares one build between requests that arrive together', async () => {
    const pages = await Promise.all([page.render(all), page.render(all), page.render(all)]);
    expect(new Set(pages).size).toBe(1);
    expect(registry.timelineReads).toBe(1);
  });
});
