import { patchDataset } from './dataset-patch';
import { RegistryService, servicesDataset, ServiceView } from './service-view';

function service(slug: string, statusMessage: string | null = null): RegistryService {
  return { view: { slug, statusMessage } as unknown as ServiceView, moduleIds: [] };
}

const slugs = (services: RegistryService[]) => services.map((entry) => entry.view.slug);

describe('patchDataset', () => {
  it('replaces an upserted service in place and inserts a new one at its slug', () => {
    const dataset = servicesDataset(10, [service('a'), service('c')]);
    const changed = patchDataset(dataset, [{ index: 11, upserts: [service('c', 'x'), service('b')], health: false }]);
    expect(changed).toEqual(['c', 'b']);
    expect(slugs(dataset.services)).toEqual(['a', 'b', 'c']);
    expect(dataset.bySlug.get('c')!.view.statusMessage).toBe('x');
    expect(dataset.index).toBe(11);
  });

  it('skips upserts the dataset was read after, and one older than the last applied to its slug', () => {
    const dataset = servicesDataset(10, [service('a', 'read')]);
    expect(patchDataset(dataset, [{ index: 10, upserts: [service('a', 'old')], health: true }])).toEqual([]);
    patchDataset(dataset, [{ index: 13, upserts: [service('a', 'newer')], health: true }]);
    expect(patchDataset(dataset, [{ index: 12, upserts: [service('a', 'late')], health: true }])).toEqual([]);
    expect(dataset.bySlug.get('a')!.view.statusMessage).toBe('newer');
    expect(dataset.index).toBe(13);
  });

  it('keeps code-unit order whatever order upserts arrive in', () => {
    const dataset = servicesDataset(0, []);
    patchDataset(dataset, [{ index: 1, upserts: ['svc-10', 'svc-2', 'a-b', 'ab', 'svc-1'].map((slug) => service(slug)), health: false }]);
    expect(slugs(dataset.services)).toEqual(['a-b', 'ab', 'svc-1', 'svc-10', 'svc-2']);
  });
});
